"""Sources, facts and the dashboard in a real browser: link claims of several articles to one fact and follow it."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim, Fact, Source
from corpus.models import Article
from tests.factories import make_article, make_claim, make_user, set_relays

from .conftest import PASSWORD, save_screenshot
from .helpers import assert_not_reloaded, import_seed, log_in, log_out, open_article, select_with_mouse, tag_panel

pytestmark = pytest.mark.browser

YONHAP_SENTENCE = "The voter turnout was recorded at 99.63 percent."
ASIAPRESS_SLUG = "inside-n-korea-the-major-changes-surrounding-the-november-26-elections-1"
ASIAPRESS_SPAN = "voter turnout was 99.63%"
KCNA = "Korean Central News Agency"
TURNOUT = "Turnout was 99.63%"


def chain(claim: Claim) -> list[str]:
    return [relay.source.name for relay in claim.relays.all()]


def matrix_row(page: Page, statement: str):
    """The dashboard matrix's row of the fact with this statement."""
    return page.locator(".matrix tbody tr").filter(has=page.get_by_role("link", name=statement, exact=True))


def kinds_in(url: str) -> set[str]:
    return set(parse_qs(urlsplit(url).query).get("kind", []))


def matrix_statements(page: Page) -> list[str]:
    return page.locator(".matrix tbody th.fact-col > a").all_inner_texts()


def test_two_articles_report_one_fact_from_one_source(page: Page, reviewer):
    import_seed()
    yonhap = Article.objects.get(text__contains=YONHAP_SENTENCE)
    asiapress = Article.objects.get(slug=ASIAPRESS_SLUG)
    # An editor, who registers the new names at once (a reviewer's wait for an editor's acceptance).
    log_in(page, make_user("edna", role="editor", password=PASSWORD))
    panel = tag_panel(page)
    state_media = panel.get_by_role("button", name="State media")

    # First article: a new source and a new fact, both typed for the first time.
    open_article(page, yonhap)
    select_with_mouse(page, YONHAP_SENTENCE)
    expect(panel).to_be_visible()
    page.keyboard.press("1")
    expect(state_media).to_have_attribute("aria-pressed", "true")
    page.keyboard.type(KCNA)
    panel.get_by_label("Fact", exact=True).fill(TURNOUT)
    panel.get_by_label("Fact", exact=True).press("Enter")
    expect(panel).to_be_hidden()
    expect(page.locator("#article-text mark.hl")).to_have_text(YONHAP_SENTENCE)
    row = page.locator(".claim-list li")
    expect(row).to_have_count(1)
    expect(row.locator(".fact-ref")).to_have_text(TURNOUT)
    expect(row.locator(".source")).to_contain_text(KCNA)
    assert_not_reloaded(page)
    assert (Source.objects.count(), Fact.objects.count()) == (1, 1)

    # Second article: the known source, typed in another case, brings its kind without a key press.
    open_article(page, asiapress)
    select_with_mouse(page, ASIAPRESS_SPAN)
    expect(panel).to_be_visible()
    expect(state_media).to_have_attribute("aria-pressed", "false")
    panel.get_by_label("Source", exact=True).click()
    page.keyboard.type("korean CENTRAL news agency")
    expect(page.locator("#source-options option[data-kind=state_media]")).to_have_attribute("value", KCNA)
    expect(state_media).to_have_attribute("aria-pressed", "true")
    expect(panel.locator(".kind-btn[aria-pressed=true]")).to_have_count(1)
    panel.get_by_label("Fact", exact=True).fill("  turnout WAS   99.63%  ")
    save_screenshot(page, "test_two_articles_report_one_fact_from_one_source-panel")
    panel.get_by_label("Fact", exact=True).press("Enter")
    expect(panel).to_be_hidden()
    expect(page.locator("#article-text mark.hl")).to_have_text(ASIAPRESS_SPAN)
    expect(page.locator(".claim-list li .fact-ref")).to_have_text(TURNOUT)
    assert_not_reloaded(page)

    source = Source.objects.select_related("kind").get()
    fact = Fact.objects.get()
    assert (source.name, source.kind.slug) == (KCNA, "state_media")
    assert fact.statement == TURNOUT
    claims = list(Claim.objects.select_related("kind").order_by("pk"))
    assert [c.article for c in claims] == [yonhap, asiapress]
    assert [c.exact for c in claims] == [YONHAP_SENTENCE, ASIAPRESS_SPAN]
    assert all((c.source, c.fact, c.kind.slug) == (source, fact, "state_media") for c in claims)

    # The dashboard, once an editor has accepted the claims: one fact, two articles, one kind, one source.
    Claim.objects.update(status="accepted")
    page.goto("/dashboard/")
    assert matrix_statements(page) == [TURNOUT]
    row = matrix_row(page, TURNOUT)
    expect(row.locator("td.num")).to_have_text(["2", "2", "1", "2"])  # articles, outlets, origins, claims
    expect(row.locator(".flags .badge")).to_have_text(["State media only", "Single origin", "One source"])
    expect(row.locator(".sources")).to_have_text(KCNA)
    expect(row.locator("td.cell.filled")).to_have_count(1)
    cell = row.get_by_role("link", name="2 claims in 2 articles, State media")
    expect(cell).to_have_text("2·2: 2 claims in 2 articles, State media")  # "2·2" shown, the rest for screen readers
    save_screenshot(page, "test_two_articles_report_one_fact_from_one_source-dashboard")

    # The cell leads to exactly its claims ...
    cell.click()
    expect(page).to_have_url(re.compile(rf"/claims/\?fact={fact.slug}&kind=state_media"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claims of “{TURNOUT}”")
    rows = page.locator(".claim-rows > li")
    expect(rows).to_have_count(2)
    expect(rows.locator("mark.hl")).to_have_text([ASIAPRESS_SPAN, YONHAP_SENTENCE])
    expect(rows.nth(0)).to_contain_text("ASIAPRESS")
    expect(rows.nth(1)).to_contain_text("Yonhap")
    save_screenshot(page, "test_two_articles_report_one_fact_from_one_source-claims")

    # ... and each claim to its highlight, scrolled into view and flashing.
    yonhap_claim = claims[0]
    rows.nth(1).locator(".in-context a").click()
    expect(page).to_have_url(re.compile(rf"{yonhap.get_absolute_url()}#claim-{yonhap_claim.pk}$"))
    mark = page.locator(f'#article-text mark.hl[data-claims="{yonhap_claim.pk}"]')
    expect(mark).to_have_text(YONHAP_SENTENCE)
    expect(mark).to_have_class(re.compile(r"\bflash\b"))
    expect(mark).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0


def test_dashboard_filters_update_in_place_and_stay_in_the_url(page: Page, reviewer):
    state = make_article("KCNA said turnout was 99.63%. Everyone voted.", outlet="Rodong Sinmun")
    inside = make_article("A resident said turnout was 99.63%. Some abstained.", outlet="Daily NK")
    analysis = make_article("Analysts say some voters abstained this time.", outlet="Daily NK")
    make_claim(state, 0, 29, kind_slug="state_media", source_name="KCNA", fact=TURNOUT)
    make_claim(inside, 0, 35, kind_slug="in_country_informant", source_name="Hyesan resident", fact=TURNOUT)
    make_claim(analysis, 0, 45, kind_slug="think_tank", source_name="KINU", fact="Some voters abstained")
    Claim.objects.update(status="accepted")
    log_in(page, reviewer)
    page.goto("/dashboard/")
    assert matrix_statements(page) == [TURNOUT, "Some voters abstained"]
    expect(matrix_row(page, TURNOUT).locator(".flags .badge")).to_have_text(["Corroborated"])
    page.evaluate("window.__noReload = 1")

    filters = page.get_by_role("form", name="Filters")
    with page.expect_response(lambda r: "/dashboard/?" in r.url and r.request.headers.get("hx-request") == "true"):
        filters.get_by_label("Think tank").check()
    expect(page).to_have_url(re.compile(r"/dashboard/\?(.*&)?kind=think_tank(&|$)"))
    assert kinds_in(page.url) == {"think_tank"}
    assert "outlet=" not in page.url and "from=" not in page.url  # empty filters stay out of a shared URL
    expect(page.locator(".matrix tbody tr")).to_have_count(1)
    assert matrix_statements(page) == ["Some voters abstained"]

    filters.get_by_label("State media").check()
    expect(page).to_have_url(re.compile(r"kind=state_media"))
    assert kinds_in(page.url) == {"think_tank", "state_media"}
    expect(page.locator(".matrix tbody tr")).to_have_count(2)
    turnout = matrix_row(page, TURNOUT)
    expect(turnout.locator("td.cell.filled")).to_have_count(1)
    expect(turnout.get_by_role("link", name="1 claim in 1 article, State media")).to_contain_text("1·1")
    # The cells follow the kind filter; the basis does not: the informant still corroborates.
    expect(turnout.locator(".flags .badge")).to_have_text(["Corroborated"])
    expect(page.locator(".summary")).to_contain_text("2 facts from 2 claims")
    assert_not_reloaded(page)
    filtered_matrix = page.locator(".matrix").inner_text()

    # The CSV download follows the filters on the page.
    expect(page.locator(".downloads")).to_have_count(1)
    csv_link = page.get_by_role("link", name="Matrix as CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"kind="))
    assert kinds_in(csv_link.get_attribute("href")) == {"think_tank", "state_media"}
    response = page.request.get(csv_link.get_attribute("href"))
    assert response.ok
    table = {line["statement"]: line for line in csv.DictReader(io.StringIO(response.text()))}
    assert sorted(table) == ["Some voters abstained", TURNOUT]
    assert [table[TURNOUT][f"{slug}_claims"] for slug in ("state_media", "in_country_informant")] == ["1", "0"]
    assert table["Some voters abstained"]["think_tank_claims"] == "1"

    # Reloading the pushed URL shows the same filtered view, rendered by the server.
    page.reload()
    assert page.evaluate("window.__noReload") is None
    assert page.locator(".matrix").inner_text() == filtered_matrix
    expect(filters.get_by_label("Think tank")).to_be_checked()
    expect(filters.get_by_label("State media")).to_be_checked()
    expect(filters.get_by_label("In-country informant")).not_to_be_checked()
    assert kinds_in(csv_link.get_attribute("href")) == {"think_tank", "state_media"}


def test_a_sensitive_source_is_named_to_editors_only(page: Page, reviewer):
    editor = make_user("edna", role="editor", password=PASSWORD)
    name = "Kim from Hyesan"
    article = make_article("A resident said turnout was 99.63%. Some abstained.")
    claim = make_claim(
        article, 0, 35, kind_slug="in_country_informant", annotator=reviewer, source_name=name, fact=TURNOUT
    )
    # Marked sensitive after the reviewer tagged it (or merged into a sensitive source by an editor).
    Source.objects.filter(pk=claim.source_id).update(sensitive=True)

    log_in(page, reviewer)
    open_article(page, article)
    mark = page.locator("#article-text mark.hl")
    expect(mark).to_have_attribute("title", "In-country informant: Protected source 1")
    expect(page.locator(".claim-list li .source")).to_contain_text("Protected source 1")
    mark.click()
    card = page.locator(f"#claim-popover #card-{claim.pk}")
    expect(card).to_be_visible()
    expect(card.locator("dd").first).to_have_text("Protected source 1")
    assert name not in page.content()
    # Nor does the author's edit form show the name; saving it unchanged keeps the source.
    card.get_by_role("link", name="Edit").click()
    expect(page.locator("#claim-popover").get_by_label("Source", exact=True)).to_have_value("Protected source 1")
    assert name not in page.content()
    page.locator("#claim-popover").get_by_label("Note", exact=True).fill("Protect this one.")
    page.locator("#claim-popover").get_by_role("button", name="Save changes").click()
    expect(page.locator("#claim-popover")).to_be_hidden()
    expect(page.locator(".claim-list li .source")).to_contain_text("Protected source 1")
    claim.refresh_from_db()
    assert (claim.source.name, claim.note, claim.version) == (name, "Protect this one.", 2)
    assert Source.objects.count() == 1
    # Nor does the Source field's autocomplete offer the name.
    select_with_mouse(page, "Some abstained.")
    expect(tag_panel(page)).to_be_visible()  # the panel has opened on the selection before anything is typed
    with page.expect_response(lambda r: "/suggest/sources/" in r.url):
        tag_panel(page).get_by_label("Source", exact=True).press_sequentially("Kim")
    expect(page.locator("#source-options option")).to_have_count(0)
    save_screenshot(page, "test_a_sensitive_source_is_named_to_editors_only-reviewer")

    Claim.objects.update(status="accepted")  # an editor accepted it: now the dashboard counts it
    page.goto("/dashboard/")
    expect(matrix_row(page, TURNOUT).locator(".sources")).to_have_text("Protected source 1")
    assert name not in page.content()
    page.goto(Fact.objects.get().get_absolute_url())
    expect(page.locator(".fact-summary .sources")).to_have_text("Named sources: Protected source 1")
    expect(page.locator(".claim-rows .meta")).to_contain_text("Protected source 1")
    assert name not in page.content()

    log_out(page)
    log_in(page, editor)
    open_article(page, article)
    expect(page.locator("#article-text mark.hl")).to_have_attribute("title", f"In-country informant: {name}")
    page.locator("#article-text mark.hl").click()
    card = page.locator(f"#claim-popover #card-{claim.pk}")
    expect(card.locator("dd").first).to_have_text(name)
    page.goto("/dashboard/")
    expect(matrix_row(page, TURNOUT).locator(".sources")).to_have_text(name)
    assert "Protected source" not in page.locator("#results").inner_text()


def test_author_moves_a_claim_to_another_fact(page: Page, reviewer):
    article = make_article("The voter turnout was 99.63%. Nobody voted against.")
    other = make_article("Four years ago turnout was 99.98%.")
    claim = make_claim(article, 0, 29, kind_slug="state_media", annotator=reviewer, source_name="KCNA", fact=TURNOUT)
    make_claim(other, 0, 34, kind_slug="state_media", source_name="KCNA", fact="Turnout was 99.98%")
    Claim.objects.filter(pk=claim.pk).update(directness=Claim.Directness.RELAYED)
    set_relays(claim, "Yonhap")
    log_in(page, reviewer)
    open_article(page, article)
    expect(page.locator(".claim-list li .fact-ref")).to_have_text(TURNOUT)

    page.locator("#article-text mark.hl").click()
    popover = page.locator("#claim-popover")
    expect(popover.locator(f"#card-{claim.pk}")).to_contain_text(TURNOUT)
    popover.get_by_role("link", name="Edit").click()
    fact_field = popover.get_by_label("Fact", exact=True)
    expect(fact_field).to_have_value(TURNOUT)
    expect(popover.get_by_label("Source", exact=True)).to_have_value("KCNA")
    expect(popover.get_by_label("Via", exact=True)).to_have_value("Yonhap")
    expect(popover.get_by_label("Directness", exact=True)).to_have_value("relayed")
    fact_field.fill("TURNOUT was 99.98%")
    popover.get_by_role("button", name="Save changes").click()

    expect(popover).to_be_hidden()
    expect(page.locator(".claim-list li .fact-ref")).to_have_text("Turnout was 99.98%")
    assert_not_reloaded(page)
    claim.refresh_from_db()
    assert claim.fact.statement == "Turnout was 99.98%"
    assert (claim.source.name, chain(claim), claim.directness) == ("KCNA", ["Yonhap"], "relayed")
    assert claim.version == 2
    assert Fact.objects.count() == 2  # the typed statement matched the existing fact

    # An edit that leaves the Fact field alone keeps the fact, the relay and the directness.
    page.locator("#article-text mark.hl").click()
    popover.get_by_role("link", name="Edit").click()
    expect(popover.get_by_label("Fact", exact=True)).to_have_value("Turnout was 99.98%")
    popover.get_by_label("Note", exact=True).fill("Same figure as four years ago?")
    popover.get_by_role("button", name="Save changes").click()
    expect(popover).to_be_hidden()
    expect(page.locator(".claim-list li .fact-ref")).to_have_text("Turnout was 99.98%")
    claim.refresh_from_db()
    assert (claim.fact.statement, chain(claim), claim.directness) == ("Turnout was 99.98%", ["Yonhap"], "relayed")
    assert (claim.note, claim.version) == ("Same figure as four years ago?", 3)
