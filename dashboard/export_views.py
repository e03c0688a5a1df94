"""Downloads of what facts rest on: the graph (GraphML, Gephi CSV), PROV-O and ClaimReview JSON-LD.

They take the dashboard's filters (and `fact=` for one fact), refuse a filter they cannot use with a 400
as every download does, and need the permission to export claims.
"""

import csv
import io

import orjson
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from annotate.filters import Filters
from config.downloads import token_or_session
from config.garbage import paused_collection

from . import exports


def _story(request):
    filters = Filters.from_query(request.GET, user=request.user)
    if filters.errors:
        refusal = "\n".join(filters.problems()) + "\n"
        return None, HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")
    return exports.story(filters, request.user), None


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _jsonld(document: dict) -> bytes:
    # orjson, indented: Python's encoder, which runs in Python whenever it indents, took 5 s for the
    # ClaimReview of a million claims (75 MB), orjson 0.3 s. Escape the line separators some JSON readers
    # split on, as the other JSON exports do (looked for first: each replace copies the whole text).
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2, default=str)
    for raw, escaped in ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029")):
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def _download(what: str, filename: str, content_type: str, body):
    """A download view: the story the filters select, as `body(story, user, site)` writes it."""

    @token_or_session
    @require_GET
    @permission_required("annotate.export_claims", raise_exception=True)
    @paused_collection()
    def view(request):
        selected, refused = _story(request)
        if refused:
            return refused
        site = request.build_absolute_uri("/").rstrip("/")
        response = HttpResponse(body(selected, request.user, site), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    view.__doc__ = what
    return view


CSV, JSONLD = "text/csv; charset=utf-8", "application/ld+json"
graph_graphml = _download(
    "The provenance graph as GraphML (yEd, Gephi, networkx).",
    "provenance-graph.graphml",
    "application/graphml+xml",
    lambda story, user, site: exports.graphml(story.graph),
)
graph_nodes_csv = _download(
    "The graph's nodes as Gephi's node table.",
    "provenance-nodes.csv",
    CSV,
    lambda story, user, site: _csv(exports.gephi_nodes(story.graph)),
)
graph_edges_csv = _download(
    "The graph's edges as Gephi's edge table.",
    "provenance-edges.csv",
    CSV,
    lambda story, user, site: _csv(exports.gephi_edges(story.graph)),
)
prov_jsonld = _download(
    "The claims' provenance as W3C PROV-O in JSON-LD.",
    "provenance-prov.jsonld",
    JSONLD,
    lambda story, user, site: _jsonld(exports.prov_document(story, user, site)),
)
claimreview_jsonld = _download(
    "Each fact as a schema.org ClaimReview in JSON-LD.",
    "provenance-claimreview.jsonld",
    JSONLD,
    lambda story, user, site: _jsonld(exports.claim_reviews(story, user, site)),
)
