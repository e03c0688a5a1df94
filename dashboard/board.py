"""The provenance dashboard: what each fact rests on, aggregated in the database.

Every number comes from a GROUP BY over the filtered claims, in a fixed number of queries whatever
the number of facts, claims or articles. The basis and flags come from `dashboard.basis`.

The GROUP BYs read the summaries (`dashboard.models`, kept by triggers in the transaction of every claim
write) whenever they can answer the filters, and the claims table otherwise: the summary
keeps who made a claim only until it is accepted, so the annotator filter is answered from the claims.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from annotate.filters import Filters
from annotate.masking import mask_for
from annotate.models import Claim, Fact, KindRole, ProvenanceKind, Source
from annotate.presenters import FactRef, fact_ref
from corpus.models import Article

from . import origins
from .aggregates import Ids, ids
from .basis import Basis, basis
from .models import ArticleCount, ClaimCount
from .origins import Origins


@dataclass(slots=True)
class Cell:
    kind: ProvenanceKind
    claims: int = 0
    articles: int = 0


@dataclass
class FactRow:
    fact: FactRef
    cells: list[Cell]
    claims: int
    articles: int
    sources: list[str]
    named_sources: int
    basis: Basis
    conflicts: list[FactRef]
    origins: Origins = field(default_factory=Origins)

    @property
    def flags(self) -> list[str]:
        """The basis flags, and "single_origin" when several outlets rest on one independent origin."""
        return self.basis.flags() + (["single_origin"] if self.origins.single_origin else [])

    @property
    def basis_kinds(self) -> list[ProvenanceKind]:
        return [cell.kind for cell in self.cells if cell.kind.slug in self.basis.kinds]

    @property
    def segments(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.claims]

    @property
    def sources_preview(self) -> Preview:
        """The first named sources, as a matrix row has room for; the fact's page lists them all."""
        return Preview.of(self.sources)

    @property
    def origins_preview(self) -> Preview:
        return Preview.of(self.origins.labels)


@dataclass(frozen=True)
class Preview:
    """The first few of a long list of names, and how many more there are."""

    names: tuple[str, ...]
    more: int

    SIZE = 6

    @classmethod
    def of(cls, names) -> Preview:
        return cls(tuple(names[: cls.SIZE]), max(0, len(names) - cls.SIZE))


@dataclass
class MixRow:
    """The kind mix of one article or outlet: claims per kind."""

    key: object
    label: str
    cells: list[Cell]
    total: int

    @property
    def segments(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.claims]


@dataclass
class Dashboard:
    filters: Filters
    kinds: list[ProvenanceKind]
    facts: list[FactRow]
    articles: list[MixRow]  # most claims first; only the first `article_rows` when build() was given it
    outlets: list[MixRow]
    conflicts: list[tuple[FactRef, FactRef]]
    claims_total: int
    unlinked: int
    articles_total: int = 0  # articles with claims, whether or not all are in `articles`


SUMMARY = True  # bench/pages.py turns it off to time the live query that the summary stands in for


def summarised(filters: Filters) -> bool:
    """Whether the summary can answer these filters (every filter but the annotator)."""
    return not filters.annotator


def counted(filters: Filters, user, *, summary: bool = True) -> QuerySet:
    """The rows the dashboard counts for `filters` as `user` may see them: summary rows or claims."""
    if summary and SUMMARY and summarised(filters):
        return filters.apply(ClaimCount.objects.visible_to(user), kinds=False)
    return filters.apply(Claim.objects.visible_to(user), kinds=False)


def _number(rows: QuerySet, **options):
    """How many claims a group of `rows` stands for: a sum of a summary's counts, or a count of claims."""
    return Count("pk", **options) if rows.model is Claim else Sum("claims", **options)


def _mix_rows(filters: Filters, user, claims: QuerySet, shown: Q | None, fact: Fact | None) -> QuerySet:
    """The rows the kind mix per article is counted from: the per-article summary, a few rows per article,
    when the claims summary answers and no fact narrows the claims (the per-article summary keeps no fact);
    otherwise the same rows as the facts."""
    if claims.model is ClaimCount and fact is None and not filters.fact:
        claims = filters.apply(ArticleCount.objects.visible_to(user), kinds=False)
    return claims if shown is None else claims.filter(shown)


def build(
    filters: Filters, user, *, fact: Fact | None = None, article_rows: int | None = None, summary: bool = True
) -> Dashboard:
    """Aggregate the claims that pass `filters` (and of `fact` alone, if given) into what `user` may see.

    `summary=False` counts from the claims table even when the summary could answer (to compare them).

    The kind filter narrows what is shown, never a fact's basis: filtering to state media must not
    make a fact that informants corroborate look as if it rested on state media alone. So the
    per-fact queries run over every kind and count the shown kinds with a conditional aggregate.
    """
    kinds = list(ProvenanceKind.objects.all())
    roles = {kind.slug: kind.role for kind in kinds}
    shown_ids = {k.pk for k in kinds if not filters.kinds or k.slug in filters.kinds}
    shown = Q(kind_id__in=shown_ids) if filters.kinds else None
    claims = counted(filters, user, summary=summary)
    live = claims if claims.model is not ClaimCount else counted(filters, user, summary=False)
    if fact is not None:
        claims, live = claims.filter(fact=fact), live.filter(fact=fact)
    linked = claims.filter(fact__isnull=False)
    grid, totals = _grid(linked), _totals(linked, shown, kinds)
    names = _source_names({pk for total in totals.values() for pk in total["shown_sources"]}, user)
    mask = mask_for(user)
    facts = {
        pk: FactRef(pk, slug, mask.text(statement))
        for pk, slug, statement in Fact.objects.filter(pk__in=list(totals)).values_list("pk", "slug", "statement")
    }
    conflicts_of = _conflicts_of(list(totals), user)
    # The far ends of relay chains are the one thing the summary does not keep: they read the claims.
    mix = _mix_counts(_mix_rows(filters, user, claims, shown, fact))
    meta = _article_meta(set(mix) | {pk for total in totals.values() for pk in total["article_ids"]})
    outlet_of = {pk: outlet_id for pk, (_, _, outlet_id, _) in meta.items()}
    unsourced = [kind.pk for kind in kinds if kind.role == KindRole.UNSOURCED]
    tallies = {pk: _tally(total, outlet_of) for pk, total in totals.items()}
    origins_of = origins.for_facts(tallies, origins.far_ends(live, unsourced), user)
    rows = []
    kind_ids = [(k, k.pk) for k in kinds]  # a model's pk is a property: read once, not for every cell
    slug_of = {pk: k.slug for k, pk in kind_ids}
    for fact_id, total in totals.items():
        per_kind = grid[fact_id]
        rows.append(
            FactRow(
                fact=facts[fact_id],
                cells=[Cell(k, *per_kind.get(pk, (0, 0))) if pk in shown_ids else Cell(k) for k, pk in kind_ids],
                claims=total["claims"],
                articles=total["articles"],
                sources=sorted({names[pk] for pk in total["shown_sources"]}, key=str.lower),
                named_sources=len(total["shown_sources"]),
                basis=basis({slug_of[pk] for pk in per_kind}, total["all_sources"], roles=roles),
                conflicts=sorted(conflicts_of[fact_id], key=lambda f: f.statement.lower()),
                origins=origins_of.get(fact_id, Origins()),
            )
        )
    rows.sort(key=lambda r: (-r.articles, -r.claims, r.fact.statement.lower()))
    articles, outlets, articles_total, claims_total = _mixes(mix, meta, kinds, limit=article_rows)
    return Dashboard(
        filters=filters,
        kinds=kinds,
        facts=rows,
        articles=articles,
        outlets=outlets,
        conflicts=_conflict_pairs(rows),
        claims_total=claims_total,
        unlinked=claims_total - sum(row.claims for row in rows),
        articles_total=articles_total,
    )


def _grid(linked: QuerySet) -> dict[int, dict[int, tuple[int, int]]]:
    """(claims, articles) by fact and kind."""
    grid = defaultdict(dict)
    for row in (
        linked.values("fact_id", "kind_id")
        .annotate(claims=_number(linked), articles=Count("article_id", distinct=True))
        .order_by()
    ):
        grid[row["fact_id"]][row["kind_id"]] = (row["claims"], row["articles"])
    return grid


def _totals(linked: QuerySet, shown: Q | None, kinds: list[ProvenanceKind]) -> dict[int, dict]:
    """By fact, in one GROUP BY: the claims of the shown kinds, the distinct articles of every kind (their
    outlets are counted from them: a join to the articles here cost more than the rest of the query), the
    distinct sources by the role of their kind, and the claims that name no source or are of an unsourced
    kind. With a kind filter, the articles of the shown kinds are counted too."""
    of_role = {role: [k.pk for k in kinds if k.role == role] for role in KindRole.values}
    named = Q(source__isnull=False)
    aggregates = {
        "bare": _number(linked, filter=Q(source__isnull=True) | Q(kind_id__in=of_role[KindRole.UNSOURCED])),
        "claims": _number(linked, filter=shown),  # after "bare": from here on "claims" names this sum
        "article_ids": Ids("article_id"),
    } | {role: Ids("source_id", filter=named & Q(kind_id__in=pks)) for role, pks in of_role.items() if pks}
    if shown is not None:  # otherwise the shown kinds are every kind: the same counts, not computed twice
        aggregates |= {
            "articles": Count("article_id", distinct=True, filter=shown),
            "shown_sources": Ids("source_id", filter=named & shown),
        }
    totals = {}
    roles = KindRole.values
    for row in linked.values("fact_id").annotate(**aggregates).order_by():
        if not row["claims"]:
            continue
        by_role = {role: ids(row.get(role)) for role in roles}
        every = {pk for found in by_role.values() for pk in found}
        article_ids = ids(row["article_ids"])
        totals[row["fact_id"]] = row | {
            "article_ids": article_ids,
            "articles": row["articles"] if shown is not None else len(article_ids),
            "shown_sources": ids(row["shown_sources"]) if shown is not None else sorted(every),
            "all_sources": len(every),
            "by_role": by_role,
            "bare": row["bare"] or 0,
        }
    return totals


def _tally(total: dict, outlet_of: dict[int, int | None]) -> origins.Tally:
    """What the origins of a fact are drawn from, given its row of `_totals` and each article's outlet."""
    return origins.Tally(
        origin_sources=total["by_role"][KindRole.ORIGIN],
        relay_sources=total["by_role"][KindRole.RELAY],
        bare=total["bare"],
        articles=len(total["article_ids"]),
        outlets=len({outlet_of[pk] for pk in total["article_ids"]} - {None}),
    )


def _source_names(pks: set[int], user) -> dict[int, str]:
    """The names of these sources as `user` may see them."""
    mask = mask_for(user)
    sources = Source.objects.filter(pk__in=pks).values_list("pk", "name", "sensitive")
    return {pk: mask.source(pk, name, sensitive) for pk, name, sensitive in sources}


def _conflicts_of(fact_ids: list[int], user) -> dict[int, list[FactRef]]:
    """The facts each of these conflicts with, of those `user` may see."""
    mask = mask_for(user)
    conflicts_of = defaultdict(list)
    pairs = Fact.conflicts.through.objects.filter(from_fact_id__in=fact_ids, to_fact__in=Fact.objects.visible_to(user))
    for pair in pairs.select_related("to_fact"):
        conflicts_of[pair.from_fact_id].append(fact_ref(pair.to_fact, mask))
    return conflicts_of


def _conflict_pairs(rows: list[FactRow]) -> list[tuple[FactRef, FactRef]]:
    """Each pair of conflicting facts once, in the order of the rows."""
    pairs, seen = [], set()
    for row in rows:
        for other in row.conflicts:
            if (key := frozenset((row.fact.pk, other.pk))) not in seen:
                seen.add(key)
                pairs.append((row.fact, other))
    return pairs


def _mix_counts(claims: QuerySet) -> dict[int, dict[int, int]]:
    """Claims per kind of each article, from one GROUP BY, read through a plain cursor: at 10,000 articles
    the ORM's per-row work on its 90,000 rows (a converter per sum) took longer than the query."""
    grouped = claims.values_list("article_id", "kind_id").annotate(n=_number(claims)).order_by()
    sql, params = grouped.query.sql_with_params()
    counts = defaultdict(dict)
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        for article_id, kind_id, n in cursor.fetchall():
            counts[article_id][kind_id] = int(n)
    return counts


def _article_meta(pks: set[int]) -> dict[int, tuple[str, str, int | None, str]]:
    """Slug, title, outlet id and outlet name of these articles, in one query."""
    rows = _articles(list(pks)).values_list("pk", "slug", "title", "outlet_id", "outlet__name")
    return {
        pk: (slug, title, outlet_id, outlet_name or "Unknown outlet")
        for pk, slug, title, outlet_id, outlet_name in rows
        if pk in pks
    }


def _mixes(counts, meta, kinds, *, limit: int | None = None) -> tuple[list[MixRow], list[MixRow], int, int]:
    """The kind mix of each article (most claims first) and each outlet, from `_mix_counts` and `_article_meta`.

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

    def row(key, label, per_kind) -> MixRow:
        return MixRow(key, label, [Cell(k, per_kind.get(k.pk, 0)) for k in kinds], sum(per_kind.values()))

    articles = [row(slug, title, per_kind) for _, _, slug, title, per_kind in ranked[:limit]]
    outlets = sorted(
        (row(outlet_id, outlet_names[outlet_id], per_kind) for outlet_id, per_kind in by_outlet.items()),
        key=lambda r: r.label.lower(),
    )
    return articles, outlets, len(ranked), -sum(item[0] for item in ranked)


LISTED_IDS = 500


def _articles(pks: list[int]) -> QuerySet:
    """The articles with these ids: by a list of ids when it is short, otherwise every article, which the
    caller picks from. Measured at 10,000 articles with claims: the SELECT itself takes 60 ms either way,
    but building and sending a list of 10,000 ids took 400 ms more."""
    return Article.objects.filter(pk__in=pks) if len(pks) <= LISTED_IDS else Article.objects.all()


def as_json(board: Dashboard) -> dict:
    """The dashboard as plain data for /dashboard.json."""
    return {
        "filters": board.filters.as_query(),
        "kinds": [{"slug": k.slug, "label": k.label, "colour": k.colour} for k in board.kinds],
        "claims": board.claims_total,
        "claims_without_fact": board.unlinked,
        "facts": [
            {
                "slug": row.fact.slug,
                "statement": row.fact.statement,
                "claims": row.claims,
                "articles": row.articles,
                "named_sources": row.named_sources,
                "sources": row.sources,
                "outlets": row.origins.outlets,
                "independent_origins": row.origins.count,
                "origins": list(row.origins.labels),
                "unattributed_claims": row.origins.unattributed,
                "basis": sorted(row.basis.kinds),
                "flags": row.flags,
                "conflicts_with": [f.slug for f in row.conflicts],
                "kinds": {c.kind.slug: {"claims": c.claims, "articles": c.articles} for c in row.cells if c.claims},
            }
            for row in board.facts
        ],
        "articles": [
            {"slug": r.key, "title": r.label, "claims": r.total, "kinds": {c.kind.slug: c.claims for c in r.segments}}
            for r in board.articles
        ],
        "outlets": [
            {"name": r.label, "claims": r.total, "kinds": {c.kind.slug: c.claims for c in r.segments}}
            for r in board.outlets
        ],
    }


def matrix_rows(board: Dashboard):
    """The facts-by-kind matrix as CSV rows, header first."""
    header = ["fact", "statement", "articles", "claims", "named_sources", "basis", "flags", "conflicts_with"]
    for kind in board.kinds:
        header += [f"{kind.slug}_claims", f"{kind.slug}_articles"]
    yield header
    for row in board.facts:
        line = [
            row.fact.slug,
            row.fact.statement,
            row.articles,
            row.claims,
            row.named_sources,
            " ".join(sorted(row.basis.kinds)),
            " ".join(row.basis.flags()),
            " ".join(f.slug for f in row.conflicts),
        ]
        for cell in row.cells:
            line += [cell.claims, cell.articles]
        yield line
