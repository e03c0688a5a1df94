"""Loaded by pytest before Django's settings (`-p tests.devenv` in pyproject.toml): the tests run in
development mode unless the caller says otherwise.

Settings default to production (DEBUG off), which needs a SECRET_KEY and real host names; pytest-django
imports them before any conftest.py runs, so this is the earliest place to choose development mode.
"""

import os

os.environ.setdefault("DEBUG", "true")
