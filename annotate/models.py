from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.urls import reverse

from corpus.models import Article

from .events import ReviewEvent  # noqa: F401 -- the audit trail, a model of this family kept in its own module
from .kinds import KindRole, ProvenanceKind  # noqa: F401 -- the taxonomy, likewise
from .names import name_key, validate_not_reserved
from .relays import RELAYS, KeptChain, affiliation_cycle, circle_refusal


def can_see_sensitive(user) -> bool:
    """Editors may see who a sensitive source is; nobody else may."""
    return user.has_perm("annotate.view_sensitive_source")


def may_change(user, permission: str) -> bool:
    """Whether `user` may make a change that shows or takes names as they are: the registry of sources (its
    lists, its forms' refusals, a merge's choices) and a fact's verdict (its form holds the text unmasked).
    A change permission alone is not enough: an account given it without the permission to see protected
    sources would read them there."""
    return user.has_perm(permission) and can_see_sensitive(user)


class KeyedQuerySet(models.QuerySet):
    """For rows compared by a key derived from one of their fields: bulk inserts fill the key too."""

    keyed_by = "name"

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.key = name_key(getattr(obj, self.keyed_by))
        return super().bulk_create(objs, *args, **kwargs)


class SourceQuerySet(KeyedQuerySet):
    def named(self, name: str):
        """The source called `name` or known by it as an alias, compared by `name_key`."""
        key = name_key(name)
        return self.filter(Q(key=key) | Q(aliases__key=key)).distinct()

    def matching(self, text: str):
        """Sources whose name or an alias contains `text`, ignoring case: the autocomplete."""
        text = text.strip()
        return self.filter(Q(name__icontains=text) | Q(aliases__name__icontains=text)).distinct()

    def visible_to(self, user):
        """All sources for editors. Others never see sensitive ones listed, nor sources that only claims
        hidden from them use (another reviewer's, on an independently tagged article)."""
        if can_see_sensitive(user):
            return self
        return self.filter(sensitive=False).filter(_shown_with_claims(user, "source"))


class Source(models.Model):
    """A named originator of claims ("KCNA", "ASIAPRESS reporting partner, North Hamgyong")."""

    name = models.CharField(max_length=200, validators=[validate_not_reserved])
    key = models.CharField(max_length=400, unique=True, editable=False, help_text="The name as compared.")
    kind = models.ForeignKey(ProvenanceKind, on_delete=models.PROTECT, related_name="sources")
    description = models.TextField(blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text="A person whose identity must be protected (e.g. an informant inside the country): "
        "the name is shown only to editors.",
    )
    affiliation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The source this one belongs to or speaks for (Rodong Sinmun: the North Korean state). "
        "Sources of one affiliation count as one independent origin.",
    )
    created = models.DateTimeField(auto_now_add=True)
    pseudonym = models.PositiveIntegerField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The N of “Protected source N”: given when it is first saved as sensitive, and kept.",
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(affiliation__isnull=True) | ~Q(affiliation=F("pk")), name="source_not_own_affiliation"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The key is derived from the name; the unique index on it is what keeps names apart.
        self.key = name_key(self.name)
        if self.sensitive and self.pseudonym is None:
            # The next number, kept for good: numbered by their order among the others, the protected sources'
            # pseudonyms changed whenever an older source was marked sensitive, and told where it stood.
            self.pseudonym = (Source.objects.aggregate(last=models.Max("pseudonym"))["last"] or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "pseudonym"}
        super().save(*args, **kwargs)

    def clean(self):
        """An affiliation may not lead back to the source itself: the tree would have no root."""
        super().clean()
        if self.affiliation_id is not None and self.pk is not None:
            parents = dict(Source.objects.exclude(affiliation=None).values_list("pk", "affiliation_id"))
            if affiliation_cycle(parents | {self.pk: self.affiliation_id}, self.pk):
                itself = self.affiliation_id == self.pk
                message = circle_refusal(self.name, str(self.affiliation), itself=itself)
                raise ValidationError({"affiliation": message}, code="affiliation_cycle")


class SourceAlias(models.Model):
    """Another name of a source; a merged duplicate's name lives on as one."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, validators=[validate_not_reserved])
    key = models.CharField(max_length=400, unique=True, editable=False, help_text="The name as compared.")

    objects = KeyedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        verbose_name_plural = "source aliases"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)


class FactQuerySet(KeyedQuerySet):
    keyed_by = "statement"

    def stated(self, statement: str):
        """The fact with this statement, compared by `name_key`."""
        return self.filter(key=name_key(statement))

    def matching(self, text: str):
        """Facts whose statement or slug contains `text`: the autocomplete."""
        text = text.strip()
        return self.filter(Q(statement__icontains=text) | Q(slug__icontains=text))

    def visible_to(self, user):
        """Every fact, except those that only claims hidden from `user` use (independent tagging)."""
        if user.has_perm("annotate.review_claim"):
            return self
        return self.filter(_shown_with_claims(user, "fact"))


class Fact(models.Model):
    """A canonical statement that several articles report ("Turnout was 99.63%")."""

    statement = models.CharField(max_length=300)
    key = models.CharField(max_length=600, unique=True, editable=False, help_text="The statement as compared.")
    slug = models.SlugField(max_length=100, unique=True)
    note = models.TextField(blank=True)
    conflicts = models.ManyToManyField("self", symmetrical=True, blank=True, help_text="Facts this one contradicts.")
    # An editor's verdict: a rating label ("False", "Unproven") and why; exported as a ClaimReview's rating.
    verdict = models.CharField(max_length=80, blank=True)
    verdict_explanation = models.TextField(blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verdict_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = FactQuerySet.as_manager()

    class Meta:
        ordering = [Lower("statement")]

    def __str__(self):
        return self.statement

    def save(self, *args, **kwargs):
        self.key = name_key(self.statement)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("dashboard:fact_detail", args=[self.slug])


class ClaimQuerySet(models.QuerySet):
    def for_article(self, article):
        """Claims on one article's current text, in text order, with what a highlight or list row shows."""
        return self.filter(article=article).anchored().with_related().order_by("start", "-end", "pk")

    def anchored(self):
        """Claims whose offsets refer to their article's current text (orphans of older revisions left out)."""
        return self.filter(orphaned=False)

    def with_related(self):
        """Everything a claim row shows: one query, and one more for the relay chains."""
        return self.select_related("kind", "source", "fact", "annotator", "reviewer").prefetch_related(RELAYS)

    def pending(self):
        """Claims no editor has reviewed yet."""
        return self.filter(status=Claim.Status.PENDING)

    def visible_to(self, user):
        """On independently tagged articles, reviewers see only their own claims and accepted ones.

        Editors see everything. Elsewhere everyone sees every claim.
        """
        if user.has_perm("annotate.review_claim"):
            return self
        independent = Article.objects.filter(independent=True).values("pk")
        return self.exclude(Q(article_id__in=independent) & ~Q(annotator_id=user.pk) & ~Q(status=Claim.Status.ACCEPTED))

    def on(self, article, user):
        """The claims of `article` that `user` may see, as `visible_to` decides, from the article's own flag:
        no question about every independently tagged article, which the reading view and a tag, asking about
        one article, paid for in each of their claim queries (about 0.5 ms of CPU to build each)."""
        claims = self.filter(article=article)
        if article.independent and not user.has_perm("annotate.review_claim"):
            claims = claims.filter(Q(annotator_id=user.pk) | Q(status=Claim.Status.ACCEPTED))
        return claims


def _shown_with_claims(user, link: str) -> Q:
    """For a source or fact (`link` names the claim's field): it has no claims, or some claim `user` may see."""
    claims = Claim.objects.filter(**{link: models.OuterRef("pk")})
    return Q(~models.Exists(claims)) | Q(models.Exists(claims.visible_to(user)))


class Claim(KeptChain, models.Model):
    """A span of an article's text tagged with the provenance of its source."""

    class Directness(models.TextChoices):
        FIRST_HAND = "first_hand", "First-hand"
        RELAYED = "relayed", "Relayed"
        SELF_REPORT = "self_report", "Self-report"
        INTERPRETATION = "interpretation", "Interpretation"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    class Reason(models.TextChoices):
        WRONG_SPAN = "wrong_span", "Wrong span"
        WRONG_KIND = "wrong_kind", "Wrong kind"
        WRONG_SOURCE = "wrong_source", "Wrong source"
        NOT_A_CLAIM = "not_a_claim", "Not a claim"
        DUPLICATE = "duplicate", "Duplicate"
        TEXT_CHANGED = "text_changed", "Text changed"
        OTHER = "other", "Other"

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    # The article revision the offsets refer to: the current one, or an older one for an orphan.
    revision = models.PositiveIntegerField(default=1)
    orphaned = models.BooleanField(default=False, help_text="Its quote was not found in a newer text of the article.")
    start = models.PositiveIntegerField(help_text="Code-point offset into the article text (inclusive).")
    end = models.PositiveIntegerField(help_text="Code-point offset into the article text (exclusive).")
    exact = models.TextField(help_text="The quoted text: always article.text[start:end].")
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    kind = models.ForeignKey(ProvenanceKind, on_delete=models.PROTECT, related_name="claims")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    # A name a reviewer typed that is not a registered public source: held until an editor accepts the
    # claim, when it is looked up (sensitive sources included) or registered. Linking it at once would
    # tell the reviewer whether they had guessed a protected source's name.
    proposed_source = models.CharField(max_length=200, blank=True)
    directness = models.CharField(max_length=15, choices=Directness, blank=True)
    fact = models.ForeignKey(Fact, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    # Likewise a new fact's statement typed by a reviewer: editors register facts.
    proposed_fact = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reviewed_claims"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(max_length=20, choices=Reason, blank=True)
    review_note = models.TextField(blank=True)
    # A review-queue lease: the editor who has this card open, until when. Not part of the claim's state.
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change (optimistic locking).")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    objects = ClaimQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0) & Q(start__lt=F("end")), name="claim_span_valid"),
            models.CheckConstraint(condition=Q(end=F("start") + Length("exact")), name="claim_exact_fits_span"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "rejected", "changes_requested"]),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                # ... or a pending claim sent back to review because its article's text changed
                condition=Q(review_reason="")
                | Q(status__in=["rejected", "changes_requested"])
                | Q(status="pending", review_reason="text_changed"),
                name="claim_reason_only_when_refused",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="claim_version_positive"),
            models.CheckConstraint(
                condition=Q(proposed_source="") | Q(source__isnull=True), name="claim_source_or_proposed"
            ),
            models.CheckConstraint(condition=Q(proposed_fact="") | Q(fact__isnull=True), name="claim_fact_or_proposed"),
            models.UniqueConstraint(
                fields=["article", "start", "end", "kind", "annotator"], name="claim_unique_per_annotator"
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="claim_article_start"),
            models.Index(fields=["status", "created"], name="claim_status_created"),
            # Covers the dashboard's per-fact aggregates, so they read the index alone.
            models.Index(
                fields=["fact", "kind", "article"], include=["source", "status"], name="claim_fact_kind_cover"
            ),
            # The claims that name no source but a fact: the dashboard counts the far ends of their relay
            # chains (`dashboard.origins.far_ends`) from the index alone, not from the claims or the relays.
            models.Index(
                fields=["status", "fact"],
                include=["id", "kind", "article", "annotator", "chain_length", "chain_end"],
                condition=Q(source__isnull=True, fact__isnull=False),
                name="claim_unsourced",
            ),
            # Every page counts the signed-in reviewer's claims sent back for changes (`annotate.attention`):
            # an index of those few, not a walk through all of a prolific reviewer's claims.
            models.Index(fields=["annotator"], condition=Q(status="changes_requested"), name="claim_changes_requested"),
        ]
        permissions = [
            ("review_claim", "Can accept, reject and correct claims"),
            ("export_claims", "Can export claims"),
            ("view_sensitive_source", "Can see the names of sensitive sources"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.exact[:60]}"

    def is_editable_by(self, user) -> bool:
        """Authors may change their own claims until an editor accepts or rejects them."""
        return user.pk == self.annotator_id and self.status in (self.Status.PENDING, self.Status.CHANGES_REQUESTED)

    def snapshot(self) -> dict:
        """The claim's editable state, as recorded in the audit trail."""
        return {
            "article": self.article_id,
            "revision": self.revision,
            "orphaned": self.orphaned,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "kind": self.kind.slug,
            "source": self.source.name if self.source else "",
            "source_id": self.source_id,
            "proposed_source": self.proposed_source,
            # The relay chain, nearest to the article first: registered sources by name and id, proposals by name.
            "via": [relay.name for relay in self.relays.all()],
            "via_ids": [relay.source_id for relay in self.relays.all()],
            "directness": self.directness,
            "fact": self.fact.slug if self.fact else "",
            "proposed_fact": self.proposed_fact,
            "note": self.note,
            "status": self.status,
            "reviewer": self.reviewer.get_username() if self.reviewer_id else "",
            "review_reason": self.review_reason,
            "review_note": self.review_note,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "version": self.version,
        }
