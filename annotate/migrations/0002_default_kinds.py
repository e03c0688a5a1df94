"""Seed the default provenance taxonomy. Colours are the Okabe-Ito palette, safe for colour-blind readers."""

from django.db import migrations

DEFAULT_KINDS = [
    (
        "state_media",
        "State media",
        "Government-controlled outlet or organ of the country concerned: KCNA, Rodong Sinmun.",
        "#D55E00",
    ),
    (
        "in_country_informant",
        "In-country informant",
        "A person inside the country reporting first-hand, usually unnamed.",
        "#009E73",
    ),
    ("think_tank", "Think tank", "Institutional analysis: KINU, Asan Institute.", "#0072B2"),
    (
        "unsourced_quote",
        "Unsourced quote",
        "A quotation or assertion credited to no identifiable source: “rumors”, “some experts caution”.",
        "#000000",
    ),
    (
        "foreign_government",
        "Foreign government",
        "Officials of another state: South Korea's unification ministry.",
        "#E69F00",
    ),
    ("expert", "Expert", "A named individual expert speaking for themselves.", "#CC79A7"),
    ("news_agency", "News agency", "Relayed from a wire or another outlet: Yonhap, Reuters.", "#56B4E9"),
    ("outlet_reporting", "Outlet's own reporting", "The outlet's own observation or analysis.", "#999999"),
    ("defector_testimony", "Defector testimony", "A former resident describing past practice.", "#F0E442"),
]


def add_kinds(apps, schema_editor):
    ProvenanceKind = apps.get_model("annotate", "ProvenanceKind")
    for order, (slug, label, definition, colour) in enumerate(DEFAULT_KINDS, start=1):
        ProvenanceKind.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "definition": definition,
                "colour": colour,
                "shortcut": str(order),
                "order": order,
            },
        )


def remove_kinds(apps, schema_editor):
    ProvenanceKind = apps.get_model("annotate", "ProvenanceKind")
    ProvenanceKind.objects.filter(slug__in=[k[0] for k in DEFAULT_KINDS], claims__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("annotate", "0001_initial")]
    operations = [migrations.RunPython(add_kinds, remove_kinds)]
