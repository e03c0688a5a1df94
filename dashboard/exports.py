"""What facts rest on, in standard shapes: the graph as GraphML and Gephi CSV, the provenance as W3C PROV-O
JSON-LD, each fact as a schema.org ClaimReview.

Everything is built from what the dashboard and the graph page show the same user (`board.build`,
`graph.build_graph`), so every name has been through the mask already: a protected source is its
pseudonym, in labels and identifiers alike (`_:protected-source-3`, never its id). They live beside the
dashboard rather than in `interchange`, which the dashboard imports (its CSV cell rule): the graph and
the origins they export are the dashboard's.

The JSON-LD carries its context inline, so a reader expands it without fetching anything.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.urls import reverse

from annotate.masking import mask_for
from annotate.models import Claim, Fact, Source
from annotate.names import pseudonym_number
from annotate.relays import ClaimRelay
from corpus.models import Article
from interchange.csvfield import csv_safe
from interchange.w3c import NS

from . import board as dashboard
from .graph import COLUMNS, Graph, build_graph
from .mixes import listed
from .origins import root

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
PROV_CONTEXT = {
    "prov": "http://www.w3.org/ns/prov#",
    "pv": NS,
    "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "label": "rdfs:label",
    "title": "dct:title",
    "value": "prov:value",
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "wasQuotedFrom": {"@id": "prov:wasQuotedFrom", "@type": "@id"},
    "hadPrimarySource": {"@id": "prov:hadPrimarySource", "@type": "@id"},
    "actedOnBehalfOf": {"@id": "prov:actedOnBehalfOf", "@type": "@id"},
    "via": {"@id": "pv:via", "@type": "@id", "@container": "@list"},
    "fact": {"@id": "pv:fact", "@type": "@id"},
    "kind": "pv:kind",
}
SCHEMA_CONTEXT = {"@vocab": "https://schema.org/"}


@dataclass
class Story:
    """The facts a query selects, as the dashboard shows them to one user, and (when asked) their graph."""

    board: dashboard.Dashboard
    claims: object  # the selected claims' QuerySet
    user: object

    @cached_property
    def graph(self) -> Graph:
        """Drawn only for the exports that carry it: at a million claims it is a second of the others' time."""
        roots = frozenset(pk for row in self.board.facts for pk in row.origins.roots)
        return build_graph(self.claims, self.user, roots)


def story(filters, user) -> Story:
    board = dashboard.build(filters, user, article_rows=0)
    claims = filters.apply(Claim.objects.visible_to(user), kinds=False).filter(
        fact_id__in=[row.fact.pk for row in board.facts]
    )
    return Story(board, claims, user)


# ---- the graph ----------------------------------------------------------------------------------------


def graphml(graph: Graph) -> bytes:
    """The graph as GraphML: nodes with their label, column, kind and origin mark; directed edges."""
    ET.register_namespace("", GRAPHML_NS)
    root_element = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    keys = [("label", "node", "string"), ("column", "node", "string"), ("kind", "node", "int"),
            ("origin", "node", "boolean"), ("claims", "node", "int"), ("relay", "edge", "boolean")]  # fmt: skip
    for name, scope, kind in keys:
        ET.SubElement(root_element, f"{{{GRAPHML_NS}}}key", id=name, attrib={"for": scope, "attr.name": name,
                      "attr.type": kind})  # fmt: skip
    element = ET.SubElement(root_element, f"{{{GRAPHML_NS}}}graph", id="provenance", edgedefault="directed")
    for node in graph.nodes:
        item = ET.SubElement(element, f"{{{GRAPHML_NS}}}node", id=node.id)
        values = {"label": node.label, "column": COLUMNS[node.column], "kind": node.kind_pk,
                  "origin": str(node.origin).lower(), "claims": len(node.claims)}  # fmt: skip
        for name, value in values.items():
            if value is not None:
                ET.SubElement(item, f"{{{GRAPHML_NS}}}data", key=name).text = str(value)
    columns = {node.id: node.column for node in graph.nodes}
    for n, (source, target) in enumerate(graph.links):
        edge = ET.SubElement(element, f"{{{GRAPHML_NS}}}edge", id=f"e{n}", source=source, target=target)
        relay = 1 in (columns[source], columns[target])
        ET.SubElement(edge, f"{{{GRAPHML_NS}}}data", key="relay").text = str(relay).lower()
    return ET.tostring(root_element, encoding="utf-8", xml_declaration=True)


def gephi_nodes(graph: Graph) -> list[list]:
    """Gephi's node table (Id, Label, then attributes), header first; cells safe for spreadsheets."""
    rows = [["Id", "Label", "Column", "Kind", "Origin", "Claims"]]
    rows += [[n.id, n.label, COLUMNS[n.column], n.kind_pk or "", n.origin, len(n.claims)] for n in graph.nodes]
    return [[csv_safe(cell) for cell in row] for row in rows]


def gephi_edges(graph: Graph) -> list[list]:
    """Gephi's edge table (Source, Target, Type), header first."""
    return [["Source", "Target", "Type"]] + [[a, b, "Directed"] for a, b in graph.links]


# ---- PROV-O -------------------------------------------------------------------------------------------


class _Ids:
    """IRIs for sources as one reader may see them: a protected source by its pseudonym only."""

    def __init__(self, base_url: str, user):
        self.base_url, self.mask = base_url, mask_for(user)

    def source(self, pk: int, name: str, sensitive: bool) -> str:
        label = self.mask.source(pk, name, sensitive)
        if sensitive and not self.mask.reveal:
            return f"_:protected-source-{pseudonym_number(label) or 0}"
        return self.base_url + reverse("api:source", args=[pk])


def prov_document(selected: Story, user, base_url: str) -> dict:
    """The claims' provenance in PROV-O: each claim an entity quoted from its source, derived through its
    relays, with its affiliation root as primary source; sources act on behalf of their affiliation."""
    ids, mask = _Ids(base_url, user), mask_for(user)
    claims = list(
        selected.claims.select_related("article", "source__affiliation", "fact", "kind").order_by("pk")[:5_000]
    )
    chains: dict[int, list] = {}
    for relay in ClaimRelay.objects.filter(claim__in=[c.pk for c in claims], source__isnull=False).select_related(
        "source"
    ):
        chains.setdefault(relay.claim_id, []).append(relay)
    parents = dict(Source.objects.exclude(affiliation=None).values_list("pk", "affiliation_id"))
    wanted = set()
    for claim in claims:
        for pk in [claim.source_id, *(r.source_id for r in chains.get(claim.pk, []))]:
            while pk is not None and pk not in wanted:  # the source and its affiliations up to the root
                wanted.add(pk)
                pk = parents.get(pk)
    every = Source.objects.in_bulk(wanted)
    nodes = []
    # In the order of what the reader sees: by stored name, a pseudonym would sit where its real name sorts.
    for source in sorted(every.values(), key=lambda source: (mask.of(source).lower(), mask.of(source))):
        node = {"@id": ids.source(source.pk, source.name, source.sensitive), "@type": ["prov:Agent", "prov:Entity"],
                "label": mask.of(source)}  # fmt: skip
        if source.affiliation_id in every:
            up = every[source.affiliation_id]
            node["actedOnBehalfOf"] = ids.source(up.pk, up.name, up.sensitive)
        nodes.append(node)
    articles = {}
    for claim in claims:
        article_id = base_url + claim.article.get_absolute_url()
        articles[article_id] = {"@id": article_id, "@type": "prov:Entity", "title": claim.article.title}
        node = {
            "@id": base_url + reverse("review:claim", args=[claim.pk]),
            "@type": "prov:Entity",
            "value": claim.exact,
            "kind": claim.kind.slug,
            "wasDerivedFrom": article_id,
        }
        if claim.fact_id:
            node["fact"] = base_url + claim.fact.get_absolute_url()
        relays = [ids.source(r.source.pk, r.source.name, r.source.sensitive) for r in chains.get(claim.pk, [])]
        if relays:
            node["via"] = relays
        if claim.source_id:
            node["wasQuotedFrom"] = ids.source(claim.source.pk, claim.source.name, claim.source.sensitive)
            top = every[root(claim.source_id, parents)]
            node["hadPrimarySource"] = ids.source(top.pk, top.name, top.sensitive)
        nodes.append(node)
    return {"@context": PROV_CONTEXT, "@graph": [*articles.values(), *nodes]}


# ---- ClaimReview --------------------------------------------------------------------------------------


def claim_reviews(selected: Story, user, base_url: str) -> dict:
    """Each selected fact as a schema.org ClaimReview: the claim, its origins as authors, the articles it
    appeared in (earliest first, undated ones last: the earliest is its first appearance), and the editors'
    verdict as the rating if any.

    Each article is described once and shared by every fact that appeared in it, from the distinct (fact,
    article) pairs of the claims: at a million claims, reading each pair with its article's columns (a sort
    of every claim's title) and describing it anew took 6.5 s and 0.8 GB for 240,000 pairs of 10,000 articles.
    """
    mask = mask_for(user)
    facts = Fact.objects.in_bulk([row.fact.pk for row in selected.board.facts])
    pairs = list(selected.claims.values_list("fact_id", "article_id").distinct().order_by())
    works, rank = _works({article_id for _, article_id in pairs}, base_url)
    appearances: dict[int, list[int]] = {}
    for fact_id, article_id in pairs:
        appearances.setdefault(fact_id, []).append(article_id)
    reviews = []
    for row in selected.board.facts:
        fact = facts[row.fact.pk]
        seen = [works[pk] for pk in sorted(appearances.get(row.fact.pk, ()), key=rank.__getitem__)]
        claim = {"@type": "Claim", "appearance": seen,
                 "author": [{"@type": "Organization", "name": label} for label in row.origins.labels]}  # fmt: skip
        if seen:
            claim["firstAppearance"] = seen[0]
        review = {"@type": "ClaimReview", "url": base_url + fact.get_absolute_url(),
                  "claimReviewed": row.fact.statement, "itemReviewed": claim}  # fmt: skip
        if fact.verdict:
            review["reviewRating"] = {"@type": "Rating", "alternateName": mask.text(fact.verdict)}
            if fact.verdict_explanation:
                review["reviewRating"]["ratingExplanation"] = mask.text(fact.verdict_explanation)
            review["datePublished"] = fact.verdict_at.date().isoformat() if fact.verdict_at else None
        reviews.append(review)
    return {"@context": SCHEMA_CONTEXT, "@graph": reviews}


def _works(article_ids: set[int], base_url: str) -> tuple[dict[int, dict], dict[int, int]]:
    """These articles as schema.org CreativeWorks, and each one's place by date (undated last) and title."""
    columns = ("pk", "slug", "title", "outlet__name", "published", "source_url")
    rows = [row for row in listed(Article.objects.all(), article_ids).values_list(*columns) if row[0] in article_ids]
    rows.sort(key=lambda row: (row[4] is None, row[4] or date.min, row[2], row[0]))
    works = {}
    for pk, slug, title, outlet, published, url in rows:
        work = {"@type": "CreativeWork", "headline": title,
                "url": url or base_url + reverse("annotate:article_detail", args=[slug])}  # fmt: skip
        if published:
            work["datePublished"] = published.isoformat()
        if outlet:
            work["publisher"] = {"@type": "Organization", "name": outlet}
        works[pk] = work
    return works, {row[0]: place for place, row in enumerate(rows)}
