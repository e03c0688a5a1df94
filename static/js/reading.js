// The reading view: turn a text selection into a claim, and show a highlight's claims on click.
//
// Offsets follow the app's one rule: code points into Article.text. The browser measures a
// selection in UTF-16 units (Range.toString()), so every length is converted with [...s].length.

const panel = document.getElementById("tag-panel");
const popover = document.getElementById("claim-popover");
const popoverBody = document.getElementById("claim-popover-body");
const isSpace = (ch) => /\s/u.test(ch);

const textEl = () => document.getElementById("article-text");
const reading = () => document.getElementById("reading");

/** Code-point offset of a DOM point (node, offset) from the start of the article text. */
function codePointOffset(root, node, offset) {
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return [...range.toString()].length;
}

// Selections snap to whole words, as Label Studio's and INCEpTION's token snapping do: a drag that starts
// or ends inside a word takes all of it. Alt held at mouse-up keeps the exact selection, and so does the
// keyboard, which moves by word already (or by character, on purpose). Scripts written without spaces
// between words are never snapped: a "word" there would be the whole run.
const WORD = /[\p{L}\p{N}\p{M}'’_-]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

function snapToWords(chars, start, end) {
  const inWord = (i) => i >= 0 && i < chars.length && WORD.test(chars[i]) && !UNSPACED.test(chars[i]);
  while (start > 0 && inWord(start - 1) && inWord(start)) start--;
  while (end < chars.length && inWord(end - 1) && inWord(end)) end++;
  return [start, end];
}

/** A DOM range over code points [start, end) of the article text. */
function codePointRange(root, chars, start, end) {
  const [from, to] = [chars.slice(0, start).join("").length, chars.slice(0, end).join("").length];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(), seen = 0; node; seen += node.data.length, node = walker.nextNode()) {
    if (from >= seen && from <= seen + node.data.length && range.startContainer === document) {
      range.setStart(node, from - seen);
    }
    if (to <= seen + node.data.length) {
      range.setEnd(node, to - seen);
      break;
    }
  }
  return range;
}

// ---- Passages: the text arrives a window at a time ------------------------------------------------
//
// The body holds passages (<span class="passage" id="passage-N">, N its first code point in the article)
// and, for those not loaded yet, gaps (empty links, .passage-gap, data-from/data-to) that htmx loads when
// they scroll into view. Offsets in the browser's text (root.textContent) are local: they skip the gaps.

/** The loaded passages as [local start, article start, length] in code points, in text order. */
function loadedPassages(root) {
  let local = 0;
  return [...root.querySelectorAll(".passage")].map((passage) => {
    const length = [...passage.textContent].length;
    const entry = [local, Number(passage.id.slice("passage-".length)), length];
    local += length;
    return entry;
  });
}

/** Local code points [start, end) as article offsets, or null when a gap lies between them. */
function toArticle(root, start, end) {
  const parts = loadedPassages(root);
  if (!parts.length) return [start, end];
  const from = parts.find(([local, , length]) => start < local + length) ?? parts.at(-1);
  const to = parts.findLast(([local]) => end > local) ?? parts[0];
  const [articleStart, articleEnd] = [from[1] + start - from[0], to[1] + end - to[0]];
  return articleEnd - articleStart === end - start ? [articleStart, articleEnd] : null;
}

/** The gap that holds article offset `at`, if that part of the text is not loaded. */
function gapAt(at) {
  return [...document.querySelectorAll("#article-text .passage-gap")].find(
    (gap) => Number(gap.dataset.from) <= at && at < Number(gap.dataset.to),
  );
}

/** Load the passage holding article offset `at` (with the window after it) if it is not loaded yet. */
function loadAt(at) {
  const gap = gapAt(at);
  if (!gap || !window.htmx) return Promise.resolve();
  return htmx.ajax("GET", `${gap.getAttribute("hx-get")}&at=${at}`, { target: gap, swap: "outerHTML" });
}

/** Load the passage where claim `id` begins, wherever it is: each gap's answer is itself unless it holds it. */
function loadClaim(id) {
  const gaps = [...document.querySelectorAll("#article-text .passage-gap")];
  if (!window.htmx) return Promise.resolve();
  return Promise.all(
    gaps.map((gap) => htmx.ajax("GET", `${gap.getAttribute("hx-get")}&claim=${id}`, { target: gap, swap: "outerHTML" })),
  );
}

// Text loaded into a gap above where the reader is must not push what they are reading down the screen
// (the browser's own scroll anchoring is off for this page: app.css). A gap that begins above the middle
// of the window keeps the passage after it where it was; one below it grows downwards as usual.
let pinned = null;
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const gap = event.detail.target;
  pinned = null;
  if (!gap?.classList?.contains("passage-gap")) return;
  const after = gap.nextElementSibling;
  if (after && gap.getBoundingClientRect().top < window.innerHeight / 2) {
    pinned = [after, after.getBoundingClientRect().top];
  }
});
document.body.addEventListener("htmx:afterSwap", () => {
  if (!pinned) return;
  const [after, top] = pinned;
  pinned = null;
  if (after.isConnected) window.scrollBy({ top: after.getBoundingClientRect().top - top, behavior: "instant" });
});

/** The current selection as {start, end, exact} in code points, trimmed of white space; or null. */
export function selectionSpan(root = textEl(), { exact = false } = {}) {
  const selection = window.getSelection();
  if (!root || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  let range = selection.getRangeAt(0);
  if (!root.contains(range.commonAncestorContainer)) return null;
  const chars = [...root.textContent];
  let start = codePointOffset(root, range.startContainer, range.startOffset);
  let end = codePointOffset(root, range.endContainer, range.endOffset);
  while (start < end && isSpace(chars[start])) start++;
  while (end > start && isSpace(chars[end - 1])) end--;
  if (start >= end) return null;
  if (!exact) {
    const [wordStart, wordEnd] = snapToWords(chars, start, end);
    if (wordStart !== start || wordEnd !== end) {
      [start, end] = [wordStart, wordEnd];
      range = codePointRange(root, chars, start, end);
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }
  // A selection across text not loaded yet cannot be tagged: its offsets would not be the article's.
  const offsets = toArticle(root, start, end);
  if (!offsets) return null;
  return {
    start: offsets[0],
    end: offsets[1],
    exact: chars.slice(start, end).join(""),
    rect: range.getBoundingClientRect(),
    range: range.cloneRange(),
  };
}

const SHEET = window.matchMedia("(max-width: 640px)");

/** On a phone the panel is a bottom sheet (app.css): bring the selected text into view above it. */
function placeAsSheet(el, rect) {
  document.body.classList.add("sheet-open");
  const sheetTop = document.documentElement.clientHeight - el.offsetHeight;
  // The sentence before the selection stays in view too: the context needed to choose a kind.
  const target = Math.max(16, (sheetTop - rect.height) / 3);
  if (rect.top < 8 || rect.bottom > sheetTop - 8) window.scrollBy({ top: rect.top - target, behavior: "instant" });
}

function placeNear(el, rect) {
  el.hidden = false;
  if (SHEET.matches) {
    placeAsSheet(el, rect);
    return;
  }
  const margin = 8;
  const width = el.offsetWidth;
  const height = el.offsetHeight;
  const viewport = document.documentElement.clientHeight;
  // Beside the text column when there is room: the selected text and its sentence, the context needed to
  // choose a kind, stay in view (the panel covers the sidebar for a moment instead).
  const column = document.querySelector(".text-col")?.getBoundingClientRect();
  if (column && document.documentElement.clientWidth - column.right >= width + 3 * margin) {
    const top = Math.min(Math.max(margin, rect.top - 2 * margin), viewport - height - margin);
    el.style.top = `${window.scrollY + Math.max(margin, top)}px`;
    el.style.left = `${window.scrollX + column.right + 2 * margin}px`;
    return;
  }
  // Below the selection if it fits, else above it, else wherever the whole panel stays in view.
  let top = rect.bottom + margin;
  if (top + height > viewport - margin) top = rect.top - margin - height;
  if (top < margin) top = Math.max(margin, viewport - height - margin);
  const left = Math.min(Math.max(margin, rect.left), document.documentElement.clientWidth - width - margin);
  el.style.top = `${window.scrollY + top}px`;
  el.style.left = `${window.scrollX + Math.max(margin, left)}px`;
}

// A panel that grows while open (its fold-out, a hint under the fact) moves up to stay whole in view:
// Save had gone below the window's edge, out of the mouse's reach. Beyond the window's height it scrolls
// inside itself, Save kept at its foot (app.css).
const keepInView = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    if (target.hidden || SHEET.matches) continue;
    const box = target.getBoundingClientRect();
    const viewport = document.documentElement.clientHeight;
    if (box.bottom > viewport - 8) target.style.top = `${window.scrollY + Math.max(8, viewport - box.height - 8)}px`;
  }
});
if (panel) keepInView.observe(panel);

// ---- Tag panel -------------------------------------------------------------------------------

// The browser drops the selection once focus moves into the Source field; a highlight of the same
// range keeps the span being tagged visible while the panel is open.
const PENDING = "tag-pending";

function showPending(range) {
  if (range && window.CSS?.highlights && window.Highlight) CSS.highlights.set(PENDING, new Highlight(range));
}

function clearPending() {
  window.CSS?.highlights?.delete(PENDING);
}

// A kind picked by hand wins over the kind a known source suggests.
let kindByHand = false;

function chooseKind(slug, { focusSource = true, byHand = true } = {}) {
  if (!panel) return;
  kindByHand = byHand && Boolean(slug);
  panel.elements.kind.value = slug;
  for (const button of panel.querySelectorAll(".kind-btn")) {
    button.setAttribute("aria-pressed", String(button.dataset.kind === slug));
  }
  panel.querySelector("#tag-errors").textContent = "";
  if (focusSource) panel.elements.source.focus();
}

/** Choosing a known source pre-selects its kind, unless the reviewer already picked one. */
function kindFromSource() {
  const name = panel.elements.source.value.trim().toLowerCase();
  const known = [...document.querySelectorAll("#source-options option")].find(
    (option) => option.value.toLowerCase() === name,
  );
  if (known?.dataset.kind && !kindByHand) chooseKind(known.dataset.kind, { focusSource: false, byHand: false });
}

/** Whether the typed fact is one of those offered: a half-typed statement saved with Enter would otherwise
 * become a new fact without a word. The offers are the facts whose statements match what is typed. */
function sayIfNewFact() {
  const hint = document.getElementById("fact-new");
  if (!hint) return;
  const typed = panel.elements.fact.value.trim().toLowerCase();
  const offered = [...document.querySelectorAll("#fact-options option")].map((o) => o.value.trim().toLowerCase());
  hint.hidden = !typed || offered.includes(typed);
}

function openPanel(span) {
  closePopover();
  panel.reset();
  sayIfNewFact();
  for (const name of ["start", "end", "exact", "kind"]) panel.elements[name].value = "";
  chooseKind("", { focusSource: false, byHand: false });
  panel.elements.start.value = span.start;
  panel.elements.end.value = span.end;
  panel.elements.exact.value = span.exact;
  const quote = panel.querySelector("#tag-quote");
  const chars = [...span.exact]; // cut between code points, never inside a surrogate pair
  quote.textContent = chars.length > 160 ? `${chars.slice(0, 157).join("")}…` : span.exact;
  placeNear(panel, span.rect);
  showPending(span.range);
  panel.focus({ preventScroll: true });
}

function closePanel({ clearSelection = true } = {}) {
  if (!panel || panel.hidden) return;
  const hadFocus = panel.contains(document.activeElement);
  panel.hidden = true;
  document.body.classList.remove("sheet-open");
  clearPending();
  panel.querySelector("#tag-errors").textContent = "";
  if (clearSelection) window.getSelection()?.removeAllRanges();
  // Back to the text, where the reviewer was: the keyboard carries on from there (text-keys.js puts the
  // caret after the span just tagged).
  if (hadFocus) textEl()?.focus({ preventScroll: true });
}

function onSelectionDone({ exact = false } = {}) {
  if (!panel) return;
  const span = selectionSpan(textEl(), { exact });
  if (span) openPanel(span);
  else closePanel({ clearSelection: false });
}

if (panel) {
  let pendingOpen = null; // the panel's opening after a mouse-up, until its turn comes
  document.addEventListener("mouseup", (event) => {
    if (panel.contains(event.target) || popover.contains(event.target)) return;
    // Let the browser finish updating the selection first.
    const exact = event.altKey;
    clearTimeout(pendingOpen?.timer);
    pendingOpen = { exact, timer: setTimeout(() => openPending(), 0) };
  });
  function openPending() {
    if (!pendingOpen) return;
    const { exact, timer } = pendingOpen;
    clearTimeout(timer);
    pendingOpen = null;
    onSelectionDone({ exact });
  }
  // A key pressed before that turn (a quick hand, a busy machine) opens the panel first, and a kind's key
  // then counts in it rather than being lost in the text.
  document.addEventListener(
    "keydown",
    (event) => {
      if (!pendingOpen) return;
      openPending();
      const button = !panel.hidden && panel.querySelector(`.kind-btn[data-key="${event.key}"]`);
      if (button && /^[1-9]$/.test(event.key)) {
        event.preventDefault();
        event.stopPropagation();
        chooseKind(button.dataset.kind);
      }
    },
    true,
  );
  // The keyboard and touch ways of selecting (text-keys.js) say when a selection is ready to tag.
  document.addEventListener("text-selected", (event) => onSelectionDone({ exact: Boolean(event.detail?.exact) }));

  panel.elements.source.addEventListener("input", kindFromSource);
  panel.elements.source.addEventListener("change", kindFromSource);
  panel.elements.fact.addEventListener("input", sayIfNewFact);
  panel.elements.fact.addEventListener("change", sayIfNewFact);
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target?.id === "source-options") kindFromSource();
    if (event.detail.target?.id === "fact-options") sayIfNewFact();
  });

  panel.addEventListener("click", (event) => {
    const kindButton = event.target.closest(".kind-btn");
    if (kindButton) chooseKind(kindButton.dataset.kind);
    if (event.target.closest("[data-action=cancel]")) closePanel();
  });

  panel.addEventListener("keydown", (event) => {
    const inText = event.target.matches("input[type=text], textarea");
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel();
    } else if (
      event.key === "Enter" &&
      // On a button Enter presses that button (Cancel cancels, a kind button picks its kind), on the
      // "Directness, note" summary it opens them; in the note it starts a new line unless Ctrl or
      // Cmd is held.
      !event.target.matches("button, summary") &&
      (!event.target.matches("textarea") || event.ctrlKey || event.metaKey)
    ) {
      event.preventDefault();
      panel.requestSubmit();
    } else if (/^[1-9]$/.test(event.key) && (!inText || event.altKey)) {
      const button = panel.querySelector(`.kind-btn[data-key="${event.key}"]`);
      if (button) {
        event.preventDefault();
        chooseKind(button.dataset.kind);
      }
    }
  });

  // A missing kind is caught here so the reviewer hears about it at once; the server checks too.
  // Only the panel's own submission: the Source and Fact fields' suggestion requests bubble up here
  // too, and a source's suggestions are what pre-select its kind.
  panel.addEventListener("htmx:confirm", (event) => {
    if (event.target === panel && !panel.elements.kind.value) {
      event.preventDefault();
      panel.querySelector("#tag-errors").innerHTML =
        '<p class="error" role="alert">Choose the kind of source: click it, or press its number.</p>';
      quiet();
    }
  });
  // A refused save: the last tag's "Claim N tagged." must not stand beside the refusal.
  panel.addEventListener("htmx:afterRequest", (event) => {
    if (event.target === panel && !event.detail.successful) quiet();
  });
}

// ---- Highlights: popover and flashing -------------------------------------------------------

function claimsUrl() {
  return reading()?.dataset.claimsUrl;
}

/** Open the popover with the claims `query` names: {at: code point} or {ids: [...]}. */
function openPopover(query, rect) {
  const param = "at" in query ? `at=${query.at}` : query.ids.length ? `ids=${query.ids.join(",")}` : "";
  if (!param) return;
  closePanel({ clearSelection: false });
  popoverOpener = document.activeElement;
  const url = `${claimsUrl()}?${param}`;
  htmx.ajax("GET", url, { target: popoverBody, swap: "innerHTML" }).then(() => {
    placeNear(popover, rect);
    popover.focus({ preventScroll: true });
  });
}

/** What had the focus when the popover opened (a highlight's text, a sidebar entry): it gets it back when the
 * popover closes with the focus inside, so a keyboard user goes on from where they were. */
let popoverOpener = null;

function closePopover() {
  if (popover && !popover.hidden) {
    const focusWasInside = popover.contains(document.activeElement);
    popover.hidden = true;
    document.body.classList.remove("sheet-open");
    popoverBody.innerHTML = "";
    if (focusWasInside && popoverOpener?.isConnected) popoverOpener.focus({ preventScroll: true });
    popoverOpener = null;
  }
}

/** The highlight runs of claim `id`: those that start inside its span (each run is cut at every boundary).
 * A claim not listed in the sidebar (not shown yet) is found by the runs that name it. */
function marksFor(id) {
  const marks = [...document.querySelectorAll("#article-text mark.hl")];
  const listed = document.querySelector(`.claim-list a[data-claim="${id}"]`);
  if (!listed) return marks.filter((mark) => mark.dataset.claims.split(" ").includes(String(id)));
  const [start, end] = listed.dataset.span.split(" ").map(Number);
  return marks.filter((mark) => {
    const at = Number(mark.dataset.at);
    return start <= at && at < end;
  });
}

function flash(id, { scroll = false } = {}) {
  const marks = marksFor(id);
  if (!marks.length) {
    if (scroll) document.getElementById(`claim-${id}`)?.scrollIntoView({ block: "center" });
    return;
  }
  // Instantly after a passage was loaded for it: gaps revealed on the way would load text above it as a
  // smooth scroll runs, and the scroll would end where the claim was, not where it is.
  if (scroll) marks[0].scrollIntoView({ block: "center", behavior: scroll === "instant" ? "instant" : "smooth" });
  for (const mark of marks) {
    mark.classList.remove("flash");
    void mark.offsetWidth; // restart the animation
    mark.classList.add("flash");
  }
}

document.addEventListener("click", (event) => {
  const mark = event.target.closest("#article-text mark.hl");
  if (mark && window.getSelection().isCollapsed) {
    openPopover({ at: mark.dataset.at }, mark.getBoundingClientRect());
    return;
  }
  const listed = event.target.closest(".claim-list a[data-claim]");
  if (listed) {
    event.preventDefault();
    const id = listed.dataset.claim;
    history.replaceState(null, "", `#claim-${id}`);
    // Its passage may not be loaded yet: load it first.
    const at = Number(listed.dataset.span.split(" ")[0]);
    const loading = gapAt(at);
    loadAt(at).then(() => {
      flash(id, { scroll: loading ? "instant" : true });
      const first = marksFor(id)[0];
      if (first) openPopover({ ids: [id] }, first.getBoundingClientRect());
    });
    return;
  }
  if (event.target.closest("[data-action=close-popover]")) closePopover();
  else if (popover && !popover.hidden && !popover.contains(event.target)) closePopover();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closePopover();
});

// Saving re-renders the text: focus follows into the new one when it was in the tag panel.
let refocusText = false;
document.body.addEventListener("htmx:afterSettle", (event) => {
  if (refocusText && event.detail.target?.id === "reading") textEl()?.focus({ preventScroll: true });
  refocusText = false;
});

// ---- What happened, said aloud and shown for a moment ------------------------------------------------

let newsTimer;
function quiet() {
  const box = document.getElementById("reading-news");
  clearTimeout(newsTimer);
  if (box) box.textContent = "";
}

function news(message) {
  const box = document.getElementById("reading-news");
  if (!box) return;
  box.textContent = message;
  clearTimeout(newsTimer);
  newsTimer = setTimeout(() => {
    box.textContent = "";
  }, 5000);
}

document.body.addEventListener("claim-saved", (event) => {
  const editing = Boolean(popover?.contains(document.activeElement));
  news(editing ? `Claim ${event.detail.id} saved.` : `Claim ${event.detail.id} tagged.`);
  refocusText = Boolean(panel?.contains(document.activeElement)) || editing;
  closePanel();
  closePopover();
  flash(event.detail.id);
});
document.body.addEventListener("suggestion-accepted", (event) => {
  news(`Suggestion accepted as claim ${event.detail.id}.`);
});
document.body.addEventListener("suggestion-dismissed", () => {
  news("Suggestion dismissed: it will not be proposed again for this text.");
});
document.body.addEventListener("claim-deleted", (event) => {
  news(`Claim ${event.detail.id} deleted.`);
  refocusText = true;
  closePopover();
});

function flashFromHash() {
  const match = location.hash.match(/^#claim-(\d+)$/);
  if (!match) return;
  if (document.getElementById(`claim-${match[1]}`)) flash(match[1], { scroll: true });
  else loadClaim(match[1]).then(() => flash(match[1], { scroll: "instant" }));
}
window.addEventListener("hashchange", flashFromHash);
flashFromHash();

// ---- The sidebar's next claims: the keyboard carries on at the first of them ----------------------

let claimsShown = 0;
document.body.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.target?.id === "claims-more") claimsShown = document.querySelectorAll("#claim-list > li").length;
});
document.body.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target?.id !== "claims-more" && !event.detail.elt?.matches?.("#claims-more")) return;
  const items = document.querySelectorAll("#claim-list > li");
  if (items.length <= claimsShown) return;
  const more = document.querySelector("#claims-more a");
  news(`${items.length - claimsShown} more claims listed, ${items.length} of ${document.getElementById("claims-count")?.textContent} shown.${more ? "" : " That is all of them."}`);
  items[claimsShown].querySelector("a")?.focus();
  claimsShown = items.length;
});

// ---- Reading options: rejected claims shown or not; one claim singled out -----------------------

const HIDE_REJECTED = "provenance.hideRejected";

function applyRejected() {
  const hide = localStorage.getItem(HIDE_REJECTED) === "1";
  document.querySelector(".reader")?.classList.toggle("hide-rejected", hide);
  const box = document.getElementById("show-rejected");
  if (box) box.checked = !hide;
}

document.addEventListener("change", (event) => {
  if (event.target.id !== "show-rejected") return;
  localStorage.setItem(HIDE_REJECTED, event.target.checked ? "0" : "1");
  applyRejected();
});
document.body.addEventListener("htmx:afterSettle", applyRejected);
applyRejected();

/** Outline every run of the innermost claim under the pointer, so its start and end can be seen. */
function singleOut(mark) {
  for (const old of document.querySelectorAll("#article-text mark.hl.single")) old.classList.remove("single");
  const id = mark?.dataset.claims.split(" ").at(-1);
  if (id) for (const run of marksFor(id)) if (run.dataset.claims.split(" ").includes(id)) run.classList.add("single");
}
document.addEventListener("mouseover", (event) => {
  if (event.target.closest) singleOut(event.target.closest("#article-text mark.hl"));
});

// ---- Editing a claim in the popover: 1-9 pick the kind, as in the tag panel ----------------------

// The edit form is taller than the card it replaces: move the popover up so that all of it, Save
// included, is in view (it scrolls inside itself when the screen is shorter still).
document.body.addEventListener("htmx:afterSettle", () => {
  if (!popover || popover.hidden || SHEET.matches) return;
  const box = popover.getBoundingClientRect();
  const viewport = document.documentElement.clientHeight;
  if (box.bottom > viewport - 8) popover.style.top = `${window.scrollY + Math.max(8, viewport - box.height - 8)}px`;
});

document.addEventListener("keydown", (event) => {
  const form = event.target.closest?.("#claim-popover form.editing");
  if (!form || !/^[1-9]$/.test(event.key) || event.ctrlKey || event.metaKey) return;
  if (event.target.matches("input[type=text], textarea") && !event.altKey) return;
  const radio = form.querySelector(`input[name=kind][data-key="${event.key}"]`);
  if (radio) {
    event.preventDefault();
    radio.checked = true;
    radio.focus();
  }
});
