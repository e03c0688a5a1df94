from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The worked example a new install starts with: demo annotations of the seed reports, demo accounts."""

    name = "demo"
