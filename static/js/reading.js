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

/** The current selection as {start, end, exact} in code points, trimmed of white space; or null. */
export function selectionSpan(root = textEl()) {
  const selection = window.getSelection();
  if (!root || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!root.contains(range.commonAncestorContainer)) return null;
  const chars = [...root.textContent];
  let start = codePointOffset(root, range.startContainer, range.startOffset);
  let end = codePointOffset(root, range.endContainer, range.endOffset);
  while (start < end && isSpace(chars[start])) start++;
  while (end > start && isSpace(chars[end - 1])) end--;
  if (start >= end) return null;
  return {
    start,
    end,
    exact: chars.slice(start, end).join(""),
    rect: range.getBoundingClientRect(),
    range: range.cloneRange(),
  };
}

function placeNear(el, rect) {
  el.hidden = false;
  const margin = 8;
  const width = el.offsetWidth;
  const height = el.offsetHeight;
  const viewport = document.documentElement.clientHeight;
  // Below the selection if it fits, else above it, else wherever the whole panel stays in view.
  let top = rect.bottom + margin;
  if (top + height > viewport - margin) top = rect.top - margin - height;
  if (top < margin) top = Math.max(margin, viewport - height - margin);
  const left = Math.min(Math.max(margin, rect.left), document.documentElement.clientWidth - width - margin);
  el.style.top = `${window.scrollY + top}px`;
  el.style.left = `${window.scrollX + Math.max(margin, left)}px`;
}

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

function openPanel(span) {
  closePopover();
  panel.reset();
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
  panel.hidden = true;
  clearPending();
  panel.querySelector("#tag-errors").textContent = "";
  if (clearSelection) window.getSelection()?.removeAllRanges();
}

function onSelectionDone() {
  if (!panel) return;
  const span = selectionSpan();
  if (span) openPanel(span);
  else closePanel({ clearSelection: false });
}

if (panel) {
  document.addEventListener("mouseup", (event) => {
    if (panel.contains(event.target) || popover.contains(event.target)) return;
    // Let the browser finish updating the selection first.
    setTimeout(onSelectionDone, 0);
  });
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey && event.key.startsWith("Arrow")) onSelectionDone();
  });

  panel.elements.source.addEventListener("input", kindFromSource);
  panel.elements.source.addEventListener("change", kindFromSource);
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target?.id === "source-options") kindFromSource();
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
      // "Relay, directness, note" summary it opens them; in the note it starts a new line unless Ctrl or
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
        '<p class="error" role="alert">Choose the kind of source (press its number key).</p>';
    }
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
  const url = `${claimsUrl()}?${param}`;
  htmx.ajax("GET", url, { target: popoverBody, swap: "innerHTML" }).then(() => {
    placeNear(popover, rect);
    popover.focus({ preventScroll: true });
  });
}

function closePopover() {
  if (popover && !popover.hidden) {
    popover.hidden = true;
    popoverBody.innerHTML = "";
  }
}

/** The highlight runs of claim `id`: those that start inside its span (each run is cut at every boundary). */
function marksFor(id) {
  const listed = document.querySelector(`.claim-list a[data-claim="${id}"]`);
  if (!listed) return [];
  const [start, end] = listed.dataset.span.split(" ").map(Number);
  return [...document.querySelectorAll("#article-text mark.hl")].filter((mark) => {
    const at = Number(mark.dataset.at);
    return start <= at && at < end;
  });
}

function flash(id, { scroll = false } = {}) {
  const marks = marksFor(id);
  if (!marks.length) return;
  if (scroll) marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
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
    flash(id, { scroll: true });
    const first = marksFor(id)[0];
    if (first) openPopover({ ids: [id] }, first.getBoundingClientRect());
    return;
  }
  if (event.target.closest("[data-action=close-popover]")) closePopover();
  else if (popover && !popover.hidden && !popover.contains(event.target)) closePopover();
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closePopover();
});

document.body.addEventListener("claim-saved", (event) => {
  closePanel();
  closePopover();
  flash(event.detail.id);
});
document.body.addEventListener("claim-deleted", () => closePopover());

function flashFromHash() {
  const match = location.hash.match(/^#claim-(\d+)$/);
  if (match) flash(match[1], { scroll: true });
}
window.addEventListener("hashchange", flashFromHash);
flashFromHash();
