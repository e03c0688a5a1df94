"""The review queue as a desk uses it all day: notes with digits, no jumps, j/k through the cards, bulk undo."""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim
from tests.factories import make_article, make_claim, make_user

from .conftest import PASSWORD
from .helpers import log_in

pytestmark = pytest.mark.browser

WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
]


def make_queue(n: int = 8) -> list[Claim]:
    """`n` pending claims by a reviewer, oldest first, each on its own sentence of one article."""
    rita = make_user("rita", role="reviewer", password=PASSWORD)
    sentences = [f"The {WORDS[i % len(WORDS)]} report number {i} was relayed by the agency." for i in range(n)]
    text = " ".join(sentences)
    article = make_article(text, title="A long relay")
    claims = []
    for sentence in sentences:
        start = text.index(sentence)
        claims.append(make_claim(article, start, start + len(sentence), annotator=rita))
    return claims


def card_is(page: Page, claim: Claim) -> None:
    """Wait until the card shows `claim` and has settled (keys pressed before are ignored)."""
    expect(page.locator("#card")).to_have_attribute("data-claim", str(claim.pk))
    expect(page.locator("html[data-queue-busy]")).to_have_count(0)


@pytest.fixture
def editor_page(page: Page):
    def open_queue(n: int = 8):
        claims = make_queue(n)
        log_in(page, make_user("edna", role="editor", password=PASSWORD))
        page.goto("/review/")
        expect(page.locator("#card")).to_have_attribute("data-claim", str(claims[0].pk))
        return claims

    return open_queue


def test_a_reject_note_with_digits_keeps_its_reason_and_every_key(page: Page, editor_page):
    first, *_ = editor_page()
    page.keyboard.press("r")
    page.keyboard.press("5")  # duplicate
    note = page.get_by_label("Note to the author")
    expect(note).to_be_focused()
    page.keyboard.type("same as 2 above, see 1 and 3-6")
    expect(note).to_have_value("same as 2 above, see 1 and 3-6")
    expect(page.get_by_role("radio", name="Duplicate")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator("#queue-message")).to_have_text(f"Rejected: claim {first.pk}. Press u to undo.")
    first.refresh_from_db()
    assert (first.status, first.review_reason, first.review_note) == (
        "rejected",
        "duplicate",
        "same as 2 above, see 1 and 3-6",
    )


@pytest.mark.parametrize("key", ["r", "c"])
def test_the_page_does_not_jump_after_a_reject_or_a_request_for_changes(page: Page, editor_page, key):
    first, second, *_ = editor_page(16)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.keyboard.press(key)
    page.keyboard.press("2")
    page.keyboard.type("see the other report")
    before = page.evaluate("window.scrollY")
    page.keyboard.press("Enter")
    card_is(page, second)
    page.wait_for_timeout(300)
    after = page.evaluate("window.scrollY")
    # It used to jump by the height of a card and more (1,000 px and up); a line or two is no jump.
    assert abs(after - before) < 120, f"the page scrolled from {before} to {after} px"
    expect(page.locator("#queue-message")).to_be_in_viewport()
    expect(page.locator("#card blockquote")).to_be_in_viewport()


def test_j_and_k_walk_the_cards_seen_both_ways_and_never_skip(page: Page, editor_page):
    claims = editor_page()
    for claim in claims[:3]:  # accept three cards: the fourth is the current one
        card_is(page, claim)
        page.keyboard.press("a")
    card_is(page, claims[3])
    for expected in (claims[2], claims[1], claims[0]):
        page.keyboard.press("k")
        card_is(page, expected)
    for expected in (claims[1], claims[2], claims[3]):
        expect(page.get_by_role("link", name="Next j")).to_be_visible()
        page.keyboard.press("j")
        card_is(page, expected)
    # Past the last card seen, j shows the first card up next, without skipping the current one.
    expect(page.get_by_role("link", name="Next j")).to_be_visible()
    page.keyboard.press("j")
    card_is(page, claims[4])
    expect(page.locator("#queue-message")).to_have_count(0)
    expect(page.get_by_role("button", name="Bring back")).to_have_count(0)
    page.keyboard.press("k")
    card_is(page, claims[3])


def test_undo_after_accept_selected_restores_the_whole_batch(page: Page, editor_page):
    first, second, third, fourth, *_ = editor_page()
    for claim in (second, third, fourth):
        page.get_by_label(f"Select claim {claim.pk}").check()
    page.get_by_role("button", name="Accept selected").click()
    expect(page.locator("#queue-message")).to_have_text("Accepted 3 claims.")
    card_is(page, first)
    assert set(Claim.objects.filter(status="accepted").values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
        fourth.pk,
    }
    page.keyboard.press("u")
    expect(page.locator("#queue-message")).to_contain_text("Undone: 3 claims")
    assert not Claim.objects.filter(status="accepted").exists()
    expect(page.locator("#left")).to_have_text(f"{len(Claim.objects.all())} left")
