"""The review queue in a real browser: an editor works the cards with the keyboard alone, and two editors at once."""

import re

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim, ReviewEvent
from tests.factories import make_article, make_claim, make_user

from .conftest import PASSWORD, save_screenshot
from .helpers import assert_not_reloaded, log_in

pytestmark = pytest.mark.browser

ARTICLE_TEXT = (
    "Officials said the turnout was 99.63 percent of all voters. "
    "A resident of Hyesan said that nobody dared to vote against the candidate. "
    "Researchers at KINU called the figure implausible for any election. "
    "Rumours spread that some ballots had been crossed out in secret. "
    "A ministry spokesman in Seoul declined to comment on the result."
)
# Oldest first, as the queue shows them: (span, kind the reviewer chose, source).
SPANS = [
    ("the turnout was 99.63 percent", "state_media", "KCNA"),
    ("nobody dared to vote against the candidate", "in_country_informant", "Hyesan resident"),
    ("called the figure implausible", "expert", "KINU"),
    ("some ballots had been crossed out", "unsourced_quote", ""),
]
NOTE = "Quote the whole sentence"


def make_claims(reviewer) -> list[Claim]:
    article = make_article(ARTICLE_TEXT, title="Turnout in the local elections")
    claims = []
    for text, kind_slug, source in SPANS:
        start = ARTICLE_TEXT.index(text)
        claims.append(
            make_claim(article, start, start + len(text), kind_slug=kind_slug, annotator=reviewer, source_name=source)
        )
    return claims


def card_quote(page: Page):
    return page.locator("#card blockquote mark.hl")


def expect_card(page: Page, claim: Claim, *, left: int, message: str | None) -> None:
    """The card shows `claim`, the counter `left`, the flash `message` (or none), and the reason panel is shut.

    The message is awaited first: it is what tells the new card from the old one, which may show the same quote.
    """
    if message is None:
        expect(page.locator("#queue-message")).to_have_count(0)
    else:
        expect(page.locator("#queue-message")).to_have_text(message)
    expect(card_quote(page)).to_have_text(claim.exact)
    expect(page.locator("#card")).to_have_attribute("data-claim", str(claim.pk))
    expect(page.locator("#left")).to_have_text(f"{left} left")
    expect(page.locator("#reason")).to_be_hidden()


def review_events(claim: Claim) -> list[tuple]:
    """(action, actor, status before, status after, kind before, kind after, version after), oldest first."""
    rows = []
    for event in ReviewEvent.objects.filter(claim_ref=claim.pk).select_related("actor").order_by("at", "pk"):
        before, after = event.before or {}, event.after or {}
        rows.append(
            (
                event.action,
                event.actor.get_username(),
                before.get("status"),
                after.get("status"),
                before.get("kind"),
                after.get("kind"),
                after.get("version"),
            )
        )
    return rows


def test_editor_works_three_cards_with_the_keyboard_and_undoes_one(page: Page, reviewer):
    first, second, third, fourth = make_claims(reviewer)
    editor = make_user("edna", role="editor", password=PASSWORD)
    log_in(page, editor)
    page.goto("/review/")
    page.evaluate("window.__noReload = 1")
    expect_card(page, first, left=4, message=None)
    expect(page.locator("#card .chip")).to_have_text("State media")
    expect(page.locator("#undo")).to_be_disabled()
    # The queue's filters offer the kinds and the article.
    expect(page.locator("#q-kind option")).to_have_count(1 + 9)
    expect(page.locator("#q-kind option").nth(3)).to_have_text("Think tank")
    expect(page.locator("#q-article option")).to_have_text(["Every article", "Turnout in the local elections"])

    # Card 1: a accepts it, and the next card comes.
    page.keyboard.press("a")
    expect_card(page, second, left=3, message=f"Accepted: claim {first.pk}. Press u to undo.")
    expect(page.locator("#undo")).to_be_enabled()

    # Card 2: r opens the reasons, 1 picks "wrong span" and moves to the note, Enter rejects.
    assert Claim.Reason.values[:2] == ["wrong_span", "wrong_kind"]  # the digits 1 and 2
    page.keyboard.press("r")
    reason = page.locator("#reason")
    expect(reason).to_be_visible()
    expect(reason.get_by_role("button", name="Reject", exact=True)).to_be_visible()
    expect(reason.get_by_role("button", name="Request changes", exact=True)).to_be_hidden()
    page.keyboard.press("1")
    expect(reason.get_by_role("radio", name="Wrong span")).to_be_checked()
    expect(reason.get_by_label("Note to the author")).to_be_focused()
    page.keyboard.type(NOTE)
    expect(reason.get_by_label("Note to the author")).to_have_value(NOTE)
    save_screenshot(page, "test_review-reject-reason")
    page.keyboard.press("Enter")
    expect_card(page, third, left=2, message=f"Rejected: claim {second.pk}. Press u to undo.")

    # Card 3: 3 corrects the kind to think tank; the card stays, with the new kind.
    expect(page.locator("#card .chip")).to_have_text("Expert")
    page.keyboard.press("3")
    expect_card(page, third, left=2, message="Kind changed to Think tank.")
    expect(page.locator("#card .chip")).to_have_text("Think tank")
    expect(page.locator("#card .kind-btn.current")).to_have_text(re.compile(r"Think tank"))
    expect(page.locator("#q-kind")).to_have_value("")  # correcting a kind does not filter the queue by it
    # Then c, 2 ("wrong kind"), Enter requests changes.
    page.keyboard.press("c")
    expect(reason.get_by_role("button", name="Request changes", exact=True)).to_be_visible()
    expect(reason.get_by_role("button", name="Reject", exact=True)).to_be_hidden()
    options = reason.locator("input[name=reason]").count()
    expect(reason.locator(".hint")).to_contain_text(f"1–{options}")  # as many keys as there are reasons
    page.keyboard.press("Enter")  # no reason yet: nothing is sent, and the panel says what is missing
    expect(reason.get_by_role("alert")).to_have_text(re.compile("Choose a reason first"))
    expect(page.locator("#card")).to_have_attribute("data-claim", str(third.pk))
    page.keyboard.press("2")
    expect(reason.get_by_role("radio", name="Wrong kind")).to_be_checked()
    page.keyboard.press("Enter")
    expect_card(page, fourth, left=1, message=f"Changes requested: claim {third.pk}. Press u to undo.")

    # u undoes the request for changes: card 3 is back, pending, with the corrected kind.
    page.keyboard.press("u")
    expect_card(page, third, left=2, message=f"Undone: claim {third.pk} is pending again.")
    expect(page.locator("#card .chip")).to_have_text("Think tank")
    expect(page.locator("#card .status")).to_have_text("Pending")
    assert_not_reloaded(page)  # every step was swapped in by htmx
    save_screenshot(page, "test_review-after-undo")

    # The audit trail: exactly what happened, in order, and nothing else.
    created = [("created", "rita", None, "pending", None, slug, 1) for _, slug, _ in SPANS]
    assert review_events(first) == [
        created[0],
        ("accepted", "edna", "pending", "accepted", "state_media", "state_media", 2),
    ]
    assert review_events(second) == [
        created[1],
        ("rejected", "edna", "pending", "rejected", "in_country_informant", "in_country_informant", 2),
    ]
    assert review_events(third) == [
        created[2],
        ("corrected", "edna", "pending", "pending", "expert", "think_tank", 2),
        ("changes_requested", "edna", "pending", "changes_requested", "think_tank", "think_tank", 3),
        ("undone", "edna", "changes_requested", "pending", "think_tank", "think_tank", 4),
    ]
    assert review_events(fourth) == [created[3]]
    assert ReviewEvent.objects.count() == 4 + 5
    undone = ReviewEvent.objects.get(claim_ref=third.pk, action="undone")
    assert (undone.before["review_reason"], undone.before["reviewer"]) == ("wrong_kind", "edna")
    assert (undone.after["review_reason"], undone.after["reviewer"], undone.after["reviewed_at"]) == ("", "", None)
    rejected = ReviewEvent.objects.get(claim_ref=second.pk, action="rejected")
    assert (rejected.after["review_reason"], rejected.after["review_note"]) == ("wrong_span", NOTE)

    # The claims as they are now.
    claims = {c.pk: c for c in Claim.objects.select_related("kind", "reviewer")}
    final = {
        pk: (c.status, c.reviewer and c.reviewer.get_username(), c.review_reason, c.review_note, c.kind.slug, c.version)
        for pk, c in claims.items()
    }
    assert final == {
        first.pk: ("accepted", "edna", "", "", "state_media", 2),
        second.pk: ("rejected", "edna", "wrong_span", NOTE, "in_country_informant", 2),
        third.pk: ("pending", None, "", "", "think_tank", 4),
        fourth.pk: ("pending", None, "", "", "unsourced_quote", 1),
    }
    assert claims[first.pk].reviewed_at is not None
    assert claims[third.pk].reviewed_at is None
    assert claims[third.pk].locked_by_id == editor.pk, "the undone card is the editor's current card again"

    # The claim's page tells the same story.
    page.goto(f"/claims/{third.pk}/")
    expect(page.get_by_role("heading", name=f"Claim {third.pk}")).to_be_visible()
    history = page.locator("ol.events > li")
    expect(history).to_have_count(4)
    for row, (who, action) in enumerate(
        [("rita", "created"), ("edna", "corrected"), ("edna", "changes requested"), ("edna", "undone")]
    ):
        expect(history.nth(row).locator("strong")).to_have_text(who)
        expect(history.nth(row)).to_contain_text(f"{who} {action}")
    expect(history.nth(1).locator("tr", has_text="Kind")).to_contain_text("Expert → Think tank")
    expect(history.nth(2).locator("tr", has_text="Status")).to_contain_text("Pending → Changes requested")
    expect(history.nth(2).locator("tr", has_text="Reason")).to_contain_text("Wrong kind")
    expect(history.nth(3).locator("tr", has_text="Status")).to_contain_text("Changes requested → Pending")
    expect(history.nth(3).locator("tr", has_text="Reason")).to_contain_text("Wrong kind → —")
    expect(page.locator(".facts-grid")).to_contain_text("Think tank")
    expect(page.locator(".facts-grid")).to_contain_text("Pending")
    save_screenshot(page, "test_review-claim-history")

    page.goto(f"/claims/{second.pk}/")
    history = page.locator("ol.events > li")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("edna rejected")
    expect(history.nth(1).locator("tr", has_text="Review note")).to_contain_text(NOTE)


@pytest.fixture
def second_page(browser, live_server, migrated_rows, request):
    """A page in a second browser context: another person, with their own session."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    try:
        save_screenshot(page, f"{request.node.name}-second")
    finally:
        context.close()
    if page_errors:
        pytest.fail("JavaScript errors on the second page:\n" + "\n".join(page_errors), pytrace=False)


def test_two_editors_get_different_cards_and_a_stale_decision_is_refused(page: Page, second_page: Page, reviewer):
    first, second, *_ = make_claims(reviewer)
    anna = make_user("anna", role="editor", password=PASSWORD)
    bert = make_user("bert", role="editor", password=PASSWORD)
    log_in(page, anna)
    log_in(second_page, bert)

    # Both open the queue: each holds a different card.
    page.goto("/review/")
    second_page.goto("/review/")
    expect_card(page, first, left=4, message=None)
    expect_card(second_page, second, left=4, message=None)

    # Anna opens Bert's card (from its claim page, say) and corrects its kind while Bert looks at it.
    page.goto(f"/review/?claim={second.pk}")
    expect_card(page, second, left=4, message=None)
    page.keyboard.press("3")
    expect(page.locator("#queue-message")).to_have_text("Kind changed to Think tank.")

    # Bert, still seeing "In-country informant", accepts: refused, and the card shows the claim as it is now.
    expect(second_page.locator("#card .chip")).to_have_text("In-country informant")
    with second_page.expect_response(lambda r: r.request.method == "POST") as response:
        second_page.keyboard.press("a")
    assert response.value.status == 409
    message = second_page.locator("#queue-message")
    expect(message).to_contain_text("changed by anna")
    expect(second_page.locator("#card")).to_have_attribute("data-claim", str(second.pk))
    expect(second_page.locator("#card .chip")).to_have_text("Think tank")
    expect(second_page.locator("#card .status")).to_have_text("Pending")
    save_screenshot(second_page, "test_review-stale-refused")
    second.refresh_from_db()
    assert (second.status, second.kind.slug, second.version) == ("pending", "think_tank", 2)
    assert not ReviewEvent.objects.filter(actor=bert).exists()

    # Having seen the change, Bert can accept the claim as it is now.
    second_page.keyboard.press("a")
    expect(second_page.locator("#queue-message")).to_have_text(f"Accepted: claim {second.pk}. Press u to undo.")
    second.refresh_from_db()
    assert (second.status, second.reviewer, second.kind.slug, second.version) == ("accepted", bert, "think_tank", 3)
    assert [
        (e.action, e.actor.get_username()) for e in ReviewEvent.objects.filter(claim_ref=second.pk).order_by("pk")
    ] == [
        ("created", "rita"),
        ("corrected", "anna"),
        ("accepted", "bert"),
    ]
