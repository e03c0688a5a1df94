"""Tagging without a mouse: the keyboard alone, and touch on a phone; the pages at 390 px; error pages."""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim
from tests.factories import make_article, make_claim, make_user, set_relays

from .conftest import PASSWORD, save_screenshot
from .helpers import broken_words, log_in, open_article, tag_panel

pytestmark = pytest.mark.browser

TEXT = "Voters in Hyesan said the turnout figure was invented. Officials in Pyongyang called it 99.63 percent."


def test_tag_a_claim_with_the_keyboard_alone(page: Page, reviewer):
    article = make_article(TEXT, title="Keyboard only")
    log_in(page, reviewer)
    open_article(page, article)
    text = page.locator("#article-text")
    # Tab reaches the text (after the links before it).
    for _ in range(30):
        page.keyboard.press("Tab")
        if text.evaluate("el => el === document.activeElement"):
            break
    expect(text).to_be_focused()
    expect(page.locator("#text-keys .touch-only")).to_be_hidden()  # with a mouse and keys, the keys are named
    # Right moves by word: past "Voters" and "in"; Shift+Right extends by word over "Hyesan said".
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    panel = tag_panel(page)
    expect(panel).to_be_hidden()  # extending never opens the panel by itself
    assert page.evaluate("getSelection().toString()").strip() == "Hyesan said"
    # With Alt, by character: back off the "d".
    page.keyboard.press("Alt+Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()").strip() == "Hyesan sai"
    page.keyboard.press("Alt+Shift+ArrowRight")
    expect(page.locator("#selection-status")).to_contain_text("Hyesan said")
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel.locator("#tag-quote")).to_have_text("Hyesan said")
    page.keyboard.press("2")
    page.keyboard.type("Resident of Hyesan")
    save_screenshot(page, "test_tag_a_claim_with_the_keyboard_alone-panel")
    page.keyboard.press("Enter")
    expect(page.locator("#article-text mark.hl")).to_have_text("Hyesan said")
    claim = Claim.objects.get()
    assert (claim.exact, claim.kind.slug) == ("Hyesan said", "in_country_informant")
    # Focus is back in the text, ready for the next claim.
    expect(page.locator("#article-text")).to_be_focused()


def test_each_arrow_press_moves_one_word_past_punctuation_and_blank_lines(page: Page, reviewer):
    article = make_article(
        "Contact Form\n\nEmail *\n\nMessage *\n\n“Turnout,” they said — 99.63%.", title="Word by word"
    )
    log_in(page, reviewer)
    open_article(page, article)
    page.locator("#article-text").focus()
    status = page.locator("#selection-status")
    heard = []
    for _ in range(6):
        page.keyboard.press("ArrowRight")
        heard.append(status.text_content())
    # One press, one word: no press spent on a mark, a blank line or the far side of a word.
    assert [h.strip("“”,*.") for h in heard] == ["Form", "Email", "Message", "Turnout", "they", "said"], heard
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == "Turnout,” they"
    page.keyboard.press("Shift+ArrowLeft")  # shrinks by a word
    assert page.evaluate("getSelection().toString()") == "Turnout"
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")  # then grows the other way, by whole words
    assert page.evaluate("getSelection().toString()") == "Message"
    # From a caret inside a word (placed by character), a selection takes the whole word, either way.
    text = page.locator("#article-text")
    text.evaluate("el => getSelection().collapse(el.querySelector('p, div')?.firstChild || el.firstChild, 0)")
    for _ in range(3):
        page.keyboard.press("Alt+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == "Contact"
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()") == "Contact"


def test_closing_a_claims_popover_gives_the_focus_back_to_what_opened_it(page: Page, reviewer):
    article = make_article(TEXT, title="Back where I was")
    make_claim(article, 0, 6, annotator=reviewer)  # "Voters"
    log_in(page, reviewer)
    open_article(page, article)
    entry = page.locator(".claim-list a[data-claim]").first
    entry.focus()
    page.keyboard.press("Enter")
    popover = page.locator("#claim-popover")
    expect(popover).to_be_visible()
    expect(popover.get_by_text("Voters").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(entry).to_be_focused()  # not the page's body: the next Tab goes on from here


def test_the_tag_panel_says_when_a_typed_fact_is_not_one_of_the_known_facts(page: Page, reviewer):
    article = make_article(TEXT, title="New fact or known")
    make_claim(article, 0, 6, annotator=reviewer, fact="Turnout was 99.63%")
    log_in(page, reviewer)
    open_article(page, article)
    page.locator("#article-text").focus()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    panel = tag_panel(page)
    expect(panel).to_be_visible()
    hint = panel.locator("#fact-new")
    expect(hint).to_be_hidden()
    fact = panel.get_by_label("Fact")
    fact.fill("Turnout")  # half typed: the offers come, none is this statement
    expect(page.locator("#fact-options option")).to_have_count(1)
    expect(hint).to_be_visible()
    fact.fill("Turnout was 99.63%")
    expect(hint).to_be_hidden()


def test_the_tag_panel_keeps_save_in_view_as_it_grows_in_a_short_window(browser, live_server, migrated_rows, reviewer):
    article = make_article("\n\n".join(f"Paragraph {n}: the turnout was reported again." for n in range(40)))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 640})
    page = context.new_page()
    try:
        log_in(page, reviewer)
        open_article(page, article)
        text = page.locator("#article-text")
        text.focus()
        for _ in range(12):  # down to a line near the window's foot
            page.keyboard.press("Shift+ArrowDown")
        page.keyboard.press("Enter")
        panel = tag_panel(page)
        expect(panel).to_be_visible()
        panel.get_by_label("Fact").fill("A statement no fact has yet")
        expect(panel.locator("#fact-new")).to_be_visible()
        panel.locator("summary").first.click()  # "Directness, note"
        expect(panel.get_by_role("button", name="Save")).to_be_in_viewport(ratio=1)
    finally:
        context.close()


def test_a_touch_selection_opens_the_tag_panel_as_a_bottom_sheet(browser, live_server, migrated_rows, reviewer):
    article = make_article(TEXT, title="Touch")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 780}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        log_in(page, reviewer)
        open_article(page, article)
        # The page says how to select by touch, not which keys to press.
        expect(page.locator("#text-keys")).to_contain_text("press and hold a word")
        expect(page.locator("#text-keys .keys-only")).to_be_hidden()
        # A long press selects a word and its handles stretch the selection: what the browser does is
        # emulated by a tap and the selection it leaves; there is no mouse-up.
        text = page.locator("#article-text")
        text.tap(position={"x": 10, "y": 10})
        page.evaluate(
            """() => {
              const walker = document.createTreeWalker(document.getElementById("article-text"), NodeFilter.SHOW_TEXT);
              let node = walker.nextNode();
              while (!node.data.includes("Officials in Pyongyang")) node = walker.nextNode();
              const at = node.data.indexOf("Officials in Pyongyang");
              getSelection().setBaseAndExtent(node, at, node, at + "Officials in Pyongyang".length);
            }"""
        )
        panel = tag_panel(page)
        expect(panel).to_be_visible()
        expect(panel.locator("#tag-quote")).to_have_text("Officials in Pyongyang")
        box = panel.bounding_box()
        assert box["width"] == 390 and abs(box["y"] + box["height"] - 780) < 2, box
        save_screenshot(page, "test_touch_bottom_sheet")
        # The sheet scrolls inside itself, but its Save stays in view at its foot, even with the rest opened.
        panel.locator("summary").tap()
        for scrolled in ("(sheet) => sheet.scrollTo(0, 0)", "(sheet) => sheet.scrollTo(0, sheet.scrollHeight)"):
            panel.evaluate(scrolled)
            save = panel.get_by_role("button", name="Save").bounding_box()
            assert save["y"] >= box["y"] and save["y"] + save["height"] <= 780, (save, box)
        panel.get_by_role("button", name="State media").tap()
        panel.get_by_role("button", name="Save").tap()
        expect(page.locator("#article-text mark.hl")).to_have_text("Officials in Pyongyang")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_no_page_scrolls_sideways_at_390_px(browser, live_server, migrated_rows, role):
    from tests.browser.helpers import import_seed

    import_seed()
    user = make_user(f"phone-{role}", role=role, password=PASSWORD)
    article = make_article(TEXT, title="Narrow")
    # A fact with a long path behind it, so that its graph and the graph's table have something to draw.
    claim = make_claim(article, 0, 10, source_name="Central Elections Guidance Committee", fact="Turnout was 99.63%")
    set_relays(claim, "Korean Central News Agency", "Yonhap News Agency of the Republic of Korea")
    Claim.objects.update(status="accepted")
    fact = claim.fact.get_absolute_url()
    # What someone typed or pasted with no break in it (a web address, a run of letters) wraps in its box.
    unbroken = make_claim(article, 11, 20, annotator=user, source_name="X" * 200, fact="Y" * 150)
    Claim.objects.filter(pk=unbroken.pk).update(note="https://example.org/" + "z" * 300)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        log_in(page, user)
        pages = ["/articles/", article.get_absolute_url(), "/facts/", fact, f"{fact}graph/", "/graph/", "/dashboard/"]
        pages += ["/claims/", "/claims/mine/", f"/claims/{unbroken.pk}/", "/nope/"]
        if role == "editor":
            pages += ["/review/", "/sources/", "/agreement/", "/articles/add/"]
        for url in pages:
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{url} is {width} px wide at 390 px"
            assert not broken_words(page), f"{url} cuts words of its labels at 390 px: {broken_words(page)}"
            sign_out = page.get_by_role("button", name="Sign out")
            expect(sign_out).to_be_in_viewport()
        # What a fact rests on is in view without scrolling sideways: its articles, outlets and origins; its
        # claims by kind are on its page, as the page says.
        page.goto("/dashboard/")
        for name in ("Articles", "Outlets", "Origins"):
            box = page.locator(".matrix thead th", has_text=name).first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        expect(
            page.get_by_text("The claims of each fact, by kind of source, are here on a wider screen")
        ).to_be_visible()
        keys = page.locator(".matrix-key")  # what the hidden cells look like
        expect(keys).to_have_count(2)
        for key in keys.all():
            expect(key).to_be_hidden()
        save_screenshot(page, f"test_390_dashboard_{role}")
        if role == "editor":
            page.goto("/review/")
            for name in ("Status", "Kind", "Article", "Annotator"):
                box = page.get_by_label(name, exact=True).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] >= 120, (name, box)
            save_screenshot(page, f"test_390_review_{role}")
    finally:
        context.close()


def test_error_pages_keep_the_layout_and_a_way_back(page: Page, reviewer, settings):
    settings.DEBUG = True  # `make run` is in development mode, where Django would show its technical page
    log_in(page, reviewer)
    for url, heading in [
        ("/no/such/page/", "There is nothing at this address"),
        ("/articles/no-such-article/", "There is nothing at this address"),
        ("/review/", "You cannot open this page"),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        page.get_by_role("link", name="Back to the articles").click()
        expect(page).to_have_url(f"{page.url.split('/articles/')[0]}/articles/")
