"""Downloads of what facts rest on: the graph (GraphML, Gephi CSV), PROV-O and ClaimReview JSON-LD.

They take the dashboard's filters (and `fact=` for one fact), refuse a filter they cannot use with a 400
as every download does, and need the permission to export claims.
"""

import csv
import io
import json

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from annotate.filters import Filters

from . import exports


def _story(request):
    filters = Filters.from_query(request.GET, user=request.user)
    if filters.errors:
        refusal = "\n".join(filters.problems()) + "\n"
        return None, HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")
    return exports.story(filters, request.user), None


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _jsonld(document: dict) -> str:
    # Escape the line separators some JSON readers split on, as the other JSON exports do.
    text = json.dumps(document, ensure_ascii=False, indent=1)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def graph_graphml(request):
    """The provenance graph as GraphML (yEd, Gephi, networkx)."""
    selected, refused = _story(request)
    if refused:
        return refused
    return _download(exports.graphml(selected.graph), "application/graphml+xml", "provenance-graph.graphml")


@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def graph_nodes_csv(request):
    """The graph's nodes as Gephi's node table."""
    selected, refused = _story(request)
    if refused:
        return refused
    return _download(_csv(exports.gephi_nodes(selected.graph)), "text/csv; charset=utf-8", "provenance-nodes.csv")


@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def graph_edges_csv(request):
    """The graph's edges as Gephi's edge table."""
    selected, refused = _story(request)
    if refused:
        return refused
    return _download(_csv(exports.gephi_edges(selected.graph)), "text/csv; charset=utf-8", "provenance-edges.csv")


@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def prov_jsonld(request):
    """The claims' provenance as W3C PROV-O in JSON-LD."""
    selected, refused = _story(request)
    if refused:
        return refused
    document = exports.prov_document(selected, request.user, request.build_absolute_uri("/").rstrip("/"))
    return _download(_jsonld(document), "application/ld+json", "provenance-prov.jsonld")


@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def claimreview_jsonld(request):
    """Each fact as a schema.org ClaimReview in JSON-LD."""
    selected, refused = _story(request)
    if refused:
        return refused
    document = exports.claim_reviews(selected, request.user, request.build_absolute_uri("/").rstrip("/"))
    return _download(_jsonld(document), "application/ld+json", "provenance-claimreview.jsonld")
