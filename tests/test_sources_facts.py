"""Sources and facts: created by tagging, autocompleted, merged, marked as conflicting; the demo set."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotate.models import Claim, Fact, ReviewEvent, Source, SourceAlias
from annotate.services import register_fact
from annotate.source_services import merge_sources
from annotate.spans import sentence_around
from review import services as review

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "The turnout was 99.63%, the KCNA said. Nobody voted against, a resident said."


@pytest.fixture
def article():
    return make_article(TEXT, title="Report")


def tag(client, article, quote, **fields):
    start = TEXT.index(quote)
    data = {"start": start, "end": start + len(quote), "exact": quote, "kind": "state_media"} | fields
    return client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=HTMX)


def test_an_editor_tagging_with_a_new_source_and_fact_registers_them(client, article):
    client.force_login(make_user("eddie", role="editor"))
    response = tag(
        client,
        article,
        "The turnout was 99.63%",
        source="KCNA",
        fact="Turnout was 99.63%",
        via="Yonhap",
        directness="relayed",
    )
    assert response.status_code == 201
    claim = Claim.objects.select_related("source", "fact").get()
    assert (claim.source.name, claim.source.kind.slug) == ("KCNA", "state_media")
    assert (claim.fact.statement, claim.fact.slug) == ("Turnout was 99.63%", "turnout-was-9963")
    assert claim.directness == "relayed"
    assert [(r.source.name, r.source.kind.slug) for r in claim.relays.all()] == [("Yonhap", "news_agency")]


def test_a_reviewers_new_source_and_fact_wait_for_the_editor_who_accepts_the_claim(client, reviewer, article):
    response = tag(client, article, "The turnout was 99.63%", source="KCNA", fact="Turnout was 99.63%")
    assert response.status_code == 201
    assert "proposed" in response.content.decode()
    claim = Claim.objects.get()
    assert (claim.source, claim.proposed_source, claim.fact, claim.proposed_fact) == (
        None,
        "KCNA",
        None,
        "Turnout was 99.63%",
    )
    assert not Source.objects.exists() and not Fact.objects.exists()

    review.decide(claim_id=claim.pk, version=1, editor=make_user("eddie", role="editor"), decision="accept")
    claim = Claim.objects.select_related("source", "fact").get()
    assert (claim.source.name, claim.source.kind.slug, claim.proposed_source) == ("KCNA", "state_media", "")
    assert (claim.fact.statement, claim.fact.slug, claim.proposed_fact) == (
        "Turnout was 99.63%",
        "turnout-was-9963",
        "",
    )
    accepted = ReviewEvent.objects.get(action="accepted")
    assert (accepted.before["proposed_source"], accepted.after["source"]) == ("KCNA", "KCNA")


def test_known_source_and_fact_are_reused_by_name_alias_or_any_case(client, reviewer, article):
    kcna = Source.objects.create(name="KCNA", kind=kind("state_media"))
    SourceAlias.objects.create(source=kcna, name="Korean Central News Agency")
    fact = Fact.objects.create(statement="Turnout was 99.63%", slug="turnout")
    tag(client, article, "The turnout was 99.63%", source="korean central news agency", fact="TURNOUT WAS 99.63%")
    tag(client, article, "the KCNA said", source="  kcna ", fact="turnout", kind="news_agency")
    assert Source.objects.count() == 1 and Fact.objects.count() == 1
    assert set(Claim.objects.values_list("source_id", "fact_id")) == {(kcna.pk, fact.pk)}


def test_a_fact_is_found_with_or_without_its_final_full_stop(client, reviewer, article):
    fact = register_fact(statement="Turnout was 99.63%.")
    other = register_fact(statement="Nobody voted against")
    tag(client, article, "The turnout was 99.63%", fact="turnout was 99.63%")
    tag(client, article, "the KCNA said", fact="Nobody voted against.", kind="news_agency")
    assert Fact.objects.count() == 2
    assert sorted(Claim.objects.values_list("fact_id", flat=True)) == sorted([fact.pk, other.pk])
    assert register_fact(statement="Turnout was 99.63%") == fact and Fact.objects.count() == 2
    exact = Fact.objects.create(statement="Nobody voted against.", slug="nobody-2", key="nobody voted against.")
    assert register_fact(statement="Nobody voted against.") == exact, "the statement as written comes first"


def test_bad_directness_is_refused(client, reviewer, article):
    response = tag(client, article, "The turnout", directness="hearsay")
    assert response.status_code == 400 and not Claim.objects.exists() and not Source.objects.exists()


def test_source_suggestions_carry_the_kind_and_hide_sensitive_sources(client, reviewer):
    Source.objects.create(name="KCNA", kind=kind("state_media"))
    informant = Source.objects.create(name="KINU analyst", kind=kind("think_tank"))
    Source.objects.create(name="Hyesan resident", kind=kind("in_country_informant"), sensitive=True)
    SourceAlias.objects.create(source=informant, name="Korea Institute for National Unification")
    url = reverse("annotate:source_suggest")
    body = client.get(url, {"source": "k"}, headers=HTMX).content.decode()
    assert 'value="KCNA" data-kind="state_media"' in body and 'value="KINU analyst" data-kind="think_tank"' in body
    by_alias = client.get(url, {"source": "national"}).content.decode()
    assert 'value="KINU analyst"' in by_alias and "also “Korea Institute for National Unification”" in by_alias
    assert "Hyesan" not in client.get(url, {"source": "resident"}).content.decode()
    client.force_login(make_user("ed", role="editor"))
    assert "Hyesan resident" in client.get(url, {"source": "resident"}).content.decode()


def test_fact_suggestions(client, reviewer):
    Fact.objects.create(statement="Turnout was 99.63%", slug="turnout")
    Fact.objects.create(statement="Nobody voted against", slug="nobody")
    body = client.get(reverse("annotate:fact_suggest"), {"fact": "turn"}).content.decode()
    assert 'value="Turnout was 99.63%"' in body and "Nobody" not in body


def test_merging_sources_moves_claims_and_keeps_the_name_as_alias(article):
    editor = make_user("ed", role="editor")
    claim = make_claim(article, 0, 3, source_name="K.C.N.A.")
    make_claim(article, 4, 11, source_name="KCNA")
    duplicate, kcna = Source.objects.get(name="K.C.N.A."), Source.objects.get(name="KCNA")
    SourceAlias.objects.create(source=duplicate, name="Korean Central News Agency")
    assert merge_sources(source=duplicate, into=kcna, actor=editor) == 1
    assert not Source.objects.filter(pk=duplicate.pk).exists()
    assert set(kcna.aliases.values_list("name", flat=True)) == {"K.C.N.A.", "Korean Central News Agency"}
    claim.refresh_from_db()
    assert claim.source == kcna and claim.version == 2
    event = ReviewEvent.objects.filter(claim=claim, action="edited").get()
    assert event.before["source"] == "K.C.N.A." and event.after["source"] == "KCNA"
    assert Source.objects.named("k.c.n.a.").get() == kcna


def test_source_pages_are_for_editors_only(client, reviewer, article):
    make_claim(article, 0, 3, source_name="KCNA")
    source = Source.objects.get()
    for url in (reverse("annotate:source_list"), reverse("annotate:source_edit", args=[source.pk])):
        assert client.get(url).status_code == 403
    response = client.post(reverse("annotate:source_merge", args=[source.pk]), {"into": source.pk})
    assert response.status_code == 403 and Source.objects.count() == 1


def test_editor_edits_a_source_and_its_aliases(client, article):
    make_claim(article, 0, 3, source_name="KCNA")
    other = Source.objects.create(name="Rodong Sinmun", kind=kind("state_media"))
    source = Source.objects.get(name="KCNA")
    client.force_login(make_user("ed", role="editor"))
    url = reverse("annotate:source_edit", args=[source.pk])
    data = {
        "name": "KCNA",
        "kind": kind("state_media").pk,
        "description": "State agency",
        "sensitive": "",
        "aliases": "Korean Central News Agency\n\nkorean central news agency\n",
    }
    assert client.post(url, data).status_code == 302
    assert list(source.aliases.values_list("name", flat=True)) == ["Korean Central News Agency"]
    taken = client.post(url, data | {"aliases": "Rodong Sinmun"})
    assert taken.status_code == 400 and "already names another source" in taken.content.decode()
    assert list(source.aliases.values_list("name", flat=True)) == ["Korean Central News Agency"]
    # A merge is checked first, then confirmed: nothing moves until the editor confirms.
    asked = client.post(reverse("annotate:source_merge", args=[source.pk]), {"into": other.pk})
    assert asked.status_code == 200 and "This cannot be undone here" in asked.content.decode()
    assert Claim.objects.get().source == source
    merged = client.post(reverse("annotate:source_merge", args=[source.pk]), {"into": other.pk, "confirm": "yes"})
    assert merged.status_code == 302 and Claim.objects.get().source == other


def test_editors_mark_conflicting_facts_and_both_pages_show_it(client, reviewer, article):
    make_claim(article, *(lambda s: (s, s + 11))(TEXT.index("Nobody vote")), fact="First dissent since 1956")
    make_claim(article, 0, 11, kind_slug="foreign_government", fact="First dissent since the 1960s")
    url = reverse("dashboard:fact_conflict", args=["first-dissent-since-1956"])
    assert client.post(url, {"other": "first-dissent-since-the-1960s", "conflicting": "on"}).status_code == 403
    client.force_login(make_user("ed", role="editor"))
    assert client.post(url, {"other": "first-dissent-since-the-1960s", "conflicting": "on"}).status_code == 302
    for slug, other in (
        ("first-dissent-since-1956", "since the 1960s"),
        ("first-dissent-since-the-1960s", "since 1956"),
    ):
        page = client.get(reverse("dashboard:fact_detail", args=[slug])).content.decode()
        assert 'class="side-by-side"' in page and other in page
    dashboard_page = client.get(reverse("dashboard:index"), {"status": "with_pending"}).content.decode()
    assert "conflicts with" in dashboard_page
    assert client.post(url, {"other": "first-dissent-since-1956", "conflicting": "on"}).status_code == 400
    client.post(url, {"other": "first-dissent-since-the-1960s"})
    assert not Fact.objects.get(slug="first-dissent-since-1956").conflicts.exists()


def test_an_editor_names_the_conflicting_fact_by_its_statement_and_many_facts_are_offered_as_typed(
    client, article, monkeypatch
):
    from annotate.services import register_fact
    from dashboard import facts

    make_claim(article, 0, 11, fact="First dissent since 1956")
    register_fact(statement="First dissent since the 1960s")
    register_fact(statement="Turnout was 99.63%")
    client.force_login(make_user("ed", role="editor"))
    page_url = reverse("dashboard:fact_detail", args=["first-dissent-since-1956"])
    page = client.get(page_url).content.decode()
    assert '<option value="First dissent since the 1960s">' in page and "hx-get" not in page.split("conflict-other")[1]
    url = reverse("dashboard:fact_conflict", args=["first-dissent-since-1956"])
    refused = client.post(url, {"other": "A fact nobody stated", "conflicting": "on"})
    assert refused.status_code == 400 and "Choose the fact" in refused.content.decode()
    assert client.post(url, {"other": "  first dissent since the 1960S ", "conflicting": "on"}).status_code == 302
    assert [f.slug for f in Fact.objects.get(slug="first-dissent-since-1956").conflicts.all()] == [
        "first-dissent-since-the-1960s"
    ]
    monkeypatch.setattr(facts, "CONFLICT_CHOICES", 0)  # more facts than the field offers at once
    page = client.get(page_url).content.decode()
    assert "Turnout was 99.63%" not in page and 'hx-get="/suggest/facts/"' in page
    options = client.get(reverse("annotate:fact_suggest"), {"other": "turnout"}).content.decode()
    assert 'value="Turnout was 99.63%"' in options


def test_a_fact_is_named_for_a_conflict_by_its_statement_as_the_editor_sees_it(client, article):
    from django.contrib.auth.models import Permission

    from annotate.services import register_fact, register_source

    register_source(name="Kim Chol-su", kind=kind("in_country_informant"), sensitive=True)
    make_claim(article, 0, 11, fact="First dissent since 1956")
    hidden = register_fact(statement="Kim Chol-su says nobody voted against")
    fact_editor = make_user("fe")  # a reviewer who may edit facts, not see protected names
    fact_editor.user_permissions.add(Permission.objects.get(codename="change_fact"))
    client.force_login(fact_editor)
    options = client.get(reverse("annotate:fact_suggest"), {"other": "nobody voted"}).content.decode()
    shown = options.split('value="', 1)[1].split('"', 1)[0]
    assert "Kim Chol-su" not in options and shown.endswith("says nobody voted against")
    url = reverse("dashboard:fact_conflict", args=["first-dissent-since-1956"])
    refused = client.post(url, {"other": hidden.statement, "conflicting": "on"})  # the name it may not know
    assert refused.status_code == 400 and "Kim Chol-su" not in refused.content.decode()
    assert client.post(url, {"other": shown, "conflicting": "on"}).status_code == 302
    assert Fact.objects.get(slug="first-dissent-since-1956").conflicts.get() == hidden


def test_fact_page_lists_claims_across_articles_with_their_sentence(client, reviewer, article):
    other = make_article("Elsewhere: officials say the turnout was 99.63%. More.", title="Other")
    make_claim(article, 4, 22, fact="Turnout was 99.63%", source_name="KCNA")
    make_claim(other, other.text.index("the turnout"), other.text.index("%.") + 1, fact="Turnout was 99.63%")
    page = client.get(reverse("dashboard:fact_detail", args=["turnout-was-9963"])).content.decode()
    assert page.count('class="in-context"') == 2
    assert "Elsewhere: officials say " in page and ", the KCNA said." in page
    assert f"{other.get_absolute_url()}#claim-" in page


@pytest.mark.parametrize(
    ("quote", "before", "after"),
    [
        ("99.63%", "The turnout was ", ", the KCNA said."),
        ("Nobody", "", " voted against, a resident said."),
        ("a resident said.", "Nobody voted against, ", ""),
    ],
)
def test_sentence_around(quote, before, after):
    start = TEXT.index(quote)
    assert sentence_around(TEXT, start, start + len(quote)) == (before, after)


def test_demo_annotations_load_once_and_touch_nothing_else():
    call_command("import_articles", "corpus/seed", "--no-progress", verbosity=0)
    user = make_user("rita")
    mine = Source.objects.create(name="KCNA", kind=kind("news_agency"), description="my own entry")
    call_command("load_demo_annotations", verbosity=0)
    created = Claim.objects.count()
    assert created > 40 and Fact.objects.count() > 10
    mine.refresh_from_db()
    assert (mine.kind.slug, mine.description) == ("news_agency", "my own entry")
    assert not Claim.objects.filter(annotator=user).exists()
    call_command("load_demo_annotations", verbosity=0)
    assert Claim.objects.count() == created
    turnout = Claim.objects.filter(fact__slug="turnout-99-63")
    assert turnout.values("article").distinct().count() == 4
    for claim in Claim.objects.select_related("article"):
        assert claim.article.text[claim.start : claim.end] == claim.exact


def test_fact_page_and_claim_list_query_counts_do_not_grow(client, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for n in (1, 20):
        for i in range(n):
            article = make_article(f"Report {n}-{i}: turnout was 99.63%.", title=f"R{n}-{i}", outlet=f"O{i}")
            make_claim(article, 0, 6, source_name=f"Source {i}", fact=f"Fact {n}", kind_slug="think_tank")
        with CaptureQueriesContext(connection) as fact_page:
            assert client.get(reverse("dashboard:fact_detail", args=[f"fact-{n}"])).status_code == 200
        with CaptureQueriesContext(connection) as claim_list:
            assert client.get(reverse("annotate:claim_list"), {"fact": f"fact-{n}"}).status_code == 200
        counts[n] = (len(fact_page), len(claim_list))
    assert counts[1] == counts[20], counts


def test_editing_a_claim_keeps_its_source_and_fact_when_their_names_come_back(client, reviewer, article):
    claim = make_claim(article, 0, 3, annotator=reviewer, source_name="Informant A", fact="Turnout was 99.63%")
    informant = Source.objects.get()
    Source.objects.filter(pk=informant.pk).update(name="Informant\u00a0A", sensitive=True)  # stored by an editor
    url = reverse("annotate:claim_edit", args=[claim.pk])
    form = client.get(url, headers=HTMX).content.decode()
    assert 'value="Protected source 1"' in form and "Informant" not in form
    data = {"kind": "state_media", "source": "Protected source 1", "fact": "Turnout was 99.63%", "version": 1}
    assert client.post(url, data | {"note": "checked"}, headers=HTMX).status_code == 200
    claim.refresh_from_db()
    assert claim.source_id == informant.pk and Source.objects.count() == 1 and claim.note == "checked"
    Source.objects.filter(pk=informant.pk).update(name="Renamed informant")  # renamed while the form was open
    stale_name = {"kind": "state_media", "source": "Informant A", "fact": "turnout was 99.63%", "version": 2}
    assert client.post(url, stale_name, headers=HTMX).status_code == 200
    claim.refresh_from_db()
    assert claim.fact.statement == "Turnout was 99.63%" and Fact.objects.count() == 1
    assert claim.updated > claim.created


def test_a_sensitive_source_cannot_be_merged_into_a_public_one(client, article):
    make_claim(article, 0, 3, source_name="Hyesan resident")
    informant = Source.objects.get()
    Source.objects.filter(pk=informant.pk).update(sensitive=True)
    public = Source.objects.create(name="Daily NK", kind=kind("outlet_reporting"))
    client.force_login(make_user("ed", role="editor"))
    response = client.post(reverse("annotate:source_merge", args=[informant.pk]), {"into": public.pk})
    assert response.status_code == 400 and "is sensitive" in response.content.decode()
    assert Source.objects.filter(pk=informant.pk).exists() and not public.aliases.exists()


def test_a_source_cannot_be_renamed_to_another_sources_alias(client, article):
    make_claim(article, 0, 3, source_name="Zed")
    other = Source.objects.create(name="B", kind=kind("state_media"))
    SourceAlias.objects.create(source=other, name="Zed Agency")
    source = Source.objects.get(name="Zed")
    client.force_login(make_user("ed", role="editor"))
    data = {"name": "zed  agency", "kind": kind("state_media").pk, "description": "", "aliases": ""}
    response = client.post(reverse("annotate:source_edit", args=[source.pk]), data)
    assert response.status_code == 400 and "already names another source: B" in response.content.decode()
    source.refresh_from_db()
    assert source.name == "Zed"


def test_an_alias_too_long_to_store_is_a_field_error_and_changes_nothing(client, article):
    make_claim(article, 0, 3, source_name="KCNA")
    source = Source.objects.get(name="KCNA")
    SourceAlias.objects.create(source=source, name="K.C.N.A.")
    client.force_login(make_user("ed", role="editor"))
    long = "Korean Central News Agency " * 8
    data = {"name": "KCNA renamed", "kind": kind("news_agency").pk, "description": "", "aliases": f"Short\n{long}"}
    response = client.post(reverse("annotate:source_edit", args=[source.pk]), data)
    assert response.status_code == 400
    assert "An alias can be at most 200 characters: “Korean Central News Agency Korean" in response.content.decode()
    source.refresh_from_db()
    assert (source.name, source.kind.slug) == ("KCNA", "state_media")
    assert list(source.aliases.values_list("name", flat=True)) == ["K.C.N.A."]


def test_source_list_counts_each_claim_once_however_many_aliases_match(client, article):
    make_claim(article, 0, 3, source_name="KCNA")
    kcna = Source.objects.get()
    for alias in ("KCNA English", "KCNA Watch copy", "the KCNA"):
        SourceAlias.objects.create(source=kcna, name=alias)
    client.force_login(make_user("ed", role="editor"))
    page = client.get(reverse("annotate:source_list"), {"q": "kcna"}).content.decode()
    assert page.count('<td class="num" data-label="Claims">1</td>') == 1 and page.count('class="num">3<') == 0


def test_users_without_a_role_cannot_change_even_their_own_claims(client, article):
    user = make_user("former", role="reviewer")
    claim = make_claim(article, 0, 3, annotator=user)
    user.groups.clear()
    client.force_login(user)
    assert client.post(reverse("annotate:claim_delete", args=[claim.pk]), {"version": 1}).status_code == 403
    edit = {"kind": "expert", "version": 1}
    assert client.post(reverse("annotate:claim_edit", args=[claim.pk]), edit).status_code == 403
    assert Claim.objects.filter(pk=claim.pk, kind__slug="state_media").exists()


def test_fact_pages_count_pending_claims(client, article, rita):
    make_claim(article, 0, 29, annotator=rita, fact="Turnout was 99.63%")
    client.force_login(make_user("olga"))
    page = client.get(reverse("dashboard:fact_list")).content.decode()
    assert "No pending or accepted claims" not in page and "1 claim" in page
    page = client.get(reverse("dashboard:fact_detail", args=["turnout-was-9963"])).content.decode()
    assert "Reported in <strong>1</strong> article" in page


def test_a_fact_reported_everywhere_shows_its_claims_a_page_at_a_time(client, reviewer):
    from dashboard.facts import CLAIMS_PER_PAGE

    articles = [make_article(f"Report {i}: turnout was 99.63%.", title=f"R{i:03}") for i in range(CLAIMS_PER_PAGE + 5)]
    for article in articles:
        make_claim(article, 0, 6, fact="Turnout was 99.63%", kind_slug="state_media")
    url = reverse("dashboard:fact_detail", args=["turnout-was-9963"])
    first = client.get(url).content.decode()
    assert f'<span class="count">{CLAIMS_PER_PAGE + 5}</span>' in first
    assert f"Claims 1–{CLAIMS_PER_PAGE} of {CLAIMS_PER_PAGE + 5}" in first and "?page=2#claims" in first
    assert "R000" in first and "R104" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "R104" in second and "R000" not in second and "?page=1#claims" in second
    assert client.get(url, {"page": "x"}).status_code == 200  # a bad page number shows the first page


def test_the_fact_list_shows_the_most_reported_facts_a_page_at_a_time(client, reviewer, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboard import facts

    monkeypatch.setattr(facts, "FACTS_PER_PAGE", 2)
    for reports, statement in ((3, "Turnout was 99.63%"), (2, "Nobody voted against"), (1, "First since 1956")):
        for i in range(reports):
            make_claim(make_article(f"{statement}, report {i}."), 0, 6, fact=statement)
    Fact.objects.create(statement="A fact no claim supports yet", slug="unsupported")
    url = reverse("dashboard:fact_list")
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url).content.decode()
    assert "Turnout was 99.63%" in first and "Nobody voted against" in first
    assert "First since 1956" not in first and "A fact no claim supports yet" not in first
    assert "Facts 1–2 of 3" in first and "?page=2" in first
    with CaptureQueriesContext(connection) as last_queries:
        last = client.get(url, {"page": 2}).content.decode()
    assert "First since 1956" in last and "Turnout was 99.63%" not in last
    assert "A fact no claim supports yet" in last and "No pending or accepted claims" in last
    assert "then 1 with no pending or accepted claim" in last
    assert len(last_queries) <= len(first_queries) + 1  # the unsupported facts: one query, on the last page
    assert client.get(url, {"page": "x"}).status_code == 200


def test_a_conflicting_fact_shows_its_first_claims_beside_the_facts_own(client, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotate.services import set_conflict
    from dashboard.facts import CLAIMS_PER_PAGE

    make_claim(make_article("A lone report: first since 1956.", title="Lone"), 0, 6, fact="First since 1956")
    url = reverse("dashboard:fact_detail", args=["first-since-1956"])
    queries = {}
    for n in (2, CLAIMS_PER_PAGE + 3):
        Claim.objects.filter(fact__slug="first-since-the-1960s").delete()
        for i in range(n):
            article = make_article(f"Report {n}-{i}: first since the 1960s.", title=f"S{n}-{i:03}", outlet=None)
            make_claim(article, 0, 6, fact="First since the 1960s")
        set_conflict(
            fact=Fact.objects.get(slug="first-since-1956"), other=Fact.objects.get(slug="first-since-the-1960s")
        )
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        queries[n] = len(captured)
    assert f"{CLAIMS_PER_PAGE + 3} claims, the first {CLAIMS_PER_PAGE} here" in page
    assert f"S{CLAIMS_PER_PAGE + 3}-000" in page and f"S{CLAIMS_PER_PAGE + 3}-{CLAIMS_PER_PAGE + 2:03}" not in page
    assert queries[2] == queries[CLAIMS_PER_PAGE + 3], queries
