"""The reading view and tagging over HTTP: permissions, bad spans, stale edits, query counts."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.models import Claim, ProvenanceKind, ReviewEvent
from annotate.services import register_source

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "Vote 👍🏽 in 북한 선거 🇰🇵. The voter turnout was 99.63%. Nobody voted against <b>them</b>."


class TextOf(HTMLParser):
    """textContent of the element with a given id."""

    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.parts = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_content(page: str, element_id="article-text") -> str:
    parser = TextOf(element_id)
    parser.feed(page)
    return "".join(parser.parts)


@pytest.fixture
def article():
    return make_article(TEXT, title="Turnout report")


def span(text, quote):
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "exact": quote}


def post_claim(client, article, data, **headers):
    return client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=headers)


# ---- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["annotate:article_list", "annotate:article_detail"])
def test_anonymous_users_are_sent_to_the_login_page(client, article, name):
    url = reverse(name, args=[article.slug] if name.endswith("detail") else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_anonymous_post_stores_nothing(client, article):
    response = post_claim(client, article, {**span(TEXT, "Nobody voted against"), "kind": "in_country_informant"})
    assert response.status_code == 302
    assert Claim.objects.count() == 0


def test_tagging_requires_csrf(article, reviewer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reviewer)
    response = post_claim(strict, article, {**span(TEXT, "Nobody voted against"), "kind": "state_media"})
    assert response.status_code == 403
    assert Claim.objects.count() == 0


def test_user_without_a_role_can_read_but_not_tag(client, article):
    client.force_login(make_user("guest", role=None))
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'id="tag-panel"' not in page
    response = post_claim(client, article, {**span(TEXT, "Nobody voted against"), "kind": "state_media"}, **HTMX)
    assert response.status_code == 403
    assert Claim.objects.count() == 0


# ---- the reading view ---------------------------------------------------------------------------


def test_body_text_content_equals_the_article_text(client, reviewer, article):
    make_claim(article, **{k: v for k, v in span(TEXT, "북한 선거 🇰🇵. The voter").items() if k != "exact"})
    make_claim(article, TEXT.index("turnout"), TEXT.index("99.63%") + 6, kind_slug="think_tank")
    make_claim(article, TEXT.index("<b>"), TEXT.index("</b>") + 4, kind_slug="unsourced_quote")
    page = client.get(article.get_absolute_url()).content.decode()
    assert text_content(page) == TEXT
    assert "<b>them</b>" not in page  # user text is escaped, never markup
    assert page.count('<mark class="hl') == 3


def test_overlapping_claims_stay_visible_with_one_underline_each(client, reviewer, article):
    outer = make_claim(article, TEXT.index("The voter"), TEXT.index("99.63%") + 6, kind_slug="state_media")
    inner = make_claim(article, TEXT.index("turnout"), TEXT.index("turnout") + 7, kind_slug="think_tank")
    page = client.get(article.get_absolute_url()).content.decode()
    marks = re.findall(r'<mark class="hl ([^"]*)" data-claims="([^"]+)"[^>]*>([^<]*)</mark>', page)
    both = [m for m in marks if m[1] == f"{outer.pk} {inner.pk}"]
    assert both and both[0][2] == "turnout"
    # The inner claim tints the run; an underline for each claim, the inner one on top.
    state, think_tank = outer.kind_id, inner.kind_id
    assert both[0][0].split() == [f"k-{think_tank}", f"l1-{think_tank}", f"l2-{state}", "hl-start", "hl-end"]
    styles = client.get(reverse("kinds_css")).content.decode()
    assert f".l1-{think_tank}{{--l1:#0072B2}}" in styles and f".l2-{state}{{--l2:#D55E00}}" in styles
    assert f'id="claim-{outer.pk}"' in page and f'id="claim-{inner.pk}"' in page
    # Where the outer claim begins and ends, its highlight is rounded.
    assert f'<mark class="hl k-{state} l1-{state} hl-start" data-claims="{outer.pk}"' in page
    assert f'<mark class="hl k-{state} l1-{state} hl-end" data-claims="{outer.pk}"' in page


def test_legend_counts_each_kind_and_panel_offers_active_kinds(client, reviewer, article):
    make_claim(article, 0, 4, kind_slug="expert")
    make_claim(article, 5, 7, kind_slug="expert")
    ProvenanceKind.objects.filter(slug="defector_testimony").update(active=False)
    page = client.get(article.get_absolute_url()).content.decode()
    legend = page[page.index('id="legend-title"') : page.index('id="claims-title"')]
    assert re.search(r"Expert</span><kbd[^>]*>6</kbd><span class=\"count\">2</span>", legend)
    panel = page[page.index('id="tag-panel"') :]
    # Each kind button is named by what it shows, its key and its label.
    assert re.search(r'aria-keyshortcuts="2"\s+title="[^"]*"><kbd>2</kbd> <span>In-country informant</span>', panel)
    assert "<span>Defector testimony</span>" not in panel
    assert 'for="tag-source">Source</label>' in panel


def test_deactivating_a_kind_keeps_its_claims(client, reviewer, article):
    claim = make_claim(article, 0, 4, kind_slug="defector_testimony")
    ProvenanceKind.objects.filter(slug="defector_testimony").update(active=False)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'data-claims="{claim.pk}"' in page
    assert "Defector testimony" in page.split('id="tag-panel"')[0]
    response = post_claim(client, article, {**span(TEXT, "Nobody"), "kind": "defector_testimony"}, **HTMX)
    assert response.status_code == 400
    assert Claim.objects.count() == 1


def test_article_list_shows_counts_and_searches_title_and_outlet(client, reviewer, article):
    other = make_article("Another text.", title="Rodong Sinmun digest", outlet="KCNA Watch")
    make_claim(article, 0, 4, kind_slug="state_media")
    make_claim(article, 5, 7, kind_slug="think_tank")
    page = client.get(reverse("annotate:article_list")).content.decode()
    assert "Turnout report" in page and "Rodong Sinmun digest" in page
    # Each article's kinds in words, not only by the bar's colours (a tooltip touch screens never show).
    counts = re.search(r'<p class="kind-counts">(.*?)</p>', page).group(1)
    assert re.sub(r"<[^>]+>", "", counts) == "Claims by kind of source: State media 1Think tank 1"
    found = client.get(reverse("annotate:article_list"), {"q": "kcna"}, headers=HTMX).content.decode()
    assert other.title in found and article.title not in found
    assert "<html" not in found  # htmx gets the results fragment only
    assert "No article matches" in client.get(reverse("annotate:article_list"), {"q": "zzz"}).content.decode()


def test_reading_view_query_count_does_not_grow_with_claims(client, reviewer, django_assert_max_num_queries):
    long_text = "word " * 2000
    counts = {}
    for n in (1, 100, 1000):
        article = make_article(long_text + str(n), title=f"Long {n}")
        kinds = list(ProvenanceKind.objects.all())
        Claim.objects.bulk_create(
            Claim(
                article=article,
                start=(i * 7) % 9000,
                end=(i * 7) % 9000 + 4,
                exact=article.text[(i * 7) % 9000 : (i * 7) % 9000 + 4],
                kind=kinds[i % len(kinds)],
                annotator=reviewer,
            )
            for i in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert response.content.decode().count('data-claims="') >= min(n, 1)
        counts[n] = len(queries)
    assert counts[1] == counts[100] == counts[1000], counts
    list_counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("annotate:article_list"))
        list_counts.append(len(queries))
        make_article(f"More {_}", title=f"Extra {_}")
    assert list_counts[0] == list_counts[1]


# ---- tagging --------------------------------------------------------------------------------------


def test_tagging_over_htmx_returns_the_new_body_and_stores_the_claim(client, reviewer, article):
    data = {**span(TEXT, "Nobody voted against"), "kind": "in_country_informant", "source": " Hoeryong resident "}
    response = post_claim(client, article, data, **HTMX)
    assert response.status_code == 201
    claim = Claim.objects.get()
    # A name the registry does not hold waits, as typed, for an editor to register it.
    assert (claim.exact, claim.kind.slug, claim.source, claim.proposed_source) == (
        "Nobody voted against",
        "in_country_informant",
        None,
        "Hoeryong resident",
    )
    assert (claim.annotator, claim.status, claim.version) == (reviewer, "pending", 1)
    assert claim.prefix == TEXT[claim.start - 32 : claim.start] and claim.suffix == TEXT[claim.end : claim.end + 32]
    # Only what changed, as out-of-band swaps: the passage under the claim, its sidebar entry, the counts.
    fragment = response.content.decode()
    assert response.headers["HX-Reswap"] == "none" and 'id="reading"' not in fragment
    assert fragment.strip().startswith('<span class="passage" id="passage-0" hx-swap-oob="true">')
    assert f'data-claims="{claim.pk}"' in fragment and "Hoeryong resident" in fragment
    assert text_content(fragment, "passage-0") == TEXT
    assert f'<li id="item-{claim.pk}">' in fragment and 'id="claim-list"' in fragment  # the first claim: the list
    assert re.search(r'<li id="legend-\d+" hx-swap-oob="true">.*In-country informant.*>1</span></li>', fragment)
    assert '"claim-saved"' in response.headers["HX-Trigger-After-Settle"]
    assert ReviewEvent.objects.get().action == "created"


def test_tagging_without_htmx_redirects_to_the_highlight(client, reviewer, article):
    response = post_claim(client, article, {**span(TEXT, "Nobody"), "kind": "state_media"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response.url == f"{article.get_absolute_url()}#claim-{claim.pk}"


def test_offsets_are_code_points_after_emoji_and_hangul(client, reviewer, article):
    data = span(TEXT, "The voter turnout was 99.63%.")
    assert data["start"] == 21  # UTF-16 would say 25
    response = post_claim(client, article, {**data, "kind": "state_media"}, **HTMX)
    assert response.status_code == 201
    claim = Claim.objects.get()
    assert article.text[claim.start : claim.end] == claim.exact == "The voter turnout was 99.63%."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": 21, "end": 30, "exact": "The vote!"}, "does not match the article"),
        ({"start": 25, "end": 34, "exact": "The voter"}, "does not match the article"),  # UTF-16 offsets
        ({"start": 70, "end": 999, "exact": "x"}, "lies outside the text"),
        ({"start": 9, "end": 3, "exact": "x"}, "empty or reversed"),
        ({"start": -1, "end": 3, "exact": "Vot"}, "greater than or equal to 0"),
        ({"start": "a", "end": 3, "exact": "Vot"}, "Enter a whole number"),
        ({"start": 0, "end": 4, "exact": "Vote", "kind": ""}, "Choose the kind of source"),
        ({"start": 0, "end": 4, "exact": "Vote", "kind": "gossip"}, "does not exist or is no longer in use"),
    ],
)
def test_bad_spans_get_a_clear_400_and_store_nothing(client, reviewer, article, data, message):
    response = post_claim(client, article, {"kind": "state_media", **data}, **HTMX)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert message in body
    assert response.headers["HX-Retarget"] == "#tag-errors"
    assert Claim.objects.count() == 0 and ReviewEvent.objects.count() == 0


def test_a_kind_no_longer_in_use_is_refused_and_stores_nothing(client, reviewer, article):
    ProvenanceKind.objects.filter(slug="expert").update(active=False)
    response = post_claim(client, article, {"start": 0, "end": 4, "exact": "Vote", "kind": "expert"}, **HTMX)
    assert response.status_code == 400
    assert "does not exist or is no longer in use" in html.unescape(response.content.decode())
    assert Claim.objects.count() == 0
    assert (
        post_claim(client, article, {"start": 0, "end": 4, "exact": "Vote", "kind": "think_tank"}, **HTMX).status_code
        == 201
    )


def test_bad_span_without_htmx_is_a_400_page(client, reviewer, article):
    response = post_claim(client, article, {"start": 0, "end": 4, "exact": "Nope", "kind": "state_media"})
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()


def test_database_refuses_a_claim_whose_exact_does_not_fit_its_span(reviewer, article):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            article=article, start=0, end=4, exact="Vo", kind=ProvenanceKind.objects.first(), annotator=reviewer
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            article=article, start=4, end=4, exact="", kind=ProvenanceKind.objects.first(), annotator=reviewer
        )


# ---- the highlight popover, edit, delete -----------------------------------------------------------


def test_popover_shows_details_and_actions_only_to_the_author(client, reviewer, article):
    mine = make_claim(article, 0, 4, annotator=reviewer, source_name="KCNA", note="via <i>Yonhap</i>")
    theirs = make_claim(article, 5, 7, annotator=make_user("olga"))
    url = reverse("annotate:article_claims", args=[article.slug])
    fragment = client.get(url, {"ids": f"{mine.pk},{theirs.pk}"}, headers=HTMX).content.decode()
    assert "KCNA" in fragment and "via &lt;i&gt;Yonhap&lt;/i&gt;" in fragment and "olga" in fragment
    assert reverse("annotate:claim_edit", args=[mine.pk]) in fragment
    assert reverse("annotate:claim_edit", args=[theirs.pk]) not in fragment
    assert reverse("annotate:claim_delete", args=[theirs.pk]) not in fragment


def test_author_edits_a_pending_claim_and_the_trail_keeps_the_old_version(client, reviewer, article):
    claim = make_claim(article, 0, 4, annotator=reviewer, source_name="KCNA")
    register_source(name="Yonhap", kind=kind("news_agency"))
    url = reverse("annotate:claim_edit", args=[claim.pk])
    form = client.get(url, headers=HTMX).content.decode()
    assert 'name="version" value="1"' in form
    response = client.post(url, {"kind": "news_agency", "source": "Yonhap", "note": "", "version": 1}, headers=HTMX)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.kind.slug, (claim.source.name if claim.source else ""), claim.version) == ("news_agency", "Yonhap", 2)
    event = ReviewEvent.objects.get(action="edited")
    assert event.before["source"] == "KCNA" and event.after["source"] == "Yonhap"


def test_stale_edit_is_refused_and_changes_nothing(client, reviewer, article):
    claim = make_claim(article, 0, 4, annotator=reviewer, source_name="KCNA")
    register_source(name="Rodong Sinmun", kind=kind())
    url = reverse("annotate:claim_edit", args=[claim.pk])
    client.post(url, {"kind": "state_media", "source": "Rodong Sinmun", "version": 1}, headers=HTMX)
    response = client.post(url, {"kind": "expert", "source": "Someone", "version": 1}, headers=HTMX)
    assert response.status_code == 409
    assert "changed by" in response.content.decode()
    claim.refresh_from_db()
    assert ((claim.source.name if claim.source else ""), claim.version) == ("Rodong Sinmun", 2)
    stale_delete = client.post(reverse("annotate:claim_delete", args=[claim.pk]), {"version": 1}, headers=HTMX)
    assert stale_delete.status_code == 409
    assert Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("who", ["another reviewer", "an editor"])
def test_others_cannot_edit_or_delete_a_claim(client, article, who):
    author = make_user("author")
    claim = make_claim(article, 0, 4, annotator=author, source_name="KCNA")
    client.force_login(make_user("intruder", role="editor" if who == "an editor" else "reviewer"))
    edit = client.post(
        reverse("annotate:claim_edit", args=[claim.pk]), {"kind": "expert", "source": "X", "version": 1}, headers=HTMX
    )
    delete = client.post(reverse("annotate:claim_delete", args=[claim.pk]), {"version": 1}, headers=HTMX)
    assert edit.status_code == 403 and delete.status_code == 403
    assert client.get(reverse("annotate:claim_edit", args=[claim.pk])).status_code == 403
    claim.refresh_from_db()
    assert ((claim.source.name if claim.source else ""), claim.kind.slug, claim.version) == ("KCNA", "state_media", 1)


def test_reviewed_claims_are_frozen_for_their_author(client, reviewer, article):
    claim = make_claim(article, 0, 4, annotator=reviewer)
    Claim.objects.filter(pk=claim.pk).update(status="accepted")
    response = client.post(reverse("annotate:claim_delete", args=[claim.pk]), {"version": 1}, headers=HTMX)
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_author_deletes_a_pending_claim_and_its_highlight_goes(client, reviewer, article):
    claim = make_claim(article, 0, 4, annotator=reviewer, source_name="KCNA")
    response = client.post(reverse("annotate:claim_delete", args=[claim.pk]), {"version": 1}, headers=HTMX)
    assert response.status_code == 200
    assert "data-claims=" not in response.content.decode()
    assert not Claim.objects.exists()
    event = ReviewEvent.objects.get(action="deleted")
    assert event.claim is None and event.claim_ref == claim.pk and event.before["source"] == "KCNA"


def test_get_cannot_delete(client, reviewer, article):
    claim = make_claim(article, 0, 4, annotator=reviewer)
    assert client.get(reverse("annotate:claim_delete", args=[claim.pk])).status_code == 405
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_tagging_the_same_span_twice_as_the_same_kind_is_refused(client, reviewer, article):
    data = {**span(TEXT, "Nobody voted against"), "kind": "in_country_informant"}
    assert post_claim(client, article, data, **HTMX).status_code == 201
    again = post_claim(client, article, data, **HTMX)
    assert again.status_code == 400
    assert "already tagged this text as “In-country informant”" in again.content.decode()
    assert post_claim(client, article, {**data, "kind": "think_tank"}, **HTMX).status_code == 201
    assert Claim.objects.count() == 2


def test_deep_overlaps_draw_the_innermost_claims_and_count_the_rest(client, reviewer, article):
    from annotate.rendering import SHOWN_LAYERS

    for n in range(SHOWN_LAYERS + 3):
        make_claim(article, 0, 29 - n, annotator=reviewer, kind_slug="state_media" if n % 2 else "expert")
    client.force_login(reviewer)
    page = client.get(article.get_absolute_url()).content.decode()
    first = page[page.index("<mark") : page.index("</mark>")]
    classes = first.split('class="')[1].split('"')[0].split()
    assert [c.split("-")[0] for c in classes if c[0] == "l"] == [f"l{n}" for n in range(1, SHOWN_LAYERS + 1)]
    assert "and 3 more" in first and f'data-depth="{SHOWN_LAYERS + 3}"' in first
    assert len(first.split('data-claims="')[1].split('"')[0].split()) == SHOWN_LAYERS
    # The popover asks for every claim at the run's position.
    assert 'data-at="0"' in first
    cards = client.get(reverse("annotate:article_claims", args=[article.slug]), {"at": 0}, headers=HTMX)
    assert cards.content.decode().count('class="claim-card"') == SHOWN_LAYERS + 3


def test_popover_ignores_numbers_too_large_for_an_offset_or_id(client):
    article = make_article()
    client.force_login(make_user("someone"))
    url = reverse("annotate:article_claims", args=[article.slug])
    assert client.get(url, {"at": "9" * 20}).status_code == 200
    assert client.get(url, {"ids": "9" * 20}).status_code == 200


def test_a_tag_costs_at_most_five_queries_with_a_source_and_a_fact_named(reviewer, article):
    from annotate.services import create_claim, register_fact

    register_source(name="KCNA", kind=kind("state_media"))
    register_source(name="Hoeryong resident", kind=kind("in_country_informant"), sensitive=True)
    register_fact(statement="Turnout was 99.63%")
    state_media, quote = kind("state_media"), span(TEXT, "The voter turnout")
    assert reviewer.has_perm("annotate.add_claim")  # the view has checked it: the permissions are loaded
    with CaptureQueriesContext(connection) as queries:
        claim = create_claim(
            article=article,
            **quote,
            kind=state_media,
            source_name="kcna",
            fact_statement="turnout was 99.63%",
            annotator=reviewer,
        )
    # A source, a fact, the sensitive names and aliases a reviewer's fact is checked against (one), the
    # claim, its event. In a request the service's transaction is the outermost: it has no savepoint.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 5, statements
    assert (claim.source.name, claim.fact.statement) == ("KCNA", "Turnout was 99.63%")
    assert ReviewEvent.objects.get().action == "created"


def test_a_tag_answers_with_what_changed_and_its_queries_do_not_grow_with_the_claims(client, reviewer):
    paragraph = "The voter turnout was 99.63%. Nobody voted against. " * 10 + "\n\n"
    counts = {}
    for n in (1, 1000):
        article = make_article(paragraph * 20 + str(n), title=f"Dense {n}")
        kinds = list(ProvenanceKind.objects.all())
        Claim.objects.bulk_create(
            Claim(
                article=article,
                start=s,
                end=s + 9,
                exact=article.text[s : s + 9],
                kind=kinds[i % 3],
                annotator=reviewer,
            )
            for i, s in enumerate(sorted({(i * 37) % (len(article.text) - 9) for i in range(n)}))
        )
        quote = article.text.index("Nobody voted", 2000)
        data = {"start": quote, "end": quote + 12, "exact": "Nobody voted", "kind": "in_country_informant"}
        with CaptureQueriesContext(connection) as queries:
            response = post_claim(client, article, data, **HTMX)
        assert response.status_code == 201, response.content
        counts[n] = len(queries)
        claim = Claim.objects.filter(article=article).latest("pk")
        fragment = response.content.decode()
        # The passage under the claim only, exactly as the page shows it.
        passage = re.search(r'<span class="passage" id="(passage-\d+)"', fragment).group(1)
        assert fragment.count('class="passage"') == 1 and passage != "passage-0"
        page = client.get(article.get_absolute_url()).content.decode()
        assert text_content(page, passage) == text_content(fragment, passage)
        following = Claim.objects.filter(article=article, start__gt=claim.start).order_by("start", "-end", "pk").first()
        if following:
            assert f'<ol hx-swap-oob="beforebegin:#item-{following.pk}"><li id="item-{claim.pk}">' in fragment
        total = Claim.objects.filter(article=article).count()
        assert f'<span class="count" id="claims-count" hx-swap-oob="true">{total}</span>' in fragment
    assert counts[1] == counts[1000], counts
    # The session, the account with its permissions, the article, the kinds, the transaction's start, the
    # claim, its event, the transaction's end, the passages' claims, and the counts with the next claim.
    assert counts[1] <= 10, counts


@pytest.mark.parametrize("independent", [False, True])
def test_a_tag_counts_and_places_its_entry_among_the_claims_the_reviewer_may_see(client, reviewer, independent):
    """The sidebar entry goes before the claim that follows in text order (start, the longer first, then the
    older), and the counts are of the claims the reader sees: on an independently tagged article, another
    reviewer's pending claim is neither counted nor the one that follows."""
    article = make_article(TEXT, title="Ties")
    article.independent = independent
    article.save()
    olga = make_user("olga")
    quote = span(TEXT, "The voter turnout")
    longer = make_claim(article, quote["start"], quote["start"] + 29, annotator=reviewer)  # ... was 99.63%.
    same = make_claim(article, quote["start"], quote["end"], kind_slug="expert", annotator=reviewer)
    shorter = make_claim(article, quote["start"], quote["start"] + 9, annotator=olga)  # "The voter", pending
    nobody = span(TEXT, "Nobody voted")
    later = make_claim(article, nobody["start"], nobody["end"], kind_slug="expert", annotator=reviewer)
    fragment = post_claim(client, article, {**quote, "kind": "state_media"}, **HTMX).content.decode()
    claim = Claim.objects.latest("pk")
    assert claim.pk > max(longer.pk, same.pk, shorter.pk, later.pk)
    following, total, state_media = (later, 4, 2) if independent else (shorter, 5, 3)
    assert f'<ol hx-swap-oob="beforebegin:#item-{following.pk}"><li id="item-{claim.pk}">' in fragment
    assert f'<span class="count" id="claims-count" hx-swap-oob="true">{total}</span>' in fragment
    legend = re.search(rf'<li id="legend-{kind("state_media").pk}".*?<span class="count">(\d+)</span>', fragment)
    assert legend and int(legend.group(1)) == state_media, fragment


def test_a_tag_that_comes_last_in_the_text_is_appended_to_the_sidebar(client, reviewer, article):
    make_claim(article, **{k: v for k, v in span(TEXT, "The voter").items() if k != "exact"}, annotator=reviewer)
    fragment = post_claim(client, article, {**span(TEXT, "against"), "kind": "expert"}, **HTMX).content.decode()
    claim = Claim.objects.latest("pk")
    assert f'<ol hx-swap-oob="beforeend:#claim-list"><li id="item-{claim.pk}">' in fragment


def test_the_fragment_of_a_tag_masks_sensitive_sources_like_the_page(client, reviewer, article):
    informant = register_source(name="Hoeryong resident", kind=kind("in_country_informant"), sensitive=True)
    quote = span(TEXT, "Nobody voted against")
    other = make_claim(article, quote["start"], quote["end"], annotator=make_user("olga"))
    Claim.objects.filter(pk=other.pk).update(source=informant, note="Hoeryong resident said so")
    response = post_claim(client, article, {**span(TEXT, "Nobody voted"), "kind": "state_media"}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 201 and f'data-claims="{other.pk}' in fragment
    assert "Hoeryong" not in fragment and "Protected source" in fragment


def test_the_sidebar_entry_of_a_tag_shows_its_quote_source_and_fact(client, reviewer, article):
    data = {**span(TEXT, "The voter turnout"), "kind": "state_media", "source": "KCNA", "fact": "Turnout was 99.63%"}
    fragment = post_claim(client, article, data, **HTMX).content.decode()
    claim = Claim.objects.get()
    item = fragment[fragment.index(f'<li id="item-{claim.pk}">') :]
    item = item[: item.index("</li>")]
    assert '<span class="quote">The voter turnout</span>' in item
    assert "KCNA" in item and '<span class="fact-ref">Turnout was 99.63%</span>' in item
