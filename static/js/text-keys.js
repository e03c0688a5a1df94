// Selecting text in the reading view without a mouse, and by touch.
//
// Keyboard: Tab reaches the article text; Left/Right move by word, Shift+Left/Right extend the selection
// by word (with Alt too: by character), Shift+Up/Down by line, Enter opens the tag panel, Esc drops the
// selection. Touch: once a touch selection has rested for a moment, the tag panel opens. Either way this
// module only says "text-selected" on the document; reading.js opens the panel. A live region tells
// screen readers what is selected.

const TEXT = "#article-text";
const CARET = "text-caret";
const textEl = () => document.querySelector(TEXT);
const status = () => document.getElementById("selection-status");

function announce(message) {
  const region = status();
  if (region && region.textContent !== message) region.textContent = message;
}

/** A DOM range over UTF-16 offsets [from, to) of the article text. */
function rangeOf(root, from, to) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  let started = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const next = seen + node.data.length;
    if (!started && from <= next) {
      range.setStart(node, from - seen);
      started = true;
    }
    if (started && to <= next) {
      range.setEnd(node, to - seen);
      return range;
    }
    seen = next;
  }
  return started ? range : null;
}

function offsetOf(root, node, offset) {
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/** Non-editable text shows no caret: mark the word the caret is at instead. */
function showCaret() {
  const root = textEl();
  const selection = window.getSelection();
  if (!window.CSS?.highlights || !window.Highlight) return;
  CSS.highlights.delete(CARET);
  if (!root || !selection.rangeCount || !selection.isCollapsed || !root.contains(selection.focusNode)) return;
  const text = root.textContent;
  let at = offsetOf(root, selection.focusNode, selection.focusOffset);
  while (at < text.length && /\s/u.test(text[at])) at++;
  let end = at;
  while (end < text.length && !/\s/u.test(text[end])) end++;
  const range = rangeOf(root, at, Math.max(end, Math.min(at + 1, text.length)));
  if (range) {
    CSS.highlights.set(CARET, new Highlight(range));
    announce(text.slice(at, end) || "End of the text");
  }
}

function announceSelection() {
  const selection = window.getSelection();
  const chosen = selection.toString().trim();
  if (chosen) {
    CSS.highlights?.delete(CARET);
    const words = chosen.split(/\s+/u).length;
    announce(`Selected ${words} word${words === 1 ? "" : "s"}: ${chosen}. Enter to tag.`);
  } else showCaret();
}

// Where the caret goes back to when focus returns to the text: after the last span offered for tagging.
let lastEnd = 0;

function selected({ exact = false } = {}) {
  const root = textEl();
  const range = window.getSelection().getRangeAt(0);
  lastEnd = offsetOf(root, range.endContainer, range.endOffset);
  document.dispatchEvent(new CustomEvent("text-selected", { detail: { exact } }));
}

// ---- keyboard ---------------------------------------------------------------------------------------

document.addEventListener("focusin", (event) => {
  const root = event.target.closest?.(TEXT);
  if (!root) return;
  const selection = window.getSelection();
  if (!selection.rangeCount || !root.contains(selection.anchorNode)) {
    const caret = rangeOf(root, Math.min(lastEnd, root.textContent.length), Math.min(lastEnd, root.textContent.length));
    if (caret) selection.collapse(caret.startContainer, caret.startOffset);
  }
  announceSelection();
});

document.addEventListener("focusout", (event) => {
  if (event.target.closest?.(TEXT)) CSS.highlights?.delete(CARET);
});

// Moving and selecting by word follows the words of the text's language (Intl.Segmenter: Korean too), not
// the browser's own steps, which stop at every punctuation mark and blank line, and at each side of a
// word on some systems: a reader tagging by keyboard pressed several times to get past one word.
let segmenter;
function wordsOf(root) {
  const lang = root.closest("[lang]")?.lang || undefined;
  if (!segmenter || segmenter.lang !== lang) {
    segmenter = { lang, words: new Intl.Segmenter(lang, { granularity: "word" }) };
  }
  return segmenter.words.segment(root.textContent);
}

/** The first word starting at or after `from`. */
function wordFrom(segments, from, length) {
  for (let at = from; at < length; ) {
    const segment = segments.containing(at);
    if (segment.isWordLike && segment.index >= from) return segment;
    at = segment.index + segment.segment.length;
  }
  return null;
}

/** The last word starting before `from`. */
function wordBefore(segments, from) {
  for (let at = from - 1; at >= 0; ) {
    const segment = segments.containing(at);
    if (segment.isWordLike && segment.index < from) return segment;
    at = segment.index - 1;
  }
  return null;
}

/** The last word ending before `from`. */
function wordEndingBefore(segments, from) {
  for (let at = from - 1; at >= 0; ) {
    const segment = segments.containing(at);
    if (segment.isWordLike && segment.index + segment.segment.length < from) return segment;
    at = segment.index - 1;
  }
  return null;
}

/** Where a step by word takes the caret (moving) or the selection's moving end (extending), or null: a
 * selection grows to the next word's end or the previous word's start, and shrinks a word at a time. */
function wordStep(root, anchor, focus, forward, extend) {
  const segments = wordsOf(root);
  const length = root.textContent.length;
  if (!extend) return (forward ? wordFrom(segments, focus + 1, length) : wordBefore(segments, focus))?.index ?? null;
  if (forward) {
    const start = focus < anchor ? wordFrom(segments, focus + 1, length)?.index : undefined;
    if (start !== undefined && start <= anchor) return start; // shrinking a selection made leftwards
    const here = focus < length ? segments.containing(focus) : null;
    const word = here?.isWordLike ? here : wordFrom(segments, focus, length);
    return word ? word.index + word.segment.length : null;
  }
  const shorter = focus > anchor ? wordEndingBefore(segments, focus) : null;
  if (shorter && shorter.index + shorter.segment.length > anchor) return shorter.index + shorter.segment.length;
  return wordBefore(segments, focus)?.index ?? null;
}

function stepByWord(root, selection, forward, extend) {
  const length = root.textContent.length;
  const clamp = (offset) => Math.max(0, Math.min(offset, length)); // a selection dragged past the text
  let focus = clamp(offsetOf(root, selection.focusNode, selection.focusOffset));
  let anchor = clamp(offsetOf(root, selection.anchorNode, selection.anchorOffset));
  if (extend && selection.isCollapsed) {
    // A selection begun from the caret takes whole words: from the start of the word the caret is in (or the
    // next one) forwards, from the end of the word it is in (or the previous one) backwards.
    const segments = wordsOf(root);
    const here = anchor < length ? segments.containing(anchor) : null;
    const inside = here?.isWordLike && here.index < anchor ? here : null;
    const word = forward
      ? inside || wordFrom(segments, anchor, length)
      : inside || wordBefore(segments, anchor);
    if (word) anchor = forward ? word.index : word.index + word.segment.length;
    focus = anchor;
  }
  const target = wordStep(root, anchor, focus, forward, extend);
  if (target === null) return;
  const to = rangeOf(root, target, target);
  if (!to) return;
  if (!extend) {
    selection.collapse(to.startContainer, to.startOffset);
    return;
  }
  const from = rangeOf(root, anchor, anchor);
  if (from) selection.setBaseAndExtent(from.startContainer, from.startOffset, to.startContainer, to.startOffset);
}

const ARROWS = {
  ArrowLeft: ["backward", "word"],
  ArrowRight: ["forward", "word"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
};

document.addEventListener("keydown", (event) => {
  const root = event.target.closest?.(TEXT);
  if (!root || event.ctrlKey || event.metaKey) return;
  const selection = window.getSelection();
  if (event.key in ARROWS) {
    let [direction, unit] = ARROWS[event.key];
    // Up and Down without Shift scroll the page as usual.
    if (unit === "line" && !event.shiftKey) return;
    if (unit === "word" && event.altKey) unit = "character";
    event.preventDefault();
    const before = [selection.anchorNode, selection.anchorOffset, selection.focusNode, selection.focusOffset];
    if (unit === "word" && "Segmenter" in Intl && selection.rangeCount) {
      stepByWord(root, selection, direction === "forward", event.shiftKey);
    } else selection.modify(event.shiftKey ? "extend" : "move", direction, unit);
    // Never leave the article text: a step past either end is undone.
    if (!root.contains(selection.focusNode)) selection.setBaseAndExtent(...before);
    announceSelection();
  } else if (event.key === "Enter" && !selection.isCollapsed) {
    event.preventDefault();
    selected({ exact: true }); // chosen word by word, or character by character on purpose
  } else if (event.key === "Escape" && !selection.isCollapsed) {
    selection.collapseToEnd();
    announceSelection();
  }
});

// ---- touch ------------------------------------------------------------------------------------------

let pointer = "mouse";
let resting;
document.addEventListener("pointerdown", (event) => {
  pointer = event.pointerType;
});
document.addEventListener("touchstart", () => {
  pointer = "touch";
});

// A touch selection grows by its handles with no mouse-up at the end: it is done once it rests.
document.addEventListener("selectionchange", () => {
  if (pointer !== "touch") return;
  clearTimeout(resting);
  resting = setTimeout(() => {
    const selection = window.getSelection();
    const root = textEl();
    if (root && !selection.isCollapsed && root.contains(selection.anchorNode) && root.contains(selection.focusNode)) {
      selected();
    }
  }, 450);
});
