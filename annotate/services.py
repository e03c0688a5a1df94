"""Writes that touch several rows: each is atomic, keyword-only, and leaves an audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from corpus.models import Article

from .models import Claim, ProvenanceKind, ReviewEvent
from .spans import SpanError, check_span, context


class StaleEdit(Exception):
    """The claim changed (or vanished) since the editor loaded it."""


@transaction.atomic
def create_claim(
    *,
    article: Article,
    start: int,
    end: int,
    exact: str,
    kind: ProvenanceKind,
    source_name: str = "",
    note: str = "",
    annotator,
) -> Claim:
    """Tag [start, end) of an article; refuses a span that does not quote the text exactly."""
    try:
        check_span(article.text, start, end, exact)
    except SpanError as exc:
        raise ValidationError(str(exc), code="span") from None
    if not kind.active:
        raise ValidationError(f"The kind “{kind.label}” is no longer in use.", code="inactive_kind")
    duplicate = Claim.objects.filter(article=article, start=start, end=end, kind=kind, annotator=annotator)
    if duplicate.exists():
        raise ValidationError(f"You have already tagged this text as “{kind.label}”.", code="duplicate")
    prefix, suffix = context(article.text, start, end)
    claim = Claim.objects.create(
        article=article,
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        kind=kind,
        source_name=source_name.strip(),
        note=note.strip(),
        annotator=annotator,
    )
    ReviewEvent.objects.create(
        claim=claim, claim_ref=claim.pk, article=article, actor=annotator, action="created", after=claim.snapshot()
    )
    return claim


def _lock_for_author(*, claim: Claim, actor, version: int) -> Claim:
    current = Claim.objects.select_for_update().select_related("kind").filter(pk=claim.pk).first()
    if current is None:
        raise StaleEdit("This claim has been deleted in the meantime.")
    if not current.is_editable_by(actor):
        raise PermissionDenied("Only the author of a pending claim can change it.")
    if current.version != version:
        raise StaleEdit("This claim was changed in the meantime; reload to see the current version.")
    return current


@transaction.atomic
def update_claim(*, claim: Claim, actor, version: int, kind: ProvenanceKind, source_name: str, note: str) -> Claim:
    """Change a pending claim's kind, source or note, if nobody changed it since `version`."""
    current = _lock_for_author(claim=claim, actor=actor, version=version)
    if kind.pk != current.kind_id and not kind.active:
        raise ValidationError(f"The kind “{kind.label}” is no longer in use.", code="inactive_kind")
    before = current.snapshot()
    Claim.objects.filter(pk=current.pk).update(
        kind=kind, source_name=source_name.strip(), note=note.strip(), version=F("version") + 1
    )
    current.refresh_from_db()
    ReviewEvent.objects.create(
        claim=current,
        claim_ref=current.pk,
        article_id=current.article_id,
        actor=actor,
        action="edited",
        before=before,
        after=current.snapshot(),
    )
    return current


@transaction.atomic
def delete_claim(*, claim: Claim, actor, version: int) -> None:
    """Delete a pending claim of one's own; the audit trail keeps what it was."""
    current = _lock_for_author(claim=claim, actor=actor, version=version)
    ReviewEvent.objects.create(
        claim=current,
        claim_ref=current.pk,
        article_id=current.article_id,
        actor=actor,
        action="deleted",
        before=current.snapshot(),
    )
    current.delete()
