"""The reading view shows each claim's status in its highlight, hides rejected ones on request, and singles
out one claim among overlapping ones."""

import re

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim
from tests.factories import make_article, make_claim

from .conftest import save_screenshot
from .helpers import log_in, open_article

pytestmark = pytest.mark.browser

TEXT = "Officials said turnout was 99.63 percent. Residents said nobody dared. Analysts called it staged."
STYLE_JS = """(el) => { const s = getComputedStyle(el);
  return {image: s.backgroundImage, color: s.backgroundColor, border: s.borderBottomStyle + ' ' + s.borderBottomWidth,
          shadow: s.boxShadow, outline: s.outlineStyle}; }"""


def test_status_is_drawn_in_the_text_and_rejected_claims_can_be_hidden(page: Page, reviewer):
    article = make_article(TEXT, title="Statuses")
    spans = {}
    for phrase, status in [
        ("turnout was 99.63 percent", "accepted"),
        ("nobody dared", "pending"),
        ("called it staged", "rejected"),
    ]:
        start = TEXT.index(phrase)
        claim = make_claim(article, start, start + len(phrase), annotator=reviewer)
        Claim.objects.filter(pk=claim.pk).update(status=status)
        spans[status] = claim
    log_in(page, reviewer)
    open_article(page, article)
    mark = {status: page.locator(f'#article-text mark.hl[data-claims="{c.pk}"]') for status, c in spans.items()}
    style = {status: m.evaluate(STYLE_JS) for status, m in mark.items()}
    assert style["accepted"]["image"] == "none" and style["accepted"]["color"] != "rgba(0, 0, 0, 0)"
    assert "repeating-linear-gradient" in style["pending"]["image"]  # hatched: provisional
    assert style["rejected"]["image"] == "none" and style["rejected"]["color"] == "rgba(0, 0, 0, 0)"
    assert style["rejected"]["border"] == "dashed 1px"
    save_screenshot(page, "test_status_in_text")

    page.get_by_label("Show rejected claims").uncheck()
    assert mark["rejected"].evaluate(STYLE_JS)["border"].endswith(" 0px")
    assert mark["accepted"].evaluate(STYLE_JS)["color"] == style["accepted"]["color"]
    page.reload()
    expect(page.get_by_label("Show rejected claims")).not_to_be_checked()
    assert mark["rejected"].evaluate(STYLE_JS)["border"].endswith(" 0px")
    assert page.locator("#article-text").evaluate("el => el.textContent") == TEXT


def test_hovering_a_claim_outlines_its_whole_extent(page: Page, reviewer):
    article = make_article(TEXT, title="Overlaps")
    outer_text = "Residents said nobody dared"
    outer = make_claim(article, TEXT.index(outer_text), TEXT.index(outer_text) + len(outer_text), annotator=reviewer)
    inner = make_claim(
        article, TEXT.index("said nobody"), TEXT.index("said nobody") + len("said nobody"), kind_slug="expert",
        annotator=reviewer,
    )  # fmt: skip
    log_in(page, reviewer)
    open_article(page, article)
    runs = page.locator("#article-text mark.hl")
    expect(runs).to_have_count(3)  # "Residents " | "said nobody" | " dared"
    runs.nth(0).hover()
    expect(page.locator("#article-text mark.hl.single")).to_have_count(3)  # the outer claim, all of it
    runs.nth(1).hover()
    expect(page.locator("#article-text mark.hl.single")).to_have_count(1)  # the inner claim
    expect(runs.nth(1)).to_have_attribute("data-claims", f"{outer.pk} {inner.pk}")


def test_each_claim_starts_with_its_kinds_letter_beside_the_colour(page: Page, reviewer):
    article = make_article(TEXT, title="Letters")
    for phrase, slug in [("turnout was 99.63 percent", "think_tank"), ("nobody dared", "news_agency")]:
        start = TEXT.index(phrase)
        make_claim(article, start, start + len(phrase), kind_slug=slug, annotator=reviewer)
    log_in(page, reviewer)
    open_article(page, article)
    starts = page.locator("#article-text mark.hl.hl-start")
    letters = starts.evaluate_all("marks => marks.map((m) => getComputedStyle(m, '::before').content)")
    assert letters == ['"T" / ""', '"N" / ""'], letters
    # The letter is drawn, not written: the text is unchanged.
    assert page.locator("#article-text").evaluate("el => el.textContent") == TEXT
    save_screenshot(page, "test_kind_letters")


def drag(page: Page, text: str, *, alt: bool = False) -> None:
    from .helpers import DRAG_POINTS_JS

    points = page.evaluate(DRAG_POINTS_JS, text)
    if alt:
        page.keyboard.down("Alt")
    page.mouse.move(points["from"]["x"], points["from"]["y"])
    page.mouse.down()
    page.mouse.move(points["to"]["x"], points["to"]["y"], steps=8)
    page.mouse.up()
    if alt:
        page.keyboard.up("Alt")


def test_a_mouse_selection_snaps_to_whole_words_unless_alt_is_held(page: Page, reviewer):
    article = make_article(TEXT, title="Snapping")
    log_in(page, reviewer)
    open_article(page, article)
    panel = page.locator("form#tag-panel")
    drag(page, "urnout was 99.6")
    expect(panel.locator("#tag-quote")).to_have_text("turnout was 99.63")
    assert page.evaluate("getSelection().toString()") == "turnout was 99.63"
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    drag(page, "urnout was 99.6", alt=True)
    expect(panel.locator("#tag-quote")).to_have_text("urnout was 99.6")


def test_the_tag_panel_leaves_the_sentence_in_view_and_the_edit_popover_fits(page: Page, reviewer):
    long_text = " ".join(f"Sentence {i} says the turnout was high in county {i}." for i in range(60))
    article = make_article(long_text, title="Panels")
    claim = make_claim(article, 0, 10, annotator=reviewer, kind_slug="state_media")
    page.set_viewport_size({"width": 1280, "height": 640})
    log_in(page, reviewer)
    open_article(page, article)
    drag(page, "Sentence 30 says the turnout")
    panel = page.locator("form#tag-panel")
    expect(panel).to_be_visible()
    column = page.locator(".text-col").bounding_box()
    box = panel.bounding_box()
    assert box["x"] >= column["x"] + column["width"], (box, column)  # beside the text, not over it
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    page.keyboard.press("Escape")

    page.locator(f'#article-text mark.hl[data-claims="{claim.pk}"]').click()
    popover = page.locator("#claim-popover")
    popover.get_by_role("link", name="Edit").click()
    kinds = popover.get_by_role("group", name="Kind")
    expect(kinds.get_by_role("radio", name="State media")).to_be_checked()
    kinds.get_by_role("radio", name="State media").focus()
    page.keyboard.press("3")
    expect(kinds.get_by_role("radio", name="Think tank")).to_be_checked()
    save = popover.get_by_role("button", name="Save changes")
    expect(save).to_be_in_viewport()
    save_screenshot(page, "test_edit_popover")
    save.click()
    expect(popover).to_be_hidden()
    claim.refresh_from_db()
    assert claim.kind.slug == "think_tank"


def test_saving_and_deleting_a_claim_is_announced_and_focus_returns_to_the_text(page: Page, reviewer):
    article = make_article(TEXT, title="Feedback")
    log_in(page, reviewer)
    open_article(page, article)
    drag(page, "nobody dared")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    news = page.locator("#reading-news")
    expect(news).to_have_attribute("role", "status")
    expect(news).to_have_text(re.compile(r"^Claim \d+ tagged\.$"))  # the answer has come: the claim is stored
    claim = Claim.objects.get()
    expect(news).to_have_text(f"Claim {claim.pk} tagged.")
    expect(page.locator("#article-text")).to_be_focused()
    page.locator(f'#article-text mark.hl[data-claims="{claim.pk}"]').click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#claim-popover").get_by_role("button", name="Delete").click()
    expect(news).to_have_text(f"Claim {claim.pk} deleted.")
    expect(page.locator("#article-text")).to_be_focused()
    assert not Claim.objects.exists()


def test_saving_a_source_says_so(page: Page):
    from annotate.services import register_source
    from tests.factories import kind, make_user

    from .conftest import PASSWORD

    source = register_source(name="KCNA", kind=kind("state_media"))
    log_in(page, make_user("edna", role="editor", password=PASSWORD))
    page.goto(f"/sources/{source.pk}/")
    page.get_by_label("Description").fill("The state news agency")
    page.get_by_role("button", name="Save source").click()
    expect(page.get_by_role("status")).to_have_text("Saved “KCNA”.")
    expect(page.get_by_role("status")).to_be_focused()


def test_overlapping_underlines_stay_below_the_descenders(page: Page, reviewer):
    text = "Officials say gauging apathy properly is hard."
    article = make_article(text, title="Descenders")
    for phrase, slug in [
        ("Officials say gauging apathy properly is hard", "state_media"),
        ("say gauging apathy properly", "expert"),
        ("gauging apathy", "think_tank"),
        ("apathy", "news_agency"),
    ]:
        start = text.index(phrase)
        make_claim(article, start, start + len(phrase), kind_slug=slug, annotator=reviewer)
    log_in(page, reviewer)
    open_article(page, article)
    deepest = page.locator("#article-text mark.hl[data-depth='4']")
    expect(deepest).to_have_text("apathy")
    geometry = deepest.evaluate(
        """(el) => { const s = getComputedStyle(el);
          const layers = [...s.boxShadow.matchAll(/0px (-\\d+)px 0px 0px inset/g)].map((m) => -Number(m[1]));
          return {padding: parseFloat(s.paddingBottom), deepest: Math.max(...layers)}; }"""
    )
    # Every underline lies inside the padding under the text, none across the letters' descenders.
    assert geometry["deepest"] <= geometry["padding"], geometry
