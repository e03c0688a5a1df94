"""The dashboard's summary equals the aggregate computed from scratch, whatever writes the claims.

Random sequences of every way a claim is written (tagging, bulk inserts, raw SQL, edits, review
decisions, kind corrections, undo, deletion, merging sources, imports, a revision sending claims back to
review, relay chains set, replaced and registered) run against a small corpus; after each step the
summaries' rows are compared with a GROUP BY over the claims table and each claim's kept chain with its
relays, and the dashboard built from the summary with the one built from the claims, for
an editor, two reviewers on an independently tagged article and several filters.
"""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, When
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.chains import register_proposed_relays, save_relays
from annotate.filters import Filters
from annotate.models import Claim, Fact, ProvenanceKind, Source
from annotate.relays import ClaimRelay
from annotate.services import (
    StaleEdit,
    create_claim,
    delete_claim,
    register_fact,
    register_source,
    update_claim,
)
from annotate.source_services import merge_sources
from dashboard import board as dashboard
from dashboard.models import ArticleCount, ClaimCount
from interchange.importing import import_items
from interchange.w3c import KIND_NS
from review.services import correct_kind, decide, last_undoable, undo

from .factories import make_article, make_user

pytestmark = pytest.mark.django_db

TEXT = "KCNA said turnout was 99.63%. A resident of Hoeryong said nobody dared to stay home. Analysts doubt it."
URL = "https://news.example/summary"
KINDS = ["state_media", "in_country_informant", "news_agency", "unsourced_quote"]
OPERATIONS = [
    "create",
    "bulk_create",
    "raw_update",
    "edit",
    "accept",
    "reject",
    "changes",
    "correct",
    "undo",
    "delete",
    "queryset_delete",
    "merge",
    "import",
    "revision",
    "independence",
    "chain",
    "register_relays",
]
SUMMARY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same sequences on every run: a failure anyone can repeat
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class World:
    """Two articles (one tagged independently), two reviewers, an editor, sources and facts."""

    def __init__(self):
        self.open = make_article(TEXT, title="Open report", source_url=URL)
        self.independent = make_article(TEXT + " ", title="Independent report", outlet="Other", independent=True)
        self.rita, self.olga = make_user("rita"), make_user("olga")
        self.ed = make_user("ed", role="editor")
        self.kinds = {slug: ProvenanceKind.objects.get(slug=slug) for slug in KINDS}
        self.sources = [
            register_source(name="KCNA", kind=self.kinds["state_media"]),
            register_source(name="Hoeryong resident", kind=self.kinds["in_country_informant"], sensitive=True),
            None,
        ]
        self.facts = [
            register_fact(statement="Turnout was 99.63%"),
            register_fact(statement="Nobody stayed home"),
            None,
        ]
        self.created = 0


def _claim(world, rng) -> Claim | None:
    pks = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    return Claim.objects.with_related().get(pk=rng.choice(pks)) if pks else None


def _span(rng) -> tuple[int, int]:
    start = rng.randrange(0, len(TEXT) - 1)
    return start, rng.randrange(start + 1, min(len(TEXT), start + 40) + 1)


def _fields(world, rng) -> dict:
    start, end = _span(rng)
    article = rng.choice([world.open, world.independent])
    return {
        "article": article,
        "start": start,
        "end": end,
        "exact": article.text[start:end],
        "kind": world.kinds[rng.choice(KINDS)],
        "source": rng.choice(world.sources + list(Source.objects.filter(name__startswith="Wire "))),
        "fact": rng.choice(world.facts),
        "annotator": rng.choice([world.rita, world.olga, world.ed]),
    }


RELAY_NAMES = ["Yonhap", "KCNA", "Hoeryong resident", "Wire 1", "A new agency"]


def _create(world, rng):
    create_claim(**_fields(world, rng), via=rng.sample(RELAY_NAMES, rng.randrange(0, 3)))


def _bulk_create(world, rng):
    rows = [_fields(world, rng) for _ in range(rng.randrange(1, 4))]
    Claim.objects.bulk_create(
        [Claim(**row, status=rng.choice(Claim.Status.values)) for row in rows], ignore_conflicts=True
    )


def _raw_update(world, rng):
    if claim := _claim(world, rng):
        with connection.cursor() as cursor:
            cursor.execute(
                # As any writer must: a review reason belongs to a refusal, so a raw status change drops it.
                "UPDATE annotate_claim SET status = %s, fact_id = %s, review_reason = '' WHERE id = %s",
                [rng.choice(["pending", "accepted", "rejected"]), world.facts[0].pk, claim.pk],
            )


def _edit(world, rng):
    if claim := _claim(world, rng):
        update_claim(
            claim=claim,
            actor=claim.annotator,
            version=claim.version,
            kind=world.kinds[rng.choice(KINDS)],
            source_name=rng.choice(["KCNA", "", "Someone new"]),
            fact_statement=rng.choice(["Turnout was 99.63%", "", "Nobody stayed home"]),
        )


def _decide(decision):
    def run(world, rng):
        if claim := _claim(world, rng):
            decide(claim_id=claim.pk, version=claim.version, editor=world.ed, decision=decision, reason="other")

    return run


def _correct(world, rng):
    if claim := _claim(world, rng):
        correct_kind(claim_id=claim.pk, version=claim.version, editor=world.ed, kind=world.kinds[rng.choice(KINDS)])


def _undo(world, rng):
    if event := last_undoable(world.ed):
        undo(event=event, editor=world.ed)


def _delete(world, rng):
    if claim := _claim(world, rng):
        delete_claim(claim=claim, actor=claim.annotator, version=claim.version)


def _queryset_delete(world, rng):
    Claim.objects.filter(kind=world.kinds[rng.choice(KINDS)], article=world.open).delete()


def _merge(world, rng):
    world.created += 1
    duplicate = register_source(name=f"Wire {world.created}", kind=world.kinds["news_agency"])
    claim = create_claim(**_fields(world, rng) | {"source": duplicate})
    if relayed := _claim(world, rng):  # a chain whose far end is the duplicate: the merge moves it
        save_relays(relayed.pk, [(world.sources[0], ""), (duplicate, "")], replace=True)
    save_relays(claim.pk, [(duplicate, "")], replace=True)
    merge_sources(source=duplicate, into=world.sources[0], actor=world.ed)


def _chain(world, rng):
    """A claim's chain set, replaced or removed, as the tag panel's Via field and the API write it."""
    if claim := _claim(world, rng):
        sources = [s for s in world.sources if s] + [None]
        links = [
            (source, "" if source else rng.choice(RELAY_NAMES))
            for source in rng.choices(sources, k=rng.randrange(0, 4))
        ]
        save_relays(claim.pk, links, replace=True)


def _register_relays(world, rng):
    if claim := _claim(world, rng):
        register_proposed_relays(claim, lambda name, kind: register_source(name=name, kind=kind))


def _import(world, rng):
    start, end = _span(rng)
    value = {
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": rng.choice(["rita", "olga"])},
        "body": [{"type": "SpecificResource", "purpose": "classifying", "source": KIND_NS + rng.choice(KINDS)}],
        "target": {
            "source": URL,
            "selector": [
                {"type": "TextQuoteSelector", "exact": TEXT[start:end]},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
        "prov:status": rng.choice(["accepted", "pending"]),
    }
    list(import_items([("summary-test", value)], trust_accounts=True))


def _revision(world, rng):
    # A new revision of an article re-anchors its claims and sends the moved ones back to review.
    Claim.objects.filter(article=rng.choice([world.open, world.independent])).update(
        status=Claim.Status.PENDING, reviewer=None, reviewed_at=None, review_reason="", start=F("start")
    )


def _independence(world, rng):
    type(world.open).objects.filter(pk=world.open.pk).update(independent=rng.random() < 0.5)


RUN = {
    "create": _create,
    "bulk_create": _bulk_create,
    "raw_update": _raw_update,
    "edit": _edit,
    "accept": _decide("accept"),
    "reject": _decide("reject"),
    "changes": _decide("changes"),
    "correct": _correct,
    "undo": _undo,
    "delete": _delete,
    "queryset_delete": _queryset_delete,
    "merge": _merge,
    "import": _import,
    "revision": _revision,
    "independence": _independence,
    "chain": _chain,
    "register_relays": _register_relays,
}
assert set(RUN) == set(OPERATIONS)


SUMMARIES = {
    ClaimCount: ("article_id", "kind_id", "status", "fact_id", "source_id"),
    ArticleCount: ("article_id", "kind_id", "status"),
}


def from_scratch(model=ClaimCount) -> list[tuple]:
    """A summary's rows computed from the claims table."""
    owner = Case(When(status="accepted", then=None), default=F("annotator_id"), output_field=IntegerField())
    columns = SUMMARIES[model]
    rows = (
        Claim.objects.values(*columns)
        .annotate(owner=owner)
        .values_list(*columns, "owner")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return sorted(rows, key=repr)


def summary(model=ClaimCount) -> list[tuple]:
    return sorted(model.objects.values_list(*SUMMARIES[model], "owner_id", "claims"), key=repr)


def assert_summaries_agree(operation: str = ""):
    for model in SUMMARIES:
        assert summary(model) == from_scratch(model), (model.__name__, operation)
    # The chain each claim keeps for the origins is the one its relays make.
    last = {}
    for claim_id, source_id in ClaimRelay.objects.order_by("claim_id", "position").values_list("claim_id", "source_id"):
        length, _ = last.get(claim_id, (0, None))
        last[claim_id] = (length + 1, source_id)
    kept = {pk: (n, end) for pk, n, end in Claim.objects.values_list("pk", "chain_length", "chain_end_id")}
    assert kept == {pk: last.get(pk, (0, None)) for pk in kept}, operation


QUERIES = [{}, {"status": "all"}, {"status": "pending"}, {"kind": ["state_media"]}, {"fact": "none"}]


def assert_dashboards_agree(world):
    for user in (world.ed, world.rita, world.olga):
        for query in QUERIES:
            filters = Filters(kinds=query.get("kind", []), status=query.get("status", ""), fact=query.get("fact", ""))
            from_summary = dashboard.as_json(dashboard.build(filters, user))
            from_claims = dashboard.as_json(dashboard.build(filters, user, summary=False))
            assert from_summary == from_claims, (user.username, query)


@SUMMARY
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 2**32)), min_size=1, max_size=14))
def test_the_summary_equals_the_aggregate_after_any_writes(steps):
    with transaction.atomic():
        world = World()
        for operation, seed in steps:
            try:
                with transaction.atomic():
                    RUN[operation](world, random.Random(seed))
            except (ValidationError, PermissionDenied, StaleEdit):
                pass  # a refused write changes nothing, and the summary neither
            assert_summaries_agree(operation)
        assert_dashboards_agree(world)
        transaction.set_rollback(True)


def test_the_summary_is_filled_by_the_claims_already_there_and_holds_no_empty_rows():
    world = World()
    claim = create_claim(**_fields(world, random.Random(1)))
    assert summary() == from_scratch() != []
    assert summary(ArticleCount) == from_scratch(ArticleCount) != []
    Claim.objects.filter(pk=claim.pk).delete()
    assert ClaimCount.objects.count() == ArticleCount.objects.count() == 0


def test_the_annotator_filter_is_answered_from_the_claims(django_assert_max_num_queries):
    world = World()
    create_claim(**_fields(world, random.Random(2)) | {"annotator": world.rita})
    filters = Filters(annotator="rita", status="all")
    assert not dashboard.summarised(filters) and dashboard.summarised(Filters(status="all"))
    assert dashboard.counted(filters, world.ed).model is Claim
    assert dashboard.counted(Filters(), world.ed).model is ClaimCount
    assert dashboard.as_json(dashboard.build(filters, world.ed))["claims"] == 1
    assert Fact.objects.count() == 2
