"""The project's own reading of the seed corpus, loaded by `manage.py load_demo_annotations`."""
