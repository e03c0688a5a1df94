"""The summary's triggers survive a rebuild of the claims table (SQLite drops a table's triggers when a
migration remakes it): after `migrate` they are back and the summary equals the claims again."""

import pytest
from django.db import connection

from annotate.models import Claim
from dashboard.models import ClaimCount
from dashboard.triggers import _statements, ensure, present
from tests.factories import make_article, make_claim

pytestmark = pytest.mark.django_db


def totals() -> int:
    return sum(ClaimCount.objects.values_list("claims", flat=True))


def test_the_triggers_are_installed_after_migrating():
    assert present(connection)


def test_lost_triggers_are_put_back_and_the_summary_refilled():
    article = make_article()
    make_claim(article, 0, 10)
    with connection.cursor() as cursor:  # what a rebuild of annotate_claim does to them on SQLite
        for statement in _statements(connection, False):
            cursor.execute(statement)
    make_claim(article, 20, 30)  # written while no trigger keeps the summary
    assert not present(connection)
    assert ensure(connection) is True
    assert present(connection)
    assert totals() == Claim.objects.count() == 2
    make_claim(article, 40, 50)
    assert totals() == 3
    assert ensure(connection) is False  # nothing to do when they are in place
