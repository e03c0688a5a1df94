"""Turn the free-text source names of existing claims into Source rows, one per name (ignoring case).

Each new source takes the kind of the earliest claim that named it; nothing else about a claim changes.
"""

from django.db import migrations


def names_to_sources(apps, schema_editor):
    Claim = apps.get_model("annotate", "Claim")
    Source = apps.get_model("annotate", "Source")
    by_name = {}
    for claim in Claim.objects.exclude(source_name="").order_by("created", "pk").iterator():
        name = " ".join(claim.source_name.split())
        key = name[:200].lower()
        if key not in by_name:
            # A name longer than a source's 200 characters keeps its full text in the description.
            by_name[key] = Source.objects.create(
                name=name[:200], kind_id=claim.kind_id, description=name if len(name) > 200 else ""
            )
        claim.source = by_name[key]
        claim.save(update_fields=["source"])


def sources_to_names(apps, schema_editor):
    Claim = apps.get_model("annotate", "Claim")
    for claim in Claim.objects.filter(source__isnull=False).select_related("source").iterator():
        claim.source_name = claim.source.name
        claim.save(update_fields=["source_name"])


class Migration(migrations.Migration):
    dependencies = [("annotate", "0004_sources_and_facts")]
    operations = [migrations.RunPython(names_to_sources, sources_to_names)]
