"""Names compared by one key (NFKC, case-folded) in lookups and unique indexes; names and statements that
reviewers type are held on the claim until an editor accepts it.

Existing rows get their key from their name. Two names that the old index (lower()) kept apart but the
new key treats as one (the Kelvin sign and K, say) both stay: the later one's key is suffixed with its
id, so nothing is renamed or lost, and an editor can merge them.
"""

import unicodedata

from django.db import migrations, models

import annotate.names


def _key(text):
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def fill_keys(apps, schema_editor):
    for model_name, field in (("Source", "name"), ("SourceAlias", "name"), ("Fact", "statement")):
        model = apps.get_model("annotate", model_name)
        seen = set()
        for row in model.objects.order_by("pk").only("pk", field):
            key = _key(getattr(row, field))
            if key in seen:
                key = f"{key} #{row.pk}"
            seen.add(key)
            model.objects.filter(pk=row.pk).update(key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0008_review_statuses"),
    ]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="name",
            field=models.CharField(max_length=200, validators=[annotate.names.validate_not_reserved]),
        ),
        migrations.AlterField(
            model_name="sourcealias",
            name="name",
            field=models.CharField(max_length=200, validators=[annotate.names.validate_not_reserved]),
        ),
        migrations.RemoveConstraint(model_name="source", name="source_unique_name_ci"),
        migrations.RemoveConstraint(model_name="sourcealias", name="alias_unique_name_ci"),
        migrations.RemoveConstraint(model_name="fact", name="fact_unique_statement_ci"),
        migrations.AddField(
            model_name="source",
            name="key",
            field=models.CharField(editable=False, max_length=400, null=True, help_text="The name as compared."),
        ),
        migrations.AddField(
            model_name="sourcealias",
            name="key",
            field=models.CharField(editable=False, max_length=400, null=True, help_text="The name as compared."),
        ),
        migrations.AddField(
            model_name="fact",
            name="key",
            field=models.CharField(editable=False, max_length=600, null=True, help_text="The statement as compared."),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="source",
            name="key",
            field=models.CharField(editable=False, max_length=400, unique=True, help_text="The name as compared."),
        ),
        migrations.AlterField(
            model_name="sourcealias",
            name="key",
            field=models.CharField(editable=False, max_length=400, unique=True, help_text="The name as compared."),
        ),
        migrations.AlterField(
            model_name="fact",
            name="key",
            field=models.CharField(editable=False, max_length=600, unique=True, help_text="The statement as compared."),
        ),
        migrations.AddField(
            model_name="claim",
            name="proposed_source",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="claim",
            name="proposed_fact",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(("proposed_source", ""), ("source__isnull", True), _connector="OR"),
                name="claim_source_or_proposed",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(("proposed_fact", ""), ("fact__isnull", True), _connector="OR"),
                name="claim_fact_or_proposed",
            ),
        ),
    ]
