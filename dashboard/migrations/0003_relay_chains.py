"""The length and far end of each claim's relay chain, kept on the claim by triggers on the relay table, and
set for the chains already stored."""

from django.db import migrations

from dashboard.triggers import CHAINS, installer


class Migration(migrations.Migration):
    dependencies = [
        ("annotate", "0018_relay_chain_on_claim"),
        ("dashboard", "0002_article_summary"),
    ]

    operations = [migrations.RunPython(*installer(CHAINS))]
