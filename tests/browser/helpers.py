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
