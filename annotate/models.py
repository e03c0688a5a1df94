from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from corpus.models import Article

hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Enter a colour as #RRGGBB.", code="colour")


class ProvenanceKindQuerySet(models.QuerySet):
    def active(self):
        """Kinds offered in the tag panel; inactive kinds still label their existing claims."""
        return self.filter(active=True)


class ProvenanceKind(models.Model):
    """Where a claim's source stands: state media, an in-country informant, a think tank..."""

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
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = ProvenanceKindQuerySet.as_manager()

    class Meta:
        ordering = ["order", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="kind_colour_hex"),
            models.UniqueConstraint(
                fields=["shortcut"], condition=~Q(shortcut="") & Q(active=True), name="kind_unique_active_shortcut"
            ),
        ]

    def __str__(self):
        return self.label


class ClaimQuerySet(models.QuerySet):
    def for_article(self, article):
        """Claims on one article, in text order, with what a highlight or list row shows."""
        return self.filter(article=article).select_related("kind", "annotator").order_by("start", "-end", "pk")

    def pending(self):
        """Claims no editor has reviewed yet."""
        return self.filter(status=Claim.Status.PENDING)


class Claim(models.Model):
    """A span of an article's text tagged with the provenance of its source."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    start = models.PositiveIntegerField(help_text="Code-point offset into the article text (inclusive).")
    end = models.PositiveIntegerField(help_text="Code-point offset into the article text (exclusive).")
    exact = models.TextField(help_text="The quoted text: always article.text[start:end].")
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    kind = models.ForeignKey(ProvenanceKind, on_delete=models.PROTECT, related_name="claims")
    source_name = models.CharField("source", max_length=300, blank=True)
    note = models.TextField(blank=True)
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reviewed_claims"
    )
    review_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change (optimistic locking).")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0) & Q(start__lt=F("end")), name="claim_span_valid"),
            models.CheckConstraint(condition=Q(end=F("start") + Length("exact")), name="claim_exact_fits_span"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "rejected"]), name="claim_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="claim_version_positive"),
            models.UniqueConstraint(
                fields=["article", "start", "end", "kind", "annotator"], name="claim_unique_per_annotator"
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="claim_article_start"),
            models.Index(fields=["status", "created"], name="claim_status_created"),
        ]
        permissions = [
            ("review_claim", "Can accept, reject and correct claims"),
            ("export_claims", "Can export claims"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.exact[:60]}"

    def is_editable_by(self, user) -> bool:
        """Authors may change their own claims until an editor has reviewed them."""
        return user.pk == self.annotator_id and self.status == self.Status.PENDING

    def snapshot(self) -> dict:
        """The claim's editable state, as recorded in the audit trail."""
        return {
            "article": self.article_id,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "kind": self.kind.slug,
            "source": self.source_name,
            "note": self.note,
            "status": self.status,
            "version": self.version,
        }


class ReviewEvent(models.Model):
    """Append-only audit trail: every creation, edit, deletion and review of a claim."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        DELETED = "deleted", "Deleted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    claim_ref = models.PositiveBigIntegerField(help_text="The claim's id, kept after it is deleted.")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["claim_ref", "at"], name="event_claim_at")]

    def __str__(self):
        return f"{self.actor} {self.action} claim {self.claim_ref}"
