"""The dashboard's summary of claims, and the triggers that keep it in the transaction of every claim write.

PostgreSQL and SQLite each get triggers in their own dialect; both upsert on the summary's unique key
(`claimcount_key`: a missing fact, source or owner is 0) and delete a row when its count reaches 0.
The summary is filled from the claims already stored.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from dashboard.triggers import install, uninstall


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("annotate", "0010_kind_roles"),
        ("corpus", "0002_article_independent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                            ("changes_requested", "Changes requested"),
                        ],
                        max_length=20,
                    ),
                ),
                ("claims", models.PositiveIntegerField()),
                (
                    "article",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="corpus.article",
                    ),
                ),
                (
                    "fact",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="annotate.fact",
                    ),
                ),
                (
                    "kind",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="annotate.provenancekind",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        help_text="The annotator, while the claims are not accepted.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="annotate.source",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["status", "fact", "kind", "article"],
                        include=("source", "owner", "claims"),
                        name="claimcount_read",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("article"),
                        models.F("kind"),
                        models.F("status"),
                        django.db.models.functions.comparison.Coalesce("fact", 0),
                        django.db.models.functions.comparison.Coalesce("source", 0),
                        django.db.models.functions.comparison.Coalesce("owner", 0),
                        name="claimcount_key",
                    ),
                    models.CheckConstraint(condition=models.Q(("claims__gt", 0)), name="claimcount_positive"),
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
