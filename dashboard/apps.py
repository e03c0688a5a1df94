from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_summary_triggers(sender, using="default", **kwargs):
    """After every migrate: the summary's triggers back in place if a rebuilt claims table lost them."""
    from django.db import connections

    from dashboard.triggers import ensure

    ensure(connections[using])


class DashboardConfig(AppConfig):
    """What each fact rests on: the basis rule, the facts-by-kind matrix, fact pages, JSON and CSV."""

    name = "dashboard"

    def ready(self):
        post_migrate.connect(ensure_summary_triggers, sender=self)
