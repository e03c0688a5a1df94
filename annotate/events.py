"""The audit trail of claims: an append-only row for every creation, edit, deletion and review."""

from django.conf import settings
from django.db import models

from corpus.models import Article


class ReviewEvent(models.Model):
    """Append-only audit trail: every creation, edit, deletion and review of a claim."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        DELETED = "deleted", "Deleted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        CORRECTED = "corrected", "Corrected"
        UNDONE = "undone", "Undone"
        MOVED = "moved", "Moved to a new revision"
        ORPHANED = "orphaned", "Orphaned by a new revision"

    claim = models.ForeignKey("annotate.Claim", null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    claim_ref = models.PositiveBigIntegerField(help_text="The claim's id, kept after it is deleted.")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["claim_ref", "at"], name="event_claim_at")]

    def __str__(self):
        return f"{self.actor} {self.action} claim {self.claim_ref}"
