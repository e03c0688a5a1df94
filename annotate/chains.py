"""Relay chains and affiliations as they are shown and written.

A chain is shown to a user through the one mask: a registered source by `Mask.of` (a pseudonym for a
protected one), a proposed name as free text of its author. Writes keep the audit trail: a chain is part
of the claim's snapshot, and a change of affiliation is refused if it would close a circle.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from .masking import mask_for
from .models import Claim, KindRole, ProvenanceKind, Source
from .names import name_key
from .relays import MAX_RELAYS, ClaimRelay, affiliation_cycle, circle_refusal

# A link of a chain as resolved for a writer: a registered source, or a name held as proposed.
Link = tuple[Source | None, str]


def shown_relays(claim: Claim, user) -> list[str]:
    """The claim's relay chain as `user` may see it, nearest to the article first."""
    mask = mask_for(user)
    return [
        mask.of(relay.source) if relay.source_id else mask.text(relay.proposed, claim.annotator_id)
        for relay in claim.relays.all()
    ]


def current_links(claim: Claim, user) -> list[tuple[str, Link]]:
    """(label shown to `user`, link) for each relay: a name that comes back as it was shown keeps its link,
    since looking a pseudonym or a redacted proposal up again would name nothing."""
    labels = shown_relays(claim, user)
    return [(label, (relay.source, relay.proposed)) for label, relay in zip(labels, claim.relays.all(), strict=True)]


def relay_kind(default: ProvenanceKind) -> ProvenanceKind:
    """The kind a relay's new source is registered with: the first active kind whose role is relaying."""
    kind = ProvenanceKind.objects.filter(role=KindRole.RELAY, active=True).order_by("order", "pk").first()
    return kind or default


def check_chain(names: Sequence[str]) -> None:
    if len(names) > MAX_RELAYS:
        raise ValidationError(f"A relay chain has at most {MAX_RELAYS} sources.", code="max_relays")


def save_relays(claim_id: int, links: Sequence[Link], *, replace: bool = False) -> list[ClaimRelay]:
    """Write a claim's chain, in order; `replace` drops the chain it had. The relays written, in order."""
    if replace:
        ClaimRelay.objects.filter(claim_id=claim_id).delete()
    return ClaimRelay.objects.bulk_create(
        ClaimRelay(claim_id=claim_id, position=position, source=source, proposed="" if source else proposed)
        for position, (source, proposed) in enumerate(links)
    )


def same_chain(links: Sequence[Link], claim: Claim) -> bool:
    current = [(relay.source_id, name_key(relay.proposed)) for relay in claim.relays.all()]
    return current == [(source.pk if source else None, name_key(proposed)) for source, proposed in links]


def register_proposed_relays(claim: Claim, register) -> None:
    """An accepted claim's proposed relays, registered (`register(name=..., kind=...)`) by the accepting editor."""
    kind = None
    for relay in ClaimRelay.objects.filter(claim=claim, source=None):
        kind = kind or relay_kind(claim.kind)
        relay.source, relay.proposed = register(name=relay.proposed, kind=kind), ""
        relay.save(update_fields=["source", "proposed"])


@transaction.atomic
def set_affiliation(*, source: Source, affiliation: Source | None) -> Source:
    """Make `source` belong to `affiliation` (or to nothing); refused if the tree would go round in a circle."""
    if affiliation is not None:
        parents = dict(Source.objects.select_for_update().exclude(affiliation=None).values_list("pk", "affiliation_id"))
        parents[source.pk] = affiliation.pk
        if affiliation_cycle(parents, source.pk):
            itself = affiliation.pk == source.pk
            raise ValidationError(
                circle_refusal(source.name, affiliation.name, itself=itself), code="affiliation_cycle"
            )
    source.affiliation = affiliation
    source.save(update_fields=["affiliation"])
    return source


def merge_affiliations(*, source: Source, into: Source) -> None:
    """Before `source` is folded into `into`: its members belong to `into`, and `into` takes its affiliation
    if it has none (never itself, never a circle)."""
    Source.objects.filter(affiliation=source).exclude(pk=into.pk).update(affiliation=into)
    ClaimRelay.objects.filter(source=source).update(source=into)
    if into.affiliation_id == source.pk or (into.affiliation_id is None and source.affiliation_id):
        parent = source.affiliation_id if source.affiliation_id != into.pk else None
        parents = dict(Source.objects.exclude(affiliation=None).values_list("pk", "affiliation_id"))
        parents[into.pk] = parent
        parents.pop(source.pk, None)
        into.affiliation_id = None if affiliation_cycle(parents, into.pk) else parent
        into.save(update_fields=["affiliation"])
