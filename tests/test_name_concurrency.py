"""First use of a new name by several people at once gives them all the same row, on PostgreSQL."""

import threading

import pytest
from django.db import connection

from annotate.models import Claim, Fact, Source

from .factories import in_thread, kind, make_article, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]
EDITORS = 8


def test_editors_typing_one_new_source_and_fact_at_once_share_them(migrated_kinds):
    from annotate.services import create_claim

    text = "A. " * EDITORS
    article = make_article(text)
    editors = [make_user(f"editor{i}", role="editor") for i in range(EDITORS)]
    start = threading.Barrier(EDITORS)

    def tag(i):
        start.wait(10)
        return create_claim(
            article=article,
            start=3 * i,
            end=3 * i + 2,
            exact="A.",
            kind=kind(),
            source_name=["Korean Central News Agency", "KOREAN CENTRAL NEWS AGENCY"][i % 2],
            fact_statement=["Turnout was 99.63%", "turnout WAS 99.63％"][i % 2],
            annotator=editors[i],
        ).pk

    threads = [in_thread(tag, i) for i in range(EDITORS)]
    for thread, _ in threads:
        thread.join(30)
    errors = [result["error"] for _, result in threads if "error" in result]
    assert errors == []
    assert Source.objects.count() == 1 and Fact.objects.count() == 1
    assert Claim.objects.filter(source__isnull=False, fact__isnull=False).count() == EDITORS
