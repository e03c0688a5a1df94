"""Relay chains and affiliations; editors' verdicts on facts.

A claim's free-text `via` becomes an ordered chain of registry sources (`ClaimRelay`); each name is
resolved by its key against the sources' names and aliases, sensitive ones included, and a name the
registry does not know is registered as a new source of the first relay kind for editors to clean up.
A new name that holds a sensitive source's name is registered as sensitive, so it stays protected.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from annotate.masking import name_pattern, skeleton
from annotate.names import clean_name, is_reserved, name_key

MAX_RELAYS = 10
NOTE = "Registered from a claim's free-text relay: check its name, kind and affiliation."


def _names(via):
    return [name for part in via.split(";") if (name := clean_name(part))][:MAX_RELAYS]


def via_to_relays(apps, schema_editor):
    Claim = apps.get_model("annotate", "Claim")
    ClaimRelay = apps.get_model("annotate", "ClaimRelay")
    Kind = apps.get_model("annotate", "ProvenanceKind")
    Source = apps.get_model("annotate", "Source")
    SourceAlias = apps.get_model("annotate", "SourceAlias")
    known = dict(SourceAlias.objects.values_list("key", "source_id"))
    known |= dict(Source.objects.values_list("key", "pk"))
    sensitive = [*Source.objects.filter(sensitive=True).values_list("name", flat=True)]
    sensitive += SourceAlias.objects.filter(source__sensitive=True).values_list("name", flat=True)
    pattern = name_pattern(sensitive)
    kind = Kind.objects.filter(role="relay").order_by("-active", "order", "pk").first()
    relays = []
    for pk, via in Claim.objects.exclude(via="").values_list("pk", "via").iterator():
        for position, name in enumerate(_names(via)):
            name = name[:200]
            key = name_key(name)
            if key not in known:
                if is_reserved(name):
                    continue  # a pseudonym typed as text names nobody
                hides = bool(pattern and pattern.search(skeleton(name)))
                source = Source.objects.create(
                    name=name,
                    key=key,
                    kind=kind or Kind.objects.order_by("pk").first(),
                    sensitive=hides,
                    description=NOTE,
                )
                known[key] = source.pk
            relays.append(ClaimRelay(claim_id=pk, position=position, source_id=known[key]))
    ClaimRelay.objects.bulk_create(relays, batch_size=1000)
    _check_now(schema_editor)


def _check_now(schema_editor):
    # PostgreSQL defers the new rows' foreign-key checks to the end of the transaction, and refuses to alter
    # a table with checks pending: run them now, before the schema changes that follow.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def relays_to_via(apps, schema_editor):
    Claim = apps.get_model("annotate", "Claim")
    ClaimRelay = apps.get_model("annotate", "ClaimRelay")
    chains = {}
    for relay in ClaimRelay.objects.select_related("source").order_by("claim_id", "position"):
        chains.setdefault(relay.claim_id, []).append(relay.source.name if relay.source_id else relay.proposed)
    for pk, names in chains.items():
        Claim.objects.filter(pk=pk).update(via="; ".join(names)[:200])
    _check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0010_kind_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimRelay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("proposed", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "ordering": ["claim", "position"],
            },
        ),
        migrations.AddField(
            model_name="source",
            name="affiliation",
            field=models.ForeignKey(
                blank=True,
                help_text="The source this one belongs to or speaks for (Rodong Sinmun: the North Korean state). Sources of one affiliation count as one independent origin.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="members",
                to="annotate.source",
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("affiliation__isnull", True),
                    models.Q(("affiliation", models.F("pk")), _negated=True),
                    _connector="OR",
                ),
                name="source_not_own_affiliation",
            ),
        ),
        migrations.AddField(
            model_name="claimrelay",
            name="claim",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="relays", to="annotate.claim"
            ),
        ),
        migrations.AddField(
            model_name="claimrelay",
            name="source",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="relays",
                to="annotate.source",
            ),
        ),
        migrations.AddConstraint(
            model_name="claimrelay",
            constraint=models.UniqueConstraint(fields=("claim", "position"), name="relay_unique_position"),
        ),
        migrations.AddConstraint(
            model_name="claimrelay",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("source__isnull", True), models.Q(("proposed", ""), _negated=True)),
                    models.Q(("source__isnull", False), ("proposed", "")),
                    _connector="OR",
                ),
                name="relay_source_or_proposed",
            ),
        ),
        migrations.AddField(model_name="fact", name="verdict", field=models.CharField(blank=True, max_length=80)),
        migrations.AddField(model_name="fact", name="verdict_explanation", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="fact",
            name="verdict_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(model_name="fact", name="verdict_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(via_to_relays, relays_to_via),
        migrations.RemoveField(
            model_name="claim",
            name="via",
        ),
    ]
