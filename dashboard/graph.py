"""The provenance graph: articles → relays → sources → affiliations, laid out for a server-rendered SVG.

Four columns, left to right: the articles (by outlet) that report a fact, the relays its claims passed
through, the sources the articles attribute them to, and the roots of those sources' affiliation trees.
A node that is an independent origin (`dashboard/origins.py`) is marked, so "five reports, one
release" is visible at a glance. Every name goes through the reader's mask: a protected source is its
pseudonym, and a name a reviewer proposed is left out (it is nobody's yet). `paths` is the table
equivalent: one row per claim, the same path in words.

`layout` is pure (nodes and edges in, coordinates out); `build_graph` reads what it needs in a fixed
number of queries whatever the number of claims and the chains' lengths.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from annotate import kind_styles
from annotate.masking import mask_for
from annotate.models import Source
from annotate.names import pseudonym_number
from annotate.relays import ClaimRelay

from .origins import root

COLUMNS = ("Articles", "Relays", "Sources", "Affiliations")
NODE_WIDTH, NODE_HEIGHT, ROW, COLUMN, TOP = 240, 34, 54, 280, 44  # rows 20px apart: lines pass between boxes
LABEL = 31  # characters of a box's label: most fit its width at 13px, and the box clips any that would not
MAX_CLAIMS = 2_000  # a story's graph beyond this is unreadable: the page says so and draws the first ones


@dataclass
class Node:
    id: str  # "a12" (article), "s5", "r5", "o5" (source, relay, affiliation), "sp3" (protected source 3)
    column: int
    label: str
    kind_pk: int | None = None
    origin: bool = False
    claims: list[int] = field(default_factory=list)  # the claims through this node, for its row in the table
    x: int = 0
    y: int = 0
    kind_letter: str = ""  # the cue beside the kind's colour (`with_kind_cues`), as on the reading view
    kind_label: str = ""

    @property
    def short(self) -> str:
        room = LABEL - 4 if self.kind_letter else LABEL  # the kind's letter takes the room of four characters
        return self.label if len(self.label) <= room else self.label[: room - 1] + "…"

    @property
    def cx(self) -> int:
        return self.x + NODE_WIDTH

    @property
    def cy(self) -> int:
        return self.y + NODE_HEIGHT // 2


@dataclass(frozen=True)
class Edge:
    path: str  # an SVG path's d attribute
    relay: bool  # drawn dashed: it carries a claim onward, it does not originate it


@dataclass(frozen=True)
class PathRow:
    """One claim's path in words: the table equivalent of the drawing."""

    claim: int
    href: str
    article: str
    via: list[str]
    source: str
    origin: str


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    paths: list[PathRow]
    width: int
    height: int
    truncated: bool = False
    links: list[tuple[str, str]] = field(default_factory=list)  # (from node id, to node id), for the exports

    node_width, node_height = NODE_WIDTH, NODE_HEIGHT

    @property
    def columns(self) -> list[tuple[int, str]]:
        return [(10 + n * COLUMN + NODE_WIDTH // 2, title) for n, title in enumerate(COLUMNS)]


def _lane(boxes: int, y: float) -> int:
    """The free lane nearest to height `y` across a column of `boxes` boxes: above the first, between two,
    or below the last. A line that passes the column there crosses none of its boxes."""
    gaps = [TOP + k * ROW + NODE_HEIGHT + (ROW - NODE_HEIGHT) // 2 for k in range(-1, boxes)]
    return min(gaps, key=lambda gap: abs(gap - y))


def _curve(a: Node, b: Node, rows: dict[int, int]) -> str:
    if a.column == b.column:  # relay to relay: an arc beside the column
        bend = a.cx + 36
        return f"M{a.cx},{a.cy} C{bend},{a.cy} {bend},{b.cy} {b.cx},{b.cy}"
    if b.column == a.column + 1 or not rows[a.column + 1]:
        middle = (a.cx + b.x) // 2
        return f"M{a.cx},{a.cy} C{middle},{a.cy} {middle},{b.cy} {b.x},{b.cy}"
    # A claim with no relay goes from its article straight to its source: through a lane of the relays'
    # column, never under a relay's box, which would read as if it had passed through that relay.
    left = 10 + (a.column + 1) * COLUMN
    right, lane = left + NODE_WIDTH, _lane(rows[a.column + 1], (a.cy + b.cy) / 2)
    into, out = (a.cx + left) // 2, (right + b.x) // 2
    return (
        f"M{a.cx},{a.cy} C{into},{a.cy} {into},{lane} {left},{lane} "
        f"L{right},{lane} C{out},{lane} {out},{b.cy} {b.x},{b.cy}"
    )


def layout(nodes: list[Node], links: set[tuple[str, str]]) -> tuple[list[Edge], int, int]:
    """Place `nodes` in their columns, in order, and draw `links` (node id pairs); returns the edges and size."""
    rows = defaultdict(int)
    for node in nodes:
        node.x, node.y = 10 + node.column * COLUMN, TOP + rows[node.column] * ROW
        rows[node.column] += 1
    by_id = {node.id: node for node in nodes}
    edges = [
        Edge(_curve(by_id[a], by_id[b], rows), relay=by_id[a].column == 1 or by_id[b].column == 1)
        for a, b in sorted(links)
        if a in by_id and b in by_id
    ]
    height = TOP + max(rows.values(), default=1) * ROW + 10
    return edges, 10 + len(COLUMNS) * COLUMN - (COLUMN - NODE_WIDTH) + 40, height


def with_kind_cues(graphs: list[Graph]) -> None:
    """Name each box's kind and give it the kind's letter, so that a box's colour is never its only cue."""
    kinds = kind_styles.current()
    letters, labels = kind_styles.glyphs(kinds), {pk: label for pk, _colour, label in kinds}
    for node in (node for graph in graphs for node in graph.nodes if node.kind_pk in labels):
        node.kind_letter, node.kind_label = letters[node.kind_pk], labels[node.kind_pk]


def build_graph(claims: QuerySet, user, roots: frozenset[int] = frozenset()) -> Graph:
    """The graph of `claims` (already filtered to what `user` may see) as `user` may see it; `roots` are the
    independent origins to mark."""
    rows = list(
        claims.order_by("article__published", "article__title", "pk").values_list(
            "pk", "article_id", "article__slug", "article__title", "article__outlet__name", "kind_id", "source_id"
        )[: MAX_CLAIMS + 1]
    )
    truncated = len(rows) > MAX_CLAIMS
    rows = rows[:MAX_CLAIMS]
    chains = defaultdict(list)
    for claim_id, source_id in (
        ClaimRelay.objects.filter(claim_id__in=[r[0] for r in rows], source__isnull=False)
        .order_by("claim_id", "position")
        .values_list("claim_id", "source_id")
    ):
        chains[claim_id].append(source_id)
    parents = dict(Source.objects.exclude(affiliation=None).values_list("pk", "affiliation_id"))
    wanted = {r[6] for r in rows if r[6]} | {pk for chain in chains.values() for pk in chain}
    wanted |= {root(pk, parents) for pk in wanted}
    mask = mask_for(user)
    sources = {}
    for pk, name, sensitive, kind_id in Source.objects.filter(pk__in=wanted).values_list(
        "pk", "name", "sensitive", "kind_id"
    ):
        label = mask.source(pk, name, sensitive)
        # A box's id is in the page's anchors and the downloads: a protected source is known there by its
        # pseudonym's number, never its id, which would place it among the public ones in registry order.
        number = pseudonym_number(label) if sensitive and not mask.reveal else None
        sources[pk] = (label, kind_id, f"p{number}" if number else str(pk))
    return _assemble(rows, chains, parents, sources, roots, truncated)


def _assemble(rows, chains, parents, sources, roots, truncated) -> Graph:
    nodes: dict[str, Node] = {}
    links: set[tuple[str, str]] = set()
    paths = []

    def node(key: str, column: int, label: str, kind_pk=None) -> Node:
        if key not in nodes:
            nodes[key] = Node(key, column, label, kind_pk)
        return nodes[key]

    for claim_id, article_id, slug, title, outlet, kind_id, source_id in rows:
        href = reverse("annotate:article_detail", args=[slug]) + f"#claim-{claim_id}"
        article = node(f"a{article_id}", 0, f"{outlet}: {title}" if outlet else title)
        article.claims.append(claim_id)
        trail = [article.id]
        for pk in chains.get(claim_id, []):
            relay = node(f"r{sources[pk][2]}", 1, sources[pk][0], sources[pk][1])
            relay.claims.append(claim_id)
            trail.append(relay.id)
        origin = ""
        if source_id:
            source = node(f"s{sources[source_id][2]}", 2, sources[source_id][0], kind_id)
            source.claims.append(claim_id)
            trail.append(source.id)
            top = root(source_id, parents)
            origin = sources[top][0]
            if top != source_id:
                affiliation = node(f"o{sources[top][2]}", 3, origin, sources[top][1])
                affiliation.claims.append(claim_id)
                trail.append(affiliation.id)
        links |= set(zip(trail, trail[1:], strict=False))
        via = [sources[pk][0] for pk in chains.get(claim_id, [])]
        shown_source = sources[source_id][0] if source_id else ""
        paths.append(PathRow(claim_id, href, article.label, via, shown_source, origin))
    for pk in roots & sources.keys():  # an origin is marked where its tree ends: its affiliation, else the
        token = sources[pk][2]  # source, else the relay
        if marked := next((nodes[key] for key in (f"o{token}", f"s{token}", f"r{token}") if key in nodes), None):
            marked.origin = True
    ordered = sorted(nodes.values(), key=lambda n: (n.column, n.label.lower()))
    edges, width, height = layout(ordered, links)
    return Graph(ordered, edges, paths, width, height, truncated, sorted(links))
