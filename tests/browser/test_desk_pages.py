"""Pages a desk relies on: "My claims" with its count, the claim list's filters and pages, the review
queue's empty state, the conflicts menu, and a merge that is checked before it is confirmed."""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim, Fact, Source
from annotate.services import register_fact, register_source
from review import services as review
from tests.factories import kind, make_article, make_claim, make_user

from .conftest import PASSWORD
from .helpers import broken_words, log_in

pytestmark = pytest.mark.browser

TEXT = " ".join(f"Report {i} said the turnout was high." for i in range(40))


def claims_on(article, n, annotator):
    sentences = [f"Report {i} said" for i in range(n)]
    return [make_claim(article, TEXT.index(s), TEXT.index(s) + len(s), annotator=annotator) for s in sentences]


def test_my_claims_tells_a_reviewer_what_was_sent_back(page: Page, reviewer):
    article = make_article(TEXT, title="Sent back")
    first, second, third = claims_on(article, 3, reviewer)
    edna = make_user("edna", role="editor", password=PASSWORD)
    review.decide(
        claim_id=first.pk, version=1, editor=edna, decision="changes", reason="wrong_span", note="Whole sentence"
    )
    review.decide(claim_id=second.pk, version=1, editor=edna, decision="reject", reason="duplicate", note="Same as 5")
    log_in(page, reviewer)
    mine = page.get_by_role("navigation", name="Main").get_by_role("link", name="My claims")
    expect(mine).to_have_text("My claims 1 sent back for changes")
    mine.click()
    sent_back = page.locator(".my-group", has=page.get_by_role("heading", name="Changes requested"))
    expect(sent_back.locator("li")).to_have_count(1)
    expect(sent_back).to_contain_text("Wrong span")
    expect(sent_back).to_contain_text("“Whole sentence”")
    rejected = page.locator(".my-group", has=page.get_by_role("heading", name="Rejected"))
    expect(rejected).to_contain_text("Duplicate")
    expect(rejected).to_contain_text("“Same as 5”")
    expect(
        page.locator(".my-group", has=page.get_by_role("heading", name="Waiting for review")).locator("li")
    ).to_have_count(1)


def test_the_claim_list_is_in_the_navigation_with_filters_and_short_pages(page: Page, reviewer):
    article = make_article(TEXT, title="Many")
    claims = claims_on(article, 30, reviewer)
    Claim.objects.filter(pk__in=[c.pk for c in claims[:27]]).update(status="accepted")
    log_in(page, reviewer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Claims", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    expect(page.locator(".claim-rows > li")).to_have_count(25)
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".claim-rows > li")).to_have_count(3)
    expect(page.get_by_label("Status")).to_have_value("pending")


def test_the_empty_queue_does_not_count_cards_it_cannot_show(page: Page):
    edna = make_user("edna", role="editor", password=PASSWORD)
    article = make_article(TEXT, title="Own")
    claims_on(article, 1, edna)  # her own claim: another editor must accept it
    log_in(page, edna)
    page.goto("/review/")
    expect(page.get_by_text("Nothing left to review")).to_be_visible()
    expect(page.locator("#left")).to_have_text("0 left")
    expect(page.get_by_text("1 of your own claims waits for another editor")).to_be_visible()


def test_the_conflicts_field_starts_blank_and_takes_a_statement_from_the_keyboard(page: Page):
    register_fact(statement="Turnout was 99.63%")
    register_fact(statement="Turnout was 99.9%")
    log_in(page, make_user("edna", role="editor", password=PASSWORD))
    page.goto(Fact.objects.get(statement="Turnout was 99.63%").get_absolute_url())
    field = page.get_by_label("Conflicts with")
    expect(field).to_have_value("")
    page.get_by_role("button", name="Mark as conflicting").click()
    assert not Fact.objects.filter(conflicts__isnull=False).exists()
    expect(page.locator("#conflict-options option")).to_have_count(1)  # few facts: all offered at once
    field.focus()
    page.keyboard.type("turnout was 99.9%")
    page.keyboard.press("Enter")
    expect(page.locator(".conflict-view")).to_contain_text("Turnout was 99.9%")
    assert Fact.objects.get(statement="Turnout was 99.63%").conflicts.get().statement == "Turnout was 99.9%"


def test_a_merge_is_checked_before_it_is_confirmed(page: Page):
    informant = register_source(name="Hyesan informant", kind=kind("in_country_informant"), sensitive=True)
    public = register_source(name="Daily NK", kind=kind("news_agency"))
    other = register_source(name="Hyesan resident", kind=kind("in_country_informant"), sensitive=True)
    log_in(page, make_user("edna", role="editor", password=PASSWORD))
    page.goto(f"/sources/{informant.pk}/")
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog asked: {dialog.message}"))
    page.get_by_label("Merge into").select_option(str(public.pk))
    page.get_by_role("button", name="Merge…").click()
    expect(page.locator("#merge-errors")).to_contain_text("is sensitive")
    expect(page.locator("#merge-errors")).not_to_contain_text("cannot be undone")
    page.get_by_label("Merge into").select_option(str(other.pk))
    page.get_by_role("button", name="Merge…").click()
    expect(page.locator("#merge-errors")).to_contain_text("This cannot be undone here")
    assert Source.objects.filter(pk=informant.pk).exists()
    page.get_by_role("button", name="Merge into “Hyesan resident”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hyesan resident")
    expect(page.get_by_role("status")).to_contain_text("Merged “Hyesan informant” into “Hyesan resident”")
    assert not Source.objects.filter(pk=informant.pk).exists()


def test_no_developer_details_and_a_kind_filter_shows_only_its_columns(page: Page, reviewer):
    article = make_article(TEXT, title="Plain words")
    first, second = claims_on(article, 2, reviewer)
    fact = register_fact(statement="Turnout was high")
    Claim.objects.filter(pk__in=[first.pk, second.pk]).update(status="accepted", fact=fact)
    Claim.objects.filter(pk=second.pk).update(kind=kind("news_agency"))
    log_in(page, reviewer)
    page.goto(f"/claims/{first.pk}/")
    facts = page.locator(".facts-grid")
    expect(facts).not_to_contain_text("Version")
    expect(facts).not_to_contain_text("code points")
    expect(facts).to_contain_text("Characters 1 to 13 of the article")
    page.goto("/dashboard/?kind=news_agency")
    expect(page.locator(".matrix thead .kind-col")).to_have_text(["News agency"])
    expect(page.locator(".matrix tbody tr").first.locator("td.cell")).to_have_count(1)
    expect(page.get_by_text("Each cell reads claims·articles")).to_be_visible()


@pytest.mark.parametrize("width", [1440, 1024])
def test_search_buttons_keep_their_label_whole_on_a_wide_screen(page: Page, width):
    """The search field gives way to the button beside it: "Search" had been drawn as "Sear" over "ch"."""
    make_article(TEXT, title="Turnout")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, make_user("edna", role="editor", password=PASSWORD))
    for url in ("/articles/", "/sources/"):
        page.goto(url)
        button = page.get_by_role("button", name="Search", exact=True)
        expect(button).to_be_visible()
        assert not broken_words(page), (url, broken_words(page))
        box = button.bounding_box()
        assert box["height"] < 50, f"{url}: the Search button is {box['height']} px tall, its label on two lines"
