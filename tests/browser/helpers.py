"""Helpers the browser tests share: logging in, opening an article, selecting text with the mouse."""

import io
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import Page, expect

from corpus.models import Article

from .conftest import PASSWORD

SEED = Path(__file__).resolve().parents[2] / "corpus" / "seed"

# Finds `text` (which must occur once) in #article-text, scrolls it into view, and returns the viewport
# points just inside its first and last characters, for a mouse drag that selects exactly `text`.
DRAG_POINTS_JS = """
(text) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let all = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, all.length]);
    all += node.data;
  }
  const at = all.indexOf(text);
  if (at < 0 || all.indexOf(text, at + 1) >= 0) return null;
  const locate = (i, isEnd) => {
    for (const [node, base] of nodes) {
      const len = node.data.length;
      if (isEnd ? base < i && i <= base + len : base <= i && i < base + len) return [node, i - base];
    }
    throw new Error(`no text node at ${i}`);
  };
  const rangeOf = (i, j) => {
    const range = document.createRange();
    range.setStart(...locate(i, false));
    range.setEnd(...locate(j, true));
    return range;
  };
  const whole = rangeOf(at, at + text.length).getBoundingClientRect();
  window.scrollTo({ top: window.scrollY + whole.top - window.innerHeight / 3, behavior: "instant" });
  const firstLen = String.fromCodePoint(text.codePointAt(0)).length;
  const lastLen = [...text].at(-1).length;
  const rects = (i, j) => [...rangeOf(i, j).getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  const first = rects(at, at + firstLen)[0];
  const last = rects(at + text.length - lastLen, at + text.length).at(-1);
  return {
    from: { x: first.left + Math.min(1, first.width / 4), y: first.top + first.height / 2 },
    to: { x: last.right - Math.min(1, last.width / 4), y: last.top + last.height / 2 },
  };
}
"""


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.get_username())
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".topbar .who")).to_contain_text(user.get_username())


def log_out(page: Page) -> None:
    page.locator(".topbar .who").get_by_role("button", name="Sign out").click()
    expect(page.locator(".topbar .who")).to_have_count(0)


def open_article(page: Page, article: Article) -> None:
    page.goto(article.get_absolute_url())
    expect(page.locator("#article-text")).to_be_visible()
    page.evaluate("window.__noReload = 1")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload") == 1, "the page was reloaded instead of updated in place"


def select_with_mouse(page: Page, text: str) -> str:
    """Drag the mouse across `text` in the article; return what the browser says is selected."""
    points = page.evaluate(DRAG_POINTS_JS, text)
    assert points, f"{text!r} does not occur exactly once in the article text"
    page.mouse.move(points["from"]["x"], points["from"]["y"])
    page.mouse.down()
    page.mouse.move(points["to"]["x"], points["to"]["y"], steps=12)
    page.mouse.up()
    selected = page.evaluate("window.getSelection().toString()")
    assert selected.strip() == text, f"the mouse drag selected {selected!r}"
    return selected


def tag_panel(page: Page):
    return page.locator("form#tag-panel")


def pending_highlight(page: Page) -> str | None:
    """The text the tag panel marks as being tagged (it stays visible after focus leaves the selection)."""
    return page.evaluate("() => { const h = CSS.highlights.get('tag-pending'); return h ? [...h].join('|') : null; }")


def article_text_in_page(page: Page) -> str:
    return page.locator("#article-text").evaluate("el => el.textContent")


def import_seed() -> None:
    call_command("import_articles", str(SEED), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page, *, context: str = "") -> list[str]:
    """Run axe-core (from npm, installed by `make install`) on the page as it is now; its violations of any
    impact, one line each. Without axe-core the check is skipped, except under CI, where it fails."""
    import os

    import pytest

    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE}: run `make install` (npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    if not page.evaluate("() => Boolean(window.axe)"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    results = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          const where = (v) => v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ");
          const more = (v) => (v.nodes.length > 3 ? ` (+${v.nodes.length - 3})` : "");
          return r.violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${where(v)}${more(v)}`);
        }"""
    )
    return [f"{context}: {line}" if context else line for line in results]


# Words of a visible control, heading, link or table heading that are drawn on two lines: a label cut in the
# middle of a word ("Sear" / "ch") reads as a broken page. Words longer than a line may wrap, and so may a
# hyphenated one at its hyphen; what is hidden from sight (a table's head laid out as cards) is not drawn.
_BROKEN_WORDS = r"""() => {
  const broken = new Set();
  const unseen = (el) => {  // it or a box around it is clipped to nothing
    for (let at = el; at && at !== document.body; at = at.parentElement) {
      const box = at.getBoundingClientRect();
      if (box.width < 4 || box.height < 4) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('button, .button, nav a, label, summary, th, legend, h1, h2, h3, a')) {
    if (!el.offsetParent || el.closest('.swagger-ui') || unseen(el)) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      for (const word of node.data.matchAll(/[^\s\-‐–—\/]+/g)) {
        if (word[0].length > 24) continue;
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        // On two lines when its pieces' tops lie more than half a line apart (a fallback font for a mark or an
        // emoji may sit a pixel or two off the others' top on the same line).
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = rects.map(r => r.top), height = Math.min(...rects.map(r => r.height));
        if (rects.length > 1 && Math.max(...tops) - Math.min(...tops) > height / 2) {
          broken.add(`${el.tagName.toLowerCase()}: ${word[0]}`);
        }
      }
    }
  }
  return [...broken];
}"""


def broken_words(page: Page) -> list[str]:
    """Each visible label's word that is cut across two lines, as "tag: word"."""
    return page.evaluate(_BROKEN_WORDS)
