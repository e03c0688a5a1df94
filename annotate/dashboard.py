"""The provenance dashboard: what each fact rests on, aggregated in the database.

Every number comes from a GROUP BY over the filtered claims, in a fixed number of queries whatever
the number of facts, claims or articles. The basis and flags come from `annotate.basis`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, QuerySet

from corpus.models import Article, Outlet

from .basis import Basis, basis
from .models import PROTECTED, Claim, Fact, ProvenanceKind, can_see_sensitive

STATUS_CHOICES = [
    ("", "Pending and accepted"),
    ("pending", "Pending"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("all", "All, including rejected"),
]
FILTER_KEYS = ("kind", "outlet", "article", "status", "annotator", "from", "to")


@dataclass
class Filters:
    """The dashboard's filters, as they travel in the URL."""

    kinds: list[str] = field(default_factory=list)
    outlet: int | None = None
    article: str = ""
    status: str = ""
    annotator: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query) -> Filters:
        """Parse request.GET; a bad value is dropped with a message instead of failing the page."""
        filters = cls(kinds=[k for k in query.getlist("kind") if k])
        filters.article = query.get("article", "").strip()
        filters.annotator = query.get("annotator", "").strip()
        status = query.get("status", "")
        if status in dict(STATUS_CHOICES):
            filters.status = status
        else:
            filters.errors.append(f"Unknown status “{status}”: showing pending and accepted claims.")
        if outlet := query.get("outlet", "").strip():
            if outlet.isdigit():
                filters.outlet = int(outlet)
            else:
                filters.errors.append("The outlet filter must be an outlet's number: ignored.")
        for key, attr in (("from", "date_from"), ("to", "date_to")):
            if raw := query.get(key, "").strip():
                try:
                    setattr(filters, attr, dt.date.fromisoformat(raw))
                except ValueError:
                    filters.errors.append(f"“{raw}” is not a date (YYYY-MM-DD): the {key} filter is ignored.")
        return filters

    def as_query(self, **overrides) -> str:
        """These filters (with overrides) as a query string, for links that keep the current view."""
        values = {
            "kind": self.kinds,
            "outlet": self.outlet or "",
            "article": self.article,
            "status": self.status,
            "annotator": self.annotator,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        } | overrides
        pairs = [
            (k, v) for k, vs in values.items() for v in (vs if isinstance(vs, list) else [vs]) if v not in ("", None)
        ]
        return urlencode(pairs)

    @property
    def query(self) -> str:
        return self.as_query()

    @property
    def query_without_kinds(self) -> str:
        """For links that narrow to one kind within the other filters."""
        return self.as_query(kind=[])

    @property
    def active(self) -> bool:
        return bool(self.as_query())

    def apply(self, claims: QuerySet, *, kinds: bool = True) -> QuerySet:
        """Restrict a Claim queryset to these filters (all but the kind filter if `kinds` is false)."""
        if self.kinds and kinds:
            claims = claims.filter(kind__slug__in=self.kinds)
        if self.outlet:
            claims = claims.filter(article__outlet_id=self.outlet)
        if self.article:
            claims = claims.filter(article__slug=self.article)
        if self.status == "all":
            pass
        elif self.status:
            claims = claims.filter(status=self.status)
        else:
            claims = claims.exclude(status=Claim.Status.REJECTED)
        if self.annotator:
            claims = claims.filter(annotator__username=self.annotator)
        if self.date_from:
            claims = claims.filter(article__published__gte=self.date_from)
        if self.date_to:
            claims = claims.filter(article__published__lte=self.date_to)
        return claims


@dataclass
class Cell:
    kind: ProvenanceKind
    claims: int = 0
    articles: int = 0


@dataclass
class FactRow:
    fact: Fact
    cells: list[Cell]
    claims: int
    articles: int
    sources: list[str]
    named_sources: int
    basis: Basis
    conflicts: list[Fact]

    @property
    def basis_kinds(self) -> list[ProvenanceKind]:
        return [cell.kind for cell in self.cells if cell.kind.slug in self.basis.kinds]

    @property
    def segments(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.claims]


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
    articles: list[MixRow]
    outlets: list[MixRow]
    conflicts: list[tuple[Fact, Fact]]
    claims_total: int
    unlinked: int


def build(filters: Filters, user, *, fact: Fact | None = None) -> Dashboard:
    """Aggregate the claims that pass `filters` (and of `fact` alone, if given) into what `user` may see."""
    claims = filters.apply(Claim.objects.all())
    if fact is not None:
        claims = claims.filter(fact=fact)
    kinds = list(ProvenanceKind.objects.all())
    linked = claims.filter(fact__isnull=False)

    # A fact's basis is what it rests on whatever kinds are shown: filtering the view to state media
    # must not make a fact corroborated by informants look like it rests on state media alone.
    slug_of = {kind.pk: kind.slug for kind in kinds}
    all_kinds = defaultdict(set)
    unfiltered = filters.apply(Claim.objects.filter(fact__in=linked.values("fact_id")), kinds=False)
    for fact_id, kind_id in unfiltered.values_list("fact_id", "kind_id").distinct().order_by():
        all_kinds[fact_id].add(slug_of[kind_id])
    all_sources = dict(
        unfiltered.values("fact_id")
        .annotate(n=Count("source_id", distinct=True))
        .order_by()
        .values_list("fact_id", "n")
    )

    matrix = defaultdict(dict)
    for row in (
        linked.values("fact_id", "kind_id")
        .annotate(claims=Count("pk"), articles=Count("article_id", distinct=True))
        .order_by()
    ):
        matrix[row["fact_id"]][row["kind_id"]] = (row["claims"], row["articles"])

    totals = {
        row["fact_id"]: row
        for row in linked.values("fact_id")
        .annotate(
            claims=Count("pk"), articles=Count("article_id", distinct=True), sources=Count("source_id", distinct=True)
        )
        .order_by()
    }

    sees_sensitive = can_see_sensitive(user)
    names = defaultdict(set)
    for row in linked.filter(source__isnull=False).values("fact_id", "source__name", "source__sensitive").distinct():
        names[row["fact_id"]].add(PROTECTED if row["source__sensitive"] and not sees_sensitive else row["source__name"])

    facts = {fact.pk: fact for fact in Fact.objects.filter(pk__in=linked.values("fact_id"))}
    pairs = Fact.conflicts.through.objects.filter(from_fact_id__in=list(facts)).select_related("to_fact")
    conflicts_of = defaultdict(list)
    for pair in pairs:
        conflicts_of[pair.from_fact_id].append(pair.to_fact)

    rows = []
    for fact_id, fact in facts.items():
        cells = [Cell(kind, *matrix[fact_id].get(kind.pk, (0, 0))) for kind in kinds]
        total = totals[fact_id]
        rows.append(
            FactRow(
                fact=fact,
                cells=cells,
                claims=total["claims"],
                articles=total["articles"],
                sources=sorted(names[fact_id], key=str.lower),
                named_sources=total["sources"],
                basis=basis(all_kinds[fact_id], all_sources.get(fact_id, 0)),
                conflicts=sorted(conflicts_of[fact_id], key=lambda f: f.statement.lower()),
            )
        )
    rows.sort(key=lambda r: (-r.articles, -r.claims, r.fact.statement.lower()))

    article_mix = _mix(
        claims.values("article__slug", "article__title", "kind_id").annotate(n=Count("pk")).order_by(),
        "article__slug",
        "article__title",
        kinds,
    )
    outlet_mix = _mix(
        claims.values("article__outlet_id", "article__outlet__name", "kind_id").annotate(n=Count("pk")).order_by(),
        "article__outlet_id",
        "article__outlet__name",
        kinds,
    )
    seen = set()
    conflict_pairs = []
    for row in rows:
        for other in row.conflicts:
            pair = tuple(sorted((row.fact.pk, other.pk)))
            if pair not in seen:
                seen.add(pair)
                conflict_pairs.append((row.fact, other))
    return Dashboard(
        filters=filters,
        kinds=kinds,
        facts=rows,
        articles=article_mix,
        outlets=outlet_mix,
        conflicts=conflict_pairs,
        claims_total=sum(row.total for row in article_mix),
        unlinked=sum(row.total for row in article_mix) - sum(row.claims for row in rows),
    )


def _mix(rows, key_field: str, label_field: str, kinds) -> list[MixRow]:
    counts = defaultdict(dict)
    labels = {}
    for row in rows:
        counts[row[key_field]][row["kind_id"]] = row["n"]
        labels[row[key_field]] = row[label_field] or "Unknown outlet"
    mix = [
        MixRow(
            key=key,
            label=labels[key],
            cells=[Cell(kind, per_kind.get(kind.pk, 0)) for kind in kinds],
            total=sum(per_kind.values()),
        )
        for key, per_kind in counts.items()
    ]
    return sorted(mix, key=lambda r: r.label.lower())


def filter_options() -> dict:
    """The choices of the filter form: outlets, articles and annotators that have claims.

    EXISTS probes the claim indexes per candidate instead of joining every claim and de-duplicating.
    """
    has_claims = Exists(Claim.objects.filter(article=OuterRef("pk")))
    return {
        "outlets": list(
            Outlet.objects.filter(Exists(Claim.objects.filter(article__outlet=OuterRef("pk")))).values_list(
                "pk", "name"
            )
        ),
        "articles": list(Article.objects.filter(has_claims).order_by("title").values_list("slug", "title")),
        "annotators": list(
            get_user_model()
            .objects.filter(Exists(Claim.objects.filter(annotator=OuterRef("pk"))))
            .order_by("username")
            .values_list("username", flat=True)
        ),
        "statuses": STATUS_CHOICES,
    }


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
                "basis": sorted(row.basis.kinds),
                "flags": row.basis.flags(),
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
