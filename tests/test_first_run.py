"""A newcomer's first `make run` prints no warnings and no line twice."""

import io
import logging

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_database_checks_migrate_runs_print_no_warning():
    out, err = io.StringIO(), io.StringIO()
    call_command("check", databases=["default"], stdout=out, stderr=err)
    assert "WARNINGS" not in out.getvalue() + err.getvalue(), out.getvalue() + err.getvalue()


def test_django_messages_are_printed_once():
    # Django's default handler and the root's both printed them ("Watching for file changes" twice).
    assert settings.LOGGING["loggers"]["django"]["propagate"] is False
    assert logging.getLogger("django").propagate is False
