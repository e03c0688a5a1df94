"""Protected names are now also found with their words run together ("Kim Cholsu") and with look-alike
letters of other scripts: a fact made before whose address spells a name in such a form would keep it in
every link until some later write protected a name. This gives those facts their new address now, by the
rule every such write applies (`annotate.fact_services.unname_fact_slugs`)."""

from django.db import migrations


def unname(apps, schema_editor):
    # The service reads the facts' and sources' columns this state has; it is the rule itself, kept in one place.
    from annotate.fact_services import unname_fact_slugs

    unname_fact_slugs(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0021_claim_revision_of_its_text"),
    ]

    operations = [migrations.RunPython(unname, migrations.RunPython.noop)]
