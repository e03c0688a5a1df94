"""Relay chains and the provenance graph in a real browser: tag a claim with a source and a relay by
keyboard, then find the fact's graph with the relay path and the origin count, as a reviewer and an editor."""

import pytest
from playwright.sync_api import Page, expect

from annotate.chains import set_affiliation
from annotate.models import Claim
from annotate.services import register_source
from tests.factories import kind, make_article, make_claim, make_user, set_relays

from .conftest import PASSWORD, save_screenshot
from .helpers import log_in, log_out, open_article, tag_panel

pytestmark = pytest.mark.browser

SENTENCE = "Turnout was 99.63%, Rodong Sinmun said."
TEXT = f"Pyongyang, 28 November.\n{SENTENCE}\nVoters queued from dawn."
TURNOUT = "Turnout was 99.63%"
INFORMANT = "Hyesan resident"

# Select `text` in the article, as a reader would with Shift+arrows from the focused text (tests/browser/
# test_keyboard_touch.py walks there word by word); the test then presses Enter, which opens the panel.
SELECT_JS = """
(text) => {
  const root = document.getElementById("article-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at >= 0) {
      window.getSelection().setBaseAndExtent(node, at, node, at + text.length);
      return true;
    }
  }
  return false;
}
"""


def world():
    state = register_source(name="North Korean state", kind=kind("state_media"))
    for name in ("KCNA", "Rodong Sinmun"):
        set_affiliation(source=register_source(name=name, kind=kind("state_media")), affiliation=state)
    register_source(name="Yonhap", kind=kind("news_agency"))
    register_source(name=INFORMANT, kind=kind("in_country_informant"), sensitive=True)
    for n in range(2):
        other = make_article(f"Report {n}: turnout was 99.63%, KCNA said.", title=f"Wire {n}", outlet=f"Wire {n}")
        claim = make_claim(other, 10, 40, source_name="KCNA", fact=TURNOUT)
        set_relays(claim, "Yonhap")
    informed = make_article("A resident said turnout was 99.63%.", title="Letter", outlet="NK Times")
    make_claim(informed, 0, 15, kind_slug="in_country_informant", source_name=INFORMANT, fact=TURNOUT)
    Claim.objects.update(status="accepted")
    return make_article(TEXT, title="Daily report", outlet="Daily NK")


def test_tag_a_relay_by_keyboard_and_follow_the_fact_to_its_graph(page: Page, reviewer):
    article = world()
    log_in(page, reviewer)
    open_article(page, article)
    panel = tag_panel(page)

    page.locator("#article-text").focus()
    assert page.evaluate(SELECT_JS, SENTENCE)
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    page.keyboard.press("1")  # state media
    expect(panel.get_by_role("button", name="State media")).to_have_attribute("aria-pressed", "true")
    page.keyboard.type("Rodong Sinmun")
    page.keyboard.press("Tab")  # the relay chain comes next to the source, not folded away
    expect(panel.get_by_label("Via", exact=True)).to_be_focused()
    page.keyboard.type("Yonhap")
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Fact", exact=True)).to_be_focused()
    page.keyboard.type(TURNOUT)
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    claim = Claim.objects.get(article=article)
    assert (claim.source.name, [r.source.name for r in claim.relays.all()]) == ("Rodong Sinmun", ["Yonhap"])

    page.goto(claim.fact.get_absolute_url())
    expect(page.locator("#origins")).to_contain_text("2 independent origins")
    page.get_by_role("link", name="See the provenance graph").click()
    graph = page.locator("svg.provenance-graph").first
    for label in ("Daily NK: Daily report", "Yonhap", "Rodong Sinmun", "KCNA", "North Korean state"):
        expect(graph.locator("text", has_text=label).first).to_be_visible()
    expect(graph.locator("text", has_text="Protected source 1")).to_have_count(1)
    assert INFORMANT not in page.content()
    expect(page.locator(".graph-origins")).to_contain_text(
        "2 independent origins: North Korean state, Protected source 1"
    )
    row = page.locator(".graph-table").first.locator("tbody tr").filter(has_text="Daily NK: Daily report")
    expect(row).to_contain_text("Yonhap")
    expect(row).to_contain_text("North Korean state")
    graph.locator("a.node", has_text="Yonhap").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".graph-table tr:target")).to_contain_text("Yonhap")
    save_screenshot(page, "graph-reviewer")

    log_out(page)
    log_in(page, make_user("edna", role="editor", password=PASSWORD))
    page.goto(claim.fact.get_absolute_url() + "graph/")
    expect(page.locator("svg.provenance-graph text", has_text=INFORMANT)).to_have_count(1)
    expect(page.locator(".graph-origins")).to_contain_text(f"2 independent origins: {INFORMANT}, North Korean state")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".graph-table").first).to_be_visible()
    save_screenshot(page, "graph-editor-390")
