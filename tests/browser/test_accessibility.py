"""axe-core on every page, for a reviewer and an editor, with the tag panel, the claim popover and the
review reason panel open: no violation of any impact."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from annotate.models import Claim, Fact, Source
from corpus.models import Article
from tests.factories import make_user

from .conftest import PASSWORD
from .helpers import axe_violations, import_seed, log_in, select_with_mouse, tag_panel

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(migrated_rows):
    """The seed corpus with the demo annotations: the pages as a desk sees them."""
    import io

    from django.core.management import call_command

    import_seed()
    call_command("load_demo_annotations", stdout=io.StringIO())
    return {
        "article": Article.objects.order_by("pk").first(),
        "claim": Claim.objects.order_by("pk").first(),
        "fact": Fact.objects.order_by("pk").first(),
        "source": Source.objects.order_by("pk").first(),
    }


def pages(desk, role: str) -> list[str]:
    urls = [
        "/articles/",
        desk["article"].get_absolute_url(),
        "/facts/",
        desk["fact"].get_absolute_url(),
        "/dashboard/",
        "/claims/",
        "/claims/mine/",
        reverse("review:claim", args=[desk["claim"].pk]),
        "/no/such/page/",
    ]
    if role == "editor":
        urls += [
            "/review/",
            "/agreement/",
            reverse("review:article_agreement", args=[desk["article"].slug]),
            "/sources/",
            reverse("annotate:source_edit", args=[desk["source"].pk]),
        ]
    return urls


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_no_axe_violation_on_any_page(page: Page, desk, role):
    log_in(page, make_user(f"a11y-{role}", role=role, password=PASSWORD))
    found = []
    for url in pages(desk, role):
        page.goto(url)
        found += axe_violations(page, context=url)
    assert not found, "\n".join(found)


def test_no_axe_violation_with_the_panels_open(page: Page, desk):
    log_in(page, make_user("a11y-editor", role="editor", password=PASSWORD))
    article = desk["article"]
    page.goto(article.get_absolute_url())
    found = []
    # The claim popover.
    page.locator("#article-text mark.hl").first.click()
    expect(page.locator("#claim-popover")).to_be_visible()
    found += axe_violations(page, context="claim popover")
    page.keyboard.press("Escape")
    # The tag panel.
    words = " ".join(article.text.split()[:3])
    if article.text.count(words) == 1:
        select_with_mouse(page, words)
        expect(tag_panel(page)).to_be_visible()
        found += axe_violations(page, context="tag panel")
    # The review card with its reason panel open.
    page.goto("/review/")
    page.keyboard.press("r")
    expect(page.locator("#reason")).to_be_visible()
    found += axe_violations(page, context="reason panel")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_no_axe_violation_on_a_phone_with_the_bottom_sheet_open(browser, live_server, desk, role):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    try:
        log_in(page, make_user(f"phone-{role}", role=role, password=PASSWORD))
        found = []
        for url in ["/articles/", "/dashboard/", "/claims/mine/"] + (["/review/"] if role == "editor" else []):
            page.goto(url)
            found += axe_violations(page, context=f"390 px {url}")
        page.goto(desk["article"].get_absolute_url())
        page.locator("#article-text").tap(position={"x": 5, "y": 5})
        page.evaluate(
            """() => { const root = document.getElementById("article-text");
              const node = document.createTreeWalker(root, NodeFilter.SHOW_TEXT).nextNode();
              getSelection().setBaseAndExtent(node, 0, node, Math.min(12, node.data.length)); }"""
        )
        expect(tag_panel(page)).to_be_visible()
        found += axe_violations(page, context="390 px tag panel")
        assert not found, "\n".join(found)
    finally:
        context.close()
