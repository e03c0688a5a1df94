"""Relay chains and affiliations: how a claim reached the article, and whom a source belongs to.

A claim's relay chain is an ordered list of registry sources (`ClaimRelay`); a source's affiliation is
another source it belongs to or speaks for. The dashboard's origin counting (dashboard/origins.py) reads
both; here are the model and the one rule the registry keeps about affiliations: no circles.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .names import clean_name

MAX_RELAYS = 10
# How a chain is written as one line of text (the Via field, the CSV column): names never hold a ";".
VIA_SEPARATOR = "; "


def split_via(text: str) -> list[str]:
    """A chain written as one line ("Yonhap; KCNA": the Via field, the CSV column) as names, tidied."""
    return [name for part in text.split(VIA_SEPARATOR.strip()) if (name := clean_name(part))]


def affiliation_cycle(parents: dict[int, int | None], start: int) -> bool:
    """Whether following `parents` (source id -> affiliation id) from `start` comes back to a source met before."""
    seen, node = set(), start
    while node is not None:
        if node in seen:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def circle_refusal(source_name: str, affiliation_name: str, *, itself: bool) -> str:
    """Why `source_name` may not belong to `affiliation_name`: the change refused first, then the reason."""
    if itself:
        return f"“{source_name}” cannot belong to itself."
    return (
        f"“{source_name}” cannot belong to “{affiliation_name}”, which already belongs to it (through its own "
        "affiliations): an affiliation cannot go round in a circle."
    )


class ClaimRelay(models.Model):
    """One link of a claim's relay chain: a registry source it passed through on its way into the article.

    `position` 0 is nearest to the article (the agency the outlet took it from), the last is nearest to the
    claim's source. A name a reviewer typed that is not a registered public source is held as `proposed`
    until an editor accepts the claim, exactly as the claim's own source is.
    """

    claim = models.ForeignKey("annotate.Claim", on_delete=models.CASCADE, related_name="relays")
    position = models.PositiveSmallIntegerField()
    source = models.ForeignKey(
        "annotate.Source", null=True, blank=True, on_delete=models.PROTECT, related_name="relays"
    )
    proposed = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["claim", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "position"], name="relay_unique_position"),
            models.CheckConstraint(
                condition=(Q(source__isnull=True) & ~Q(proposed="")) | (Q(source__isnull=False) & Q(proposed="")),
                name="relay_source_or_proposed",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The registered source's name, or the proposed one: as stored, never for display unmasked."""
        return self.source.name if self.source_id else self.proposed


RELAYS = models.Prefetch("relays", queryset=ClaimRelay.objects.select_related("source").order_by("position"))


RELAYS = models.Prefetch("relays", queryset=ClaimRelay.objects.select_related("source").order_by("position"))


class KeptChain(models.Model):
    """What a claim keeps of its relay chain for the dashboard's origins: how many links it has and the
    registered source of the last one, its far end (NULL when that is a name still proposed).

    Triggers on the relay table keep both (`dashboard.triggers`); nothing here writes them, and `save()`
    leaves them out of every update (a claim read before its chain changed would write the old far end back).
    """

    chain_length = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    chain_end = models.ForeignKey(
        "annotate.Source",
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the relay's own foreign key protects the source; a trigger must never fail
        db_index=False,
        related_name="+",
    )

    KEPT_BY_TRIGGERS = ("chain_length", "chain_end")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in self.KEPT_BY_TRIGGERS
            ]
        super().save(*args, **kwargs)
