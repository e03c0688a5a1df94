"""Writing a source's registry entry (its name, kind, aliases, sensitivity and affiliation at once), and
merging a duplicate source into another."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now

from . import chains
from .fact_services import unname_fact_slugs
from .forms import SourceForm
from .models import Claim, ReviewEvent, Source, SourceAlias
from .names import name_key
from .relays import RELAYS


@transaction.atomic
def save_source(*, form: SourceForm) -> Source:
    """Save a validated `SourceForm` (the sources page and the API both send one): the row, and its aliases
    replaced by the form's. The form's model validation has refused names taken by other sources and an
    affiliation that would go round in a circle."""
    source = form.save()
    source.aliases.all().delete()
    SourceAlias.objects.bulk_create(
        SourceAlias(source=source, name=name, key=name_key(name)) for name in form.cleaned_data["aliases"]
    )
    if source.sensitive:
        unname_fact_slugs()  # a name it protects now may be in a fact's web address
    return source


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
        .prefetch_related(RELAYS)
    )
    befores = {claim.pk: claim.snapshot() for claim in moved}
    Claim.objects.filter(pk__in=befores).update(source=into, version=F("version") + 1, updated=Now())
    chains.merge_affiliations(source=source, into=into)
    names = [source.name, *source.aliases.values_list("name", flat=True)]
    known = {into.key, *into.aliases.values_list("key", flat=True)}
    source.aliases.all().delete()
    source.delete()
    kept = {name_key(name): name for name in reversed(names)}  # the source's own name wins over an alias
    SourceAlias.objects.bulk_create(
        [SourceAlias(source=into, name=name, key=key) for key, name in kept.items() if key not in known]
    )
    if into.sensitive:
        unname_fact_slugs()
    after = (
        Claim.objects.filter(pk__in=befores)
        .select_related("kind", "source", "fact", "reviewer")
        .prefetch_related(RELAYS)
    )
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
