"""The summary's triggers survive a rebuild of the claims table (SQLite drops a table's triggers when a
migration remakes it): after `migrate` they are back and the summary equals the claims again."""

import pytest
from django.db import connection

from annotate.models import Claim, Source
from annotate.relays import ClaimRelay
from dashboard.models import ArticleCount, ClaimCount
from dashboard.triggers import _statements, ensure, present
from tests.factories import make_article, make_claim, set_relays

pytestmark = pytest.mark.django_db


def totals() -> int:
    """The claims each summary counts, when they agree."""
    counted = {sum(model.objects.values_list("claims", flat=True)) for model in (ClaimCount, ArticleCount)}
    assert len(counted) == 1, counted
    return counted.pop()


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


def test_origins_are_counted_from_the_claims_whether_or_not_the_summary_answers():
    """The summary keeps no relay chain: origins, outlets and unattributed claims come from the claims, and
    the dashboard shows the same whichever answers the rest."""
    from annotate.filters import Filters
    from dashboard import board
    from tests.factories import make_user, set_relays

    editor = make_user("ed", role="editor")
    for n in range(3):
        article = make_article(f"Report {n}: turnout was 99.63%, officials said.", outlet=f"Outlet {n}")
        sourced = make_claim(article, 0, 8, source_name="KCNA", fact="Turnout was 99.63%")
        set_relays(sourced, "Yonhap")
        relayed_only = make_claim(article, 10, 20, kind_slug="news_agency", fact="Turnout was 99.63%")
        set_relays(relayed_only, f"Agency {n}")
        make_claim(article, 22, 30, kind_slug="unsourced_quote", fact="Turnout was 99.63%")
    Claim.objects.update(status="accepted")

    def origins(summary: bool):
        row = board.build(Filters(), editor, summary=summary).facts[0]
        return row.origins.count, row.origins.outlets, row.origins.unattributed, sorted(row.origins.labels)

    assert board.counted(Filters(), editor).model is ClaimCount
    assert origins(True) == origins(False)
    assert origins(True)[:3] == (1, 3, 3)  # KCNA (Yonhap and the agencies relay); three outlets; three unsourced


def test_each_claim_keeps_the_length_and_far_end_of_its_chain_whatever_writes_it():
    article = make_article()
    claim = make_claim(article, 0, 10)
    stale = Claim.objects.get(pk=claim.pk)  # read before its chain is written
    set_relays(claim, "Yonhap", "KCNA")
    kcna = Source.objects.get(name="KCNA")
    stale.note = "Checked."
    stale.save()  # a full save of a claim read earlier must not write its old chain back
    assert Claim.objects.values_list("chain_length", "chain_end").get(pk=claim.pk) == (2, kcna.pk)
    set_relays(claim, "Yonhap", "A name nobody registered", proposed=True)
    assert Claim.objects.values_list("chain_length", "chain_end").get(pk=claim.pk) == (2, None)
    ClaimRelay.objects.filter(claim=claim).delete()
    assert Claim.objects.values_list("chain_length", "chain_end").get(pk=claim.pk) == (0, None)


def test_lost_chain_triggers_are_put_back_and_the_chains_set_again():
    article = make_article()
    claim = make_claim(article, 0, 10)
    with connection.cursor() as cursor:
        for statement in _statements(connection, False):
            cursor.execute(statement)
    set_relays(claim, "Yonhap")  # written while no trigger keeps the claim's chain
    assert Claim.objects.values_list("chain_length", flat=True).get(pk=claim.pk) == 0
    assert ensure(connection) is True
    yonhap = Source.objects.get(name="Yonhap")
    assert Claim.objects.values_list("chain_length", "chain_end").get(pk=claim.pk) == (1, yonhap.pk)
