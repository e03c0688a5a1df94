from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The review queue, a claim's page and history, and agreement between independent reviewers."""

    name = "review"
