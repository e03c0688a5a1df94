"""The provenance graph: layout, the fact and story pages, masking, conflicts side by side, query counts."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.models import Claim, Fact
from annotate.relays import ClaimRelay
from annotate.services import register_source, set_conflict
from dashboard.graph import COLUMN, NODE_HEIGHT, NODE_WIDTH, Node, layout

from .factories import kind, make_article, make_claim, make_user
from .test_origins import TEXT, build_world, span

SVG = re.compile(r'<svg class="provenance-graph".*?</svg>(?=\s*</div>)', re.S)  # the drawing, its boxes' svgs within


@pytest.fixture
def world(db):
    return build_world()


def test_layout_places_nodes_in_their_columns_and_draws_each_link_once():
    nodes = [Node("a1", 0, "Outlet"), Node("r4", 1, "Yonhap"), Node("r5", 1, "KCNA"), Node("s2", 2, "CEGC")]
    edges, width, height = layout(nodes, {("a1", "r4"), ("r4", "r5"), ("r5", "s2"), ("s2", "gone")})
    assert [node.x for node in nodes] == [10, 10 + COLUMN, 10 + COLUMN, 10 + 2 * COLUMN]
    assert nodes[1].y < nodes[2].y and len(edges) == 3 and width > 3 * COLUMN and height > nodes[2].y


@pytest.mark.parametrize("article_row", range(4))
def test_a_claim_without_relays_is_drawn_past_the_relays_never_under_one(article_row):
    """An article's line straight to its source crosses the relays' column in a free lane: drawn under a relay's
    box, it would read as if the claim had passed through that relay."""
    articles = [Node(f"a{n}", 0, f"Outlet {n}") for n in range(4)]
    relays = [Node(f"r{n}", 1, f"Relay {n}") for n in range(3)]
    sources = [Node(f"s{n}", 2, f"Source {n}") for n in range(4)]
    direct = (f"a{article_row}", f"s{3 - article_row}")
    edges, _, _ = layout([*articles, *relays, *sources], {("a0", "r0"), ("r0", "s0"), direct})
    (path,) = [e.path for e in edges if e.path.startswith(f"M{NODE_WIDTH + 10},") and not e.relay]
    straight = re.search(r"L(\d+),(\d+)", path)
    assert straight, path  # it runs straight across the column ...
    right, lane = int(straight.group(1)), int(straight.group(2))
    assert right == relays[0].x + NODE_WIDTH
    assert all(not relay.y <= lane <= relay.y + NODE_HEIGHT for relay in relays), (lane, path)  # ... between boxes


def svg_of(page: str) -> ET.Element:
    return ET.fromstring(SVG.search(page).group(0))  # noqa: S314 (our own page)


def test_a_reviewer_sees_the_relay_path_the_origin_and_pseudonyms(client, world):
    client.force_login(make_user("rita"))
    page = client.get(reverse("dashboard:fact_graph", args=["turnout-was-9963"])).content.decode()
    svg = svg_of(page)
    labels = [text.text for text in svg.iter("text")]
    assert {"Yonhap", "KCNA", "Rodong Sinmun", "North Korean state"} <= set(labels)
    assert "<strong>1</strong> independent origin: North Korean state" in page
    assert "Single origin" in page and "Yonhap ← " not in page
    informants = client.get(reverse("dashboard:fact_graph", args=["nobody-believed-it"])).content.decode()
    assert "Hyesan" not in informants and "Hoeryong" not in informants
    assert "Protected source 1" in informants and "Protected source 2" in informants
    client.force_login(world["editor"])
    assert (
        "Hyesan resident" in client.get(reverse("dashboard:fact_graph", args=["nobody-believed-it"])).content.decode()
    )


def test_a_box_of_a_kind_has_the_kinds_letter_and_name_beside_its_colour(client, world):
    client.force_login(make_user("rita"))
    svg = svg_of(client.get(reverse("dashboard:fact_graph", args=["turnout-was-9963"])).content.decode())
    boxes = {"".join(a.find("title").itertext()): a for a in svg.iter("a")}
    kcna = next(box for title, box in boxes.items() if title.startswith("KCNA"))
    assert "(State media)" in kcna.find("title").text
    assert [t.text for t in kcna.iter("text") if t.get("class") == "kind-letter"] == ["S"]
    article = next(box for title, box in boxes.items() if "(" not in title and "KCNA" not in title)
    assert not [t for t in article.iter("text") if t.get("class") == "kind-letter"]  # an article has no kind


def test_every_node_links_to_its_row_of_claims(client, world):
    client.force_login(make_user("rita"))
    page = client.get(reverse("dashboard:fact_graph", args=["turnout-was-9963"])).content.decode()
    targets = re.findall(r'<a class="node[^"]*" href="#([^"]+)"', page)
    assert targets and all(f'id="{target}"' in page for target in targets)
    assert page.count('class="node origin') == 1


def test_conflicting_facts_are_drawn_side_by_side_with_their_origins(client, world):
    other = make_claim(
        make_article(TEXT + " Other.", title="Other", outlet="Daily NK"),
        *span("A resident said"),
        kind_slug="in_country_informant",
        source_name="Kim Analyst",
        fact="Turnout was lower",
    )
    Claim.objects.filter(pk=other.pk).update(status="accepted")
    set_conflict(fact=Fact.objects.get(slug="turnout-was-9963"), other=other.fact)
    client.force_login(make_user("rita"))
    page = client.get(reverse("dashboard:fact_graph", args=["turnout-was-9963"])).content.decode()
    # What each side rests on, side by side above the two drawings (each at its full size, one under the other).
    compare = page[page.index('class="graph-compare"') : page.index('class="graph-sides"')]
    sides = compare.split('class="graph-compare-side"')[1:]
    assert len(sides) == 2 and "This fact" in sides[0] and "Conflicts with" in sides[1]
    assert "Turnout was 99.63%" in sides[0] and "North Korean state" in sides[0]
    assert "Turnout was lower" in sides[1] and "Kim Analyst" in sides[1]
    assert all('class="graph-origins"' in side and "independent origin" in side for side in sides)
    assert len(SVG.findall(page)) == 2 and "Conflicts with: " in page


def test_the_story_graph_follows_the_dashboards_filters(client, world):
    client.force_login(make_user("rita"))
    page = client.get(reverse("dashboard:story_graph"), {"kind": "state_media"}).content.decode()
    assert "Turnout was 99.63%" in page and "North Korean state" in page
    outlet = client.get(reverse("dashboard:story_graph"), {"outlet": "999999"}).content.decode()
    assert "No fact matches these filters" in outlet


def test_a_graph_page_links_its_downloads_of_the_same_facts(client, world):
    client.force_login(make_user("rita"))  # a reviewer may export, and gets pseudonyms in every download
    page = client.get(reverse("dashboard:fact_graph", args=["nobody-believed-it"])).content.decode()
    links = re.search(r'<p class="downloads" id="graph-downloads">(.*?)</p>', page, re.S).group(1)
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', links)]
    assert len(hrefs) == 5 and all("fact=nobody-believed-it" in href for href in hrefs), hrefs
    for href in hrefs:
        download = client.get(href)
        assert download.status_code == 200, href
        body = download.content.decode()
        assert "Hyesan" not in body and "Hoeryong" not in body, href
        assert "Protected source 1" in body or "graph-edges" in href, href  # the edges name nodes by id
        assert "Turnout was 99.63%" not in body, href  # this fact's graph, not the whole story's
    story = client.get(reverse("dashboard:story_graph"), {"kind": "state_media"}).content.decode()
    assert "kind=state_media" in re.search(r'id="graph-downloads">(.*?)</p>', story, re.S).group(1)


def test_the_graphs_query_count_does_not_grow_with_claims_or_chains(client, world):
    client.force_login(make_user("rita"))
    agencies = [register_source(name=f"Agency {n}", kind=kind("news_agency")) for n in range(8)]
    counts = []
    for extra in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard:fact_graph", args=["turnout-was-9963"])).status_code == 200
        counts.append(len(queries))
        article = make_article(TEXT + f" {extra}.", title=f"Wire {extra}", outlet=f"Wire {extra}")
        for i in range(3):
            claim = make_claim(
                article, 0, 10 + i, kind_slug="state_media", source_name=f"Desk {extra}{i}", fact="Turnout was 99.63%"
            )
            for position, agency in enumerate(agencies[: extra * 3 + i]):
                ClaimRelay.objects.create(claim=claim, position=position, source=agency)
        Claim.objects.update(status="accepted")
    assert counts[0] == counts[1] == counts[2], counts
