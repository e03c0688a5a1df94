"""The provenance graph pages: one fact (with the facts it conflicts with, side by side), and a story."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from annotate.filters import Filters
from annotate.masking import mask_for
from annotate.models import Claim, Fact
from annotate.presenters import by_statement, fact_ref
from config.garbage import paused_collection

from . import board as dashboard
from .graph import build_graph, with_kind_cues
from .origins import Origins


def _fact_side(fact: Fact, user, filters: Filters) -> dict:
    """One fact's graph and origins, as `user` may see them."""
    board = dashboard.build(filters, user, fact=fact, article_rows=0)
    found = board.facts[0].origins if board.facts else Origins()
    claims = filters.apply(Claim.objects.visible_to(user), kinds=False).filter(fact=fact)
    return {
        "fact": fact_ref(fact, mask_for(user)),
        "origins": found,
        "graph": build_graph(claims, user, found.roots),
        "prefix": f"g{fact.pk}",
    }


@require_GET
@paused_collection()
def fact_graph(request, slug):
    """A fact's provenance graph: articles → relays → sources → affiliations, and a table of the same."""
    fact = get_object_or_404(Fact.objects.visible_to(request.user), slug=slug)
    filters = Filters(status="with_pending")  # as the fact page counts
    conflicts = by_statement(list(fact.conflicts.visible_to(request.user)), mask=mask_for(request.user))
    sides = [_fact_side(f, request.user, filters) for f in [fact, *conflicts]]
    with_kind_cues([side["graph"] for side in sides])
    context = {
        "title": fact_ref(fact, mask_for(request.user)).statement,
        "sides": sides,
        "conflicting": bool(conflicts),
        "back": fact.get_absolute_url(),
        "export_query": Filters(status="with_pending", fact=fact.slug).querydict.urlencode(),
    }
    return render(request, "dashboard/graph.html", context)


@require_GET
@paused_collection()
def story_graph(request):
    """The graph of every fact the dashboard's filters select: a story's articles, relays and origins at once."""
    filters = Filters.from_query(request.GET, user=request.user)
    board = dashboard.build(filters, request.user, article_rows=0)
    roots = frozenset(pk for row in board.facts for pk in row.origins.roots)
    claims = filters.apply(Claim.objects.visible_to(request.user), kinds=False).filter(
        fact_id__in=[row.fact.pk for row in board.facts]
    )
    side = {"fact": None, "graph": build_graph(claims, request.user, roots), "prefix": "story"}
    with_kind_cues([side["graph"]])
    context = {"title": "Story", "sides": [side], "rows": board.facts, "filters": filters, "story": True}
    context["export_query"] = filters.querydict.urlencode()
    return render(request, "dashboard/graph.html", context)
