"""Writes that touch several rows: each is atomic, keyword-only, and leaves an audit event."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from corpus.models import Article

from . import chains
from .fact_services import fact_slug
from .masking import holds_protected_name, mask_for
from .models import Claim, Fact, ProvenanceKind, ReviewEvent, Source
from .names import clean_name, is_reserved, name_key
from .spans import SpanError, check_span, context


class StaleEdit(Exception):
    """The claim changed (or vanished) since the editor loaded it."""


def _same(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


def _check_length(name: str, model, field: str, what: str) -> None:
    limit = model._meta.get_field(field).max_length
    if len(name) > limit:
        raise ValidationError(f"{what} is too long ({limit} characters at most).", code=_CODES[model])


_CODES = {Source: "source_name", Fact: "fact"}


def _refuse_reserved(name: str) -> None:
    if is_reserved(name):
        raise ValidationError(
            f"“{name}” is how a protected source is shown: it cannot name a source. "
            "Give the source's own name, or leave the field empty.",
            code="source_name",
        )


def _get_or_create(model, key_lookup, create):
    """The row `key_lookup()` finds, or the one `create()` makes; when two requests make the same new name at
    once, the unique key lets one insert win and the other reads the winner's row."""
    existing = key_lookup()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        existing = key_lookup()
        if existing is None:
            raise
        return existing


def register_source(*, name: str, kind: ProvenanceKind, sensitive: bool = False) -> Source:
    """The source called `name` (or known by it as an alias, sensitive ones included); a new one of `kind`
    if there is none. For editors and trusted imports: it says whether a name is registered. A new source
    whose name holds a protected one ("Kim Chol-su's driver") is sensitive: a public name is shown as it is."""
    name = clean_name(name)
    _check_length(name, Source, "name", "The source's name")
    _refuse_reserved(name)
    return _get_or_create(
        Source,
        lambda: Source.objects.named(name).first(),
        lambda: Source.objects.create(name=name, kind=kind, sensitive=sensitive or holds_protected_name(name)),
    )


def resolve_source(*, name: str, kind: ProvenanceKind, actor) -> tuple[Source | None, str]:
    """(source, proposed name) for a name typed in the Source field by `actor`.

    Those who may see sensitive sources get the registered source, or a new one. Everyone else gets a
    public source if the name is one of its names, or the pseudonym they were shown (on a claim they may
    see); any other name is held on the claim as proposed, whether or not it is a protected source's, so
    typing a name never tells them which.
    A pseudonym they were not shown is refused as one that names nobody is: answering it would tell how
    many protected sources there are.
    """
    name = clean_name(name)
    if not name:
        return None, ""
    mask = mask_for(actor)
    if (pk := mask.pseudonymous_source(name)) is not None and (mask.reveal or _shown(actor, pk)):
        return Source.objects.get(pk=pk), ""
    if mask.reveal:
        return register_source(name=name, kind=kind), ""
    _check_length(name, Source, "name", "The source's name")
    _refuse_reserved(name)
    public = Source.objects.named(name).filter(sensitive=False).first()
    return (public, "") if public else (None, name)


def _shown(actor, pk: int) -> bool:
    """Whether a claim `actor` may see names this protected source, as its source or a relay."""
    visible = Claim.objects.visible_to(actor)
    return visible.filter(source_id=pk).exists() or visible.filter(relays__source_id=pk).exists()


def resolve_relays(
    *,
    names: Sequence[str],
    kind: ProvenanceKind,
    actor,
    keep: Sequence[tuple[str, chains.Link]] = (),
) -> list[chains.Link]:
    """The relay chain `actor` typed, each name resolved as `resolve_source` resolves a claim's source (a
    new name from an editor registered with the relay kind); a name in `keep` comes back as it was shown."""
    chains.check_chain(names)
    kept = {name_key(label): link for label, link in keep}
    links, relay_kind = [], None
    registers = mask_for(actor).reveal  # only those who see every name register new sources, with a kind
    for name in names:
        if (link := kept.get(name_key(name))) is None:
            if registers:
                relay_kind = relay_kind or chains.relay_kind(kind)
            link = resolve_source(name=name, kind=relay_kind or kind, actor=actor)
        links.append(link)
    return links


def _fact_named(statement: str) -> Fact | None:
    """The fact with this statement, or with it but for a full stop at its end ("Turnout was 99.63%" is
    "Turnout was 99.63%."), or else the one with this slug: one query for all."""
    key = name_key(statement)
    bare = key.rstrip(".").rstrip()
    keys = [key, *(other for other in (bare, f"{bare}.") if bare and other != key)]
    found = {fact.key: fact for fact in Fact.objects.filter(Q(key__in=keys) | Q(slug=statement))[:4]}
    for wanted in keys:
        if wanted in found:
            return found[wanted]
    return next((fact for fact in found.values() if fact.slug == statement), None)


def register_fact(*, statement: str) -> Fact:
    """The fact with this statement (or slug); a new fact if there is none. For editors and trusted imports."""
    statement = clean_name(statement)
    _check_length(statement, Fact, "statement", "The fact's statement")
    return _get_or_create(
        Fact,
        lambda: _fact_named(statement),
        lambda: Fact.objects.create(statement=statement, slug=fact_slug(statement)),
    )


def resolve_fact(*, statement: str, actor) -> tuple[Fact | None, str]:
    """(fact, proposed statement) for what `actor` typed in the Fact field.

    Editors link to a fact or register a new one. Reviewers link to a fact they can read in full (by its
    statement or slug); a new statement is held on the claim for an editor to register.
    """
    statement = clean_name(statement)
    if not statement:
        return None, ""
    _check_length(statement, Fact, "statement", "The fact's statement")
    mask = mask_for(actor)
    if mask.reveal:
        return register_fact(statement=statement), ""
    fact = _fact_named(statement)
    if fact is not None and not mask.hides(fact.statement):
        return fact, ""
    return None, statement


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


def create_claim(
    *,
    article: Article,
    start: int,
    end: int,
    exact: str,
    kind: ProvenanceKind,
    source_name: str = "",
    fact_statement: str = "",
    source: Source | None = None,
    fact: Fact | None = None,
    via: Sequence[str] = (),
    relays: Sequence[Source] | None = None,
    directness: str = "",
    note: str = "",
    annotator,
    origin: dict | None = None,
    keep_chain: bool = False,
) -> Claim:
    """Tag [start, end) of an article; refuses a span that does not quote the text exactly.

    `source_name`, `fact_statement` and `via` (the relay chain, nearest to the article first) are what the
    annotator typed, resolved with their rights (`resolve_source`, `resolve_fact`,
    `resolve_relays`); code that has chosen the rows passes `source`, `fact` and `relays`. The audit event
    records `origin` (an accepted suggestion's); `keep_chain` returns the claim with its chain as written.
    At most four queries when both names are typed and there is no relay (a source, a fact, the claim, its
    event), one more for a chain and one per relay name; the unique constraint refuses a claim twice."""
    try:
        check_span(article.text, start, end, exact)
    except SpanError as exc:
        raise ValidationError(str(exc), code="span") from None
    if not kind.active:
        raise ValidationError(f"The kind “{kind.label}” is no longer in use.", code="inactive_kind")
    try:
        return _insert_claim(
            article=article,
            start=start,
            end=end,
            exact=exact,
            kind=kind,
            source_name=source_name,
            fact_statement=fact_statement,
            source=source,
            fact=fact,
            via=via,
            relays=relays,
            origin=origin,
            keep_chain=keep_chain,
            directness=directness,
            note=note.strip(),
            annotator=annotator,
        )
    except IntegrityError:  # the same claim twice, or sent twice at once
        duplicate = Claim.objects.filter(article=article, start=start, end=end, kind=kind, annotator=annotator)
        if duplicate.exists():
            raise ValidationError(f"You have already tagged this text as “{kind.label}”.", code="duplicate") from None
        # Something else changed under the request (a kind or article removed meanwhile): nothing was stored.
        raise ValidationError(
            "The claim could not be saved; reload the article and try again.", code="conflict"
        ) from None


@transaction.atomic
def _insert_claim(
    *,
    article,
    start,
    end,
    exact,
    kind,
    source_name,
    fact_statement,
    source,
    fact,
    via,
    relays,
    origin,
    keep_chain,
    **fields,
) -> Claim:
    annotator = fields["annotator"]
    proposed_source = proposed_fact = ""
    if source is None:
        source, proposed_source = resolve_source(name=source_name, kind=kind, actor=annotator)
    if fact is None:
        fact, proposed_fact = resolve_fact(statement=fact_statement, actor=annotator)
    links = [(r, "") for r in relays] if relays is not None else resolve_relays(names=via, kind=kind, actor=annotator)
    prefix, suffix = context(article.text, start, end)
    claim = Claim(
        article=article,
        revision=article.revision,  # the text its offsets were checked against
        start=start,
        end=end,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        kind=kind,
        source=source,
        proposed_source=proposed_source,
        fact=fact,
        proposed_fact=proposed_fact,
        **fields,
    )
    claim.save()
    # The chain just written is the claim's: its snapshot (the audit event) reads it without a query. The
    # claim goes back without it, so that a caller reads the chain as it is then, unless the caller answers
    # with the claim at once (`keep_chain`).
    claim._prefetched_objects_cache = {"relays": chains.save_relays(claim.pk, links)}
    log_event("created", claim, annotator, after=claim.snapshot() | ({"origin": origin} if origin else {}))
    if not keep_chain:
        del claim._prefetched_objects_cache
    return claim


def shown_source(claim: Claim, user) -> str:
    """The claim's source as `user` sees it: a name, a pseudonym, a proposed name, or ""."""
    mask = mask_for(user)
    if claim.source_id:
        return mask.of(claim.source)
    return mask.text(claim.proposed_source, claim.annotator_id)


def shown_fact(claim: Claim, user) -> str:
    """The claim's fact as `user` sees it: its statement (names masked), a proposed statement, or ""."""
    mask = mask_for(user)
    if claim.fact_id:
        return mask.text(claim.fact.statement)
    return mask.text(claim.proposed_fact, claim.annotator_id)


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
    via: Sequence[str] = (),
    directness: str = "",
    note: str = "",
) -> Claim:
    """Change a pending claim's kind, source, fact, relay chain or note, if nobody changed it since `version`."""
    current = _lock_for_author(claim=claim, actor=actor, version=version)
    if kind.pk != current.kind_id and not kind.active:
        raise ValidationError(f"The kind “{kind.label}” is no longer in use.", code="inactive_kind")
    before = current.snapshot()
    # A source or fact that comes back as it was shown stays as it is: looking it up again could land
    # elsewhere if it was renamed meanwhile, and a pseudonym or a redacted statement names nothing.
    if _same(source_name, shown_source(current, actor)):
        source, proposed_source = current.source, current.proposed_source
    else:
        source, proposed_source = resolve_source(name=source_name, kind=kind, actor=actor)
    if _same(fact_statement, shown_fact(current, actor)):
        fact, proposed_fact = current.fact, current.proposed_fact
    else:
        fact, proposed_fact = resolve_fact(statement=fact_statement, actor=actor)
    links = resolve_relays(names=via, kind=kind, actor=actor, keep=chains.current_links(current, actor))
    if not chains.same_chain(links, current):
        chains.save_relays(current.pk, links, replace=True)
    try:
        with transaction.atomic():
            Claim.objects.filter(pk=current.pk).update(
                kind=kind,
                source=source,
                proposed_source=proposed_source,
                fact=fact,
                proposed_fact=proposed_fact,
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
def set_conflict(*, fact: Fact, other: Fact, conflicting: bool = True) -> None:
    """Mark (or unmark) two facts as contradicting each other; both fact pages show it."""
    if fact.pk == other.pk:
        raise ValidationError("A fact cannot conflict with itself.", code="same_fact")
    if conflicting:
        fact.conflicts.add(other)
    else:
        fact.conflicts.remove(other)
