"""A name protected after it was written down stays hidden: a fact's web address made before, a protected
source's former name, an alias taken away. And nothing is ordered by a name a reader may not see."""

import re

import pytest
from django.urls import reverse

from annotate.fact_services import unname_fact_slugs
from annotate.forms import SourceForm
from annotate.models import Fact, Source, SourceAlias
from annotate.services import register_fact, register_source
from annotate.source_services import merge_sources, save_source

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
NAME = "Choe Myong-hui"


def _edit(source: Source, **changes):
    data = {
        "name": source.name,
        "kind": source.kind_id,
        "description": source.description,
        "aliases": "\n".join(source.aliases.values_list("name", flat=True)),
        "affiliation": source.affiliation_id or "",
    }
    data |= changes
    if data.pop("sensitive", source.sensitive):
        data["sensitive"] = "on"
    return SourceForm(data, instance=Source.objects.get(pk=source.pk))


def _everything_a_reviewer_reads(client, fact: Fact) -> str:
    urls = [reverse("dashboard:fact_list"), reverse("dashboard:index"), reverse("dashboard:json")]
    urls += [reverse("annotate:claim_list"), fact.get_absolute_url(), reverse("api:claims")]
    return "".join(client.get(url, {"status": "all"} if "facts" not in url else {}).content.decode() for url in urls)


def test_a_name_protected_after_a_fact_was_made_leaves_its_web_address(client):
    claim = make_claim(make_article(), 0, 11, fact=f"{NAME} confirmed the turnout figures")
    fact = Fact.objects.get()
    assert fact.slug == "choe-myong-hui-confirmed-the-turnout-figures"
    informant = register_source(name="Hyesan resident", kind=kind("in_country_informant"), sensitive=True)
    save_source(form=_valid(_edit(informant, aliases=NAME)))
    fact.refresh_from_db()
    assert fact.slug == "confirmed-the-turnout-figures" and claim.fact_id == fact.pk
    client.force_login(make_user("rita"))
    seen = _everything_a_reviewer_reads(client, fact).lower()
    assert "choe" not in seen and "myong" not in seen
    old = client.get("/facts/choe-myong-hui-confirmed-the-turnout-figures/")
    assert old.status_code == 404


def test_marking_a_source_sensitive_or_merging_into_a_protected_one_renames_the_facts_that_spell_it():
    public = register_source(name=NAME, kind=kind("expert"))
    register_fact(statement=f"{NAME} doubts the figures")
    register_fact(statement="Pak doubts the figures")
    save_source(form=_valid(_edit(public, sensitive=True)))
    assert sorted(Fact.objects.values_list("slug", flat=True)) == ["doubts-the-figures", "pak-doubts-the-figures"]
    other = register_source(name="Ri Sun-ok", kind=kind("expert"))
    register_fact(statement="Ri Sun-ok doubts it too")
    merge_sources(source=other, into=Source.objects.get(pk=public.pk), actor=make_user("ed", role="editor"))
    assert Fact.objects.get(statement="Ri Sun-ok doubts it too").slug == "doubts-it-too"
    assert unname_fact_slugs() == 0  # nothing left to rename


def test_a_protected_sources_former_name_stays_hidden_and_its_aliases_cannot_be_taken_away(client):
    informant = register_source(name="Ri Sun-ok", kind=kind("in_country_informant"), sensitive=True)
    SourceAlias.objects.create(source=informant, name="Sun-ok")
    make_claim(make_article(), 0, 11, note="Ri Sun-ok was interviewed twice by phone.")
    form = _edit(informant, name="Hamhung informant")
    save_source(form=_valid(form))
    assert form.kept_former_name == "Ri Sun-ok"
    assert sorted(SourceAlias.objects.values_list("name", flat=True)) == ["Ri Sun-ok", "Sun-ok"]
    client.force_login(make_user("rita"))
    assert "Ri Sun-ok" not in client.get(reverse("annotate:claim_list"), {"status": "all"}).content.decode()
    dropped = _edit(Source.objects.get(pk=informant.pk), aliases="Ri Sun-ok")
    assert not dropped.is_valid() and "“Sun-ok” is a name of this protected source" in dropped.errors["aliases"][0]
    public = register_source(name="KCNA", kind=kind("state_media"))
    SourceAlias.objects.create(source=public, name="Korean Central News Agency")
    save_source(form=_valid(_edit(public, name="KCNA (Pyongyang)", aliases="")))  # a public one may change freely
    assert not SourceAlias.objects.filter(source=public).exists()


def test_the_sources_page_says_the_former_name_stays_an_alias(client):
    informant = register_source(name="Ri Sun-ok", kind=kind("in_country_informant"), sensitive=True)
    client.force_login(make_user("ed", role="editor"))
    data = {"name": "Hamhung informant", "kind": informant.kind_id, "aliases": "", "sensitive": "on"}
    response = client.post(reverse("annotate:source_edit", args=[informant.pk]), data, follow=True)
    assert "“Ri Sun-ok” stays an alias, so that texts naming it stay hidden." in response.content.decode()


def _valid(form: SourceForm) -> SourceForm:
    assert form.is_valid(), form.errors
    return form


def test_facts_are_listed_in_the_order_of_what_the_reader_sees(client):
    from annotate.services import set_conflict

    informant = register_source(name=NAME, kind=kind("in_country_informant"), sensitive=True)
    statements = ["Bravo says turnout was forced", f"{NAME} says turnout was forced", "Zulu says turnout was forced"]
    facts = [register_fact(statement=statement) for statement in statements]
    subject = register_fact(statement="Turnout was 99.63%")
    for fact in facts:
        set_conflict(fact=subject, other=fact, conflicting=True)
    make_claim(make_article(), 0, 11, fact=subject.statement)
    client.force_login(make_user("rita"))
    shown = ["[protected] says turnout was forced", "Bravo says turnout was forced", "Zulu says turnout was forced"]

    options = client.get(reverse("annotate:fact_suggest"), {"fact": "turnout was forced"}).content.decode()
    assert [options.index(statement) for statement in shown] == sorted(options.index(s) for s in shown)
    for url in (subject.get_absolute_url(), reverse("dashboard:fact_graph", args=[subject.slug])):
        page = client.get(url).content.decode()
        assert NAME not in page
        assert [page.index(s) for s in shown] == sorted(page.index(s) for s in shown), url
    assert informant.pk  # the informant stays protected throughout


def test_the_prov_export_lists_agents_in_the_order_of_their_labels_as_shown(client):
    import json

    article = make_article("Ahn said it. Choe said it. Kim said it.")  # Choe sorts before Kim, its pseudonym after
    for start, name in ((0, "Ahn"), (13, NAME), (27, "Kim Il")):
        make_claim(article, start, start + 11, source_name=name, fact="Turnout was 99.63%")
    Source.objects.filter(name=NAME).update(sensitive=True)
    client.force_login(make_user("rita"))
    document = json.loads(client.get(reverse("dashboard:export_prov"), {"status": "with_pending"}).content.decode())
    labels = [node["label"] for node in document["@graph"] if "prov:Agent" in node.get("@type", [])]
    assert labels == ["Ahn", "Kim Il", "Protected source 1"]


def test_a_protected_sources_box_in_the_graph_is_known_by_its_pseudonym_not_its_id(client):
    article = make_article("Ahn said it. Choe said it.")
    make_claim(article, 0, 11, source_name="Ahn", fact="Turnout was 99.63%")
    make_claim(article, 13, 24, source_name=NAME, fact="Turnout was 99.63%")
    informant = Source.objects.get(name=NAME)
    Source.objects.filter(pk=informant.pk).update(sensitive=True)
    public = Source.objects.get(name="Ahn")
    query = {"status": "with_pending"}
    client.force_login(make_user("rita"))
    for name in ("dashboard:story_graph", "dashboard:export_graphml", "dashboard:export_gephi_nodes"):
        body = client.get(reverse(name), query).content.decode()
        assert re.search(rf"\bs{public.pk}\b", body) and re.search(r"\bsp1\b", body), name
        assert not re.search(rf"\bs{informant.pk}\b", body) and NAME not in body, name
    client.force_login(make_user("ed", role="editor"))
    assert re.search(rf"\bs{informant.pk}\b", client.get(reverse("dashboard:export_graphml"), query).content.decode())


def test_a_facts_former_address_is_not_shown_in_a_claims_history_and_odd_spellings_are_caught(client):
    claim = make_claim(make_article(), 0, 11, fact=f"{NAME} confirmed the turnout figures")
    informant = register_source(name="Hyesan resident", kind=kind("in_country_informant"), sensitive=True)
    save_source(form=_valid(_edit(informant, aliases=NAME)))
    client.force_login(make_user("rita"))
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode().lower()
    assert "choe" not in page and "myong" not in page and "a fact since given a new address" in page
    client.force_login(make_user("ed", role="editor"))
    assert "choe-myong-hui-confirmed" in client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    # A slug typed with capitals or underscores spells the name all the same.
    Fact.objects.create(statement="Typed by hand", slug="Choe_Myong-Hui-by-hand")
    assert unname_fact_slugs() == 1 and not Fact.objects.filter(slug__icontains="choe").exists()


def test_the_facts_offered_for_a_selection_are_not_ranked_by_a_name_hidden_in_them(client):
    register_source(name=NAME, kind=kind("in_country_informant"), sensitive=True)
    text = f"Witnesses spoke. {NAME} told reporters the boxes were watched."
    article = make_article(text, title="Witnesses")
    other = make_article("Elsewhere: the boxes were watched, a resident said.", title="Elsewhere")
    make_claim(other, 0, 9, fact=f"{NAME} reported fear of the boxes")
    start = text.index(NAME)
    client.force_login(make_user("rita"))
    url = reverse("suggest:fact_options", args=[article.slug])
    offered = client.get(url, {"start": start, "end": start + len(NAME)}).content.decode()
    assert "reported fear" not in offered  # the selection shares no word the reader can see with it
    client.force_login(make_user("ed", role="editor"))
    assert "reported fear" in client.get(url, {"start": start, "end": start + len(NAME)}).content.decode()


@pytest.mark.parametrize(
    "spelt",
    ["Choe Myong hui", "Choe-Myong-hui", "CHOE  MYONG–HUI", "choe myong-hui", "Choe Myong_hui", "Choe Myong−hui"],
)
def test_a_name_spelt_with_spaces_for_hyphens_or_dashes_is_hidden_and_its_fact_named_alike(client, spelt):
    register_source(name=NAME, kind=kind("in_country_informant"), sensitive=True)
    claim = make_claim(make_article(), 0, 11, fact=f"{spelt} witnessed the count", note=f"{spelt} was there.")
    client.force_login(make_user("rita"))
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert "[protected] witnessed the count" in page and "[protected] was there." in page
    assert Fact.objects.get().slug == "witnessed-the-count"  # what the statement shows, not a tell-tale "fact"


def test_a_reviewer_is_refused_a_facts_verdict_and_conflicts_alike_whether_the_fact_exists_or_not(client):
    register_fact(statement="Turnout was 99.63%")
    client.force_login(make_user("rita"))
    for name in ("dashboard:fact_verdict", "dashboard:fact_conflict"):
        answers = {
            client.post(reverse(name, args=[slug]), {"verdict": "False", "other": "x"}).status_code
            for slug in ("turnout-was-9963", "no-such-fact")
        }
        assert answers == {403}, name


def test_a_pseudonym_is_kept_when_an_older_source_is_marked_sensitive(client):
    from django.contrib.auth import get_user_model

    from annotate.masking import mask_for

    older = register_source(name="Ahn", kind=kind("expert"))
    first = register_source(name=NAME, kind=kind("in_country_informant"), sensitive=True)
    second = register_source(name="Ri Sun-ok", kind=kind("in_country_informant"), sensitive=True)
    rita = make_user("rita")

    def shown(source) -> str:  # a new request's mask (a mask is kept on the user object of one request)
        return mask_for(get_user_model().objects.get(pk=rita.pk)).of(Source.objects.get(pk=source.pk))

    assert (shown(first), shown(second)) == ("Protected source 1", "Protected source 2")
    save_source(form=_valid(_edit(older, sensitive=True)))
    assert (shown(first), shown(second), shown(older)) == tuple(f"Protected source {n}" for n in (1, 2, 3))
    save_source(form=_valid(_edit(Source.objects.get(pk=older.pk), sensitive=False, aliases="")))
    save_source(form=_valid(_edit(Source.objects.get(pk=older.pk), sensitive=True)))
    assert shown(older) == "Protected source 3"  # its number kept


@pytest.mark.parametrize("spelt", ["CHOE MYONG–HUI", "Choe Myong\u00adhui", "Choe Myong\u2010hui"])
def test_a_fact_made_before_its_name_was_protected_loses_the_name_however_its_address_spelt_it(client, spelt):
    claim = make_claim(make_article(), 0, 11, fact=f"{spelt} confirmed forced voting")
    Fact.objects.filter(pk=claim.fact_id).update(slug="choe-myonghui-confirmed-forced-voting")  # as made before
    informant = register_source(name="Hyesan resident", kind=kind("in_country_informant"), sensitive=True)
    save_source(form=_valid(_edit(informant, aliases=NAME)))
    assert Fact.objects.get().slug == "confirmed-forced-voting"
    client.force_login(make_user("rita"))
    assert client.get("/facts/choe-myonghui-confirmed-forced-voting/").status_code == 404
    assert unname_fact_slugs() == 0


@pytest.mark.parametrize(
    ("template", "choe", "pak"),
    [
        ("{} ж cyrillic after", None, "pak-sun-ok-cyrillic-after"),
        ("{}ж cyrillic after", "choe-myong-huix-cyrillic-after", "pak-sun-okx-cyrillic-after"),
        ("ł{} lstroke", "choex-myong-hui-lstroke", "pakx-sun-ok-lstroke"),
        ("q" * 65 + " {}x truncated tail", "q" * 65 + "-choe-myong", "q" * 65 + "-pak-sun-okx"),
    ],
)
def test_a_facts_address_treats_a_protected_name_its_statement_shows_as_any_other_name(template, choe, pak):
    """Where the rule that finds names does not find one in the statement (a letter run on to it, a long
    statement), its address must not set it apart: the bare "fact" would tell that the name is protected.
    Where it finds one (`choe` None), the address leaves it out."""
    informant = register_source(name="Ri Sun-ok", kind=kind("in_country_informant"), sensitive=True)
    before = register_fact(statement=template.format("Choe Myong-hui"))  # made before "Choe Myong-hui" is one
    save_source(form=_valid(_edit(informant, aliases=NAME)))
    after = register_fact(statement=template.format("Choe Myong-hui") + " again")
    control = register_fact(statement=template.format("Pak Sun-ok"))
    before, after, control = (Fact.objects.get(pk=fact.pk).slug for fact in (before, after, control))
    if choe is None:
        assert "choe" not in before and "choe" not in after
    else:
        assert before == choe and after.startswith(choe[:60])
    assert control == pak
    assert not any(slug == "fact" or slug.startswith("fact-") for slug in (before, after, control))
