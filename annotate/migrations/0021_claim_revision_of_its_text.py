"""Claims tagged on an article after it had been revised were stored as pointing into its first text (the
field's default), though their offsets had been checked against the current one. Each such claim gets the
revision its offsets do point into: the current one for a claim still anchored; for an orphan, the revision
whose text holds its quote at its offsets (the latest such, since it was tagged on a text that came after
the one it names). An orphan whose quote no revision holds there keeps what it has."""

from collections import defaultdict

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def point_into_their_text(apps, schema_editor):
    Claim = apps.get_model("annotate", "Claim")
    Article = apps.get_model("corpus", "Article")
    Revision = apps.get_model("corpus", "Revision")
    using = schema_editor.connection.alias
    claims = Claim.objects.using(using)
    current = Subquery(Article.objects.using(using).filter(pk=OuterRef("article_id")).values("revision")[:1])
    claims.filter(orphaned=False).exclude(revision=current).update(revision=current)
    # The orphans of each article with them, and that article's earlier texts, read once per article.
    orphans = defaultdict(list)
    fields = ("pk", "article_id", "revision", "start", "end", "exact")
    for row in claims.filter(orphaned=True, revision__lt=F("article__revision")).values_list(*fields).iterator():
        orphans[row[1]].append(row)
    for article_id, rows in orphans.items():
        texts = dict(Revision.objects.using(using).filter(article_id=article_id).values_list("number", "text"))
        for pk, _, revision, start, end, exact in rows:
            if texts.get(revision, "")[start:end] == exact:
                continue
            holding = [n for n, text in texts.items() if n > revision and text[start:end] == exact]
            if holding:
                claims.filter(pk=pk).update(revision=max(holding))


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0020_source_pseudonym"),
        ("corpus", "0005_listing_index"),
    ]

    operations = [migrations.RunPython(point_into_their_text, migrations.RunPython.noop)]
