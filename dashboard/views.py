"""The dashboard page, and its data as JSON and as a CSV matrix."""

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotate.filters import Filters, filter_options
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


@require_GET
@paused_collection()
def dashboard_json(request):
    """The dashboard's data, with the same filters, as JSON."""
    board = dashboard.build(Filters.from_query(request.GET, user=request.user), request.user)
    # Not indented: Python's JSON encoder runs in C only without an indent, which at a million claims is
    # most of the response's time; any JSON reader or `jq` lays it out.
    return JsonResponse(dashboard.as_json(board) | {"errors": board.filters.messages})


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
