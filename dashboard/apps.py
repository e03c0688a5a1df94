from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """What each fact rests on: the basis rule, the facts-by-kind matrix, fact pages, JSON and CSV."""

    name = "dashboard"
