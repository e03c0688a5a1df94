// The review queue, keyboard first: a accept, r reject, c request changes, 1-9 correct the kind,
// s skip, j/k next and previous card (j never skips: it only moves), u undo. Rejecting asks for a reason:
// its number picks one, Enter sends, Esc cancels.
// Every key presses a real button or link, so the page works the same with a mouse or without JavaScript.

const $ = (selector) => document.querySelector(selector);
const reasonPanel = () => $("#reason");

function openReason(decision) {
  const panel = reasonPanel();
  if (!panel) return;
  panel.hidden = false;
  panel.dataset.decision = decision;
  panel.classList.remove("wanting");
  panel.querySelector("#reason-needed")?.setAttribute("hidden", "");
  panel.querySelectorAll("button[type=submit]").forEach((button) => {
    // The stylesheet gives buttons a display, which beats the hidden attribute: hide it inline too.
    button.hidden = button.value !== decision;
  });
  (panel.querySelector("input[name=reason]:checked") || panel.querySelector("input[name=reason]"))?.focus({
    preventScroll: true,
  });
  panel.scrollIntoView({ block: "nearest" });
}

function closeReason() {
  const panel = reasonPanel();
  if (!panel || panel.hidden) return false;
  panel.hidden = true;
  $("#card")?.focus();
  return true;
}

function sendReason() {
  const panel = reasonPanel();
  const chosen = panel.querySelector("input[name=reason]:checked");
  if (!chosen) {
    panel.querySelector("input[name=reason]")?.focus();
    panel.classList.add("wanting");
    const needed = panel.querySelector("#reason-needed");
    if (needed) needed.hidden = false;
    return;
  }
  // A click, not requestSubmit(button): htmx sends a submit button's name and value only if it was clicked.
  panel.querySelector(`button[type=submit][value="${panel.dataset.decision}"]`).click();
}

function press(selector) {
  const element = $(selector);
  if (!element || element.disabled) return false;
  element.click();
  return true;
}

function setUp() {
  // Without JavaScript the reasons are always on show; with it they open on r or c.
  const panel = reasonPanel();
  if (panel && !panel.dataset.ready) {
    panel.dataset.ready = "1";
    panel.hidden = true;
  }
  const card = $("#card");
  if (card && !card.contains(document.activeElement)) card.focus({ preventScroll: true });
  // The outcome of the last action and the new card are what the editor looks at next.
  const message = $("#queue-message");
  const top = (message || card)?.getBoundingClientRect().top;
  if (top !== undefined && (top < 0 || top > window.innerHeight)) (message || card).scrollIntoView({ block: "start" });
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest(".open-reason");
  if (opener) openReason(opener.dataset.decision);
  if (event.target.closest(".cancel-reason")) closeReason();
});

// ---- Between a request and its settled answer ------------------------------------------------------
// Keys pressed while a card is being replaced would press buttons htmx has not wired up yet (a plain
// form post, or nothing): they are ignored until the new card has settled, which the root element says.
let busyTimer;
const busy = (on) => {
  clearTimeout(busyTimer);
  if (on) {
    document.documentElement.dataset.queueBusy = "1";
    busyTimer = setTimeout(() => busy(false), 8000); // never stuck: a lost answer frees the keys again
  } else delete document.documentElement.dataset.queueBusy;
};
document.body.addEventListener("htmx:beforeRequest", () => busy(true));
document.body.addEventListener("htmx:afterSettle", () => busy(false));
document.body.addEventListener("htmx:afterRequest", (event) => {
  // No answer, or one that swaps nothing (204): nothing will settle.
  if (!event.detail.xhr?.status || event.detail.xhr.status === 204) busy(false);
});

// htmx gives focus back to the element of the same id in the new card, and restoring the caret of the
// note scrolls the reason panel (shown until the script hides it) into view: the page jumped by the
// height of the card. Focus rests on the card while the answer is swapped in.
document.body.addEventListener("htmx:beforeSwap", () => {
  const active = document.activeElement;
  if (active && active !== document.body && active.closest("#queue")) $("#card")?.focus({ preventScroll: true });
});

document.addEventListener("keydown", (event) => {
  if (document.documentElement.dataset.queueBusy && !event.target.matches("input, textarea, select")) {
    event.preventDefault();
    return;
  }
  const panel = reasonPanel();
  const reasonOpen = panel && !panel.hidden;
  // Enter (or Ctrl/Cmd+Enter) sends the reason from anywhere in the panel, the note included;
  // Shift+Enter starts a new line in the note, and Enter that ends an IME composition (Hangul) stays with it.
  if (reasonOpen && event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
    if (!event.target.matches("button")) {
      event.preventDefault();
      sendReason();
    }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape") {
    if (closeReason()) event.preventDefault();
    return;
  }
  const typing = event.target.matches("input[type=text], input[type=search], textarea, select");
  if (reasonOpen) {
    if (!typing && /^[1-9]$/.test(event.key)) {
      const radio = panel.querySelector(`input[name=reason][data-key="${event.key}"]`);
      if (radio) {
        event.preventDefault();
        radio.checked = true;
        // The note is where the editor types next: there every key types, digits included, so a note
        // such as "same as 2 above" never re-picks the reason.
        panel.querySelector("textarea[name=note]")?.focus();
      }
    }
    return;
  }
  if (typing) return;
  const actions = { a: "#accept", s: "#skip", j: "#next", k: "#prev", u: "#undo" };
  if (event.key in actions) {
    if (press(actions[event.key])) event.preventDefault();
  } else if (event.key === "r" || event.key === "c") {
    event.preventDefault();
    openReason(event.key === "r" ? "reject" : "changes");
  } else if (/^[1-9]$/.test(event.key)) {
    if (press(`.kinds .kind-btn[data-key="${event.key}"]:not(.current)`)) event.preventDefault();
  }
});

document.body.addEventListener("htmx:afterSettle", setUp);
setUp();
