"""The queue's concurrency rules on PostgreSQL, with two real connections (one per thread)."""

import threading
import time

import pytest
from django.db import connection, transaction

from annotate.models import Claim, ReviewEvent
from annotate.services import StaleEdit
from review import services as review

from .factories import in_thread, make_article, make_claim, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def setup(migrated_kinds):
    article = make_article("The turnout was 99.63%. Nobody voted against. A ploy, analysts say.")
    rita = make_user("rita")
    claims = [make_claim(article, 0, 23, annotator=rita), make_claim(article, 24, 45, annotator=rita)]
    return claims, make_user("ed", role="editor"), make_user("olga", role="editor")


def test_two_editors_asking_at_once_get_different_cards(setup):
    claims, ed, olga = setup
    holding, release = threading.Event(), threading.Event()

    def first_editor():
        # Still inside its transaction when the second editor asks: its lease is not committed yet,
        # only the row lock says the card is taken.
        with transaction.atomic():
            card = review.take_next(Claim.objects.all(), editor=ed)
            holding.set()
            release.wait(10)
        return card.pk

    thread_a, a = in_thread(first_editor)
    assert holding.wait(10)
    thread_b, b = in_thread(lambda: review.take_next(Claim.objects.all(), editor=olga).pk)
    thread_b.join(10)
    assert not thread_b.is_alive(), "the second editor waited on the first one's lock instead of skipping it"
    release.set()
    thread_a.join(10)
    assert "error" not in a and "error" not in b, (a, b)
    assert {a["value"], b["value"]} == {claims[0].pk, claims[1].pk}


def test_two_decisions_on_the_same_version_one_wins_the_other_is_refused(setup):
    claims, ed, olga = setup
    decided, go = threading.Event(), threading.Event()

    def first_editor():
        with transaction.atomic():
            review.decide(claim_id=claims[0].pk, version=1, editor=ed, decision="accept")
            decided.set()
            go.wait(10)
            time.sleep(0.2)  # the second decision is now waiting on this row's lock

    thread_a, a = in_thread(first_editor)
    assert decided.wait(10)

    def second_editor():
        go.set()
        return review.decide(claim_id=claims[0].pk, version=1, editor=olga, decision="reject", reason="other")

    thread_b, b = in_thread(second_editor)
    thread_a.join(10)
    thread_b.join(10)
    assert "error" not in a
    assert isinstance(b.get("error"), StaleEdit) and "changed by ed" in str(b["error"])
    claim = Claim.objects.get(pk=claims[0].pk)
    assert (claim.status, claim.reviewer, claim.version) == ("accepted", ed, 2)
    assert list(ReviewEvent.objects.filter(claim_ref=claim.pk).values_list("action", flat=True).order_by("pk")) == [
        "created",
        "accepted",
    ]
