"""Independent origins: the pure rule (chains, affiliation trees, relays, unattributed claims) and the
dashboard, fact page and JSON that show it, masked, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from annotate.chains import set_affiliation
from annotate.models import Claim, Source
from annotate.relays import ClaimRelay
from annotate.services import register_source
from annotate.source_services import merge_sources
from dashboard.origins import Support, Tally, origins, root, tallied

from .factories import kind, make_article, make_claim, make_user

ORIGIN, RELAY, UNSOURCED = "origin", "relay", "unsourced"
KCNA, RODONG, STATE, YONHAP, REUTERS, INFORMANT, MINISTRY = 1, 2, 3, 4, 5, 6, 7
TREE = {KCNA: STATE, RODONG: STATE}


def test_a_relay_chain_adds_reach_not_independence():
    found = origins([Support(ORIGIN, KCNA, (YONHAP,)), Support(ORIGIN, KCNA, (REUTERS, YONHAP))], {})
    assert found.roots == {KCNA}


SOURCE_IDS = st.integers(1, 12)


@given(
    origin_sources=st.sets(SOURCE_IDS, max_size=5),
    relay_sources=st.sets(SOURCE_IDS, max_size=5),
    ends=st.dictionaries(st.one_of(st.none(), SOURCE_IDS), st.integers(1, 3), max_size=4),
    bare=st.integers(0, 3),
    parents=st.dictionaries(SOURCE_IDS, SOURCE_IDS, max_size=8),
)
def test_the_dashboards_tallies_give_the_origins_the_rule_gives(origin_sources, relay_sources, ends, bare, parents):
    """The dashboard counts origins from per-fact tallies (sources by the role of their kind, far ends of
    chains) without a Support per claim: the same roots and unattributed claims as the rule itself."""
    bare += sum(ends.values())  # the claims with a chain are among those that name no source
    tally = Tally(sorted(origin_sources), sorted(relay_sources), bare, articles=2, outlets=2)
    fast = tallied({1: tally}, {1: ends}, parents)[1]
    supports = [Support(ORIGIN, pk) for pk in origin_sources] + [Support(RELAY, pk) for pk in relay_sources]
    supports += [Support(ORIGIN, None, (pk,)) if pk is not None else Support(ORIGIN, None) for pk in ends]
    rule = origins(supports, parents, unattributed=bare - sum(ends.values()), articles=2, outlets=2)
    assert fast == rule


def test_sources_of_one_affiliation_are_one_origin():
    found = origins([Support(ORIGIN, KCNA), Support(ORIGIN, RODONG), Support(ORIGIN, MINISTRY)], TREE)
    assert found.roots == {STATE, MINISTRY} and found.count == 2


def test_a_deep_tree_counts_its_root_and_a_circle_counts_once():
    assert root(1, {1: 2, 2: 3, 3: 4}) == 4
    assert origins([Support(ORIGIN, 1), Support(ORIGIN, 2)], {1: 2, 2: 1}).count == 1


def test_relays_count_only_when_nothing_else_supports_the_fact():
    assert origins([Support(RELAY, YONHAP), Support(ORIGIN, KCNA)], {}).roots == {KCNA}
    assert origins([Support(RELAY, YONHAP), Support(RELAY, REUTERS)], {}).roots == {YONHAP, REUTERS}


def test_a_claim_without_a_source_rests_on_the_far_end_of_its_chain_as_a_relay():
    assert origins([Support(ORIGIN, None, (YONHAP, KCNA))], {}).roots == {KCNA}
    assert origins([Support(ORIGIN, None, (YONHAP, KCNA)), Support(ORIGIN, MINISTRY)], {}).roots == {MINISTRY}


def test_unattributed_claims_are_counted_apart_and_never_an_origin():
    found = origins([Support(UNSOURCED, None), Support(UNSOURCED, YONHAP), Support(ORIGIN, None)], {}, unattributed=3)
    assert (found.count, found.unattributed) == (0, 3)


def test_single_origin_needs_several_outlets():
    assert origins([Support(ORIGIN, KCNA)], {}, outlets=4).single_origin
    assert not origins([Support(ORIGIN, KCNA)], {}, outlets=1).single_origin
    assert not origins([Support(ORIGIN, KCNA), Support(ORIGIN, INFORMANT)], {}, outlets=4).single_origin


# ---- through the database ---------------------------------------------------------------------------

TEXT = "KCNA said turnout was 99.63%. Rodong Sinmun agreed. A resident said nobody believed it."
TURNOUT = "Turnout was 99.63%"


def span(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    """Four outlets repeat the turnout through state media and Yonhap; two informants back another fact."""
    state = register_source(name="North Korean state", kind=kind("state_media"))
    for name in ("KCNA", "Rodong Sinmun"):
        set_affiliation(source=register_source(name=name, kind=kind("state_media")), affiliation=state)
    yonhap = register_source(name="Yonhap", kind=kind("news_agency"))
    editor = make_user("ed", role="editor")
    for n, name in enumerate(("KCNA", "Rodong Sinmun", "KCNA", "Rodong Sinmun")):
        article = make_article(TEXT + " " * n, title=f"Report {n}", outlet=f"Outlet {n}")
        claim = make_claim(article, *span("KCNA said turnout was 99.63%."), source_name=name, fact=TURNOUT)
        ClaimRelay.objects.create(claim=claim, position=0, source=yonhap)
        if n == 3:
            make_claim(
                article, *span("A resident said"), kind_slug="in_country_informant", source_name="Hyesan resident",
                fact="Nobody believed it", annotator=editor,
            )  # fmt: skip
            make_claim(
                article, *span("nobody believed it"), kind_slug="in_country_informant", source_name="Hoeryong resident",
                fact="Nobody believed it", annotator=editor,
            )  # fmt: skip
    Source.objects.filter(name__endswith="resident").update(sensitive=True)
    Claim.objects.update(status="accepted")
    return {"editor": editor}


def facts_json(client, user) -> dict:
    client.force_login(user)
    return {f["slug"]: f for f in client.get(reverse("dashboard:json")).json()["facts"]}


def test_the_json_counts_outlets_and_origins_and_flags_a_single_origin(client, world):
    facts = facts_json(client, make_user("rita"))
    turnout = facts["turnout-was-9963"]
    assert (turnout["articles"], turnout["outlets"], turnout["independent_origins"]) == (4, 4, 1)
    assert turnout["origins"] == ["North Korean state"] and "single_origin" in turnout["flags"]


def test_protected_sources_count_as_two_origins_under_pseudonyms(client, world):
    informants = facts_json(client, make_user("rita"))["nobody-believed-it"]
    assert informants["independent_origins"] == 2
    assert informants["origins"] == ["Protected source 1", "Protected source 2"]
    page = client.get(reverse("dashboard:fact_detail", args=["nobody-believed-it"])).content.decode()
    assert "Hyesan" not in page and "Hoeryong" not in page and "2</strong> independent origins" in page
    assert facts_json(client, world["editor"])["nobody-believed-it"]["origins"] == [
        "Hoeryong resident",
        "Hyesan resident",
    ]


def test_merging_duplicate_sources_merges_their_origins(client, world):
    reviewer = make_user("rita")
    assert facts_json(client, reviewer)["nobody-believed-it"]["independent_origins"] == 2
    hyesan, hoeryong = Source.objects.get(name="Hyesan resident"), Source.objects.get(name="Hoeryong resident")
    merge_sources(source=hyesan, into=hoeryong, actor=world["editor"])
    assert facts_json(client, reviewer)["nobody-believed-it"]["independent_origins"] == 1


def test_detaching_an_outlet_from_its_affiliation_makes_a_second_origin(client, world):
    set_affiliation(source=Source.objects.get(name="Rodong Sinmun"), affiliation=None)
    turnout = facts_json(client, make_user("rita"))["turnout-was-9963"]
    assert turnout["independent_origins"] == 2 and "single_origin" not in turnout["flags"]


def test_the_dashboard_shows_origins_and_the_single_origin_badge(client, world):
    client.force_login(make_user("rita"))
    body = client.get(reverse("dashboard:index")).content.decode()
    assert "Single origin" in body and "North Korean state" in body


def test_query_counts_stay_constant_as_facts_claims_and_chains_grow(client, world):
    client.force_login(make_user("rita"))
    pages, jsons = [], []
    agencies = [register_source(name=f"Agency {n}", kind=kind("news_agency")) for n in range(6)]
    for extra in range(3):
        with CaptureQueriesContext(connection) as page, CaptureQueriesContext(connection) as data:
            assert client.get(reverse("dashboard:index")).status_code == 200
            assert client.get(reverse("dashboard:json")).status_code == 200
        pages.append(len(page))
        jsons.append(len(data))
        article = make_article(f"Turnout was high {extra}. " + TEXT, title=f"More {extra}", outlet=f"Wire {extra}")
        parent = register_source(name=f"Ministry {extra}", kind=kind("foreign_government"))
        for i in range(4):
            claim = make_claim(
                article, 0, 10 + i, kind_slug="foreign_government", source_name=f"Official {extra}{i}",
                fact=f"Fact {extra}-{i % 2}",
            )  # fmt: skip
            set_affiliation(source=claim.source, affiliation=parent)
            for position, agency in enumerate(agencies[: extra * 2 + i]):
                ClaimRelay.objects.create(claim=claim, position=position, source=agency)
        Claim.objects.update(status="accepted")
    assert pages[0] == pages[1] == pages[2], pages
    assert jsons[0] == jsons[1] == jsons[2], jsons


def test_the_demo_turnout_rests_on_several_outlets_and_one_independent_origin(client, db):
    from django.core.management import call_command

    call_command("import_articles", "corpus/seed", "--no-progress", verbosity=0)
    call_command("load_demo_annotations", verbosity=0)
    turnout = facts_json(client, make_user("rita"))["turnout-99-63"]
    assert turnout["outlets"] >= 3 and turnout["independent_origins"] == 1, turnout
    assert turnout["origins"] == ["North Korean state"] and "single_origin" in turnout["flags"]
    kcna = Claim.objects.filter(fact__slug="turnout-99-63", source__name="KCNA").get()
    assert [relay.source.name for relay in kcna.relays.all()] == ["Yonhap"]
