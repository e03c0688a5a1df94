"""A fact's web address is made from its statement with protected names left out, but only when the fact is
made: a name protected later (a source marked sensitive, an alias added) stayed in the addresses of facts
made before. This gives every such fact a new address, the old one without the name's words; from now on
`annotate.fact_services.unname_fact_slugs` does the same in the transaction of every write that protects a
name."""

from django.db import migrations
from django.utils.text import slugify


def _forms(apps, using) -> set[str]:
    Source = apps.get_model("annotate", "Source")
    SourceAlias = apps.get_model("annotate", "SourceAlias")
    names = [*Source.objects.using(using).filter(sensitive=True).values_list("name", flat=True)]
    names += SourceAlias.objects.using(using).filter(source__sensitive=True).values_list("name", flat=True)
    return {form for name in names if (form := slugify(name))}


def unname(apps, schema_editor):
    using = schema_editor.connection.alias
    Fact = apps.get_model("annotate", "Fact")
    forms = _forms(apps, using)
    if not forms:
        return
    taken = set(Fact.objects.using(using).values_list("slug", flat=True))
    for fact in Fact.objects.using(using).only("pk", "slug"):
        padded = f"-{fact.slug}-"
        if not any(f"-{form}-" in padded for form in forms):
            continue
        while held := next((form for form in forms if f"-{form}-" in padded), None):
            padded = padded.replace(f"-{held}-", "-", 1)
        base = padded.strip("-") or "fact"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.discard(fact.slug)
        taken.add(slug)
        Fact.objects.using(using).filter(pk=fact.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [("annotate", "0018_relay_chain_on_claim")]

    operations = [migrations.RunPython(unname, migrations.RunPython.noop)]
