"""Typing a name never tells a reviewer whether it is a protected source's; names compare one way everywhere."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import Claim, Fact, Source, SourceAlias
from annotate.services import register_fact, register_source, update_claim
from api.models import ApiToken
from review import services as review

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The turnout was 99.63%, the KCNA said. Nobody voted against, a resident said."
HTMX = {"HX-Request": "true"}
INFORMANT, ALIAS = "Kim Chol-su", "Hyesan resident"


@pytest.fixture
def article():
    return make_article(TEXT, title="Report")


@pytest.fixture
def informant():
    source = register_source(name=INFORMANT, kind=kind("in_country_informant"), sensitive=True)
    SourceAlias.objects.create(source=source, name=ALIAS)
    return source


def tag_in_browser(client, article, quote, source):
    start = TEXT.index(quote)
    data = {"start": start, "end": start + len(quote), "exact": quote, "kind": "expert", "source": source}
    return client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=HTMX)


def answer_shape(response, typed: str) -> str:
    """The response with what differs between any two tags taken out: ids, times, the typed name."""
    text = response.content.decode().replace(typed, "NAME")
    for claim in Claim.objects.all():
        text = text.replace(f"claim-{claim.pk}", "claim-ID").replace(f'"{claim.pk}"', '"ID"')
    return text


@pytest.mark.parametrize("guess", [INFORMANT, INFORMANT.upper(), ALIAS, "  hyesan   RESIDENT "])
def test_a_right_guess_in_the_tag_panel_looks_exactly_like_a_wrong_one(client, article, informant, guess):
    rita = make_user("rita")
    client.force_login(rita)
    right = tag_in_browser(client, article, "The turnout was 99.63%", guess)
    wrong = tag_in_browser(client, article, "Nobody voted against", "Pak Il-nam")

    assert right.status_code == wrong.status_code == 201
    right_claim, wrong_claim = Claim.objects.order_by("pk")
    assert right_claim.source is None and right_claim.proposed_source == " ".join(guess.split())
    assert wrong_claim.source is None and wrong_claim.proposed_source == "Pak Il-nam"
    assert Source.objects.count() == 1  # neither guess linked to the informant nor created a source
    page = client.get(reverse("annotate:article_detail", args=[article.slug])).content.decode()
    assert "Protected source" not in page and "[protected]" not in page


def test_a_right_guess_through_the_api_looks_exactly_like_a_wrong_one(article, informant):
    rita = make_user("rita")
    token = ApiToken.issue(user=rita)[1]
    answers = []
    for quote, name in (("The turnout was 99.63%", ALIAS.lower()), ("Nobody voted against", "Pak Il-nam")):
        start = TEXT.index(quote)
        body = {"article": article.slug, "start": start, "end": start + len(quote), "exact": quote,
                "kind": "expert", "source": name}  # fmt: skip
        response = Client().post(
            "/api/claims", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 201, response.content
        answer = response.json()
        varying = {"id", "start", "end", "exact", "prefix", "suffix", "source", "created", "updated"}
        answers.append({key: value for key, value in answer.items() if key not in varying})
        assert answer["source"] == name and answer["source_registered"] is False
    assert answers[0] == answers[1]
    assert not Claim.objects.filter(source=informant).exists()


def test_the_editor_who_accepts_links_the_guess_to_the_registered_source(client, article, informant):
    rita = make_user("rita")
    client.force_login(rita)
    tag_in_browser(client, article, "The turnout was 99.63%", ALIAS.upper())
    claim = Claim.objects.get()
    editor = make_user("eddie", role="editor")
    client.force_login(editor)
    card = client.get(reverse("review:queue")).content.decode()
    assert f"Accepting links it to the registered source “{INFORMANT}” (sensitive" in card

    review.decide(claim_id=claim.pk, version=1, editor=editor, decision="accept")
    claim.refresh_from_db()
    assert (claim.source, claim.proposed_source) == (informant, "")
    assert Source.objects.count() == 1


def test_the_editor_is_told_what_accepting_would_show_the_author_as_protected(client, article, informant):
    """Names typed in the relay chain or a new fact's statement become a pseudonym or "[protected]" for their
    author once accepted: the card says so, as it does for the source, so that the editor may ask first."""
    rita = make_user("rita")
    client.force_login(rita)
    start = TEXT.index("Nobody voted against")
    data = {"start": start, "end": start + 20, "exact": "Nobody voted against", "kind": "expert",
            "source": "Daily NK", "via": f"Radio Free Asia; {ALIAS.lower()}",
            "fact": f"{INFORMANT} says nobody voted against"}  # fmt: skip
    assert client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=HTMX).status_code == 201
    editor = make_user("eddie", role="editor")
    client.force_login(editor)
    card = client.get(reverse("review:queue")).content.decode()
    assert f"Accepting makes “{ALIAS.lower()}” a sensitive source" in card
    assert "Radio Free Asia”" not in card.split("Accepting makes")[1][:80]
    assert "It names a sensitive source" in card
    client.force_login(rita)
    tag_in_browser(client, article, "The turnout was 99.63%", "KCNA")  # a claim that exposes nothing
    plain = Claim.objects.get(proposed_source="KCNA")
    client.force_login(editor)
    page = client.get(reverse("review:queue"), {"claim": plain.pk}).content.decode()
    card, up_next = page.split('id="up-next-title"')
    assert "The turnout was 99.63%" in card
    assert "a sensitive source (each" not in card and "It names a sensitive source" not in card
    assert "Nobody voted against" in up_next and "names a protected source" in up_next, "Accept selected says so"


def test_a_name_that_holds_a_protected_one_is_never_registered_as_public(client, article, informant):
    """Accepted, a relay typed as "Kim Chol-su's driver" would be a public source showing his name to every
    reader; it is registered as sensitive, and the registry refuses such a name for a public source."""
    rita = make_user("rita")
    client.force_login(rita)
    start = TEXT.index("Nobody voted against")
    data = {"start": start, "end": start + 20, "exact": "Nobody voted against", "kind": "expert",
            "source": f"{INFORMANT}'s cousin", "via": f"{INFORMANT}'s driver"}  # fmt: skip
    client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=HTMX)
    claim = Claim.objects.get()
    editor = make_user("eddie", role="editor")
    client.force_login(editor)
    card = client.get(reverse("review:queue")).content.decode()
    assert "Accepting registers it as a new sensitive source" in card
    review.decide(claim_id=claim.pk, version=claim.version, editor=editor, decision="accept")
    assert set(Source.objects.exclude(pk=informant.pk).values_list("name", "sensitive")) == {
        (f"{INFORMANT}'s cousin", True),
        (f"{INFORMANT}'s driver", True),
    }
    other = make_user("otto")
    client.force_login(other)
    shown = client.get(f"/api/claims/{claim.pk}").json()
    assert INFORMANT not in json.dumps(shown, ensure_ascii=False)
    assert shown["source"].startswith("Protected source") and shown["via"][0].startswith("Protected source")

    client.force_login(editor)
    public = register_source(name="Daily NK", kind=kind("news_agency"))
    form = {"name": f"Daily NK, {INFORMANT}'s paper", "kind": public.kind_id, "aliases": ""}
    refused = client.post(reverse("annotate:source_edit", args=[public.pk]), form)
    assert refused.status_code == 400 and "holds the name of a protected source" in refused.content.decode()
    assert Source.objects.get(pk=public.pk).name == "Daily NK"
    own = {"name": INFORMANT, "kind": informant.kind_id, "aliases": ALIAS}  # made public again: its own names
    assert client.post(reverse("annotate:source_edit", args=[informant.pk]), own).status_code == 302


def test_counts_do_not_tell_a_reviewer_two_aliases_are_one_person(client, article, informant):
    """Each guess stays its own proposal, so the dashboard's sources and flags say nothing about aliases."""
    rita = make_user("rita")
    client.force_login(rita)
    for quote, guess in (("The turnout was 99.63%", INFORMANT), ("Nobody voted against", ALIAS)):
        start = TEXT.index(quote)
        data = {"start": start, "end": start + len(quote), "exact": quote, "kind": "in_country_informant",
                "source": guess, "fact": "Turnout was 99.63%"}  # fmt: skip
        register_fact(statement="Turnout was 99.63%")
        client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=HTMX)
    board = client.get(reverse("dashboard:json"), {"status": "with_pending"}).json()
    (fact,) = board["facts"]
    assert (fact["named_sources"], fact["sources"], fact["flags"]) == (0, [], ["one_kind_only"])


def test_names_that_pass_for_a_withheld_one_cannot_name_a_source(client, article, informant):
    editor = make_user("eddie", role="editor")
    client.force_login(editor)
    for name in ("protected source", "PROTECTED SOURCE 3", "Protected source #4", "[protected]"):
        response = tag_in_browser(client, article, "The turnout was 99.63%", name)
        assert response.status_code == 400, name
        assert "is how a protected source is shown" in response.content.decode()
    source = Source.objects.create(name="KCNA", kind=kind())
    edit = client.post(
        reverse("annotate:source_edit", args=[source.pk]),
        {"name": "Protected Source", "kind": source.kind_id, "aliases": "protected source 2"},
    )
    assert edit.status_code == 400 and "is how a protected source is shown" in edit.content.decode()
    assert Source.objects.get(pk=source.pk).name == "KCNA" and not source.aliases.exists()


def test_a_reviewer_may_name_a_protected_source_by_the_pseudonym_they_were_shown(client, article, informant):
    shown = make_claim(article, TEXT.index("Nobody"), TEXT.index(", a resident"), annotator=make_user("olga"))
    Claim.objects.filter(pk=shown.pk).update(source=informant)  # olga's claim, which rita may see
    rita = make_user("rita")
    client.force_login(rita)
    assert "Protected source 1" in client.get(reverse("annotate:article_detail", args=[article.slug])).content.decode()
    tag_in_browser(client, article, "The turnout was 99.63%", "protected SOURCE 1")
    assert Claim.objects.get(annotator=rita).source == informant


def test_a_pseudonym_a_reviewer_was_not_shown_is_answered_as_one_that_names_nobody(client, article, informant):
    register_source(name="Pak Il-nam", kind=kind("in_country_informant"), sensitive=True)  # protected source 2
    client.force_login(make_user("rita"))
    answers = []
    for typed in ("Protected source 1", "Protected source 2", "Protected source 3"):
        response = tag_in_browser(client, article, "The turnout was 99.63%", typed)
        answers.append((response.status_code, response.content.decode().replace(typed, "NAME")))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 400
    assert not Claim.objects.exists()


def test_sending_back_the_pseudonym_in_any_case_keeps_the_sensitive_source(client, article, informant):
    rita = make_user("rita")
    claim = make_claim(article, 0, 22, annotator=rita)
    Claim.objects.filter(pk=claim.pk).update(source=informant)
    token = ApiToken.issue(user=rita)[1]
    shown = client.get(f"/api/claims/{claim.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert shown["source"] == "Protected source 1"
    for version, typed in enumerate(("Protected source 1", "PROTECTED  SOURCE 1", " protected source 1"), start=1):
        response = client.patch(
            f"/api/claims/{claim.pk}",
            json.dumps({"version": version, "source": typed, "note": typed}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content
        claim.refresh_from_db()
        assert claim.source == informant
    assert Source.objects.count() == 1


def test_names_compare_by_one_key_in_lookups_and_in_the_unique_index(client, article):
    editor = make_user("eddie", role="editor")
    kim = register_source(name="Kim Jong Un", kind=kind())
    for spelling in ("KIM JONG UN", "\u212aim Jong Un", "Ｋｉｍ Jong Un", "kim  jong\u00a0un"):
        assert register_source(name=spelling, kind=kind()) == kim
        client.force_login(editor)
        form = client.post(reverse("annotate:source_edit", args=[register_source(name="KCNA", kind=kind()).pk]),
                           {"name": "KCNA", "kind": kind().pk, "aliases": spelling})  # fmt: skip
        assert form.status_code == 400 and "already names another source" in form.content.decode()
    fact = register_fact(statement="Turnout was 99.63%")
    assert register_fact(statement="TURNOUT WAS 99.63%") == fact == register_fact(statement="turnout was 99.63％")
    assert Source.objects.count() == 2 and Fact.objects.count() == 1


def test_hidden_claims_do_not_reveal_their_facts_or_sources_to_other_reviewers(client):
    article = make_article(TEXT, title="Independent", independent=True)
    rita, olga = make_user("rita"), make_user("olga")
    mine = make_claim(article, 0, 22, annotator=rita, source_name="Secret Wire", fact="A fact only rita linked")
    client.force_login(olga)
    assert "A fact only rita linked" not in client.get(reverse("dashboard:fact_list")).content.decode()
    assert client.get(reverse("dashboard:fact_detail", args=[mine.fact.slug])).status_code == 404
    assert b"Secret" not in client.get(reverse("annotate:source_suggest"), {"source": "Secret"}).content
    assert b"only rita" not in client.get(reverse("annotate:fact_suggest"), {"fact": "only rita"}).content
    # A hidden claim is as missing as one that does not exist.
    assert client.get(reverse("annotate:claim_edit", args=[mine.pk])).status_code == 404
    assert client.get(reverse("annotate:claim_edit", args=[mine.pk + 100])).status_code == 404
    assert client.post(reverse("annotate:claim_delete", args=[mine.pk]), {"version": 1}).status_code == 404
    client.force_login(rita)
    assert "A fact only rita linked" in client.get(reverse("dashboard:fact_list")).content.decode()


def test_an_authors_edit_does_not_confirm_a_name_by_redacting_it(client, article, informant):
    rita = make_user("rita")
    claim = make_claim(article, 0, 22, annotator=rita)
    update_claim(claim=claim, actor=rita, version=1, kind=kind(), source_name="", note=f"Told by {INFORMANT}")
    client.force_login(rita)
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert f"Told by {INFORMANT}" in page and "[protected]" not in page
    client.force_login(make_user("olga"))
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert INFORMANT not in page and "Told by [protected]" in page
