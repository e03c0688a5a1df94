"""What the suggestion engine keeps: only the texts reviewers dismissed. Suggestions themselves are computed
afresh from the text and the registry (a few milliseconds), so they never sit beside claims, never count
in the dashboard and are never exported: a suggestion becomes data only when accepted, as a claim."""

from django.conf import settings
from django.db import models

from corpus.models import Article


class DismissalQuerySet(models.QuerySet):
    def for_article(self, article):
        """The texts dismissed on one article."""
        return self.filter(article=article)


class Dismissal(models.Model):
    """A suggestion a reviewer dismissed: the same text on this article is not proposed again."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    exact = models.TextField(help_text="The text that was proposed.")
    key = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the text as compared.")
    start = models.PositiveIntegerField()
    kind = models.CharField(max_length=50, help_text="The kind that was proposed (its slug).")
    engine = models.CharField(max_length=40, help_text="The engine version that proposed it.")
    score = models.FloatField()
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = DismissalQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "key"], name="dismissal_unique_text")]

    def __str__(self):
        return self.exact[:60]
