from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Claims in and out: CSV, JSON Lines and W3C Web Annotation exports, and imports."""

    name = "interchange"
