"""The reading view in a real browser: select text with the mouse, tag it, see it, edit and delete it."""

import pytest
from playwright.sync_api import Page, expect

from annotate.models import Claim
from annotate.services import register_source
from corpus.models import Article
from tests.factories import make_article, make_claim, make_user

from .conftest import PASSWORD, save_screenshot
from .helpers import (
    article_text_in_page,
    assert_not_reloaded,
    import_seed,
    log_in,
    open_article,
    pending_highlight,
    select_with_mouse,
    tag_panel,
)

pytestmark = pytest.mark.browser

INFORMANT_SENTENCE = (
    "The person watching the entrance to the ballot station explained that we could vote for or against the "
    "candidate, but I don’t think anyone voted in opposition to the candidate."
)


def test_tag_a_sentence_selected_with_the_mouse(page: Page, reviewer):
    import_seed()
    article = Article.objects.get(text__contains=INFORMANT_SENTENCE)
    log_in(page, reviewer)
    open_article(page, article)
    expect(page.locator("#article-text mark.hl")).to_have_count(0)

    selected = select_with_mouse(page, INFORMANT_SENTENCE)
    panel = tag_panel(page)
    expect(panel).to_be_visible()
    # The panel quotes the selection, shortened to 157 characters and an ellipsis.
    expect(panel.locator("#tag-quote")).to_have_text(INFORMANT_SENTENCE[:157] + "…")

    page.keyboard.press("2")
    expect(panel.get_by_role("button", name="In-country informant")).to_have_attribute("aria-pressed", "true")
    expect(panel.get_by_label("Source", exact=True)).to_be_focused()
    assert pending_highlight(page) == selected
    page.keyboard.type("ASIAPRESS reporting partner")
    save_screenshot(page, "test_tag_a_sentence_selected_with_the_mouse-panel")
    page.keyboard.press("Enter")

    mark = page.locator("#article-text mark.hl")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(INFORMANT_SENTENCE)
    expect(panel).to_be_hidden()
    assert pending_highlight(page) is None
    assert_not_reloaded(page)
    assert article_text_in_page(page) == article.text
    rows = page.locator(".claim-list li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("In-country informant")
    expect(rows.first).to_contain_text("ASIAPRESS reporting partner")
    expect(rows.first).to_contain_text(INFORMANT_SENTENCE[:100])

    claim = Claim.objects.select_related("kind", "article").get()
    assert claim.exact == selected.strip() == INFORMANT_SENTENCE
    assert claim.kind.slug == "in_country_informant"
    assert (claim.source.name if claim.source else claim.proposed_source) == "ASIAPRESS reporting partner"
    assert claim.article == article
    assert article.text[claim.start : claim.end] == claim.exact
    assert claim.start == article.text.index(INFORMANT_SENTENCE)
    assert claim.annotator == reviewer

    page.reload()
    mark = page.locator(f'#article-text mark.hl[data-claims="{claim.pk}"]')
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(INFORMANT_SENTENCE)
    expect(page.locator(".claim-list li")).to_have_count(1)
    assert page.evaluate("window.__noReload") is None


EMOJI_TEXT = (
    "Reactions online 😀😂 were mixed: 👍🏽 from some, the flag 🇰🇵 from others, and a 👨‍👩‍👧 family emoji.\n\n"
    "북한 선거 투표율은 99.63%였다. 반대표는 0.09%였다.\n\n"
    "The official news agency said that 99.63 percent of voters took part. Nobody checked."
)
ENGLISH_SENTENCE = "The official news agency said that 99.63 percent of voters took part."
HANGUL_SPAN = "북한 선거 투표율은 99.63%였다."


def test_offsets_are_code_points_after_emoji_and_hangul(page: Page, reviewer):
    article = make_article(EMOJI_TEXT, title="Emoji and Hangul")
    # The premise: before the English sentence, code points and UTF-16 units disagree.
    prefix = EMOJI_TEXT[: EMOJI_TEXT.index(ENGLISH_SENTENCE)]
    assert len(prefix.encode("utf-16-le")) // 2 > len(prefix)
    log_in(page, reviewer)
    open_article(page, article)
    panel = tag_panel(page)

    for text, key, kind_slug, source in (
        (ENGLISH_SENTENCE, "1", "state_media", "KCNA"),
        (HANGUL_SPAN, "6", "expert", "익명의 전문가"),
    ):
        select_with_mouse(page, text)
        expect(panel).to_be_visible()
        page.keyboard.press(key)
        page.keyboard.type(source)
        page.keyboard.press("Enter")
        expect(panel).to_be_hidden()

        claim = Claim.objects.select_related("kind").latest("pk")
        start = EMOJI_TEXT.index(text)
        assert (claim.start, claim.end) == (start, start + len(text))
        assert claim.exact == text
        assert EMOJI_TEXT[claim.start : claim.end] == text
        assert claim.kind.slug == kind_slug
        assert (claim.source.name if claim.source else claim.proposed_source) == source
        expect(page.locator(f'#article-text mark.hl[data-claims="{claim.pk}"]')).to_have_text(text)

    assert Claim.objects.count() == 2
    expect(page.locator(".claim-list li")).to_have_count(2)
    assert article_text_in_page(page) == EMOJI_TEXT
    assert_not_reloaded(page)


def test_author_deletes_a_claim_from_the_popover(page: Page, reviewer):
    article = make_article("The voter turnout was 99.63%. Nobody voted against.")
    claim = make_claim(article, 0, 29, kind_slug="state_media", annotator=reviewer, source_name="KCNA")
    log_in(page, reviewer)
    open_article(page, article)

    page.locator("#article-text mark.hl").click()
    popover = page.locator("#claim-popover")
    expect(popover).to_be_visible()
    card = popover.locator(f"#card-{claim.pk}")
    expect(card).to_contain_text("KCNA")
    expect(card).to_contain_text(reviewer.get_username())
    expect(card).to_contain_text("Pending")

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    card.get_by_role("button", name="Delete").click()

    expect(page.locator("#article-text mark.hl")).to_have_count(0)
    expect(popover).to_be_hidden()
    expect(page.locator(".claims .empty-state")).to_be_visible()
    assert dialogs == ["Delete this claim? Its highlight will disappear."]
    assert_not_reloaded(page)
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert article_text_in_page(page) == article.text


def test_a_refused_save_does_not_stand_beside_the_last_tags_notice(page: Page, reviewer):
    article = make_article("The voter turnout was 99.63%. Nobody voted against. Officials were pleased.")
    log_in(page, reviewer)
    open_article(page, article)
    panel = tag_panel(page)
    select_with_mouse(page, "Nobody voted against.")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.locator("#reading-news")).to_contain_text("tagged")
    # The new claim is drawn by the time it is announced, and flashes once.
    expect(page.locator("#article-text mark.flash")).to_have_text("Nobody voted against.")
    select_with_mouse(page, "The voter turnout was 99.63%.")
    expect(panel).to_be_visible()  # a key pressed before it opens is the text's own Enter: open the panel
    panel.get_by_label("Source", exact=True).press("Enter")
    expect(panel.get_by_role("alert")).to_be_visible()
    expect(page.locator("#reading-news")).to_have_text("")


def test_escape_cancels_and_a_missing_kind_is_reported(page: Page, reviewer):
    article = make_article("The voter turnout was 99.63%. Nobody voted against. Officials were pleased.")
    log_in(page, reviewer)
    open_article(page, article)
    panel = tag_panel(page)

    select_with_mouse(page, "Nobody voted against.")
    expect(panel).to_be_visible()
    page.keyboard.press("2")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("window.getSelection().toString()") == ""
    assert pending_highlight(page) is None

    select_with_mouse(page, "The voter turnout was 99.63%.")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name="In-country informant")).to_have_attribute("aria-pressed", "false")
    panel.get_by_label("Source", exact=True).fill("KCNA")
    panel.get_by_label("Source", exact=True).press("Enter")
    alert = panel.get_by_role("alert")
    expect(alert).to_have_text("Choose the kind of source: click it, or press its number.")
    expect(panel).to_be_visible()
    save_screenshot(page, "test_escape_cancels_and_a_missing_kind_is_reported-error")

    panel.get_by_role("button", name="Cancel").click()
    expect(panel).to_be_hidden()

    # Enter on the focused Cancel button cancels; it does not save.
    select_with_mouse(page, "Officials were pleased.")
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="Think tank").click()
    expect(panel.get_by_role("button", name="Think tank")).to_have_attribute("aria-pressed", "true")
    panel.get_by_role("button", name="Cancel").focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()

    page.wait_for_load_state("networkidle")
    expect(page.locator("#article-text mark.hl")).to_have_count(0)
    expect(page.locator(".claims .empty-state")).to_be_visible()
    assert_not_reloaded(page)
    assert Claim.objects.count() == 0


def test_pressing_enter_twice_saves_one_claim(page: Page, reviewer):
    article = make_article("The voter turnout was 99.63%. Nobody voted against. Officials were pleased.")
    log_in(page, reviewer)
    open_article(page, article)

    select_with_mouse(page, "Nobody voted against.")
    page.keyboard.press("4")
    page.keyboard.type("rumours")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    expect(page.locator("#article-text mark.hl")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".claim-list li")).to_have_count(1)
    assert Claim.objects.count() == 1


def test_other_reviewers_see_no_edit_or_delete(page: Page, reviewer):
    author = make_user("amira", role="reviewer", password=PASSWORD)
    article = make_article("The voter turnout was 99.63%. Nobody voted against.")
    claim = make_claim(article, 30, 51, kind_slug="unsourced_quote", annotator=author, source_name="rumours")
    log_in(page, reviewer)
    open_article(page, article)

    page.locator("#article-text mark.hl").click()
    card = page.locator(f"#claim-popover #card-{claim.pk}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Unsourced quote")
    expect(card).to_contain_text("rumours")
    expect(card).to_contain_text("amira")
    expect(card.get_by_role("link", name="Edit")).to_have_count(0)
    expect(card.get_by_role("button", name="Delete")).to_have_count(0)
    expect(page.locator("#claim-popover").get_by_role("button", name="Delete")).to_have_count(0)


def test_author_edits_the_source_of_a_claim(page: Page, reviewer):
    article = make_article("The voter turnout was 99.63%. Nobody voted against.")
    claim = make_claim(article, 0, 29, kind_slug="state_media", annotator=reviewer, source_name="KCNA")
    register_source(name="Minju Chosun", kind=claim.kind)
    log_in(page, reviewer)
    open_article(page, article)

    page.locator("#article-text mark.hl").click()
    popover = page.locator("#claim-popover")
    popover.get_by_role("link", name="Edit").click()
    source = popover.get_by_label("Source", exact=True)
    expect(source).to_have_value("KCNA")
    source.fill("Minju Chosun")
    popover.get_by_role("button", name="Save changes").click()

    expect(popover).to_be_hidden()
    row = page.locator(".claim-list li")
    expect(row).to_have_count(1)
    expect(row.locator(".source")).to_have_text("Minju Chosun")
    expect(page.locator("#article-text mark.hl")).to_have_attribute("title", "State media: Minju Chosun")
    assert_not_reloaded(page)

    claim.refresh_from_db()
    assert (claim.source.name if claim.source else claim.proposed_source) == "Minju Chosun"
    assert claim.version == 2
    assert claim.kind.slug == "state_media"
    assert (claim.start, claim.end, claim.exact) == (0, 29, article.text[0:29])


PARAGRAPHS = (
    "KCNA reported that turnout was 99.63 percent. " + "The agency repeated it. " * 20 + "\n\n"
    "A resident of Hoeryong said nobody dared to stay home. " + "Neighbours agreed. " * 20 + "\n\n"
    "Analysts at KINU doubted the figure. " + "Others were silent. " * 20
)


def test_a_tag_updates_only_what_changed_in_text_order(page: Page, reviewer):
    article = make_article(PARAGRAPHS, title="Three paragraphs")
    later = PARAGRAPHS.index("Analysts at KINU doubted the figure.")
    make_claim(article, later, later + 36, kind_slug="think_tank", annotator=reviewer)
    log_in(page, reviewer)
    open_article(page, article)
    expect(page.locator(".claim-list li")).to_have_count(1)
    page.evaluate("document.querySelector('#claims-title').dataset.marker = 'kept'")  # gone if the sidebar is replaced

    select_with_mouse(page, "A resident of Hoeryong said nobody dared to stay home.")
    panel = tag_panel(page)
    expect(panel).to_be_visible()
    page.keyboard.press("2")
    expect(panel.get_by_role("button", name="In-country informant")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")

    rows = page.locator(".claim-list li")
    expect(rows).to_have_count(2)
    # The new claim comes first: it is earlier in the text. Nothing else was re-rendered.
    expect(rows.first).to_contain_text("In-country informant")
    expect(rows.nth(1)).to_contain_text("Think tank")
    expect(page.locator(".claim-list ol, .claim-list .claim-list")).to_have_count(0)
    expect(page.locator("#claims-count")).to_have_text("2")
    expect(page.locator(".legend li", has_text="In-country informant").locator(".count")).to_have_text("1")
    assert page.evaluate("document.querySelector('#claims-title').dataset.marker") == "kept"
    assert_not_reloaded(page)
    assert article_text_in_page(page) == article.text
    new = Claim.objects.get(kind__slug="in_country_informant")
    expect(page.locator(f'#article-text mark.hl[data-claims="{new.pk}"]')).to_have_count(1)
