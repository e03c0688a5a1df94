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

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("annotate:article_detail", args=[self.slug])
