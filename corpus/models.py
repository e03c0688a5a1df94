from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Outlet(models.Model):
    """A publication or site that carries articles."""

    name = models.CharField(max_length=200, unique=True)
    homepage = models.URLField(blank=True)

    class Meta:
        ordering = [Lower("name")]

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def search(self, query: str):
        """Articles whose title or outlet name contains every word of `query`."""
        qs = self
        for word in query.split():
            qs = qs.filter(models.Q(title__icontains=word) | models.Q(outlet__name__icontains=word))
        return qs


class Article(models.Model):
    """One imported text. `text` is frozen: every claim offset points into it."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=500)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    author = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=20, default="en")
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    source_file = models.CharField(max_length=500, blank=True)
    revision = models.PositiveIntegerField(
        default=1, help_text="The number of the revision `text` holds; older ones are kept as Revision rows."
    )
    independent = models.BooleanField(
        "tagged independently",
        default=False,
        help_text="Reviewers do not see each other's unreviewed claims on this article, "
        "so that their agreement can be measured.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = [models.F("published").desc(nulls_last=True), "title"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="article_text_not_empty"),
        ]
        indexes = [
            # Every claim read by a user who may not see everything asks which articles are tagged
            # independently (`ClaimQuerySet.visible_to`); without this the answer is a scan of every article,
            # 3.5 ms of each such query at 10,000 articles (three in each tag), and with it a few rows.
            models.Index(fields=["id"], condition=models.Q(independent=True), name="article_independent"),
        ]
        # The articles in `ordering`'s order are indexed too (`article_listing`, migration 0005): it is written in
        # SQL of each database there, since SQLite's CREATE INDEX takes no NULLS LAST.

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("annotate:article_detail", args=[self.slug])


class Revision(models.Model):
    """An earlier text of an article, kept when a changed version replaced it.

    The article itself holds the current text (its `revision` number); claims orphaned by a change keep
    pointing into the text of the revision they belong to, which stays readable here.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    source_url = models.URLField(max_length=1000, blank=True)
    replaced = models.DateTimeField(auto_now_add=True, help_text="When a newer text replaced this one.")

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self):
        return f"{self.article} (revision {self.number})"
