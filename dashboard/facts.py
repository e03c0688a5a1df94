"""Fact pages: every claim of a fact across articles, what it rests on, and the facts it conflicts with."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotate.fact_services import record_verdict
from annotate.filters import Filters
from annotate.forms import ConflictForm, VerdictForm
from annotate.masking import mask_for
from annotate.models import Claim, Fact, may_change
from annotate.names import name_key
from annotate.presenters import by_statement, fact_ref, fact_refs, present_all
from annotate.responses import form_message, inline_error
from annotate.services import (
    set_conflict,
)
from config.garbage import paused_collection

from . import board as dashboard

CLAIMS_PER_PAGE = 100
FACTS_PER_PAGE = 100
CONFLICT_CHOICES = 50  # facts offered at once in the Conflicts with field; with more, it offers what is typed
CLAIM_ORDER = ("article__published", "article__title", "start", "pk")  # a fact's claims, and a conflicting one's


def _fact_filters() -> Filters:
    """The fact pages count pending claims as well as accepted ones (the dashboard, by default, accepted ones)."""
    return Filters(status="with_pending")


@require_GET
@paused_collection()
def fact_list(request):
    """Every fact with the number of claims and articles behind it and the kinds they rest on, most reported
    first, a hundred at a time (2,000 facts of a million claims took 2 s to draw at once); the facts no claim
    supports yet come after them, on the last page."""
    page = (request.GET.get("page"), FACTS_PER_PAGE)
    board = dashboard.build(_fact_filters(), request.user, article_rows=0, page=page)
    unsupported = []
    if not board.page.has_next():
        counted = board.page.paginator.object_list  # every fact counted, in order, not only this page's
        unsupported = fact_refs(Fact.objects.visible_to(request.user).exclude(pk__in=counted), request.user)
    context = {"board": board, "facts": board.page, "unsupported": unsupported}
    return render(request, "dashboard/fact_list.html", context)


@require_GET
@paused_collection()
def fact_detail(request, slug):
    """Every claim of one fact across articles, with its sentence, kind, source and status; conflicts."""
    fact = get_object_or_404(Fact.objects.visible_to(request.user), slug=slug)
    # A page of its claims at a time: a fact a whole desk reports (15,000 claims in 8,000 articles) made a
    # 13 MB page that took 11 s to draw.
    page = Paginator(
        Claim.objects.visible_to(request.user)
        .filter(fact=fact)
        .with_related()
        .select_related("article__outlet")
        .order_by(*CLAIM_ORDER),
        CLAIMS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    claims = present_all(page.object_list, request.user, in_context=True)
    conflicts = by_statement(list(fact.conflicts.visible_to(request.user)), mask=mask_for(request.user))
    conflict_claims, conflict_totals = _first_claims(conflicts, request.user)
    board = dashboard.build(_fact_filters(), request.user, fact=fact, article_rows=0)
    row = board.facts[0] if board.facts else None
    can_edit = request.user.has_perm("annotate.change_fact")
    can_judge = may_change(request.user, "annotate.change_fact")  # the verdict's form holds its text unmasked
    other_facts = Fact.objects.exclude(pk=fact.pk).exclude(pk__in=[f.pk for f in conflicts]).order_by("pk")
    # Offered all at once when they are few; otherwise as the editor types (2,000 facts were 200 KB a page).
    offered = list(other_facts[: CONFLICT_CHOICES + 1]) if can_edit else []
    mask = mask_for(request.user)
    context = {
        "fact": fact_ref(fact, mask),
        "fact_note": mask.text(fact.note),
        "verdict": mask.text(fact.verdict),
        "verdict_explanation": mask.text(fact.verdict_explanation, fact.verdict_by_id),
        "verdict_form": VerdictForm(initial={"verdict": fact.verdict, "explanation": fact.verdict_explanation})
        if can_judge
        else None,
        "claims": claims,
        "page": page,
        "row": row,
        "conflicts": [
            (fact_ref(other, mask), conflict_claims[other.pk], conflict_totals.get(other.pk, 0)) for other in conflicts
        ],
        "can_edit": can_edit,
        "other_facts": fact_refs(offered, request.user) if len(offered) <= CONFLICT_CHOICES else [],
        "can_conflict": bool(offered),
    }
    return render(request, "dashboard/fact_detail.html", context)


def _first_claims(facts: list[Fact], user) -> tuple[dict[int, list], dict[int, int]]:
    """The first CLAIMS_PER_PAGE claims of each of these facts that `user` may see (cards, by fact) and how
    many there are in all: two queries, however many facts and claims."""
    visible = Claim.objects.visible_to(user).filter(fact__in=facts)
    totals = dict(visible.order_by().values_list("fact_id").annotate(n=Count("pk")))
    ranked = visible.annotate(n=Window(RowNumber(), partition_by=F("fact_id"), order_by=list(CLAIM_ORDER)))
    first = ranked.filter(n__lte=CLAIMS_PER_PAGE).with_related().select_related("article__outlet")
    first = first.order_by(*CLAIM_ORDER)
    cards = defaultdict(list)
    for card in present_all(first, user):
        cards[card.fact.pk].append(card)
    return cards, totals


@require_POST
def fact_verdict(request, slug):
    """Editors record (or clear) a verdict on a fact."""
    # Refused before the fact is looked up: answering 404 for a fact that is not there would tell those who
    # may not edit which ones are, hidden ones included.
    if not may_change(request.user, "annotate.change_fact"):
        return inline_error(request, "Only editors can record a verdict.", status=403, target="#verdict-errors")
    fact = get_object_or_404(Fact.objects.visible_to(request.user), slug=slug)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return inline_error(request, form_message(form), status=400, target="#verdict-errors")
    try:
        record_verdict(
            fact=fact,
            verdict=form.cleaned_data["verdict"],
            explanation=form.cleaned_data["explanation"],
            actor=request.user,
        )
    except ValidationError as exc:
        return inline_error(request, " ".join(exc.messages), status=400, target="#verdict-errors")
    return redirect(fact.get_absolute_url())


def _chosen(text: str, user) -> Fact | None:
    """The fact `text` names: by its slug, or by its statement as `user` sees it (what the Conflicts with
    field offers), compared as names are; a statement that only the unmasked text would match names none."""
    if found := Fact.objects.filter(slug=text).first():
        return found
    key, mask = name_key(text), mask_for(user)
    for pk, statement in Fact.objects.visible_to(user).values_list("pk", "statement"):
        if name_key(mask.text(statement)) == key:
            return Fact.objects.get(pk=pk)
    return None


@require_POST
def fact_conflict(request, slug):
    """Editors mark or unmark two facts as conflicting."""
    if not request.user.has_perm("annotate.change_fact"):  # before the lookup, as `fact_verdict`
        return inline_error(
            request, "Only editors can mark facts as conflicting.", status=403, target="#conflict-errors"
        )
    fact = get_object_or_404(Fact.objects.visible_to(request.user), slug=slug)
    form = ConflictForm(request.POST)
    other = _chosen(form.cleaned_data["other"], request.user) if form.is_valid() else None
    if other is None:
        return inline_error(
            request, "Choose the fact that this one conflicts with.", status=400, target="#conflict-errors"
        )
    try:
        set_conflict(fact=fact, other=other, conflicting=form.cleaned_data["conflicting"])
    except ValidationError as exc:
        return inline_error(request, " ".join(exc.messages), status=400, target="#conflict-errors")
    return redirect(fact.get_absolute_url())
