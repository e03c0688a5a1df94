"""The default kinds' colours, pairwise distinct for colour-blind readers too.

Okabe-Ito's grey (#999999, "Outlet's own reporting") and sky blue ("News agency") are only ΔE2000 6.2
apart for a deuteranope; a darker grey keeps every pair of default kinds at least 10 apart under normal
vision, deuteranopia and protanopia (tests/test_palette.py). Only a kind still at the old default changes:
a colour an editor chose is kept.
"""

from django.db import migrations

CHANGES = [("outlet_reporting", "#999999", "#6E6E6E")]


def distinct_colours(apps, schema_editor):
    ProvenanceKind = apps.get_model("annotate", "ProvenanceKind")
    for slug, old, new in CHANGES:
        ProvenanceKind.objects.filter(slug=slug, colour__iexact=old).update(colour=new)


def previous_colours(apps, schema_editor):
    ProvenanceKind = apps.get_model("annotate", "ProvenanceKind")
    for slug, old, new in CHANGES:
        ProvenanceKind.objects.filter(slug=slug, colour__iexact=new).update(colour=old)


class Migration(migrations.Migration):
    dependencies = [("annotate", "0010_kind_roles")]
    operations = [migrations.RunPython(distinct_colours, previous_colours)]
