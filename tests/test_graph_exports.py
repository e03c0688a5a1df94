"""The graph and provenance exports: GraphML and Gephi tables parse, PROV-O and ClaimReview expand as
JSON-LD, and none carries a protected name for a reader without the permission."""

import csv
import io
import json

import networkx
import pytest
from django.urls import reverse
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF

from annotate.fact_services import record_verdict
from annotate.models import Fact

from .factories import make_user
from .test_origins import build_world

PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SECRETS = ("Hyesan resident", "Hoeryong resident")


@pytest.fixture
def world(db):
    return build_world()


def download(client, user, name, **query) -> str:
    client.force_login(user)
    response = client.get(reverse(f"dashboard:{name}"), query)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content if response.streaming else [response.content]).decode()


def test_graphml_parses_and_holds_the_relay_path(client, world):
    text = download(client, make_user("rita"), "export_graphml", fact="turnout-was-9963")
    graph = networkx.parse_graphml(text)
    labels = {data["label"]: node for node, data in graph.nodes(data=True)}
    assert {"Yonhap", "KCNA", "North Korean state"} <= set(labels)
    assert graph.has_edge(labels["Yonhap"], labels["KCNA"]) and graph.has_edge(
        labels["KCNA"], labels["North Korean state"]
    )
    assert [data["label"] for _, data in graph.nodes(data=True) if data["origin"]] == ["North Korean state"]


def test_gephi_tables_name_the_same_nodes_and_edges(client, world):
    user = make_user("rita")
    nodes = list(csv.DictReader(io.StringIO(download(client, user, "export_gephi_nodes"))))
    edges = list(csv.DictReader(io.StringIO(download(client, user, "export_gephi_edges"))))
    ids = {row["Id"] for row in nodes}
    assert edges and all(row["Source"] in ids and row["Target"] in ids and row["Type"] == "Directed" for row in edges)
    assert {"Protected source 1", "Protected source 2"} <= {row["Label"] for row in nodes}


def test_prov_o_expands_and_says_what_each_claim_was_quoted_and_derived_from(client, world):
    text = download(client, make_user("rita"), "export_prov", fact="turnout-was-9963")
    graph = Graph().parse(data=text, format="json-ld")
    quoted = set(graph.objects(None, PROV.wasQuotedFrom))
    primary = set(graph.objects(None, PROV.hadPrimarySource))
    assert len(quoted) == 2 and len(primary) == 1
    (state,) = primary
    assert (state, RDF.type, PROV.Agent) in graph
    assert all((source, PROV.actedOnBehalfOf, state) in graph for source in quoted)
    assert len(set(graph.subjects(PROV.wasDerivedFrom, None))) == 4


def test_claimreview_expands_with_first_appearance_and_a_rating_only_with_a_verdict(client, world):
    user = make_user("rita")
    graph = Graph().parse(data=download(client, user, "export_claimreview"), format="json-ld")
    reviews = set(graph.subjects(RDF.type, SCHEMA.ClaimReview))
    assert len(reviews) == 2 and not set(graph.objects(None, SCHEMA.reviewRating))
    record_verdict(
        fact=Fact.objects.get(slug="turnout-was-9963"),
        verdict="Unproven",
        explanation="One release.",
        actor=world["editor"],
    )
    document = json.loads(download(client, user, "export_claimreview", fact="turnout-was-9963"))
    (review,) = document["@graph"]
    claim = review["itemReviewed"]
    assert review["claimReviewed"] == "Turnout was 99.63%" and review["reviewRating"]["alternateName"] == "Unproven"
    assert claim["author"] == [{"@type": "Organization", "name": "North Korean state"}]
    assert len(claim["appearance"]) == 4 and claim["firstAppearance"] == claim["appearance"][0]
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    assert (None, SCHEMA.alternateName, Literal("Unproven")) in graph
    assert next(graph.objects(None, SCHEMA.firstAppearance), None) is not None


def test_claimreview_lists_each_facts_articles_earliest_first_and_undated_last(client, db):
    from datetime import date

    from .factories import make_article, make_claim

    text = "The voter turnout was 99.63%. Nobody voted against."
    later = make_article(text, title="Later", published=date(2023, 11, 28), outlet="Rodong Sinmun")
    undated = make_article(text + " ", title="Undated", outlet=None)
    earlier = make_article(text + "  ", title="Earlier", published=date(2023, 11, 27))
    for article in (later, undated, earlier):
        make_claim(article, 4, 29, fact="Turnout was 99.63%")
    make_claim(later, 30, 51, fact="Nobody voted against")
    document = json.loads(download(client, make_user("rita"), "export_claimreview", status="with_pending"))
    claims = {review["claimReviewed"]: review["itemReviewed"] for review in document["@graph"]}
    turnout = claims["Turnout was 99.63%"]
    assert [work["headline"] for work in turnout["appearance"]] == ["Earlier", "Later", "Undated"]
    assert turnout["firstAppearance"]["datePublished"] == "2023-11-27"
    assert "datePublished" not in turnout["appearance"][2] and "publisher" not in turnout["appearance"][2]
    (shared,) = claims["Nobody voted against"]["appearance"]
    assert shared == turnout["appearance"][1]
    assert shared["publisher"] == {"@type": "Organization", "name": "Rodong Sinmun"}
    assert shared["url"].endswith(later.get_absolute_url())


@pytest.mark.parametrize("name", ["export_graphml", "export_gephi_nodes", "export_prov", "export_claimreview"])
def test_no_export_carries_a_protected_name_for_a_reviewer_and_an_editor_gets_them(client, world, name):
    text = download(client, make_user("rita"), name)
    assert not any(secret in text for secret in SECRETS)
    assert "Protected source" in text or "protected-source" in text
    assert all(secret in download(client, world["editor"], name) for secret in SECRETS)


def test_a_bad_filter_is_refused_with_a_400(client, world):
    client.force_login(make_user("rita"))
    response = client.get(reverse("dashboard:export_prov"), {"from": "yesterday"})
    assert response.status_code == 400
