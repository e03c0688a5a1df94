"""The record of one claim that every export writes, declared once.

`FETCH` says what `.values_list()` reads for a claim (and how to read the same from a Claim instance);
`COLUMNS` says what each column of the CSV and JSON Lines exports holds, how it is worked out from a
fetched row, where the W3C export puts it and which field of an imported record it fills. The writers
(`interchange.export`, `interchange.w3c`) and the reader (`interchange.reading`) derive from these two
tables: adding a column is one line here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import NotSupportedError
from django.db.models import CharField, F, Func

from annotate.masking import Mask
from annotate.models import Claim, Fact, ProvenanceKind, Source
from annotate.relays import VIA_SEPARATOR


class _Text(Func):
    """A date, or a timestamp in UTC to the second, as the export writes it (2026-11-22T13:55:01Z), made by the
    database: parsing a million timestamps into datetimes only to print them again costs more than the rest
    of the export together.
    """

    output_field = CharField()

    def __init__(self, expression, *, instant: bool):
        super().__init__(expression)
        self.instant = instant

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("Exports need PostgreSQL or SQLite.")

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if self.instant:
            return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        return f"to_char({sql}, %s)", (*params, "YYYY-MM-DD")

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime(%s, {sql})", ("%Y-%m-%dT%H:%M:%SZ" if self.instant else "%Y-%m-%d", *params)


class _Relays(Func):
    """A claim's relay chain as JSON text, `[[source id or null, proposed name], ...]` nearest to the article
    first, or NULL: read with the claim's own row, so a streamed export neither joins (one row per relay) nor
    holds every chain in memory."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("Exports need PostgreSQL or SQLite.")

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            # `sql` is the compiled outer claim's id column, not user input.
            "(SELECT json_agg(json_build_array(r.source_id, r.proposed) ORDER BY r.position)::text "  # noqa: S608
            f"FROM annotate_claimrelay r WHERE r.claim_id = {sql})",
            params,
        )

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            "(SELECT CASE WHEN count(*) THEN json_group_array(json_array(r.source_id, r.proposed)) END "  # noqa: S608
            f"FROM (SELECT source_id, proposed FROM annotate_claimrelay WHERE claim_id = {sql} ORDER BY position) r)",
            params,
        )


def _chain(claim: Claim) -> str | None:
    """What `_Relays` reads, from a claim loaded with its relays."""
    chain = [[relay.source_id, relay.proposed] for relay in claim.relays.all()]
    return json.dumps(chain) if chain else None


def _instant(value: dt.datetime | None) -> str | None:
    """A timestamp as ISO 8601 in UTC to the second, as `_Text` writes it: 2026-11-22T13:55:01Z."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# What is read for each claim: (name, database expression, the same read from a Claim instance loaded with
# `RELATED`). Kinds, sources, facts and users come as ids: their names are looked up in `Names`.
FETCH = (
    ("pk", "pk", lambda c: c.pk),
    ("article_slug", "article__slug", lambda c: c.article.slug),
    ("article_title", "article__title", lambda c: c.article.title),
    ("outlet", "article__outlet__name", lambda c: c.article.outlet.name if c.article.outlet_id else None),
    ("published", _Text(F("article__published"), instant=False), lambda c: _day(c.article.published)),
    ("article_url", "article__source_url", lambda c: c.article.source_url),
    ("start", "start", lambda c: c.start),
    ("end", "end", lambda c: c.end),
    ("exact", "exact", lambda c: c.exact),
    ("prefix", "prefix", lambda c: c.prefix),
    ("suffix", "suffix", lambda c: c.suffix),
    ("kind_id", "kind_id", lambda c: c.kind_id),
    ("source_id", "source_id", lambda c: c.source_id),
    ("proposed_source", "proposed_source", lambda c: c.proposed_source),
    ("via", _Relays(F("pk")), _chain),
    ("directness", "directness", lambda c: c.directness),
    ("fact_id", "fact_id", lambda c: c.fact_id),
    ("proposed_fact", "proposed_fact", lambda c: c.proposed_fact),
    ("status", "status", lambda c: c.status),
    ("annotator_id", "annotator_id", lambda c: c.annotator_id),
    ("reviewer_id", "reviewer_id", lambda c: c.reviewer_id),
    ("reviewed_at", _Text(F("reviewed_at"), instant=True), lambda c: _instant(c.reviewed_at)),
    ("review_reason", "review_reason", lambda c: c.review_reason),
    ("review_note", "review_note", lambda c: c.review_note),
    ("note", "note", lambda c: c.note),
    ("created", _Text(F("created"), instant=True), lambda c: _instant(c.created)),
    ("updated", _Text(F("updated"), instant=True), lambda c: _instant(c.updated)),
)
EXPRESSIONS = tuple(expression for _, expression, _ in FETCH)
AT = SimpleNamespace(**{name: index for index, (name, _, _) in enumerate(FETCH)})  # row[AT.exact]
RELATED = ("article__outlet", "kind", "source__kind", "fact", "annotator", "reviewer")


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def instance_row(claim: Claim) -> tuple:
    """What `.values_list(*EXPRESSIONS)` gives for this claim, read from the instance and its related rows."""
    return tuple(read(claim) for _, _, read in FETCH)


class _Table(dict):
    """Values by id, read in one query; an id created since (by someone tagging meanwhile) is read when met."""

    def __init__(self, rows, missing):
        super().__init__(rows)
        self.missing = missing

    def __missing__(self, pk):
        value = self[pk] = self.missing(pk)
        return value


@dataclass
class Names:
    """Kinds (slug, label), sources (name, sensitive, kind slug), facts (slug, statement) and usernames by id.

    Small tables, read once per export: joining them to each of a million claims nearly tripled the
    database's share of the export's time.
    """

    kinds: dict
    sources: dict
    facts: dict
    users: dict

    @classmethod
    def load(cls) -> Names:
        user_model = get_user_model()
        users = user_model.objects.values_list("pk", user_model.USERNAME_FIELD)

        def table(rows):
            return _Table(((pk, tuple(rest)) for pk, *rest in rows), lambda pk: tuple(rows.get(pk=pk)[1:]))

        return cls(
            kinds=table(ProvenanceKind.objects.values_list("pk", "slug", "label")),
            sources=table(Source.objects.values_list("pk", "name", "sensitive", "kind__slug")),
            facts=table(Fact.objects.values_list("pk", "slug", "statement")),
            users=_Table(users, lambda pk: users.get(pk=pk)[1]),
        )

    @classmethod
    def of(cls, claim: Claim) -> Names:
        """The names one claim needs, from the objects it was loaded with."""
        source, fact = claim.source, claim.fact
        users = {claim.annotator_id: claim.annotator.get_username()}
        sources = {r.source_id: (r.source.name, r.source.sensitive, "") for r in claim.relays.all() if r.source_id}
        if source:
            sources[source.pk] = (source.name, source.sensitive, source.kind.slug)
        if claim.reviewer_id:
            users[claim.reviewer_id] = claim.reviewer.get_username()
        return cls(
            kinds={claim.kind_id: (claim.kind.slug, claim.kind.label)},
            sources=sources,
            facts={fact.pk: (fact.slug, fact.statement)} if fact else {},
            users=users,
        )


class Reader:
    """What a column's value is worked out from: the fetched row, the names, and the reader's mask.

    A source's label and a fact's masked statement are worked out once per id, not once per claim: at a
    million claims, masking the same statement again for each was most of the export's time.
    """

    def __init__(self, names: Names, mask: Mask):
        self.names, self.mask = names, mask
        self._sources = _Table((), self._source)
        self._facts = _Table((), self._fact)

    def _source(self, pk: int) -> tuple[str, str]:
        name, sensitive, kind = self.names.sources[pk]
        return self.mask.source(pk, name, sensitive), kind

    def _fact(self, pk: int) -> tuple[str, str]:
        slug, statement = self.names.facts[pk]
        return slug, self.mask.text(statement)

    def user(self, pk: int | None) -> str:
        return self.names.users[pk] if pk else ""

    def source(self, row: tuple) -> tuple[str, str]:
        """(the source as the reader may see it, its own kind): a name or pseudonym, or a proposed name."""
        if pk := row[AT.source_id]:
            return self._sources[pk]
        return self.mask.text(row[AT.proposed_source], row[AT.annotator_id]), ""

    def fact(self, row: tuple) -> tuple[str, str]:
        """(slug, statement as the reader may see it); a proposed statement has no slug."""
        if pk := row[AT.fact_id]:
            return self._facts[pk]
        return "", self.mask.text(row[AT.proposed_fact], row[AT.annotator_id])

    def relays(self, row: tuple) -> list[str]:
        """The relay chain as the reader may see it, nearest to the article first."""
        if not row[AT.via]:
            return []
        return [
            self._sources[pk][0] if pk else self.mask.text(proposed, row[AT.annotator_id])
            for pk, proposed in json.loads(row[AT.via])
        ]

    def text(self, row: tuple, index: int) -> str:
        """Free text the claim's author wrote, masked for the reader."""
        return self.mask.text(row[index], row[AT.annotator_id])


@dataclass(frozen=True)
class Column:
    """One column: its name, its value from a fetched row, its W3C term, the imported field it fills.

    `w3c` is our term for it in the W3C export ("status" for prov:status), or None where the W3C shape
    has its own place for it (the target, the bodies). `incoming` is the field of `reading.Incoming` an
    imported record's value goes to, None for columns an import works out itself.
    """

    name: str
    value: Callable[[tuple, Reader], object]
    w3c: str | None = None
    incoming: str | None = None
    per: str | None = None  # the fetched id that alone decides the value when it is set (a kind, a user...)
    fetched: str | None = None  # the fetched value the column is, as it is (text, or a number or date if `shape`)
    shape: str = "text"  # "text", or "number" / "date" for values the CSV writes as they come


def _plain(name: str, fetched: str | None = None, *, shape: str = "text", **options) -> Column:
    """A column that is a fetched value as it is: text ("" for none), or a number or date (None for none)."""
    index = getattr(AT, fetched or name)
    if shape == "text":
        return Column(name, lambda row, _: row[index] or "", fetched=fetched or name, **options)
    return Column(name, lambda row, _: row[index], fetched=fetched or name, shape=shape, **options)


COLUMNS = (
    _plain("claim_id", "pk", shape="number"),
    _plain("article_slug", incoming="article_slug"),
    _plain("article_title"),
    _plain("outlet"),
    _plain("published", shape="date"),
    _plain("article_url", incoming="article_url"),
    _plain("start", shape="number", incoming="start"),
    _plain("end", shape="number", incoming="end"),
    _plain("exact", incoming="exact"),
    _plain("prefix", incoming="prefix"),
    _plain("suffix", incoming="suffix"),
    Column("kind", lambda row, r: r.names.kinds[row[AT.kind_id]][0], incoming="kind", per="kind_id"),
    Column("kind_label", lambda row, r: r.names.kinds[row[AT.kind_id]][1], per="kind_id"),
    Column("source", lambda row, r: r.source(row)[0], incoming="source", per="source_id"),
    Column("source_kind", lambda row, r: r.source(row)[1], incoming="source_kind", per="source_id"),
    Column("via", lambda row, r: VIA_SEPARATOR.join(r.relays(row)), w3c="via", incoming="via"),
    _plain("directness", w3c="directness", incoming="directness"),
    Column("fact_slug", lambda row, r: r.fact(row)[0], w3c="fact", incoming="fact_slug", per="fact_id"),
    Column(
        "fact_statement", lambda row, r: r.fact(row)[1], w3c="factStatement", incoming="fact_statement", per="fact_id"
    ),
    _plain("status", w3c="status", incoming="status"),
    Column("annotator", lambda row, r: r.user(row[AT.annotator_id]), incoming="annotator", per="annotator_id"),
    Column(
        "reviewer", lambda row, r: r.user(row[AT.reviewer_id]), w3c="reviewer", incoming="reviewer", per="reviewer_id"
    ),
    _plain("reviewed_at", shape="date", w3c="reviewedAt", incoming="reviewed_at"),
    _plain("review_reason", w3c="reviewReason", incoming="review_reason"),
    Column("note", lambda row, r: r.text(row, AT.note), w3c="note", incoming="note"),
    _plain("created_at", "created", shape="date"),
    _plain("updated_at", "updated", shape="date"),
)
NAMES = tuple(column.name for column in COLUMNS)


def cells(row: tuple, reader: Reader) -> list:
    """One record's values in COLUMNS order: numbers as numbers, absent text as "", absent dates as None."""
    return [column.value(row, reader) for column in COLUMNS]
