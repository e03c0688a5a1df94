"""The provenance dashboard: what each fact rests on, aggregated in the database.

Every number comes from a GROUP BY over the filtered claims, in a fixed number of queries whatever
the number of facts, claims or articles. The basis and flags come from `dashboard.basis`.

The GROUP BYs read the summaries (`dashboard.models`, kept by triggers in the transaction of every claim
write) whenever they can answer the filters, and the claims table otherwise: the summary
keeps who made a claim only until it is accepted, so the annotator filter is answered from the claims.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from annotate.filters import Filters
from annotate.masking import mask_for
from annotate.models import Claim, Fact, KindRole, ProvenanceKind, Source
from annotate.presenters import FactRef, fact_ref

from . import origins
from .aggregates import Ids, ids
from .basis import Basis, basis
from .mixes import Cell, MixRow, article_meta, listed, mix_counts, mix_rows, mixes, number
from .models import ClaimCount
from .origins import Origins


@dataclass(frozen=True)
class Drawing:
    """What every row of one dashboard draws its cells, source names and basis from."""

    kinds: list[tuple[ProvenanceKind, int]]  # each kind and its id (a model's pk is a property: read once)
    shown_ids: set[int]
    names: dict[int, str]  # source names as the reader may see them
    roles: dict[str, str]  # kind slug -> role


class FactRow:
    """One fact of the dashboard: its counts, conflicts and origins; its cells, source names and basis are
    built only when shown. The JSON and CSV have a row for every fact; the page (`build(page=...)`) only
    for the facts it shows."""

    def __init__(self, fact: FactRef, total: dict, per_kind: dict, conflicts: list[FactRef], origins: Origins, drawing):
        self.fact, self.conflicts, self.origins = fact, conflicts, origins
        self.claims, self.articles = total["claims"], total["articles"]
        self.named_sources = len(total["shown_sources"])
        self._total, self._per_kind, self._drawing = total, per_kind, drawing

    @cached_property
    def cells(self) -> list[Cell]:
        per_kind, shown = self._per_kind, self._drawing.shown_ids
        return [Cell(k, *per_kind.get(pk, (0, 0))) if pk in shown else Cell(k) for k, pk in self._drawing.kinds]

    @cached_property
    def sources(self) -> list[str]:
        names = self._drawing.names
        return sorted({names[pk] for pk in self._total["shown_sources"]}, key=str.lower)

    @cached_property
    def basis(self) -> Basis:
        slug_of = {pk: k.slug for k, pk in self._drawing.kinds}
        kinds = {slug_of[pk] for pk in self._per_kind}
        return basis(kinds, self._total["all_sources"], roles=self._drawing.roles)

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
class Dashboard:
    filters: Filters
    kinds: list[ProvenanceKind]
    facts: list[FactRow]  # every fact's row, or with `page` only the page's: `fact_count` counts them all
    articles: list[MixRow]  # most claims first; only the first `article_rows` when build() was given it
    outlets: list[MixRow]
    conflicts: list[tuple[FactRef, FactRef]]
    claims_total: int  # 0, like `unlinked` and the mix per article and outlet, with build(article_rows=0)
    unlinked: int
    articles_total: int = 0  # articles with claims, whether or not all are in `articles`
    page: Page | None = None  # with build(page=...): the page of facts whose rows `facts` holds

    @property
    def fact_count(self) -> int:
        """Every fact the filters count, whether or not `facts` holds all their rows."""
        return self.page.paginator.count if self.page is not None else len(self.facts)


SUMMARY = True  # bench/pages.py turns it off to time the live query that the summary stands in for


def summarised(filters: Filters) -> bool:
    """Whether the summary can answer these filters (every filter but the annotator)."""
    return not filters.annotator


def counted(filters: Filters, user, *, summary: bool = True) -> QuerySet:
    """The rows the dashboard counts for `filters` as `user` may see them: summary rows or claims."""
    if summary and SUMMARY and summarised(filters):
        return filters.apply(ClaimCount.objects.visible_to(user), kinds=False)
    return filters.apply(Claim.objects.visible_to(user), kinds=False)


def build(
    filters: Filters,
    user,
    *,
    fact: Fact | None = None,
    article_rows: int | None = None,
    summary: bool = True,
    page: tuple[str | int | None, int] | None = None,
) -> Dashboard:
    """Aggregate the claims that pass `filters` (and of `fact` alone, if given) into what `user` may see.

    `summary=False` counts from the claims table even when the summary could answer (to compare them).
    `article_rows`: how many articles' kind mix to show, most claims first (None: all); 0 counts no mix of
    articles or outlets, nor the claims in all (the fact pages, graphs and exports show the facts alone).
    `page=(number, size)`: rows for that page of facts alone; every fact is still counted, ordered and checked
    for conflicts, but only the page's are aggregated by kind, source and origin (most of the work).

    The kind filter narrows what is shown, never a fact's basis: filtering to state media must not
    make a fact that informants corroborate look as if it rested on state media alone. So the
    per-fact queries run over every kind and count the shown kinds with a conditional aggregate.
    """
    kinds = list(ProvenanceKind.objects.all())
    shown_ids = {k.pk for k in kinds if not filters.kinds or k.slug in filters.kinds}
    shown = Q(kind_id__in=shown_ids) if filters.kinds else None
    claims = counted(filters, user, summary=summary)
    live = claims if claims.model is not ClaimCount else counted(filters, user, summary=False)
    if fact is not None:
        claims, live = claims.filter(fact=fact), live.filter(fact=fact)
    linked = claims.filter(fact__isnull=False)
    order = _Order.of(linked, shown, user) if page is not None else None
    if order is not None:
        paged = Paginator(order.ids, page[1]).get_page(page[0])
        wanted = list(paged.object_list)
        linked, live = linked.filter(fact_id__in=wanted), live.filter(fact_id__in=wanted)
    grid, totals = _by_fact(linked, shown_ids if filters.kinds else None, kinds)
    mix = mix_counts(mix_rows(filters, user, claims, shown, fact)) if article_rows != 0 else {}
    meta = article_meta(set(mix).union(*(total["article_ids"] for total in totals.values())))
    outlet_of = {pk: outlet_id for pk, (_, _, outlet_id, _) in meta.items()}
    unsourced = [kind.pk for kind in kinds if kind.role == KindRole.UNSOURCED]
    tallies = {pk: _tally(total, outlet_of) for pk, total in totals.items()}
    origins_of = origins.for_facts(tallies, origins.far_ends(live, unsourced), user)
    refs = order.refs if order is not None else _refs(totals, user)
    conflicts_of = _conflicts_of(list(refs), user)
    rows = _fact_rows(totals, grid, origins_of, user, kinds, shown_ids, refs, conflicts_of)
    rows.sort(key=lambda r: (-r.articles, -r.claims, r.fact.statement.lower(), r.fact.pk))
    articles, outlets, articles_total, claims_total = mixes(mix, meta, kinds, limit=article_rows)
    if order is not None:
        paged.object_list = rows
    ordered = order.ids if order is not None else [r.fact.pk for r in rows]
    linked_claims = order.claims if order is not None else sum(r.claims for r in rows)
    return Dashboard(
        filters=filters,
        kinds=kinds,
        facts=rows,
        articles=articles,
        outlets=outlets,
        conflicts=_conflict_pairs([(refs[pk], conflicts_of[pk]) for pk in ordered]),
        claims_total=claims_total,
        unlinked=claims_total - linked_claims if article_rows != 0 else 0,
        articles_total=articles_total,
        page=paged if order is not None else None,
    )


@dataclass(frozen=True)
class _Order:
    """Every fact the filters count, in the matrix's order, with what that order needs and no more."""

    ids: list[int]
    refs: dict[int, FactRef]  # statements masked for the reader
    claims: int  # the claims of the shown kinds linked to any fact

    @classmethod
    def of(cls, linked: QuerySet, shown: Q | None, user) -> _Order:
        """One GROUP BY over the facts (claims and distinct articles of the shown kinds, as `_totals` counts
        them) and the facts' statements."""
        aggregates = {
            "claims": number(linked, filter=shown),
            "articles": Count("article_id", distinct=True, filter=shown),
        }
        counts = {
            pk: (claims, articles)
            for pk, claims, articles in linked.values_list("fact_id").annotate(**aggregates).order_by()
            if claims
        }
        refs = _refs(counts, user)  # a fact deleted meanwhile is left out, not an error
        ids = sorted(refs, key=lambda pk: (-counts[pk][1], -counts[pk][0], refs[pk].statement.lower(), pk))
        return cls(ids, refs, sum(counts[pk][0] for pk in ids))


def _refs(fact_ids, user) -> dict[int, FactRef]:
    """These facts, their statements masked for `user`."""
    mask = mask_for(user)
    return {
        pk: FactRef(pk, slug, mask.text(statement))
        for pk, slug, statement in listed(Fact.objects.all(), fact_ids).values_list("pk", "slug", "statement")
        if pk in fact_ids
    }


def _fact_rows(totals, grid, origins_of, user, kinds, shown_ids, refs, conflicts_of) -> list[FactRow]:
    """A row per fact of `_totals`, its names masked for `user`: one query (the sources' names)."""
    names = _source_names({pk for total in totals.values() for pk in total["shown_sources"]}, user)
    drawing = Drawing([(k, k.pk) for k in kinds], shown_ids, names, {kind.slug: kind.role for kind in kinds})
    return [
        FactRow(
            refs[fact_id],
            total,
            grid[fact_id],
            conflicts_of[fact_id],
            origins_of.get(fact_id, Origins()),
            drawing,
        )
        for fact_id, total in totals.items()
        if fact_id in refs  # not deleted since the totals were read
    ]


def _by_fact(linked: QuerySet, shown_ids: set[int] | None, kinds: list[ProvenanceKind]):
    """(grid, totals) from one GROUP BY (fact, kind): each fact's (claims, articles) by kind, and its totals.

    A fact's totals: the claims of the shown kinds; its distinct articles, of every kind (their outlets
    are counted from them: a join to the articles here cost more than the rest of the query) and of the
    shown kinds; its distinct sources by the role of their kind, and those of the shown kinds; the claims
    that name no source or are of an unsourced kind. Each is added up here from the fact's rows by kind,
    whose distinct articles and sources come as lists: reading the claims (or summary rows) once instead
    of once for the grid and once for the totals saved 80 of 190 ms at a million claims.
    """
    role_of = {k.pk: k.role for k in kinds}
    rows = (
        linked.values_list("fact_id", "kind_id")
        .annotate(  # not named "claims": the summary's column of that name is what they add up
            n=number(linked),
            unnamed=number(linked, filter=Q(source__isnull=True)),
            article_ids=Ids("article_id"),
            source_ids=Ids("source_id"),
        )
        .order_by()
    )
    grid, parts = defaultdict(dict), defaultdict(list)
    for fact_id, kind_id, claims, unnamed, article_ids, source_ids in rows:
        if kind_id not in role_of:  # a kind added since the kinds were read: on the next request
            continue
        article_ids, source_ids = ids(article_ids), ids(source_ids)
        grid[fact_id][kind_id] = (claims, len(article_ids))
        parts[fact_id].append((kind_id, claims, unnamed or 0, article_ids, source_ids))
    totals = {}
    for fact_id, by_kind in parts.items():
        if total := _total(by_kind, shown_ids, role_of):
            totals[fact_id] = total
    return grid, totals


def _total(by_kind: list[tuple], shown_ids: set[int] | None, role_of: dict[int, str]) -> dict | None:
    """A fact's totals (see `_by_fact`) from its rows by kind; None when it has no claim of the shown kinds."""
    shown = [row for row in by_kind if shown_ids is None or row[0] in shown_ids]
    claims = sum(row[1] for row in shown)
    if not claims:
        return None
    by_role = {role: set() for role in KindRole.values}
    articles, bare = set(), 0
    for kind_id, kind_claims, unnamed, article_ids, source_ids in by_kind:
        role = role_of[kind_id]
        by_role[role].update(source_ids)
        articles.update(article_ids)
        bare += kind_claims if role == KindRole.UNSOURCED else unnamed
    every = set().union(*by_role.values())
    if shown_ids is None:
        shown_articles, shown_sources = articles, every
    else:
        shown_articles = {pk for row in shown for pk in row[3]}
        shown_sources = {pk for row in shown for pk in row[4]}
    return {
        "claims": claims,
        "article_ids": articles,  # a set: only counted and looked up
        "articles": len(shown_articles),
        "shown_sources": sorted(shown_sources),
        "all_sources": len(every),
        "by_role": {role: sorted(found) for role, found in by_role.items()},
        "bare": bare,
    }


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
    """The facts each of these conflicts with, of those `user` may see, by statement."""
    mask = mask_for(user)
    conflicts_of = defaultdict(list)
    pairs = listed(Fact.conflicts.through.objects.all(), fact_ids, "from_fact_id")
    wanted = set(fact_ids)
    for pair in pairs.filter(to_fact__in=Fact.objects.visible_to(user)).select_related("to_fact"):
        if pair.from_fact_id in wanted:
            conflicts_of[pair.from_fact_id].append(fact_ref(pair.to_fact, mask))
    for found in conflicts_of.values():
        found.sort(key=lambda f: f.statement.lower())
    return conflicts_of


def _conflict_pairs(facts: list[tuple[FactRef, list[FactRef]]]) -> list[tuple[FactRef, FactRef]]:
    """Each pair of conflicting facts once, in the order of the facts."""
    pairs, seen = [], set()
    for fact, conflicts in facts:
        for other in conflicts:
            if (key := frozenset((fact.pk, other.pk))) not in seen:
                seen.add(key)
                pairs.append((fact, other))
    return pairs


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
            {"slug": r.key, "title": r.label, "claims": r.total, "kinds": r.by_slug()} for r in board.articles
        ],
        "outlets": [{"name": r.label, "claims": r.total, "kinds": r.by_slug()} for r in board.outlets],
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
