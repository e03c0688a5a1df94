"""Relay chains and affiliations: the chain as typed, proposals, masking, merges, circles refused, migration."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from annotate.chains import set_affiliation
from annotate.models import Claim, Source
from annotate.relays import ClaimRelay, affiliation_cycle, split_via
from annotate.services import register_source, update_claim
from annotate.source_services import merge_sources
from review import services as review

from .factories import kind, make_article, make_claim, make_user

HTMX = {"HX-Request": "true"}
TEXT = "The turnout was 99.63%, the KCNA said. Nobody voted against, a resident said."


def chain(claim: Claim) -> list[str]:
    return [relay.source.name if relay.source_id else f"?{relay.proposed}" for relay in claim.relays.all()]


def tag(client, article, quote, **fields):
    start = TEXT.index(quote)
    data = {"start": start, "end": start + len(quote), "exact": quote, "kind": "state_media"} | fields
    return client.post(reverse("annotate:article_claims", args=[article.slug]), data, headers=HTMX)


def test_split_via_keeps_order_and_drops_blanks():
    assert split_via(" Yonhap ;; KCNA  Central;") == ["Yonhap", "KCNA Central"]
    assert split_via("") == []


def test_affiliation_cycle_follows_parents():
    assert not affiliation_cycle({1: 2, 2: 3}, 1)
    assert affiliation_cycle({1: 2, 2: 3, 3: 1}, 1)
    assert affiliation_cycle({1: 1}, 1)


@pytest.mark.django_db
def test_an_editor_tags_a_chain_and_new_relays_are_registered_in_order(client):
    article = make_article(TEXT, title="Report")
    client.force_login(make_user("eddie", role="editor"))
    response = tag(client, article, "The turnout was 99.63%", source="KCNA", via="Yonhap; Rodong Sinmun")
    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert chain(claim) == ["Yonhap", "Rodong Sinmun"]
    assert {relay.source.kind.role for relay in claim.relays.all()} == {"relay"}


@pytest.mark.django_db
def test_a_reviewers_unknown_or_protected_relay_is_a_proposal_until_an_editor_accepts(client):
    article = make_article(TEXT, title="Report")
    register_source(name="Yonhap", kind=kind("news_agency"))
    register_source(name="Kim Informant", kind=kind("in_country_informant"), sensitive=True)
    rita = make_user("rita")
    client.force_login(rita)
    response = tag(client, article, "The turnout was 99.63%", source="KCNA", via="Yonhap; Kim Informant; Newcomer")
    assert response.status_code == 201
    claim = Claim.objects.get()
    # A known public relay links at once; a protected name and a new one are held alike: no oracle.
    assert chain(claim) == ["Yonhap", "?Kim Informant", "?Newcomer"]
    review.decide(claim_id=claim.pk, version=claim.version, editor=make_user("desk", role="editor"), decision="accept")
    assert chain(Claim.objects.get()) == ["Yonhap", "Kim Informant", "Newcomer"]
    assert Source.objects.get(name="Newcomer").kind.role == "relay"


@pytest.mark.django_db
def test_a_reviewer_sees_a_protected_relay_as_its_pseudonym_and_an_editor_by_name(client):
    article = make_article(TEXT, title="Report")
    informant = register_source(name="Kim Informant", kind=kind("in_country_informant"), sensitive=True)
    claim = make_claim(article, 0, 22, source_name="KCNA", annotator=make_user("eddie", role="editor"))
    ClaimRelay.objects.create(claim=claim, position=0, source=informant)
    client.force_login(make_user("rita"))
    body = client.get(reverse("api:claim", args=[claim.pk])).json()
    assert body["via"] == ["Protected source 1"]
    page = client.get(reverse("annotate:claim_list") + "?status=all").content.decode()
    assert "Protected source 1" in page and "Kim Informant" not in page
    client.force_login(make_user("ed", role="editor"))
    assert client.get(reverse("api:claim", args=[claim.pk])).json()["via"] == ["Kim Informant"]


@pytest.mark.django_db
def test_an_edit_that_sends_the_pseudonym_back_keeps_the_relay(client):
    article = make_article(TEXT, title="Report")
    informant = register_source(name="Kim Informant", kind=kind("in_country_informant"), sensitive=True)
    rita = make_user("rita")
    claim = make_claim(article, 0, 22, source_name="KCNA", annotator=rita)
    ClaimRelay.objects.create(claim=claim, position=0, source=informant)
    claim = Claim.objects.with_related().get()
    update_claim(
        claim=claim, actor=rita, version=1, kind=claim.kind, source_name="KCNA", via=["Yonhap", "Protected source 1"]
    )
    claim = Claim.objects.get()
    assert [(r.source_id, r.proposed) for r in claim.relays.all()] == [(None, "Yonhap"), (informant.pk, "")]
    history = client
    history.force_login(rita)
    page = history.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert "Kim Informant" not in page and "Protected source 1" in page


@pytest.mark.django_db
def test_a_chain_longer_than_ten_is_refused_and_nothing_is_stored(client):
    article = make_article(TEXT, title="Report")
    client.force_login(make_user("eddie", role="editor"))
    response = tag(client, article, "The turnout was 99.63%", via="; ".join(f"Agency {n}" for n in range(11)))
    assert response.status_code == 400
    assert "at most 10" in response.content.decode()
    assert not Claim.objects.exists() and not Source.objects.exists()


@pytest.mark.django_db
def test_an_affiliation_that_would_close_a_circle_is_refused_everywhere(client):
    state = register_source(name="North Korean state", kind=kind("state_media"))
    kcna = register_source(name="KCNA", kind=kind("state_media"))
    rodong = register_source(name="Rodong Sinmun", kind=kind("state_media"))
    set_affiliation(source=kcna, affiliation=state)
    set_affiliation(source=rodong, affiliation=kcna)
    with pytest.raises(ValidationError, match="circle"):
        set_affiliation(source=state, affiliation=rodong)
    state.affiliation = rodong
    with pytest.raises(ValidationError, match="circle"):
        state.full_clean()
    client.force_login(make_user("ed", role="editor"))
    data = {"name": "North Korean state", "kind": kind("state_media").pk, "affiliation": rodong.pk}
    response = client.post(reverse("annotate:source_edit", args=[state.pk]), data)
    assert response.status_code == 400 and "circle" in response.content.decode()
    # The message names the change refused first, then why.
    assert "“North Korean state” cannot belong to “Rodong Sinmun”, which already belongs to it" in (
        response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    assert Source.objects.get(pk=state.pk).affiliation is None
    # A source is not offered as its own affiliation, and is refused as one.
    form = client.get(reverse("annotate:source_edit", args=[state.pk])).content.decode()
    offered = re.search(r'<select name="affiliation".*?</select>', form, re.S).group(0)
    assert f'value="{state.pk}"' not in offered and f'value="{kcna.pk}"' in offered
    with pytest.raises(ValidationError, match="cannot belong to itself"):
        set_affiliation(source=state, affiliation=state)


@pytest.mark.django_db
def test_a_merge_moves_relays_and_members_to_the_source_kept():
    article = make_article(TEXT, title="Report")
    state = register_source(name="North Korean state", kind=kind("state_media"))
    duplicate = register_source(name="KCNA agency", kind=kind("state_media"))
    kcna = register_source(name="KCNA", kind=kind("state_media"))
    member = register_source(name="KCNA Pyongyang desk", kind=kind("state_media"))
    set_affiliation(source=duplicate, affiliation=state)
    set_affiliation(source=member, affiliation=duplicate)
    claim = make_claim(article, 0, 22, source_name="Yonhap")
    ClaimRelay.objects.create(claim=claim, position=0, source=duplicate)
    merge_sources(source=duplicate, into=kcna, actor=make_user("ed", role="editor"))
    assert chain(claim) == ["KCNA"]
    assert Source.objects.get(pk=member.pk).affiliation_id == kcna.pk
    assert Source.objects.get(pk=kcna.pk).affiliation_id == state.pk


@pytest.mark.django_db(transaction=True)
def test_free_text_relays_become_registry_sources_resolving_names_and_aliases():
    # corpus as it was then too: later articles have revisions, which rows made here would lack.
    corpus = ("corpus", "0002_article_independent")
    before, after = (
        [("annotate", "0010_kind_roles"), corpus],
        [("annotate", "0011_relay_chains_and_affiliations"), corpus],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Article, Claim = old.get_model("corpus", "Article"), old.get_model("annotate", "Claim")
    Kind, User = old.get_model("annotate", "ProvenanceKind"), old.get_model("auth", "User")
    Source, Alias = old.get_model("annotate", "Source"), old.get_model("annotate", "SourceAlias")
    state = Kind.objects.get_or_create(slug="state_media", defaults={"label": "State media", "colour": "#D55E00"})[0]
    relay = Kind.objects.get_or_create(
        slug="news_agency", defaults={"label": "News agency", "colour": "#56B4E9", "role": "relay"}
    )[0]
    informant = Source.objects.create(name="Kim Chol", key="kim chol", kind=state, sensitive=True)
    Alias.objects.create(source=informant, name="Hyesan resident", key="hyesan resident")
    kcna = Source.objects.create(name="KCNA", key="kcna", kind=state)
    article = Article.objects.create(slug="a", title="A", text="KCNA said turnout was 99.63%.", text_sha256="y")
    user = User.objects.create(username="rita")
    vias = [(0, 4, "kcna"), (5, 9, "Hyesan resident; Yonhap"), (10, 17, "told by Kim Chol"), (18, 21, "")]
    for start, end, via in vias:
        Claim.objects.create(
            article=article, start=start, end=end, exact=article.text[start:end], kind=state, via=via, annotator=user
        )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    Claim, Source = new.get_model("annotate", "Claim"), new.get_model("annotate", "Source")
    chains = {
        c.start: [(r.source.name, r.source.sensitive) for r in c.relays.order_by("position")]
        for c in Claim.objects.all()
    }
    assert chains[0] == [("KCNA", False)]
    assert chains[5] == [("Kim Chol", True), ("Yonhap", False)]
    # A new name holding a protected name is registered as sensitive: it stays hidden.
    assert chains[10] == [("told by Kim Chol", True)]
    assert chains[18] == []
    assert Source.objects.get(name="Yonhap").kind_id == relay.pk
    assert Source.objects.filter(name="KCNA").get().pk == kcna.pk
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
