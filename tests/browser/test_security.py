"""The Content-Security-Policy in a real browser: the pages, their htmx updates and their colours work
with inline scripts, inline styles and eval forbidden, and nothing the pages do is blocked."""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import ProvenanceKind
from tests.factories import make_article, make_claim, make_user

from .conftest import PASSWORD, save_screenshot
from .helpers import log_in, open_article, select_with_mouse, tag_panel

pytestmark = pytest.mark.browser

TEXT = (
    "Officials said the turnout was 99.63 percent of all voters. "
    "A resident of Hyesan said that nobody dared to vote against the candidate."
)
FACT = "Turnout was 99.63%"
# Records every violation, from before the page's own scripts run (an init script is not subject to the policy).
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


def watch(page: Page) -> list[str]:
    """Violations reported to the page's console, plus those the init script saw (read with violations())."""
    console: list[str] = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__violations") + console


def computed(locator, prop: str) -> str:
    return locator.evaluate("(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)


def rgb(slug: str) -> str:
    """A kind's colour as getComputedStyle writes it."""
    colour = ProvenanceKind.objects.get(slug=slug).colour
    return "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))


@pytest.fixture
def editor(migrated_rows):
    return make_user("edna", role="editor", password=PASSWORD)


def test_reading_view_dashboard_and_queue_run_under_the_policy_with_their_colours(page: Page, editor):
    console = watch(page)
    rita = make_user("rita", role="reviewer")
    article = make_article(TEXT, title="Turnout in the local elections")
    start = TEXT.index("the turnout was 99.63 percent")
    make_claim(
        article, 0, TEXT.index(" of all voters"), kind_slug="state_media", annotator=rita, source_name="KCNA", fact=FACT
    )
    make_claim(article, start, start + 29, kind_slug="think_tank", annotator=rita, source_name="KINU", fact=FACT)
    log_in(page, editor)

    # Reading view: the inner claim tints its run, and both claims underline it, the inner one on top.
    open_article(page, article)
    both = page.locator("#article-text mark.hl[data-depth='2']")
    expect(both).to_have_text("the turnout was 99.63 percent")
    shadow = computed(both, "box-shadow")
    assert shadow.index(rgb("think_tank")) < shadow.index(rgb("state_media")), shadow
    assert computed(both, "background-color") not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    chip = page.locator(".claim-list .chip").first
    assert computed(chip, "--k").strip().upper() == ProvenanceKind.objects.get(slug="state_media").colour.upper()

    # htmx: the popover's cards come in by htmx, tagging re-renders the article body.
    both.click()
    expect(page.locator("#claim-popover .claim-card")).to_have_count(2)
    page.keyboard.press("Escape")
    select_with_mouse(page, "nobody dared to vote against the candidate")
    expect(tag_panel(page)).to_be_visible()
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(tag_panel(page)).to_be_hidden()
    tagged = page.locator("#article-text mark.hl", has_text="nobody dared")
    expect(tagged).to_have_count(1)
    assert rgb("in_country_informant") in computed(tagged, "box-shadow")
    save_screenshot(page, "csp-reading-view")

    # Dashboard: filled cells and bars take their kind's colour; the bar shares are classes.
    page.goto("/dashboard/?status=all")
    cell = page.locator(".matrix td.cell.filled").first
    expect(cell).to_be_visible()
    assert computed(cell, "box-shadow") != "none" or computed(cell, "background-image") != "none"
    segments = page.locator(".matrix .stack-seg")
    expect(segments.first).to_be_visible()
    widths = segments.evaluate_all("els => els.map((el) => el.getBoundingClientRect().width)")
    assert all(width >= 3 for width in widths), widths
    assert computed(segments.first, "background-color") != "rgba(0, 0, 0, 0)"
    save_screenshot(page, "csp-dashboard")

    # Review queue: the card's quote is highlighted in its kind's colour.
    page.goto("/review/")
    quote = page.locator("#card blockquote mark.hl")
    expect(quote).to_be_visible()
    assert computed(quote, "box-shadow").startswith(rgb("state_media")), "the oldest claim comes first"
    page.keyboard.press("a")
    expect(page.locator("#queue-message")).to_be_visible()
    save_screenshot(page, "csp-review")

    assert violations(page, console) == []


def test_swagger_ui_renders_the_operations_offline_under_the_policy(page: Page, editor, live_server):
    console = watch(page)
    elsewhere: list[str] = []
    page.on(
        "request", lambda request: None if request.url.startswith(live_server.url) else elsewhere.append(request.url)
    )
    log_in(page, editor)
    page.goto("/api/docs")
    operation = page.locator(".opblock", has_text="list_claims")
    expect(operation).to_be_visible()
    expect(operation).to_contain_text("/api/claims")
    expect(page.locator(".opblock-summary-operation-id")).to_have_count(12)  # articles, claims, sources and suggestions
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".parameters")).to_contain_text("page_size")
    save_screenshot(page, "api-docs")
    assert elsewhere == [], "the docs fetched from another site"
    assert violations(page, console) == []
