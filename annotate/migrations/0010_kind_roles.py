"""Kinds carry a role (origin, relay, unsourced) that the dashboard's rules read instead of slugs."""

from django.db import migrations, models

# The default kinds that are not origins; any other kind, including those added since, is an origin.
DEFAULT_ROLES = {"news_agency": "relay", "outlet_reporting": "relay", "unsourced_quote": "unsourced"}


def set_roles(apps, schema_editor):
    ProvenanceKind = apps.get_model("annotate", "ProvenanceKind")
    for slug, role in DEFAULT_ROLES.items():
        ProvenanceKind.objects.filter(slug=slug).update(role=role)


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0009_name_keys_and_proposals"),
    ]

    operations = [
        migrations.AddField(
            model_name="provenancekind",
            name="role",
            field=models.CharField(
                choices=[
                    ("origin", "Origin: says something of its own"),
                    ("relay", "Relay: passes on what others said"),
                    ("unsourced", "Unsourced: no identifiable source"),
                ],
                default="origin",
                help_text="What sources of this kind do: the dashboard's rules read this, never the kind's name.",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="provenancekind",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["origin", "relay", "unsourced"])), name="kind_role_valid"
            ),
        ),
        migrations.RunPython(set_roles, migrations.RunPython.noop),
    ]
