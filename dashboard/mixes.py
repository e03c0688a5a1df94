"""The kind mix of each article and outlet, and the articles' names: what the dashboard shows beside its facts.

Read from the per-article summary (`ArticleCount`) whenever the claims summary answers the filters and no
fact narrows the claims; otherwise from the same rows as the facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from annotate.filters import Filters
from annotate.models import Claim, Fact, ProvenanceKind
from corpus.models import Article

from .models import ArticleCount, ClaimCount


@dataclass(slots=True)
class Cell:
    """Claims (and, in the facts matrix, distinct articles) of one kind."""

    kind: ProvenanceKind
    claims: int = 0
    articles: int = 0


@dataclass(slots=True)
class MixRow:
    """The kind mix of one article or outlet: claims per kind.

    Its cells are made when they are read: the JSON has a row per article (10,000 of them at a million
    claims) and reads their counts by slug, which costs a third of making a cell for every kind of each.
    """

    key: object
    label: str
    counts: dict[int, int]  # claims by kind id
    total: int
    kinds: list[tuple[ProvenanceKind, int]]  # every kind and its id, in the kinds' order

    @property
    def segments(self) -> list[Cell]:
        """The kinds it has claims of, in the kinds' order."""
        return [Cell(kind, n) for kind, pk in self.kinds if (n := self.counts.get(pk))]

    def by_slug(self) -> dict[str, int]:
        """Claims by the slug of their kind, for the kinds it has claims of, in the kinds' order."""
        return {kind.slug: n for kind, pk in self.kinds if (n := self.counts.get(pk))}


def number(rows: QuerySet, **options):
    """How many claims a group of `rows` stands for: a sum of a summary's counts, or a count of claims."""
    return Count("pk", **options) if rows.model is Claim else Sum("claims", **options)


def mix_rows(filters: Filters, user, claims: QuerySet, shown: Q | None, fact: Fact | None) -> QuerySet:
    """The rows the kind mix per article is counted from: the per-article summary, a few rows per article,
    when the claims summary answers and no fact narrows the claims (the per-article summary keeps no fact);
    otherwise the same rows as the facts."""
    if claims.model is ClaimCount and fact is None and not filters.fact:
        claims = filters.apply(ArticleCount.objects.visible_to(user), kinds=False)
    return claims if shown is None else claims.filter(shown)


def mix_counts(claims: QuerySet) -> dict[int, dict[int, int]]:
    """Claims per kind of each article, from one GROUP BY, read through a plain cursor: at 10,000 articles
    the ORM's per-row work on its 90,000 rows (a converter per sum) took longer than the query."""
    grouped = claims.values_list("article_id", "kind_id").annotate(n=number(claims)).order_by()
    sql, params = grouped.query.sql_with_params()
    counts = defaultdict(dict)
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        for article_id, kind_id, n in cursor.fetchall():
            counts[article_id][kind_id] = int(n)
    return counts


def article_meta(pks: set[int]) -> dict[int, tuple[str, str, int | None, str]]:
    """Slug, title, outlet id and outlet name of these articles, in one query."""
    rows = listed(Article.objects.all(), pks).values_list("pk", "slug", "title", "outlet_id", "outlet__name")
    return {
        pk: (slug, title, outlet_id, outlet_name or "Unknown outlet")
        for pk, slug, title, outlet_id, outlet_name in rows
        if pk in pks
    }


def mixes(counts, meta, kinds, *, limit: int | None = None) -> tuple[list[MixRow], list[MixRow], int, int]:
    """The kind mix of each article (most claims first) and each outlet, from `mix_counts` and `article_meta`.

    Returns the article rows (the first `limit` only, if given: a page shows a few of thousands), the
    outlet rows, the number of articles with claims and the number of claims.
    """
    by_outlet = defaultdict(lambda: defaultdict(int))
    outlet_names = {}
    ranked = []
    for pk, per_kind in counts.items():
        slug, title, outlet_id, outlet_name = meta[pk]
        ranked.append((-sum(per_kind.values()), title.lower(), slug, title, per_kind))
        outlet_names[outlet_id] = outlet_name
        for kind_id, n in per_kind.items():
            by_outlet[outlet_id][kind_id] += n
    ranked.sort(key=lambda item: item[:2])

    # Each kind's id read once: the JSON has a row per article, 10,000 of them with a million claims.
    pairs = [(kind, kind.pk) for kind in kinds]

    articles = [MixRow(slug, title, per_kind, -minus, pairs) for minus, _, slug, title, per_kind in ranked[:limit]]
    outlets = sorted(
        (
            MixRow(outlet_id, outlet_names[outlet_id], per_kind, sum(per_kind.values()), pairs)
            for outlet_id, per_kind in by_outlet.items()
        ),
        key=lambda r: r.label.lower(),
    )
    return articles, outlets, len(ranked), -sum(item[0] for item in ranked)


LISTED_IDS = 500


def listed(rows: QuerySet, pks, field: str = "pk") -> QuerySet:
    """The rows whose `field` is one of `pks`: by a list of ids when it is short, otherwise every row, which
    the caller picks from. Measured at 10,000 articles with claims: the SELECT itself takes 60 ms either way,
    but building and sending a list of 10,000 ids took 400 ms more (2,000 facts: 80 ms)."""
    rows = rows.order_by()  # read into a mapping: no order to sort for
    return rows.filter(**{f"{field}__in": list(pks)}) if len(pks) <= LISTED_IDS else rows
