"""Suggested claims in a real browser: accept one with the keyboard, dismiss another, find the accepted one in the
dashboard once an editor has accepted it."""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim, ReviewEvent
from annotate.services import register_fact, register_source
from review import services as review
from suggest.models import Dismissal
from tests.factories import kind, make_article, make_claim, make_user

from .conftest import save_screenshot
from .helpers import (
    article_text_in_page,
    assert_not_reloaded,
    log_in,
    log_out,
    open_article,
    select_with_mouse,
    tag_panel,
)

pytestmark = pytest.mark.browser

TEXT = (
    "Turnout was 99.63 percent in the local elections, the KCNA said on Monday.\n\n"
    "The unification ministry said that the two boxes made every vote against visible to the officials.\n\n"
    "The weather was cold on the day of the vote and queues were long."
)
TURNOUT = "Turnout was 99.63%"


def cards(page: Page):
    return page.locator("#suggestions .suggestion")


def test_accept_one_suggestion_by_keyboard_dismiss_another_and_find_it_in_the_dashboard(page: Page, reviewer):
    article = make_article(TEXT, title="Turnout in the local elections")
    register_source(name="KCNA", kind=kind("state_media"))
    register_fact(statement=TURNOUT)
    log_in(page, reviewer)
    open_article(page, article)
    expect(cards(page)).to_have_count(2)
    # Drawn apart from claims: no <mark>, a highlight of its own that leaves the text as it is.
    expect(page.locator("#article-text mark")).to_have_count(0)
    # The module draws the highlights once the sidebar has loaded: wait for it rather than race it.
    page.wait_for_function("() => CSS.highlights.get('suggestion')?.size === 2")
    assert article_text_in_page(page) == TEXT
    expect(cards(page).first).to_contain_text("Turnout was 99.63% — 0 articles")
    cards(page).first.focus()
    save_screenshot(page, "test_suggestions-reading")

    # Accept the first with one key.
    page.keyboard.press("a")
    expect(page.locator(".claim-list li")).to_have_count(1)
    expect(cards(page)).to_have_count(1)
    claim = Claim.objects.get()
    assert (claim.exact, claim.kind.slug, claim.source.name, claim.fact.statement) == (
        "Turnout was 99.63 percent in the local elections, the KCNA said on Monday", "state_media", "KCNA", TURNOUT,
    )  # fmt: skip
    assert ReviewEvent.objects.get(claim=claim).after["origin"]["suggestion"].endswith("-state_media")
    expect(page.locator("#reading-news")).to_have_text(f"Suggestion accepted as claim {claim.pk}.")

    # The focus moved to the next suggestion: dismiss it with another.
    expect(cards(page).first).to_be_focused()
    page.keyboard.press("x")
    expect(cards(page)).to_have_count(0)
    expect(page.locator("#suggestions .empty-state")).to_be_visible()
    expect(page.locator("#reading-news")).to_contain_text("Suggestion dismissed")
    assert Dismissal.objects.get().exact.startswith("The unification ministry said that the two boxes")
    assert Claim.objects.count() == 1
    assert_not_reloaded(page)

    # Not counted until an editor accepts it; then the dashboard shows it.
    editor = make_user("ed", role="editor", password="pw-for-tests-only")
    log_out(page)
    log_in(page, editor)
    page.goto("/dashboard/")
    expect(page.get_by_role("link", name=TURNOUT, exact=True)).to_have_count(0)
    review.decide(claim_id=claim.pk, version=claim.version, editor=editor, decision="accept")
    page.goto("/dashboard/")
    row = page.locator(".matrix tbody tr").filter(has=page.get_by_role("link", name=TURNOUT, exact=True))
    expect(row.locator("td.num")).to_have_text(["1", "1", "1", "1"])  # articles, outlets, origins, claims
    expect(row.locator(".sources")).to_have_text("KCNA")


def test_the_tag_panel_offers_first_the_facts_a_selection_reports(page: Page, reviewer):
    other = make_article("Officials said turnout was 99.63% this year.", title="Other report")
    make_claim(other, 15, 43, annotator=reviewer, fact=TURNOUT)
    article = make_article(TEXT, title="Turnout in the local elections")
    log_in(page, reviewer)
    open_article(page, article)
    select_with_mouse(page, "Turnout was 99.63 percent in the local elections")
    expect(tag_panel(page)).to_be_visible()
    option = page.locator("#fact-options option").first
    expect(option).to_have_attribute("label", "Turnout was 99.63% — 1 article")
    expect(option).to_have_attribute("value", TURNOUT)
