// Suggested claims in the reading view: drawn apart from claims, accepted with one key, dismissed with another.
//
// The highlights use the CSS Custom Highlight API, which paints ranges without touching the DOM: the article
// body's textContent stays equal to Article.text and the claims' <mark>s stay as the server rendered them.
// Offsets are code points into the text, as everywhere in the app.

const ALL = "suggestion";
const FOCUS = "suggestion-focus";
const canHighlight = typeof CSS !== "undefined" && "highlights" in CSS && typeof Highlight === "function";

/** A DOM Range over code points [start, end) of the article, or null if that text is not loaded. The body
 * is sent a window at a time: each passage's id says where in the article it starts. */
function rangeFor(root, start, end) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let point = 0;
  let started = false;
  let passage = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    const holder = node.parentElement?.closest(".passage");
    if (holder && holder !== passage) {
      passage = holder;
      const from = Number(holder.id.slice("passage-".length));
      if (from !== point && started) return null; // a gap inside the range
      point = from;
    }
    for (let i = 0; ; ) {
      if (!started && point === start) {
        range.setStart(node, i);
        started = true;
      }
      if (started && point === end) {
        range.setEnd(node, i);
        return range;
      }
      if (i >= text.length) break;
      i += text.codePointAt(i) > 0xffff ? 2 : 1;
      point++;
    }
  }
  return null;
}

function cards() {
  return [...document.querySelectorAll("#suggestions .suggestion")];
}

function draw() {
  const root = document.getElementById("article-text");
  if (!canHighlight || !root) return;
  const ranges = cards()
    .map((card) => rangeFor(root, Number(card.dataset.start), Number(card.dataset.end)))
    .filter(Boolean);
  CSS.highlights.set(ALL, new Highlight(...ranges));
  CSS.highlights.delete(FOCUS);
}

function focusHighlight(card) {
  const root = document.getElementById("article-text");
  if (!canHighlight || !root || !card) return;
  const range = rangeFor(root, Number(card.dataset.start), Number(card.dataset.end));
  if (range) CSS.highlights.set(FOCUS, new Highlight(range));
}

function reloadSuggestions(focusIndex) {
  const section = document.getElementById("suggestions");
  if (!section || !window.htmx) return;
  // As many as were shown come back ("Show more" may have added some), the next one in the place of the last.
  const url = `${section.dataset.url}?limit=${Math.max(cards().length, 1)}`;
  window.htmx.ajax("GET", url, { target: "#suggestions", swap: "outerHTML" }).then(() => {
    const list = cards();
    const next = list[Math.min(focusIndex ?? 0, list.length - 1)];
    if (next) next.focus();
  });
}

document.addEventListener("keydown", (event) => {
  const card = event.target.closest?.(".suggestion");
  if (!card || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.matches("input, textarea, select, summary, button")) return;
  const key = event.key.toLowerCase();
  if (key === "a") {
    event.preventDefault();
    card.querySelector(".accept-form").requestSubmit();
  } else if (key === "x") {
    event.preventDefault();
    card.querySelector(".dismiss-form").requestSubmit();
  } else if (key === "e") {
    event.preventDefault();
    const details = card.querySelector("details.edit");
    details.open = true;
    details.querySelector("select, input:not([type=hidden])")?.focus();
  }
});

document.addEventListener("focusin", (event) => focusHighlight(event.target.closest?.(".suggestion")));

// After an accept the sidebar loads anew: the focus goes to the suggestion that took the accepted one's place.
let focusAfterLoad = null;

// "Show more suggestions": the focus goes to the first of those it adds.
document.addEventListener("click", (event) => {
  if (event.target.closest?.(".more-suggestions")) focusAfterLoad = cards().length;
});

document.body.addEventListener("htmx:afterSettle", () => {
  draw();
  const list = cards();
  if (focusAfterLoad !== null && list.length) {
    list[Math.min(focusAfterLoad, list.length - 1)].focus();
    focusAfterLoad = null;
  }
});

// Accepted: the claim is in the text now, so the reading column is fetched again (its sidebar then loads
// the remaining suggestions). On the suggestions page alone, only the list is.
document.body.addEventListener("suggestion-accepted", (event) => {
  const index = cards().findIndex((card) => card.contains(event.target));
  if (document.getElementById("reading") && window.htmx) {
    focusAfterLoad = Math.max(index, 0);
    // As much of the text as was loaded comes back, so the reader stays where they were.
    const passages = [...document.querySelectorAll("#article-text .passage")];
    const last = passages.at(-1);
    const through = last ? Number(last.id.slice("passage-".length)) + [...last.textContent].length : 0;
    window.htmx.ajax("GET", `${location.pathname}?through=${through}`, { target: "#reading", swap: "outerHTML" });
  } else {
    reloadSuggestions(index);
  }
});
document.body.addEventListener("suggestion-dismissed", (event) => {
  reloadSuggestions(cards().findIndex((card) => card.contains(event.target)));
});

// The tag panel's Fact field offers the facts the selected text most likely reports before anything is
// typed; typing replaces them with the facts that match what is typed.
const panel = document.getElementById("tag-panel");
if (panel) {
  const offerFacts = new MutationObserver(() => {
    const section = document.getElementById("suggestions");
    const options = document.getElementById("fact-options");
    if (panel.hidden || !section?.dataset.factsUrl || !options || panel.elements.fact?.value) return;
    const query = new URLSearchParams({ start: panel.elements.start.value, end: panel.elements.end.value });
    fetch(`${section.dataset.factsUrl}?${query}`, { headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        if (html.trim() && !panel.elements.fact.value) options.innerHTML = html;
      });
  });
  // The panel is shown for a new selection, or its quote changes while it stays open.
  offerFacts.observe(panel, { attributes: true, attributeFilter: ["hidden"] });
  const quote = document.getElementById("tag-quote");
  if (quote) offerFacts.observe(quote, { childList: true, characterData: true, subtree: true });
}

draw();
