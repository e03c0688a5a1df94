"""Writes that touch several rows: each is atomic, keyword-only, and leaves an audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.text import slugify

from corpus.models import Article

from .models import Claim, Fact, ProvenanceKind, ReviewEvent, Source, SourceAlias
from .spans import SpanError, check_span, context


class StaleEdit(Exception):
    """The claim changed (or vanished) since the editor loaded it."""


def clean_name(text: str) -> str:
    """A name or statement as stored and compared: white space (any kind) collapsed to single spaces."""
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    return clean_name(a).casefold() == clean_name(b).casefold()


def resolve_source(*, name: str, kind: ProvenanceKind) -> Source | None:
    """The source called `name` (or known by it as an alias); a new one of `kind` if there is none."""
    name = clean_name(name)
    if not name:
        return None
    if len(name) > Source._meta.get_field("name").max_length:
        raise ValidationError("The source's name is too long (200 characters at most).", code="source_name")
    return Source.objects.named(name).first() or Source.objects.create(name=name, kind=kind)


def _fact_slug(statement: str) -> str:
    base = slugify(statement)[:80].rstrip("-") or "fact"
    slug, n = base, 2
    while Fact.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def resolve_fact(*, statement: str) -> Fact | None:
    """The fact with this statement (or slug), ignoring case; a new fact if there is none."""
    statement = clean_name(statement)
    if not statement:
        return None
    if len(statement) > Fact._meta.get_field("statement").max_length:
        raise ValidationError("The fact's statement is too long (300 characters at most).", code="fact")
    existing = Fact.objects.filter(statement__iexact=statement).first() or Fact.objects.filter(slug=statement).first()
    return existing or Fact.objects.create(statement=statement, slug=_fact_slug(statement))


def log_event(action: str, claim: Claim, actor, *, before=None, after=None) -> ReviewEvent:
    return ReviewEvent.objects.create(
        claim=claim if action != "deleted" else None,
        claim_ref=claim.pk,
        article_id=claim.article_id,
        actor=actor,
        action=action,
        before=before,
        after=after,
    )


@transaction.atomic
def create_claim(
    *,
    article: Article,
    start: int,
    end: int,
    exact: str,
    kind: ProvenanceKind,
    source_name: str = "",
    fact_statement: str = "",
    via: str = "",
    directness: str = "",
    note: str = "",
    annotator,
) -> Claim:
    """Tag [start, end) of an article; refuses a span that does not quote the text exactly.

    A source or fact named for the first time is created with the claim.
    """
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
    claim = Claim(
        article=article,
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        kind=kind,
        source=resolve_source(name=source_name, kind=kind),
        fact=resolve_fact(statement=fact_statement),
        via=via.strip(),
        directness=directness,
        note=note.strip(),
        annotator=annotator,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:  # the same claim, sent twice at once
        raise ValidationError(f"You have already tagged this text as “{kind.label}”.", code="duplicate") from None
    log_event("created", claim, annotator, after=claim.snapshot())
    return claim


def changed_since(claim: Claim) -> str:
    """Who changed the claim last and when, for a refusal that explains itself."""
    event = ReviewEvent.objects.filter(claim_ref=claim.pk).select_related("actor").first()
    if event is None:
        return "This claim was changed in the meantime."
    when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"This claim was changed by {event.actor.get_username()} at {when}."


def lock_claim(*, pk: int, version: int, allowed=lambda claim: True, refusal: str = "") -> Claim:
    """The claim, locked for this transaction, if `allowed` and still at `version`.

    PermissionDenied(refusal) if not allowed; StaleEdit, saying who changed it and when, if it moved on.
    """
    current = Claim.objects.select_for_update(of=("self",)).with_related().filter(pk=pk).first()
    if current is None:
        raise StaleEdit("This claim has been deleted in the meantime.")
    if not allowed(current):
        raise PermissionDenied(refusal)
    if current.version != version:
        raise StaleEdit(changed_since(current))
    return current


def _lock_for_author(*, claim: Claim, actor, version: int) -> Claim:
    return lock_claim(
        pk=claim.pk,
        version=version,
        allowed=lambda current: current.is_editable_by(actor),
        refusal="Only the author can change a claim, and only until it is accepted or rejected.",
    )


@transaction.atomic
def update_claim(
    *,
    claim: Claim,
    actor,
    version: int,
    kind: ProvenanceKind,
    source_name: str,
    fact_statement: str = "",
    via: str = "",
    directness: str = "",
    note: str = "",
) -> Claim:
    """Change a pending claim's kind, source, fact or note, if nobody changed it since `version`."""
    current = _lock_for_author(claim=claim, actor=actor, version=version)
    if kind.pk != current.kind_id and not kind.active:
        raise ValidationError(f"The kind “{kind.label}” is no longer in use.", code="inactive_kind")
    before = current.snapshot()
    # The source and fact the claim already has stay as they are when their names come back
    # unchanged: looking them up again could land elsewhere if they were renamed meanwhile.
    source = current.source if current.source_id and _same(source_name, current.source.name) else None
    fact = current.fact if current.fact_id and _same(fact_statement, current.fact.statement) else None
    try:
        with transaction.atomic():
            Claim.objects.filter(pk=current.pk).update(
                kind=kind,
                source=source or resolve_source(name=source_name, kind=kind),
                fact=fact or resolve_fact(statement=fact_statement),
                via=via.strip(),
                directness=directness,
                note=note.strip(),
                # Answering a request for changes sends the claim back to the queue; the request stays in the history.
                status=Claim.Status.PENDING,
                review_reason="",
                version=F("version") + 1,
                updated=Now(),
            )
    except IntegrityError:  # the author already has a claim of this kind on the same text
        raise ValidationError(f"You have already tagged this text as “{kind.label}”.", code="duplicate") from None
    current = Claim.objects.with_related().get(pk=current.pk)
    log_event("edited", current, actor, before=before, after=current.snapshot())
    return current


@transaction.atomic
def delete_claim(*, claim: Claim, actor, version: int) -> None:
    """Delete a pending claim of one's own; the audit trail keeps what it was."""
    current = _lock_for_author(claim=claim, actor=actor, version=version)
    log_event("deleted", current, actor, before=current.snapshot())
    current.delete()


@transaction.atomic
def merge_sources(*, source: Source, into: Source, actor) -> int:
    """Fold a duplicate source into another: its claims move over, its names become aliases.

    Returns the number of claims moved. Every moved claim gets a version bump and an audit event.
    """
    if source.pk == into.pk:
        raise ValidationError("A source cannot be merged into itself.", code="same_source")
    if source.sensitive and not into.sensitive:
        # Its names would become aliases of a source everyone may see.
        raise ValidationError(
            f"“{source.name}” is sensitive: merge it into a sensitive source, or mark “{into.name}” sensitive first.",
            code="sensitive_merge",
        )
    moved = list(
        Claim.objects.select_for_update(of=("self",))
        .filter(source=source)
        .select_related("kind", "source", "fact", "reviewer")
    )
    befores = {claim.pk: claim.snapshot() for claim in moved}
    Claim.objects.filter(pk__in=befores).update(source=into, version=F("version") + 1, updated=Now())
    names = [source.name, *source.aliases.values_list("name", flat=True)]
    known = {into.name.lower(), *(name.lower() for name in into.aliases.values_list("name", flat=True))}
    source.aliases.all().delete()
    source.delete()
    SourceAlias.objects.bulk_create(
        [SourceAlias(source=into, name=name) for name in names if name.lower() not in known]
    )
    after = Claim.objects.filter(pk__in=befores).select_related("kind", "source", "fact", "reviewer")
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            claim=claim,
            claim_ref=claim.pk,
            article_id=claim.article_id,
            actor=actor,
            action="edited",
            before=befores[claim.pk],
            after=claim.snapshot(),
        )
        for claim in after
    )
    return len(moved)


@transaction.atomic
def set_conflict(*, fact: Fact, other: Fact, conflicting: bool = True) -> None:
    """Mark (or unmark) two facts as contradicting each other; both fact pages show it."""
    if fact.pk == other.pk:
        raise ValidationError("A fact cannot conflict with itself.", code="same_fact")
    if conflicting:
        fact.conflicts.add(other)
    else:
        fact.conflicts.remove(other)
