"""A long article in the browser: its text and its claims arrive a window at a time (annotate/reading.py).

Scrolling loads the next passages, a link to a claim in a later passage loads that passage, the sidebar's
"Show more claims" works from the keyboard, and tagging in a passage loaded later stores the article's
offsets even when text before it has not been loaded.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim
from annotate.reading import SIDEBAR, WINDOW
from tests.factories import make_article, make_claim

from .helpers import (
    article_text_in_page,
    assert_not_reloaded,
    axe_violations,
    log_in,
    open_article,
    select_with_mouse,
    tag_panel,
)

pytestmark = pytest.mark.browser

PARAGRAPHS = [
    f"Paragraph {i}: the committee of district {i} reported {i * 7} ballots to the observers, who counted "
    f"them again at station {i}."
    for i in range(220)
]
TEXT = "\n\n".join(PARAGRAPHS)


def sentence(i: int) -> tuple[int, int]:
    start = TEXT.index(PARAGRAPHS[i])
    return start, start + len(PARAGRAPHS[i])


def tag_selection_as_informant(page: Page) -> None:
    panel = tag_panel(page)
    expect(panel).to_be_visible()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()


def test_scrolling_loads_the_rest_of_the_text_and_a_tag_there_stores_its_offsets(page: Page, reviewer):
    assert len(TEXT) > 3 * WINDOW
    article = make_article(TEXT, title="A long count")
    log_in(page, reviewer)
    open_article(page, article)
    shown = article_text_in_page(page)
    assert len(shown) < len(TEXT) and TEXT.startswith(shown)  # the first window only
    gap = page.locator("#article-text .passage-gap")
    expect(gap).to_have_count(1)
    assert axe_violations(page, context="a long article, its rest not loaded") == []
    for _ in range(30):  # each gap scrolled into view brings the next window
        if not gap.count():
            break
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(250)
    expect(gap).to_have_count(0)
    assert article_text_in_page(page) == TEXT
    select_with_mouse(page, PARAGRAPHS[210])
    tag_selection_as_informant(page)
    claim = Claim.objects.get()
    assert (claim.start, claim.end) == sentence(210) and claim.exact == PARAGRAPHS[210]
    expect(page.locator(f'#article-text mark.hl[data-claims="{claim.pk}"]')).to_have_count(1)
    assert_not_reloaded(page)


def test_a_link_to_a_claim_in_a_later_passage_loads_it_and_tagging_beside_it_after_a_gap(page: Page, reviewer):
    article = make_article(TEXT, title="A long count")
    start, end = sentence(180)
    assert start > 2 * WINDOW
    far = make_claim(article, start, end, kind_slug="think_tank", annotator=reviewer)
    log_in(page, reviewer)
    # Gaps that scroll into view load by themselves, and on a slow machine they may all have loaded before
    # the selection is made: keep them gaps (only the claim's own passage, asked for by id, is served).
    page.route(re.compile(r"/passages/\?from=\d+&to=\d+$"), lambda route: route.abort())
    page.goto(f"{article.get_absolute_url()}#claim-{far.pk}")
    mark = page.locator(f'#article-text mark.hl[data-claims="{far.pk}"]')
    expect(mark).to_have_count(1)
    expect(mark).to_be_in_viewport()
    # Text between the first window and this passage is still a gap: the browser's text is not the article's.
    expect(page.locator("#article-text .passage-gap").first).to_be_attached()
    assert article_text_in_page(page) != TEXT
    # A selection after that gap is tagged at the article's offsets, not at those of the text loaded.
    page.evaluate("window.__noReload = 1")
    select_with_mouse(page, PARAGRAPHS[181])
    tag_selection_as_informant(page)
    claim = Claim.objects.exclude(pk=far.pk).get()
    assert (claim.start, claim.end) == sentence(181) and claim.exact == PARAGRAPHS[181]
    assert_not_reloaded(page)


def test_a_claim_listed_in_the_sidebar_loads_its_passage_when_chosen(page: Page, reviewer):
    article = make_article(TEXT, title="A long count")
    near = make_claim(article, *sentence(1), kind_slug="expert", annotator=reviewer)
    far = make_claim(article, *sentence(150), kind_slug="think_tank", annotator=reviewer)
    log_in(page, reviewer)
    open_article(page, article)
    expect(page.locator(f'#article-text mark.hl[data-claims="{near.pk}"]')).to_have_count(1)
    expect(page.locator(f'#article-text mark.hl[data-claims="{far.pk}"]')).to_have_count(0)
    page.locator(f'.claim-list a[data-claim="{far.pk}"]').click()
    mark = page.locator(f'#article-text mark.hl[data-claims="{far.pk}"]')
    expect(mark).to_have_count(1)
    expect(mark).to_be_in_viewport()
    expect(page.locator("#claim-popover")).to_be_visible()
    expect(page.locator("#claim-popover-body")).to_contain_text("Think tank")
    assert_not_reloaded(page)


def test_more_claims_from_the_keyboard(page: Page, reviewer):
    article = make_article(TEXT, title="A long count")
    for i in range(SIDEBAR + 10):
        make_claim(article, *sentence(i), kind_slug="expert", annotator=reviewer)
    log_in(page, reviewer)
    open_article(page, article)
    items = page.locator("#claim-list > li")
    expect(items).to_have_count(SIDEBAR)
    expect(page.locator("#claims-count")).to_have_text(str(SIDEBAR + 10))
    items.last.locator("a").focus()
    page.keyboard.press("Tab")
    more = page.locator("#claims-more a")
    expect(more).to_be_focused()
    expect(more).to_have_text("Show more claims")
    page.keyboard.press("Enter")
    expect(items).to_have_count(SIDEBAR + 10)
    # The keyboard carries on at the first claim added; a screen reader hears how many came.
    expect(items.nth(SIDEBAR).locator("a")).to_be_focused()
    expect(page.locator("#reading-news")).to_contain_text("10 more claims listed")
    expect(page.locator("#claims-more a")).to_have_count(0)
    # In text order, each once.
    ids = page.locator("#claim-list a").evaluate_all("links => links.map((a) => Number(a.dataset.claim))")
    assert ids == list(Claim.objects.order_by("start", "-end", "pk").values_list("pk", flat=True))
    assert_not_reloaded(page)
