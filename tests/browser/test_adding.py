"""Adding an article from a web address in a real browser, tagging it, and importing a revised version.

The "web" is a fixture news page served on 127.0.0.1 with ARTICLE_FETCH_ALLOW_PRIVATE on.
"""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim
from corpus.models import Article
from tests.factories import make_claim, make_user
from tests.pageserver import HTML, serve
from tests.pageserver import page as fixture_page

from .conftest import PASSWORD
from .helpers import log_in, open_article, select_with_mouse, tag_panel

pytestmark = pytest.mark.browser

NEWS = fixture_page("news.html")
GONE = (
    b"<p>A resident of Hyesan told the monitor by phone that officials went from door to door in the afternoon "
    b"and wrote down the names of everyone who had not yet voted by noon.</p>"
)
REVISED = NEWS.replace(
    b"<p>North Korea's state media", b"<p>UPDATE: the ministry has since commented.</p>\n<p>North Korea's state media"
).replace(GONE, b"")
QUOTE = "The unification ministry in Seoul declined to comment on the figures"


@pytest.fixture
def served(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    state = {"page": NEWS}
    with serve({"/story": (200, HTML, lambda: state["page"])}) as base:
        state["url"] = f"{base}/story"
        yield state


def add_by_url(page: Page, url: str) -> None:
    page.goto("/articles/add/")
    page.get_by_label("Web addresses").fill(url)
    page.get_by_role("button", name="Preview").click()


def test_an_editor_adds_a_page_tags_it_and_imports_a_revision(page: Page, served, migrated_rows):
    editor = make_user("ed", role="editor", password=PASSWORD)
    log_in(page, editor)

    add_by_url(page, served["url"])
    expect(page.get_by_label("Title")).to_have_value("Turnout claimed at 99.63% in local elections")
    expect(page.get_by_label("Author")).to_have_value("Lee Min-ji")
    expect(page.get_by_label("Outlet")).to_have_value("NK Daily Monitor")
    text = page.get_by_label("Text")
    expect(text).to_contain_text("A resident of Hyesan told the monitor")
    assert "cookies" not in text.input_value() and "Share on" not in text.input_value()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".ingest-results li.created")).to_have_count(1)

    article = Article.objects.get()
    open_article(page, article)
    select_with_mouse(page, QUOTE)
    panel = tag_panel(page)
    expect(panel).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#article-text mark.hl")).to_have_text(QUOTE)
    tagged = Claim.objects.get()
    start = article.text.index("officials went from door to door")
    orphan = make_claim(
        article, start, start + len("officials went from door to door"), kind_slug="in_country_informant"
    )

    served["page"] = REVISED
    add_by_url(page, served["url"])
    expect(page.get_by_label("A new version of (article address)")).to_have_value(article.slug)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".ingest-results li.revised")).to_contain_text("1 orphaned")

    article.refresh_from_db()
    tagged.refresh_from_db()
    assert article.revision == 2 and tagged.start > article.text.index("UPDATE")
    open_article(page, article)
    expect(page.locator("#article-text mark.hl")).to_have_text(QUOTE)  # moved with the text
    page.get_by_role("link", name="Revision 2: earlier texts, orphaned claims").click()
    orphans = page.locator(".orphans li")
    expect(orphans).to_have_count(1)
    expect(orphans).to_contain_text("officials went from door to door")
    page.get_by_role("link", name="Revision 1").click()
    expect(page.locator(".diff ins")).to_contain_text("UPDATE: the ministry has since commented.")
    assert Claim.objects.get(pk=orphan.pk).orphaned
