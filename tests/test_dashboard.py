"""The dashboard: aggregation, basis flags, filters, JSON, CSV, sensitive sources and query counts."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.filters import Filters
from annotate.models import Claim, ProvenanceKind, Source
from dashboard import board as dashboard
from dashboard import mixes

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The turnout was 99.63%. KCNA said so. Nobody voted against. It is a ploy, analysts say."


def q(text, quote):
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def corpus():
    """Three articles: turnout relayed from state media by two wires, and an informant fact."""
    yonhap = make_article(TEXT, title="Yonhap story", outlet="Yonhap", published=dt.date(2023, 11, 28))
    reuters = make_article(TEXT + " ", title="Reuters story", outlet="Reuters", published=dt.date(2024, 2, 22))
    nk = make_article(TEXT + "  ", title="NK Times story", outlet="NK Times", published=dt.date(2023, 12, 11))
    rita, olga = make_user("rita"), make_user("olga")
    turnout = "Turnout was 99.63%"
    for article, annotator in ((yonhap, rita), (reuters, olga)):
        make_claim(
            article,
            *q(TEXT, "The turnout was 99.63%."),
            kind_slug="state_media",
            source_name="KCNA",
            fact=turnout,
            annotator=annotator,
        )
        make_claim(
            article,
            *q(TEXT, "KCNA said so."),
            kind_slug="news_agency",
            source_name=article.outlet.name,
            fact=turnout,
            annotator=annotator,
        )
    make_claim(
        nk,
        *q(TEXT, "Nobody voted against."),
        kind_slug="in_country_informant",
        source_name="Hoeryong resident",
        fact="Nobody really voted against",
        annotator=rita,
    )
    make_claim(nk, *q(TEXT, "It is a ploy"), kind_slug="unsourced_quote", annotator=rita)
    Source.objects.filter(name="Hoeryong resident").update(sensitive=True)
    Claim.objects.update(status="accepted")  # the dashboard counts reviewed claims by default
    return {"yonhap": yonhap, "reuters": reuters, "nk": nk, "rita": rita, "olga": olga}


def board_for(user, **query):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in query.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return dashboard.build(Filters.from_query(data), user)


def row(board, statement):
    return next(r for r in board.facts if r.fact.statement == statement)


def test_matrix_counts_claims_and_articles_per_kind(corpus):
    board = board_for(make_user("ed", role="editor"))
    turnout = row(board, "Turnout was 99.63%")
    cells = {c.kind.slug: (c.claims, c.articles) for c in turnout.cells if c.claims}
    assert cells == {"state_media": (2, 2), "news_agency": (2, 2)}
    assert (turnout.claims, turnout.articles, turnout.named_sources) == (4, 2, 3)
    assert board.claims_total == 6 and board.unlinked == 1


def test_relayed_fact_rests_on_state_media_only(corpus):
    turnout = row(board_for(make_user("ed", role="editor")), "Turnout was 99.63%")
    assert turnout.basis.kinds == {"state_media"}
    assert turnout.basis.flags() == ["one_kind_only"]
    informant = row(board_for(make_user("ed2", role="editor")), "Nobody really voted against")
    assert informant.basis.flags() == ["one_kind_only", "one_source_only"]


@pytest.mark.parametrize(
    ("query", "expected_claims"),
    [
        ({"kind": "state_media"}, 2),
        ({"kind": ["state_media", "in_country_informant"]}, 3),
        ({"article": "nk-times-story"}, 2),
        ({"annotator": "olga"}, 2),
        ({"from": "2023-12-01"}, 4),
        ({"from": "2023-11-01", "to": "2023-11-30"}, 2),
    ],
)
def test_filters_narrow_the_claims(corpus, query, expected_claims):
    assert board_for(make_user("ed", role="editor"), **query).claims_total == expected_claims


def test_outlet_filter_and_rejected_claims(corpus):
    editor = make_user("ed", role="editor")
    yonhap = corpus["yonhap"]
    assert board_for(editor, outlet=str(yonhap.outlet_id)).claims_total == 2
    Claim.objects.filter(article=yonhap).update(status="rejected")
    assert board_for(editor).claims_total == 4  # rejected claims are left out by default
    assert board_for(editor, status="rejected").claims_total == 2
    assert board_for(editor, status="all").claims_total == 6


def test_dashboard_counts_accepted_claims_unless_asked_to_include_pending(corpus):
    editor = make_user("ed", role="editor")
    make_claim(corpus["nk"], *q(TEXT, "analysts say"), kind_slug="expert", fact="A ploy", annotator=corpus["olga"])
    assert board_for(editor).claims_total == 6
    assert "A ploy" not in [r.fact.statement for r in board_for(editor).facts]
    with_pending = board_for(editor, status="with_pending")
    assert with_pending.claims_total == 7 and row(with_pending, "A ploy").claims == 1
    assert board_for(editor, status="pending").claims_total == 1


def test_bad_filter_values_are_reported_not_fatal(client, corpus):
    client.force_login(corpus["rita"])
    response = client.get(reverse("dashboard:index"), {"from": "last week", "status": "bogus", "outlet": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not a date" in page and "Unknown status" in page and "must be an outlet" in page


def test_page_shows_flags_and_links_every_number_to_its_claims(client, corpus):
    client.force_login(corpus["rita"])
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "State media only" in page and "One source" in page
    link = reverse("annotate:claim_list") + "?fact=turnout-was-9963&amp;kind=state_media"
    assert link in page
    claims = client.get(reverse("annotate:claim_list"), {"fact": "turnout-was-9963", "kind": "state_media"})
    body = claims.content.decode()
    assert body.count('class="in-context"') == 2
    assert f"{corpus['yonhap'].get_absolute_url()}#claim-" in body


def test_htmx_filter_request_gets_the_results_fragment(client, corpus):
    client.force_login(corpus["rita"])
    response = client.get(reverse("dashboard:index"), {"kind": "in_country_informant"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.strip().startswith('<div id="results"')
    assert "Nobody really voted against" in fragment and "Turnout was 99.63%" not in fragment


def test_json_has_the_same_numbers_and_filters(client, corpus):
    client.force_login(make_user("ed", role="editor"))
    data = client.get(reverse("dashboard:json")).json()
    turnout = next(f for f in data["facts"] if f["slug"] == "turnout-was-9963")
    assert turnout["basis"] == ["state_media"] and turnout["flags"] == ["one_kind_only", "single_origin"]
    assert (turnout["independent_origins"], turnout["origins"], turnout["outlets"]) == (1, ["KCNA"], 2)
    assert turnout["kinds"]["news_agency"] == {"claims": 2, "articles": 2}
    assert sorted(turnout["sources"]) == ["KCNA", "Reuters", "Yonhap"]
    filtered = client.get(reverse("dashboard:json"), {"kind": "unsourced_quote"}).json()
    assert filtered["claims"] == 1 and filtered["facts"] == [] and filtered["claims_without_fact"] == 1


def test_csv_matrix_download(client, corpus):
    client.force_login(corpus["rita"])
    response = client.get(reverse("dashboard:csv"), {"kind": ["state_media", "news_agency"]})
    assert response["Content-Disposition"] == 'attachment; filename="provenance-matrix.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["fact"] for r in rows] == ["turnout-was-9963"]
    assert rows[0]["state_media_claims"] == "2" and rows[0]["news_agency_articles"] == "2"
    assert rows[0]["flags"] == "one_kind_only" and rows[0]["basis"] == "state_media"


def test_csv_cells_never_become_formulas(client, corpus):
    article = corpus["nk"]
    make_claim(
        article, *q(TEXT, "analysts say"), kind_slug="expert", fact='=HYPERLINK("http://x")', annotator=corpus["rita"]
    )
    client.force_login(corpus["rita"])
    response = client.get(reverse("dashboard:csv"), {"status": "with_pending"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert '\'=HYPERLINK("http://x")' in [r[1] for r in rows]


def test_csv_cells_never_become_formulas_in_a_spreadsheet_that_splits_on_semicolons_or_tabs(client, corpus):
    from .test_export import assert_no_cell_is_a_formula

    for n, statement in enumerate(["innocent;=4*5;text", "tab\t@SUM(A1)", 'quoted;"+1"', "\uff1d1"]):
        quote = ["KCNA said so.", "Nobody voted against.", "It is a ploy", "analysts say"][n]
        make_claim(corpus["nk"], *q(TEXT, quote), kind_slug="expert", fact=statement, annotator=corpus["olga"])
    client.force_login(corpus["rita"])
    response = client.get(reverse("dashboard:csv"), {"status": "with_pending"})
    text = response.content.decode()
    assert "innocent;'=4*5;text" in text
    assert_no_cell_is_a_formula(text)


def test_sensitive_source_names_are_shown_only_to_editors(client, corpus):
    client.force_login(corpus["rita"])  # a reviewer, even the one who tagged it
    for url in (
        reverse("dashboard:index"),
        reverse("dashboard:json"),
        reverse("dashboard:fact_list"),
        reverse("dashboard:fact_detail", args=["nobody-really-voted-against"]),
        corpus["nk"].get_absolute_url(),
        reverse("annotate:claim_list"),
    ):
        body = client.get(url).content.decode()
        assert "Hoeryong resident" not in body, url
        assert "Protected source 1" in body or url == reverse("dashboard:fact_list"), url
    client.force_login(make_user("ed", role="editor"))
    assert "Hoeryong resident" in client.get(reverse("dashboard:index")).content.decode()


def test_dashboard_query_count_does_not_grow(client, corpus):
    client.force_login(corpus["rita"])
    counts = []
    for extra in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard:index")).status_code == 200
        counts.append(len(queries))
        article = make_article(
            f"Another report {extra}. Turnout was 99.63%.", title=f"More {extra}", outlet=f"Outlet {extra}"
        )
        for i in range(5):
            make_claim(
                article,
                0,
                7 + i,
                kind_slug=["expert", "think_tank"][i % 2],
                source_name=f"S{extra}{i}",
                fact=f"Fact {extra}-{i}",
                annotator=corpus["olga"],
            )
    assert counts[0] == counts[1] == counts[2], counts
    with CaptureQueriesContext(connection) as json_queries:
        client.get(reverse("dashboard:json"))
    assert len(json_queries) <= counts[0]


def test_basis_ignores_the_kind_filter(corpus):
    informant = corpus["nk"]
    make_claim(
        informant,
        *q(TEXT, "The turnout was 99.63%."),
        kind_slug="in_country_informant",
        source_name="Hyesan resident",
        fact="Turnout was 99.63%",
        annotator=corpus["rita"],
    )
    Claim.objects.update(status="accepted")
    editor = make_user("ed", role="editor")
    shown = row(board_for(editor, kind="state_media"), "Turnout was 99.63%")
    assert [c.kind.slug for c in shown.segments] == ["state_media"]  # the cells follow the filter
    assert shown.basis.kinds == {"state_media", "in_country_informant"} and shown.basis.corroborated


def test_unlinked_claims_link_and_unknown_fact(client, corpus):
    client.force_login(corpus["rita"])
    page = client.get(reverse("dashboard:index")).content.decode()
    assert reverse("annotate:claim_list") + "?fact=none" in page
    unlinked = client.get(reverse("annotate:claim_list"), {"fact": "none"}).content.decode()
    assert unlinked.count('class="in-context"') == 1 and "It is a ploy" in unlinked
    assert client.get(reverse("annotate:claim_list"), {"fact": "no-such-fact"}).status_code == 404


def test_matrix_pages_through_many_facts(client, corpus, monkeypatch):
    from dashboard import views

    monkeypatch.setattr(views, "FACTS_PER_PAGE", 1)
    client.force_login(corpus["rita"])
    first = client.get(reverse("dashboard:index")).content.decode()
    assert "Facts 1–1 of 2" in first and "Turnout was 99.63%" in first and "Nobody really voted against" not in first
    second = client.get(reverse("dashboard:index"), {"page": 2}).content.decode()
    assert "Facts 2–2 of 2" in second and "Nobody really voted against" in second


def test_dashboard_links_to_claim_exports_with_its_filters(client, corpus):
    client.force_login(corpus["rita"])
    page = client.get(reverse("dashboard:index"), {"kind": "state_media"}).content.decode()
    assert '/export/claims.csv?kind=state_media&amp;status=accepted"' in page
    response = client.get("/export/claims.csv?kind=state_media&status=accepted")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert len(rows) - 1 == board_for(corpus["rita"], kind="state_media").claims_total


def test_page_lists_the_articles_with_most_claims_and_says_how_many_there_are(client, corpus, monkeypatch):
    from dashboard import views

    monkeypatch.setattr(views, "ARTICLE_ROWS", 1)
    client.force_login(corpus["rita"])
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "The 1 article with most claims of 3" in page
    assert len(dashboard.build(Filters(), corpus["rita"]).articles) == 3  # the JSON's share: all


def test_renaming_every_kind_changes_nothing_but_the_names(client, corpus):
    """The rules read each kind's role, never its slug or label, which editors may change."""
    client.force_login(corpus["rita"])
    before = client.get(reverse("dashboard:json")).json()
    renamed = {}
    for kind in ProvenanceKind.objects.all():
        renamed[f"renamed_{kind.pk}"] = kind.slug
        ProvenanceKind.objects.filter(pk=kind.pk).update(slug=f"renamed_{kind.pk}", label=f"Kind {kind.pk}")
    after = client.get(reverse("dashboard:json")).json()

    def in_old_names(board):
        facts = {}
        for fact in board["facts"]:
            fact = dict(fact)
            fact["basis"] = sorted(renamed.get(slug, slug) for slug in fact["basis"])
            fact["kinds"] = {renamed.get(slug, slug): n for slug, n in fact["kinds"].items()}
            facts[fact["slug"]] = fact
        return facts

    assert in_old_names(after) == in_old_names(before)
    # The wires relaying KCNA still add no kind of their own to the turnout figure.
    turnout = in_old_names(after)["turnout-was-9963"]
    assert turnout["basis"] == ["state_media"] and "one_kind_only" in turnout["flags"]


def test_a_row_names_its_first_sources_and_counts_the_rest_which_the_facts_page_lists(client, corpus):
    """A fact repeated from many sources does not fill the matrix with their names: the row names six and
    says how many more, the fact's own page names them all."""
    article = make_article(TEXT + "   ", title="Many sources", outlet="Wire")
    start, end = q(TEXT, "The turnout was 99.63%.")
    for n in range(9):
        make_claim(
            article, start, end - n, kind_slug="state_media", source_name=f"Bureau {n}", fact="Turnout was 99.63%"
        )
    Claim.objects.update(status="accepted")
    client.force_login(corpus["rita"])
    page = client.get(reverse("dashboard:index")).content.decode()
    # KCNA, Yonhap, Reuters and nine bureaus: twelve sources, the first six named.
    assert '<span class="sources">Bureau 0, Bureau 1, Bureau 2, Bureau 3, Bureau 4, Bureau 5 and 6 more</span>' in page
    assert "Bureau 8" not in page
    fact_page = client.get(row(board_for(corpus["rita"]), "Turnout was 99.63%").fact.get_absolute_url())
    assert all(f"Bureau {n}" in fact_page.content.decode() for n in range(9))


def test_many_articles_are_read_without_a_list_of_their_ids_and_give_the_same_dashboard(corpus, monkeypatch):
    make_article(TEXT + "    ", title="An article without claims", outlet="Elsewhere")
    listed = dashboard.as_json(board_for(corpus["rita"]))
    monkeypatch.setattr(mixes, "LISTED_IDS", 0)
    assert dashboard.as_json(board_for(corpus["rita"])) == listed
    assert "An article without claims" not in str(listed)


def _row_seen(row) -> tuple:
    """Everything a matrix row shows."""
    return (
        row.fact.pk,
        row.fact.statement,
        row.claims,
        row.articles,
        row.named_sources,
        row.origins.count,
        row.origins.labels,
        row.origins.outlets,
        row.origins.unattributed,
        [(cell.kind.slug, cell.claims, cell.articles) for cell in row.cells],
        row.sources,
        row.flags,
        [fact.pk for fact in row.conflicts],
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_page_of_facts_shows_what_the_whole_dashboard_shows_for_them(seed):
    import random

    from annotate.models import Fact
    from annotate.relays import ClaimRelay

    from .factories import set_relays

    rng = random.Random(seed)
    kinds = ["state_media", "news_agency", "in_country_informant", "think_tank", "expert", "unsourced_quote"]
    users = [make_user(f"u{i}") for i in range(3)]
    editor = make_user("boss", role="editor")
    articles = [
        make_article(TEXT + " " * i, title=f"A{i}", outlet=rng.choice(["O1", "O2", "O3", None]), independent=i % 3 == 0)
        for i in range(6)
    ]
    quotes = ["The turnout was 99.63%.", "KCNA said so.", "Nobody voted against.", "It is a ploy, analysts say."]
    seen = set()
    for i in range(90):
        article, kind_slug, annotator = rng.choice(articles), rng.choice(kinds), rng.choice(users)
        if (key := (article.pk, i % 4, kind_slug, annotator.pk)) in seen:
            continue
        seen.add(key)
        claim = make_claim(
            article,
            *q(TEXT, quotes[i % 4]),
            kind_slug=kind_slug,
            source_name=rng.choice(["", "KCNA", "Yonhap", "Kim", "Lee", "Asan"]),
            fact=rng.choice([f"Fact {n % 7} named Kim" if n == 3 else f"Fact {n}" for n in range(14)] + [""]),
            annotator=annotator,
        )
        if rng.random() < 0.3:
            set_relays(claim, *rng.sample(["Yonhap", "Reuters", "KCNA"], rng.randint(1, 2)))
        Claim.objects.filter(pk=claim.pk).update(status=rng.choice(["accepted", "accepted", "pending", "rejected"]))
    Source.objects.filter(name__in=["Kim", "Lee"]).update(sensitive=True)
    facts = list(Fact.objects.order_by("pk"))
    for a, b in zip(facts, facts[3:], strict=False):
        if rng.random() < 0.4:
            a.conflicts.add(b)
    assert ClaimRelay.objects.exists()
    for user in (users[0], editor):
        for query in ({}, {"kind": ["expert", "state_media"]}, {"status": "with_pending"}, {"outlet": "O1"}):
            filters = board_for(user, **query).filters
            whole = dashboard.build(filters, user)
            for number in (1, 2, 3, 4):
                paged = dashboard.build(filters, user, page=(number, 4))
                shown = whole.facts[(paged.page.number - 1) * 4 :][:4]
                assert [_row_seen(r) for r in paged.facts] == [_row_seen(r) for r in shown], (user, query, number)
                assert list(paged.page) == paged.facts and paged.fact_count == len(whole.facts)
                assert (paged.unlinked, paged.claims_total) == (whole.unlinked, whole.claims_total)
                pairs = [(a.pk, b.pk, a.statement, b.statement) for a, b in paged.conflicts]
                assert pairs == [(a.pk, b.pk, a.statement, b.statement) for a, b in whole.conflicts]


def test_the_fact_pages_say_they_count_pending_claims_where_the_dashboard_does_not(client, corpus):
    from annotate.models import Fact

    turnout = Fact.objects.get(statement="Turnout was 99.63%")
    Claim.objects.filter(article=corpus["reuters"]).update(status="pending")
    client.force_login(corpus["rita"])
    board = client.get(reverse("dashboard:index"), {"fact": turnout.slug}).content.decode()
    assert "Only claims an editor has accepted count" in board
    for url in (reverse("dashboard:fact_list"), turnout.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Counting accepted and pending claims" in page, url
    detail = client.get(turnout.get_absolute_url()).content.decode()
    assert "Reported in <strong>2</strong> articles by <strong>4</strong> claims" in detail
    assert f'href="/dashboard/?fact={turnout.slug}"' in detail


def test_a_fact_deleted_while_the_dashboard_is_read_is_left_out_not_an_error(corpus, monkeypatch):
    from annotate.models import Fact

    turnout = Fact.objects.get(statement="Turnout was 99.63%")
    real = dashboard._refs

    def refs_after_a_deletion(fact_ids, user):
        # Between the counts and the facts' read, its claims are unlinked and the fact deleted.
        Claim.objects.filter(fact=turnout).update(fact=None)
        Fact.objects.filter(pk=turnout.pk).delete()
        return real(fact_ids, user)

    monkeypatch.setattr(dashboard, "_refs", refs_after_a_deletion)
    for page in (None, (1, 100)):
        with transaction.atomic():
            board = dashboard.build(board_for(corpus["rita"]).filters, corpus["rita"], page=page)
            assert [r.fact.statement for r in board.facts] == ["Nobody really voted against"]
            transaction.set_rollback(True)


def test_a_kind_added_while_the_dashboard_is_read_waits_for_the_next_request(corpus, monkeypatch):
    real = dashboard.counted

    def counted_after_a_new_kind(*args, **kwargs):
        # Between the kinds' read and the counts, an editor adds a kind and a claim of it is accepted.
        if ProvenanceKind.objects.filter(slug="leaflet").exists():
            return real(*args, **kwargs)
        ProvenanceKind.objects.create(slug="leaflet", label="Leaflet", colour="#123456", role="origin", order=99)
        claim = make_claim(corpus["nk"], *q(TEXT, "It is a ploy"), kind_slug="leaflet", fact="Turnout was 99.63%")
        Claim.objects.filter(pk=claim.pk).update(status="accepted")
        return real(*args, **kwargs)

    filters = board_for(corpus["rita"]).filters
    monkeypatch.setattr(dashboard, "counted", counted_after_a_new_kind)
    for page in (None, (1, 100)):
        with transaction.atomic():
            board = dashboard.build(filters, corpus["rita"], page=page)
            turnout = next(r for r in board.facts if r.fact.statement == "Turnout was 99.63%")
            assert "leaflet" not in {cell.kind.slug for cell in turnout.cells} and turnout.articles == 2
            transaction.set_rollback(True)


def test_the_matrix_cells_escape_a_kinds_label_and_link_with_the_filters(client, corpus):
    ProvenanceKind.objects.filter(slug="state_media").update(label='State <b>"media"</b> & co')
    client.force_login(corpus["rita"])
    page = client.get("/dashboard/", {"status": "with_pending", "kind": ["state_media", "news_agency"]})
    html = page.content.decode()
    assert "<b>" not in html and "State &lt;b&gt;&quot;media&quot;&lt;/b&gt; &amp; co: 2 claims in 2 articles" in html
    assert 'aria-label="State &lt;b&gt;&quot;media&quot;&lt;/b&gt; &amp; co 2' in html  # the fact's bar
    assert 'title="State &lt;b&gt;&quot;media&quot;&lt;/b&gt; &amp; co: 2 claims in 2 articles"></span>' in html
    assert "?status=with_pending&amp;fact=turnout-was-9963&amp;kind=state_media" in html
    assert "?status=with_pending&amp;fact=turnout-was-9963&amp;kind=news_agency" in html
