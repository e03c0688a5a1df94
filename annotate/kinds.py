"""The taxonomy of sources: the kinds a claim's source can be of, and what sources of each kind do."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Enter a colour as #RRGGBB.", code="colour")


class ProvenanceKindQuerySet(models.QuerySet):
    def active(self):
        """Kinds offered in the tag panel; inactive kinds still label their existing claims."""
        return self.filter(active=True)


class KindRole(models.TextChoices):
    """What sources of a kind do, which the dashboard's rules read (dashboard/basis.py)."""

    ORIGIN = "origin", "Origin: says something of its own"
    RELAY = "relay", "Relay: passes on what others said"
    UNSOURCED = "unsourced", "Unsourced: no identifiable source"


class ProvenanceKind(models.Model):
    """Where a claim's source stands: state media, an in-country informant, a think tank..."""

    Role = KindRole

    slug = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=80, unique=True)
    definition = models.CharField(max_length=300, blank=True)
    colour = models.CharField(max_length=7, validators=[hex_colour], help_text="#RRGGBB")
    shortcut = models.CharField(
        max_length=1,
        blank=True,
        validators=[RegexValidator(r"^[1-9]$", "Use a single digit 1-9.", code="shortcut")],
        help_text="Number key that picks this kind in the tag panel.",
    )
    role = models.CharField(
        max_length=10,
        choices=KindRole,
        default=KindRole.ORIGIN,
        help_text="What sources of this kind do: the dashboard's rules read this, never the kind's name.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = ProvenanceKindQuerySet.as_manager()

    class Meta:
        ordering = ["order", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="kind_colour_hex"),
            models.CheckConstraint(condition=Q(role__in=KindRole.values), name="kind_role_valid"),
            models.UniqueConstraint(
                fields=["shortcut"], condition=~Q(shortcut="") & Q(active=True), name="kind_unique_active_shortcut"
            ),
        ]

    def __str__(self):
        return self.label
