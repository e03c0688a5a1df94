"""The review queue, a claim's page with its history, and agreement between independent reviewers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotate.filters import STATUS_CHOICES, Filters, filter_options
from annotate.masking import holds_protected_name, protected_pattern
from annotate.models import Claim, ProvenanceKind, ReviewEvent, Source, can_see_sensitive
from annotate.presenters import present, present_all
from annotate.services import StaleEdit
from config.input import number

from . import history
from . import services as review

HISTORY = "review_history"
SKIPPED = "review_skipped"
UP_NEXT = 15


def _editor(request) -> None:
    if not request.user.has_perm("annotate.review_claim"):
        raise PermissionDenied("Only editors can review claims.")


def _filters(request, source) -> Filters:
    return Filters.from_query(source, default_status="pending", user=request.user)


def _queue_url(filters: Filters, **extra) -> str:
    query = filters.as_query(**extra)
    return reverse("review:queue") + (f"?{query}" if query else "")


def _history(request) -> list[int]:
    return request.session.get(HISTORY, [])


def _remember(request, claim: Claim) -> None:
    """Keep the cards this editor has seen, newest last, for the previous/next keys."""
    seen = _history(request)
    # Going back to a card seen before keeps its place: j and k then walk the same list both ways.
    if claim.pk not in seen:
        request.session[HISTORY] = [*seen[-49:], claim.pk]


def _card_context(request, filters: Filters, claim: Claim | None) -> dict:
    claims = filters.apply(Claim.objects.all())
    left = claims.count()
    own = claims.filter(annotator=request.user).count() if not review.self_accept_allowed() else 0
    up_next = []
    if claim is not None or left:
        skip = set(request.session.get(SKIPPED, [])) | ({claim.pk} if claim else set())
        up_next = list(
            review.queue(claims, editor=request.user)
            .exclude(pk__in=skip)
            .with_related()
            .select_related("article")[:UP_NEXT]
        )
    history = _history(request)
    position = history.index(claim.pk) if claim is not None and claim.pk in history else len(history)
    card = present(claim, request.user, in_context=True) if claim is not None else None
    return {
        "claim": card,
        "card_own": claim is not None and not review.may_accept(claim.annotator_id, request.user),
        "acceptable": {item.pk for item in up_next if review.may_accept(item.annotator_id, request.user)},
        "trail": list(ReviewEvent.objects.filter(claim_ref=claim.pk).select_related("actor")[:20]) if claim else [],
        "proposed_match": _proposed_match(claim, request.user),
        "exposed": _exposed(claim, request.user),
        "exposing": _exposing(up_next, request.user),
        "filters": filters,
        "left": left,
        "own": own,
        # With no card to show, what the count still holds: the editor's own claims and cards others hold.
        "held_elsewhere": max(0, left - own) if claim is None else 0,
        "skipped": len(request.session.get(SKIPPED, [])),
        "up_next": present_all(up_next, request.user),
        "kinds": list(ProvenanceKind.objects.active()),
        "reasons": Claim.Reason.choices,
        "previous": history[position - 1] if position > 0 else None,
        # At the end of the cards seen, j moves on to the first card up next (it never skips one).
        "next": history[position + 1] if position + 1 < len(history) else (up_next[0].pk if up_next else None),
        "undoable": review.last_undoable(request.user),
        # The article menu offers articles with claims of the queue's status, whatever article is chosen.
        "options": filter_options(
            filters.article, claims=filters.without("article").apply(Claim.objects.all(), kinds=False)
        ),
        "statuses": [c for c in STATUS_CHOICES if c[0] not in ("with_pending", "all")],
    }


def _proposed_match(claim: Claim | None, user) -> Source | None:
    """The registered source a proposed name would link to on acceptance, for an editor who may see it."""
    if claim is None or not claim.proposed_source or not can_see_sensitive(user):
        return None
    return Source.objects.named(claim.proposed_source).first()


def _proposed_relays(claim: Claim) -> list[str]:
    return [relay.proposed for relay in claim.relays.all() if relay.source_id is None and relay.proposed]


def _exposed(claim: Claim | None, user) -> dict:
    """What accepting the claim would show its author as protected, for an editor who may see why: a proposed
    source and names of its relay chain that are or hold a protected name (each becomes, or is registered as,
    a sensitive source), and a proposed fact's statement that holds one. The author typed them, and sees them
    as typed until then; afterwards, a pseudonym or "[protected]"."""
    if claim is None or not can_see_sensitive(user) or (pattern := protected_pattern()) is None:
        return {}
    source = bool(claim.proposed_source) and holds_protected_name(claim.proposed_source, pattern=pattern)
    via = [name for name in _proposed_relays(claim) if holds_protected_name(name, pattern=pattern)]
    fact = bool(claim.proposed_fact) and holds_protected_name(claim.proposed_fact, pattern=pattern)
    return {"source": source, "via": via, "fact": fact} if source or via or fact else {}


def _exposing(claims: list[Claim], user) -> set[int]:
    """The claims of `claims` whose acceptance would show their author something they typed as protected
    (their proposed source, relays or fact), for an editor who may see it: "Accept selected" says which."""
    if not can_see_sensitive(user) or (pattern := protected_pattern()) is None:
        return set()
    return {
        claim.pk
        for claim in claims
        if any(
            holds_protected_name(text, pattern=pattern)
            for text in (claim.proposed_source, *_proposed_relays(claim), claim.proposed_fact)
            if text
        )
    }


def _card(request, filters, claim, *, status=200, message=""):
    context = _card_context(request, filters, claim) | {"message": message, "refused": status >= 400}
    template = "review/queue.html"
    if request.htmx and not request.htmx.boosted:
        template += "#queue"
    return render(request, template, context, status=status)


@require_GET
def queue(request):
    """One card at a time: the editor's current card, or the oldest open claim nobody else holds."""
    _editor(request)
    filters = _filters(request, request.GET)
    if pk := request.GET.get("claim", ""):
        if (pk := number(pk)) is None:
            raise Http404("No such claim.")
        claim = Claim.objects.with_related().select_related("article__outlet").filter(pk=pk).first()
        if claim is None:
            raise Http404("No such claim.")
    else:
        skipped = request.session.get(SKIPPED, [])
        claim = review.take_next(filters.apply(Claim.objects.all()), editor=request.user, skip=skipped)
    if claim is not None:
        _remember(request, claim)
    return _card(request, filters, claim)


def _next(request, filters, *, message: str, status: int = 200):
    if not request.htmx:
        messages.info(request, message)
        return redirect(_queue_url(filters))
    skipped = request.session.get(SKIPPED, [])
    claim = review.take_next(filters.apply(Claim.objects.all()), editor=request.user, skip=skipped)
    if claim is not None:
        _remember(request, claim)
    return _card(request, filters, claim, status=status, message=message)


def _refused(request, filters, pk: int, message: str, status: int):
    """Show the claim as it is now, with why the action was refused: never apply a decision blindly."""
    if not pk and (current := number(request.POST.get("current", ""))) is not None:
        pk = current
    claim = Claim.objects.with_related().select_related("article__outlet").filter(pk=pk).first()
    if not request.htmx:
        messages.error(request, message)
        return redirect(_queue_url(filters, claim=pk) if claim else _queue_url(filters))
    return _card(request, filters, claim, status=status, message=message)


@require_POST
def decide(request, pk):
    """Accept, reject, request changes or correct the kind of one claim, at the version the editor saw."""
    _editor(request)
    action = request.POST.get("action", "")
    query, chosen_kind = request.POST, ""
    if action == "kind":
        # The kind button's value comes last among the "kind" values; any before it are the queue's kind filter.
        query = request.POST.copy()
        *filter_kinds, chosen_kind = query.getlist("kind") or [""]
        query.setlist("kind", filter_kinds)
    filters = _filters(request, query)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _refused(request, filters, pk, "The request did not say which version of the claim you saw.", 400)
    try:
        if action == "kind":
            kind = ProvenanceKind.objects.filter(slug=chosen_kind).first()
            if kind is None:
                raise ValidationError("Choose a kind.")
            claim = review.correct_kind(claim_id=pk, version=version, editor=request.user, kind=kind)
            message = f"Kind changed to {kind.label}."
            if not request.htmx:
                messages.info(request, message)
                return redirect(_queue_url(filters, claim=pk))
            return _card(request, filters, claim, message=message)
        claim = review.decide(
            claim_id=pk,
            version=version,
            editor=request.user,
            decision=action,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except StaleEdit as exc:
        return _refused(request, filters, pk, str(exc), 409)
    except PermissionDenied as exc:
        return _refused(request, filters, pk, str(exc) or "You may not review this claim.", 403)
    except ValidationError as exc:
        return _refused(request, filters, pk, " ".join(exc.messages), 400)
    return _next(request, filters, message=f"{claim.get_status_display()}: claim {claim.pk}. Press u to undo.")


@require_POST
def skip(request, pk):
    """Leave a card for later in this session; it goes back to the queue for other editors."""
    _editor(request)
    filters = _filters(request, request.POST)
    review.release(claim_id=pk, editor=request.user)
    request.session[SKIPPED] = [*request.session.get(SKIPPED, []), pk][-500:]
    return _next(request, filters, message=f"Skipped claim {pk}.")


@require_POST
def unskip(request):
    """Bring the skipped cards back into this editor's queue."""
    _editor(request)
    request.session[SKIPPED] = []
    return _next(request, _filters(request, request.POST), message="Skipped cards are back in the queue.")


@require_POST
def undo(request):
    """Undo this editor's last decision or correction, unless someone changed the claim since."""
    _editor(request)
    filters = _filters(request, request.POST)
    event = review.last_undoable(request.user)
    if event is None:
        return _refused(request, filters, 0, "Nothing to undo.", 400)
    try:
        claims = review.undo_last(event=event, editor=request.user)
    except StaleEdit as exc:
        return _refused(request, filters, event.claim_ref, f"Cannot undo: {exc}", 409)
    except PermissionDenied as exc:
        return _refused(request, filters, event.claim_ref, str(exc), 403)
    except ValidationError as exc:
        return _refused(request, filters, event.claim_ref, "Cannot undo: " + " ".join(exc.messages), 400)
    claim = review.take_next(Claim.objects.filter(pk=claims[0].pk), editor=request.user) or claims[0]
    message = f"Undone: claim {claim.pk} is {claim.get_status_display().lower()} again."
    if len(claims) > 1:
        message = f"Undone: {len(claims)} claims ({', '.join(str(c.pk) for c in claims)}) are pending again."
    if not request.htmx:
        messages.info(request, message)
        return redirect(_queue_url(filters, claim=claim.pk))
    _remember(request, claim)
    return _card(request, filters, claim, message=message)


@require_POST
def bulk_accept(request):
    """Accept the ticked cards, each at the version shown; refusals are listed, the rest go through."""
    _editor(request)
    filters = _filters(request, request.POST)
    versions = {}
    for value in request.POST.getlist("claim"):
        pk, _, version = (number(part) for part in value.partition(":"))
        if pk is not None and version is not None:
            versions[pk] = version
    if not versions:
        return _refused(request, filters, 0, "Tick the claims to accept first.", 400)
    accepted, refused = review.accept_many(versions=versions, editor=request.user)
    message = f"Accepted {len(accepted)} claim{'s' if len(accepted) != 1 else ''}."
    if refused:
        message += " Not accepted: " + " ".join(refused)
    return _next(request, filters, message=message, status=200 if not refused else 409)


# ---- a claim's page ------------------------------------------------------------------------------------


@require_GET
def claim_detail(request, pk):
    """One claim in its sentence, with everything said about it and its full audit trail."""
    claim = get_object_or_404(
        Claim.objects.visible_to(request.user).with_related().select_related("article__outlet"), pk=pk
    )
    context = {
        "claim": present(claim, request.user, in_context=True),
        "events": history.rows(claim, request.user),
        "can_review": request.user.has_perm("annotate.review_claim"),
        "editable": claim.is_editable_by(request.user),
    }
    return render(request, "review/claim.html", context)
