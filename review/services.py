"""The review queue: editors accept, reject or correct claims one card at a time.

Every decision is checked against the claim's `version` (a claim changed meanwhile is never decided
blindly) and leaves a ReviewEvent. Cards are leased: an editor who opens a card holds it for a while, and
two editors asking for the next card at once get different ones (`SKIP LOCKED` on PostgreSQL).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotate import chains
from annotate.models import Claim, ProvenanceKind, ReviewEvent, can_see_sensitive
from annotate.services import StaleEdit, lock_claim, log_event, register_fact, register_source

Status = Claim.Status
DECISIONS = {
    "accept": Status.ACCEPTED,
    "reject": Status.REJECTED,
    "changes": Status.CHANGES_REQUESTED,
}
UNDOABLE = ("accepted", "rejected", "changes_requested", "corrected")


def lease() -> timedelta:
    return timedelta(seconds=settings.REVIEW_LEASE_SECONDS)


def self_accept_allowed() -> bool:
    """A one-person desk may accept its own claims; elsewhere a second editor must."""
    return settings.REVIEW_SELF_ACCEPT


def may_accept(annotator_id: int, editor) -> bool:
    """Whether `editor` may accept a claim tagged by `annotator_id`: the rule the queue, its buttons and the
    service all follow."""
    return annotator_id != editor.pk or self_accept_allowed()


def _reviewable(editor):
    return lambda claim: editor.has_perm("annotate.review_claim")


def _lock(*, claim_id: int, version: int, editor) -> Claim:
    return lock_claim(
        pk=claim_id, version=version, allowed=_reviewable(editor), refusal="Only editors can review claims."
    )


def _save(current: Claim, editor, action: str, before: dict, **fields) -> Claim:
    """Apply a review change with a version bump and an audit event; the card's lease ends unless kept."""
    fields = {"locked_by": None, "locked_until": None, **fields}
    try:
        with transaction.atomic():
            Claim.objects.filter(pk=current.pk).update(**fields, version=F("version") + 1, updated=Now())
    except IntegrityError:  # a kind correction (or its undo) onto a kind its author already gave this span
        label = fields["kind"].label if "kind" in fields else current.kind.label
        raise ValidationError(
            f"{current.annotator.get_username()} has also tagged this text as “{label}”: "
            "reject one of the two as a duplicate instead.",
            code="duplicate",
        ) from None
    current = Claim.objects.with_related().get(pk=current.pk)
    log_event(action, current, editor, before=before, after=current.snapshot())
    return current


@transaction.atomic
def decide(*, claim_id: int, version: int, editor, decision: str, reason: str = "", note: str = "") -> Claim:
    """Accept, reject or request changes to a claim that is still at `version`.

    Rejecting or requesting changes needs a reason. Editors do not accept their own claims unless
    REVIEW_SELF_ACCEPT is on.
    """
    if decision not in DECISIONS:
        raise ValidationError(f"Unknown decision “{decision}”.", code="decision")
    status = DECISIONS[decision]
    current = _lock(claim_id=claim_id, version=version, editor=editor)
    if status == Status.ACCEPTED:
        reason = ""
        if not may_accept(current.annotator_id, editor):
            raise PermissionDenied("You cannot accept your own claim: another editor must.")
    elif reason not in Claim.Reason.values:
        raise ValidationError("Say why: choose a reason (wrong span, wrong kind, …).", code="reason")
    if current.status == status and current.review_reason == reason and current.review_note == note.strip():
        return current
    return _save(
        current,
        editor,
        status,
        current.snapshot(),
        status=status,
        reviewer=editor,
        reviewed_at=Now(),
        review_reason=reason,
        review_note=note.strip(),
        **(_registered(current, editor) if status == Status.ACCEPTED else {}),
    )


def _registered(claim: Claim, editor) -> dict:
    """An accepted claim's proposed source and fact, looked up or registered with the accepting editor's
    authority (sensitive sources included). An editor who may not see sensitive names leaves them proposed:
    the lookup would tell them whether a name is a protected source's."""
    fields = {}
    if not can_see_sensitive(editor):
        return fields
    if claim.proposed_source:
        fields |= {"source": register_source(name=claim.proposed_source, kind=claim.kind), "proposed_source": ""}
    if claim.proposed_fact:
        fields |= {"fact": register_fact(statement=claim.proposed_fact), "proposed_fact": ""}
    chains.register_proposed_relays(claim, register_source)
    return fields


@transaction.atomic
def correct_kind(*, claim_id: int, version: int, editor, kind: ProvenanceKind) -> Claim:
    """An editor's correction of a claim's kind; the claim stays in its status for a decision."""
    current = _lock(claim_id=claim_id, version=version, editor=editor)
    if kind.pk == current.kind_id:
        return current
    if not kind.active:
        raise ValidationError(f"The kind “{kind.label}” is no longer in use.", code="inactive_kind")
    before = current.snapshot()
    return _save(
        current, editor, "corrected", before, kind=kind, locked_by=editor, locked_until=timezone.now() + lease()
    )


@transaction.atomic
def undo(*, event: ReviewEvent, editor) -> Claim:
    """Put a claim back as it was before `event`, one of this editor's decisions or corrections.

    Refused if anyone changed the claim after that decision.
    """
    if event.actor_id != editor.pk or event.action not in UNDOABLE:
        raise PermissionDenied("You can undo only your own review decisions.")
    if event.claim_id is None:
        raise StaleEdit("This claim has been deleted in the meantime.")
    current = _lock(claim_id=event.claim_id, version=event.after["version"], editor=editor)
    before = event.before
    kind = ProvenanceKind.objects.get(slug=before["kind"]) if before["kind"] != current.kind.slug else current.kind
    reviewer = None
    if before.get("reviewer"):
        reviewer = type(editor)._default_manager.filter(**{type(editor).USERNAME_FIELD: before["reviewer"]}).first()
    # Accepting registered the claim's proposed source or fact; undoing it proposes them again.
    proposals = {}
    if before.get("proposed_source") and not current.proposed_source:
        proposals |= {"source": None, "proposed_source": before["proposed_source"]}
    if before.get("proposed_fact") and not current.proposed_fact:
        proposals |= {"fact": None, "proposed_fact": before["proposed_fact"]}
    return _save(
        current,
        editor,
        "undone",
        current.snapshot(),
        kind=kind,
        status=before["status"],
        reviewer=reviewer,
        reviewed_at=parse_datetime(before["reviewed_at"]) if before.get("reviewed_at") else None,
        review_reason=before.get("review_reason", ""),
        review_note=before.get("review_note", ""),
        **proposals,
    )


def last_undoable(editor) -> ReviewEvent | None:
    """The editor's most recent decision or correction that has not been undone yet."""
    events = ReviewEvent.objects.filter(actor=editor, action__in=[*UNDOABLE, "undone"]).order_by("-at", "-pk")
    undone = set()
    for event in events[:200]:
        if event.action == "undone":
            undone.add((event.claim_ref, event.before["version"]))
        elif (event.claim_ref, event.after["version"]) not in undone:
            return event
    return None


@transaction.atomic
def accept_many(*, versions: dict[int, int], editor) -> tuple[list[Claim], list[str]]:
    """Accept several claims, each at the version the editor saw; each refusal is reported, not fatal."""
    accepted, refused = [], []
    for claim_id, version in versions.items():
        try:
            with transaction.atomic():
                accepted.append(decide(claim_id=claim_id, version=version, editor=editor, decision="accept"))
        except (StaleEdit, PermissionDenied, ValidationError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refused.append(f"Claim {claim_id}: {message}")
    return accepted, refused


def queue(claims, *, editor):
    """Of `claims` (already filtered by status and the rest), those an editor may take, oldest first.

    Cards another editor holds are left out, and so are the editor's own claims unless self-acceptance is on.
    """
    now = timezone.now()
    claims = claims.filter(Q(locked_by__isnull=True) | Q(locked_until__lt=now) | Q(locked_by=editor))
    if not self_accept_allowed():
        claims = claims.exclude(annotator=editor)
    return claims.order_by("created", "pk")


@transaction.atomic
def take_next(claims, *, editor, skip=()) -> Claim | None:
    """Lease the editor's next card: the one they hold, else the oldest nobody holds.

    `SELECT ... FOR UPDATE SKIP LOCKED` makes two editors asking at once get different cards.
    """
    candidates = queue(claims, editor=editor).exclude(pk__in=list(skip))
    held = candidates.filter(locked_by=editor, locked_until__gte=timezone.now()).first()
    claim = held or candidates.select_for_update(skip_locked=True, of=("self",)).first()
    if claim is None:
        return None
    Claim.objects.filter(pk=claim.pk).update(locked_by=editor, locked_until=timezone.now() + lease())
    return Claim.objects.with_related().select_related("article__outlet").get(pk=claim.pk)


def release(*, claim_id: int, editor) -> None:
    """Give a card back to the queue (skipped, or the editor moved on)."""
    Claim.objects.filter(pk=claim_id, locked_by=editor).update(locked_by=None, locked_until=None)
