"""The dashboard page, and its data as JSON and as a CSV matrix."""

import csv

import orjson
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotate.filters import Filters, filter_options
from config.downloads import token_or_session
from config.garbage import paused_collection
from interchange.csvfield import csv_safe

from . import board as dashboard

FACTS_PER_PAGE = 100

ARTICLE_ROWS = 40  # of the kind mix per article; the JSON has every article


@require_GET
@paused_collection()
def dashboard_view(request):
    """Which facts rest on which kinds of source; flags, charts and filters kept in the URL."""
    filters = Filters.from_query(request.GET, user=request.user)
    # The matrix shows a page of facts (most articles first); the JSON and CSV carry them all.
    page = (request.GET.get("page"), FACTS_PER_PAGE)
    board = dashboard.build(filters, request.user, article_rows=ARTICLE_ROWS, page=page)
    template = "dashboard/dashboard.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    context = {"board": board, "facts": board.page, "options": filter_options(filters.article)}
    return render(request, template, context)


@token_or_session
@require_GET
@paused_collection()
def dashboard_json(request):
    """The dashboard's data, with the same filters, as JSON."""
    board = dashboard.build(Filters.from_query(request.GET, user=request.user), request.user)
    # Encoded by orjson, not indented: at a million claims (12 MB) Python's own encoder took 120-130 ms of
    # the response, orjson 11-25 ms, for the same data (bench/RESULTS.md); any JSON reader or `jq` lays it
    # out. `default=str` turns a lazily translated message into its text.
    body = orjson.dumps(dashboard.as_json(board) | {"errors": board.filters.messages}, default=str)
    return HttpResponse(body, content_type="application/json")


@token_or_session
@require_GET
@paused_collection()
def dashboard_csv(request):
    """The facts-by-kind matrix, with the same filters, as a CSV download."""
    board = dashboard.build(Filters.from_query(request.GET, user=request.user), request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="provenance-matrix.csv"'
    writer = csv.writer(response)
    writer.writerows([csv_safe(cell) for cell in row] for row in dashboard.matrix_rows(board))
    return response
