"""The dashboard's summaries: claims counted by what the dashboard groups and filters by.

Database triggers on the claims table (`dashboard.triggers`) keep them in the same transaction as every
write of a claim, whichever way it comes: the services, `bulk_create`, a raw `UPDATE`, an import, a merge
of sources, a revision's re-anchoring. Nothing here writes them; nothing can skip them.

`ClaimCount` keeps everything the facts are counted by, so it has nearly a row per claim when claims
spread over many facts and sources; `ArticleCount` keeps the kind mix of each article alone, a few rows per
article, which is what the mix per article and outlet and the totals read.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from annotate.models import Claim, Fact, ProvenanceKind, Source
from corpus.models import Article


class CountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The counts of the claims `user` may see: the rule of `Claim.objects.visible_to`, exactly.

        A claim is hidden when its article is tagged independently, it is not accepted, and another
        reviewer made it. `owner` is the annotator of claims not yet accepted (and empty once they are),
        so the same rule reads: independent article, an owner, and not `user`.
        """
        if user.has_perm("annotate.review_claim"):
            return self
        independent = Article.objects.filter(independent=True).values("pk")
        return self.exclude(Q(article_id__in=independent) & Q(owner__isnull=False) & ~Q(owner_id=user.pk))


def _reference(model, **options):
    # No foreign-key constraint: the row follows the claims table's own, and a trigger must never fail on it.
    # No index of its own either: each would cost every claim write; `claimcount_read` serves the reads.
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+", **options
    )


class SummaryRow(models.Model):
    """What both summaries keep: claims of an article, kind, status and (until accepted) annotator."""

    article = _reference(Article)
    kind = _reference(ProvenanceKind)
    status = models.CharField(max_length=20, choices=Claim.Status)
    owner = _reference(
        settings.AUTH_USER_MODEL, null=True, help_text="The annotator, while the claims are not accepted."
    )
    claims = models.PositiveIntegerField()

    objects = CountQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.claims} claims"


class ClaimCount(SummaryRow):
    """How many claims share an article, kind, status, fact, source and (until accepted) annotator."""

    fact = _reference(Fact, null=True)
    source = _reference(Source, null=True)

    class Meta:
        constraints = [
            # The key the triggers upsert on; a missing fact, source or owner counts as 0.
            models.UniqueConstraint(
                F("article"),
                F("kind"),
                F("status"),
                Coalesce("fact", 0),
                Coalesce("source", 0),
                Coalesce("owner", 0),
                name="claimcount_key",
            ),
            models.CheckConstraint(condition=Q(claims__gt=0), name="claimcount_positive"),
        ]
        indexes = [
            # The dashboard's reads: by status, then fact and kind, with the rest in the index.
            models.Index(
                fields=["status", "fact", "kind", "article"],
                include=["source", "owner", "claims"],
                name="claimcount_read",
            ),
        ]


class ArticleCount(SummaryRow):
    """How many claims of an article share a kind, status and (until accepted) annotator."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("article"), F("kind"), F("status"), Coalesce("owner", 0), name="articlecount_key"
            ),
            models.CheckConstraint(condition=Q(claims__gt=0), name="articlecount_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "article", "kind"], include=["owner", "claims"], name="articlecount_read"),
        ]
