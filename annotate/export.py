"""Turning claims and aggregates into files people open elsewhere.

One record per claim, with the columns of `COLUMNS`, in three shapes: CSV, JSON Lines and W3C Web
Annotation (JSON-LD). `record` and `w3c_annotation` take one Claim instance (for the API);
`csv_lines`, `rows` and `annotations` stream a whole queryset from `.values_list()` rows through a
server-side cursor, without model instances or per-row queries, and `csv_chunks`, `jsonl_chunks` and
`jsonld_chunks` turn them into a file, many records to a chunk. The one-claim and streaming paths share
their formatting (`_cells`), and the tests hold them to the same output.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import NotSupportedError, transaction
from django.db.models import CharField, F, Func, QuerySet
from django.http import QueryDict
from django.utils import timezone

from .filters import Filters
from .masking import Mask, mask_for
from .models import Claim, Fact, ProvenanceKind, Source

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_STARTS = "".join(FORMULA_PREFIXES)

COLUMNS = (
    "claim_id",
    "article_slug",
    "article_title",
    "outlet",
    "published",
    "article_url",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "kind",
    "kind_label",
    "source",
    "source_kind",
    "via",
    "directness",
    "fact_slug",
    "fact_statement",
    "status",
    "annotator",
    "reviewer",
    "reviewed_at",
    "review_reason",
    "note",
    "created_at",
    "updated_at",
)


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


# What `.values_list()` fetches for one claim: its own columns and its article's, in COLUMNS order, with ids
# where COLUMNS has the names of its kind, source, fact and users (those come from `Names`), and at the end
# the review note, which only the W3C export carries, and the names a reviewer proposed.
FIELDS = (
    "pk",
    "article__slug",
    "article__title",
    "article__outlet__name",
    _Text(F("article__published"), instant=False),
    "article__source_url",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "kind_id",
    "source_id",
    "via",
    "directness",
    "fact_id",
    "status",
    "annotator_id",
    "reviewer_id",
    _Text(F("reviewed_at"), instant=True),
    "review_reason",
    "note",
    _Text(F("created"), instant=True),
    _Text(F("updated"), instant=True),
    "review_note",
    "proposed_source",
    "proposed_fact",
)
SOURCE_ID = FIELDS.index("source_id")
REVIEW_NOTE = FIELDS.index("review_note")
RELATED = ("article__outlet", "kind", "source__kind", "fact", "annotator", "reviewer")
CHUNK_ROWS = 2000  # rows fetched per round trip, and rows per chunk handed to the response
_NO_SOURCE, _NO_FACT = ("", False, ""), ("", "")

# W3C Web Annotation: our own terms live under NS; each kind of source is a term of KIND_NS.
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NS = "https://provenance.example/ns#"
KIND_NS = "https://provenance.example/ns/kind#"
CONTEXT = [ANNO_CONTEXT, {"prov": NS}]


def csv_safe(value):
    """A cell value that a spreadsheet will show as text, never run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def with_export_related(claims: QuerySet) -> QuerySet:
    """Claims with everything `record` and `w3c_annotation` read, in the same query."""
    return claims.select_related(*RELATED)


def export_order(claims: QuerySet) -> QuerySet:
    """The order of every export: by claim id, which an index gives without sorting a million rows."""
    return claims.order_by("pk")


def _instant(value: dt.datetime | None) -> str | None:
    """A timestamp as ISO 8601 in UTC to the second, as `_Text` writes it: 2026-11-22T13:55:01Z."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class _Table(dict):
    """Names by id, read in one query; an id created since (by someone tagging meanwhile) is read when met."""

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
        kinds = ProvenanceKind.objects.values_list("pk", "slug", "label")
        sources = Source.objects.values_list("pk", "name", "sensitive", "kind__slug")
        facts = Fact.objects.values_list("pk", "slug", "statement")
        users = user_model.objects.values_list("pk", user_model.USERNAME_FIELD)

        def table(rows):
            return _Table(((pk, tuple(rest)) for pk, *rest in rows), lambda pk: tuple(rows.get(pk=pk)[1:]))

        return cls(
            kinds=table(kinds),
            sources=table(sources),
            facts=table(facts),
            users=_Table(users, lambda pk: users.get(pk=pk)[1]),
        )

    @classmethod
    def of(cls, claim: Claim) -> Names:
        """The names one claim needs, from the objects it was loaded with."""
        source, fact = claim.source, claim.fact
        users = {claim.annotator_id: claim.annotator.get_username()}
        if claim.reviewer_id:
            users[claim.reviewer_id] = claim.reviewer.get_username()
        return cls(
            kinds={claim.kind_id: (claim.kind.slug, claim.kind.label)},
            sources={source.pk: (source.name, source.sensitive, source.kind.slug)} if source else {},
            facts={fact.pk: (fact.slug, fact.statement)} if fact else {},
            users=users,
        )


def _values(claim: Claim) -> tuple:
    """What `.values_list(*FIELDS)` gives for this claim, read from the instance and its article."""
    article = claim.article
    return (
        claim.pk,
        article.slug,
        article.title,
        article.outlet.name if article.outlet_id else None,
        _day(article.published),
        article.source_url,
        claim.start,
        claim.end,
        claim.exact,
        claim.prefix,
        claim.suffix,
        claim.kind_id,
        claim.source_id,
        claim.via,
        claim.directness,
        claim.fact_id,
        claim.status,
        claim.annotator_id,
        claim.reviewer_id,
        _instant(claim.reviewed_at),
        claim.review_reason,
        claim.note,
        _instant(claim.created),
        _instant(claim.updated),
        claim.review_note,
        claim.proposed_source,
        claim.proposed_fact,
    )


def _cells(row: tuple, names: Names, mask: Mask) -> list:
    """One record's values in COLUMNS order: numbers as numbers, absent text as "", absent dates as None.

    Source names and free text as `mask` lets the reader see them; a name a reviewer proposed stands in
    the source (or fact statement) column.
    """
    (pk, slug, title, outlet, published, url, start, end, exact, prefix, suffix, kind_id, source_id, via,
     directness, fact_id, status, annotator_id, reviewer_id, reviewed_at, reason, note, created, updated,
     _, proposed_source, proposed_fact) = row  # fmt: skip
    kind, kind_label = names.kinds[kind_id]
    if source_id:
        name, sensitive, source_kind = names.sources[source_id]
        source = mask.source(source_id, name, sensitive)
    else:
        source, source_kind = mask.text(proposed_source, annotator_id), ""
    fact_slug, statement = names.facts[fact_id] if fact_id else ("", proposed_fact)
    statement = mask.text(statement, None if fact_id else annotator_id)
    via, note = mask.text(via, annotator_id), mask.text(note, annotator_id)
    users = names.users
    return [
        pk,
        slug,
        title,
        outlet or "",
        published,
        url,
        start,
        end,
        exact,
        prefix,
        suffix,
        kind,
        kind_label,
        source,
        source_kind,
        via,
        directness,
        fact_slug,
        statement,
        status,
        users[annotator_id],
        users[reviewer_id] if reviewer_id else "",
        reviewed_at,
        reason,
        note,
        created,
        updated,
    ]


def record(claim: Claim, user) -> dict:
    """One claim as the CSV and JSON Lines exports write it, with what `user` may see of its source.

    Load the claim with `with_export_related` to read it without further queries.
    """
    return dict(zip(COLUMNS, _cells(_values(claim), Names.of(claim), mask_for(user)), strict=True))


def _annotation(row: tuple, names: Names, mask: Mask, base_url: str) -> dict:
    """One claim's `.values_list(*FIELDS)` row as a W3C Web Annotation, without the @context.

    The kind is the classifying body; the source's name, a describing body that says whether the
    source is sensitive and whether its name was withheld, so an import never takes "protected
    source" for a name. Our other fields go under the prov: namespace, empty ones left out.
    """
    item = dict(zip(COLUMNS, _cells(row, names, mask), strict=True))
    body = [{"type": "SpecificResource", "purpose": "classifying", "source": KIND_NS + item["kind"]}]
    if item["source"]:
        described = {"type": "TextualBody", "purpose": "describing", "format": "text/plain", "value": item["source"]}
        if item["source_kind"]:
            described["prov:sourceKind"] = item["source_kind"]
        if not row[SOURCE_ID]:
            described["prov:sourceProposed"] = True
        elif names.sources[row[SOURCE_ID]][1]:
            described["prov:sourceSensitive"] = True
            if not mask.reveal:
                described["prov:sourceProtected"] = True
        body.append(described)
    annotation = {
        "id": f"{base_url}/claims/{item['claim_id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": item["annotator"]},
        "created": item["created_at"],
        "modified": item["updated_at"],
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": item["article_url"] or f"{base_url}/articles/{item['article_slug']}/",
            "prov:article": item["article_slug"],
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": item["exact"],
                    "prefix": item["prefix"],
                    "suffix": item["suffix"],
                },
                {"type": "TextPositionSelector", "start": item["start"], "end": item["end"]},
            ],
        },
    }
    extras = {
        "prov:status": item["status"],
        "prov:fact": item["fact_slug"],
        "prov:factStatement": item["fact_statement"],
        "prov:via": item["via"],
        "prov:directness": item["directness"],
        "prov:note": item["note"],
        "prov:reviewer": item["reviewer"],
        "prov:reviewedAt": item["reviewed_at"],
        "prov:reviewReason": item["review_reason"],
        "prov:reviewNote": mask.text(row[REVIEW_NOTE]),
    }
    annotation.update((key, value) for key, value in extras.items() if value)
    return annotation


def w3c_annotation(claim: Claim, user, *, base_url: str) -> dict:
    """One claim as a W3C Web Annotation in JSON-LD, with its own @context.

    `base_url` (scheme and host, no trailing slash) makes the annotation's id and, for an article
    without a source URL, the target's source.
    """
    annotation = _annotation(_values(claim), Names.of(claim), mask_for(user), base_url.rstrip("/"))
    return {"@context": CONTEXT} | annotation


# ---- streaming a queryset -------------------------------------------------------------------------


def _fetch(claims: QuerySet) -> Iterator[tuple[tuple, Names]]:
    """(`.values_list(*FIELDS)` row, names) for a Claim queryset in export order, CHUNK_ROWS rows a round trip.

    On PostgreSQL `.iterator()` reads through a server-side cursor, so memory stays flat. Inside a
    transaction that cursor is an ordinary one; outside, it would be declared WITH HOLD, and the
    server would compute and store every row before handing over the first. The transaction is
    REPEATABLE READ where it is ours to set, so the names and the claims come from one snapshot even
    when sources are merged or facts created during a long download.
    """
    connection = transaction.get_connection(claims.db)
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=claims.db):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        names = Names.load()
        for row in export_order(claims).values_list(*FIELDS).iterator(chunk_size=CHUNK_ROWS):
            yield row, names


def rows(claims: QuerySet, *, mask: Mask) -> Iterator[list]:
    """The records of a Claim queryset, as lists in COLUMNS order; for `jsonl_chunks`."""
    for row, names in _fetch(claims):
        yield _cells(row, names, mask)


def annotations(claims: QuerySet, *, mask: Mask, base_url: str) -> Iterator[dict]:
    """The claims of a queryset as W3C Web Annotations; for `jsonld_chunks`."""
    base_url = base_url.rstrip("/")
    for row, names in _fetch(claims):
        yield _annotation(row, names, mask, base_url)


def _batched(records: Iterable) -> Iterator[list]:
    batch = []
    for item in records:
        batch.append(item)
        if len(batch) == CHUNK_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def csv_line(record: Iterable) -> str:
    """One record as a CSV line: what csv.writer writes (minimal quoting, CRLF) after `csv_safe` on each cell.

    The fields are joined here rather than by csv.writer, which examines each character of each field in
    turn and took half the export's time; `in` and `replace` scan a field at C speed.
    """
    return ",".join([_field(value) for value in record]) + "\r\n"


def _field(value) -> str:
    """One CSV field: text neutralised against formulas, then quoted if it holds a quote, comma or line break."""
    if value.__class__ is str:
        if value and value[0] in _FORMULA_STARTS:
            value = "'" + value
        if '"' in value:
            return '"' + value.replace('"', '""') + '"'
        if "," in value or "\n" in value or "\r" in value:
            return '"' + value + '"'
        return value
    return "" if value is None else str(value)


class _CsvNames:
    """The names of `Names` as CSV fields, escaped once per export instead of once per claim.

    A kind is "slug,label", a source "name,kind" (as the mask shows it), a fact "slug,statement" (its
    statement masked), a user their username.
    """

    def __init__(self, names: Names, mask: Mask):
        def table(rows, escape):
            return _Table(((pk, escape(pk, *value)) for pk, value in rows.items()), lambda pk: escape(pk, *rows[pk]))

        self.kinds = table(names.kinds, lambda pk, slug, label: csv_line((slug, label))[:-2])
        self.sources = table(
            names.sources, lambda pk, name, sensitive, kind: csv_line((mask.source(pk, name, sensitive), kind))[:-2]
        )
        self.facts = table(names.facts, lambda pk, slug, statement: csv_line((slug, mask.text(statement)))[:-2])
        self.users = _Table(
            ((pk, _field(name)) for pk, name in names.users.items()), lambda pk: _field(names.users[pk])
        )


def csv_lines(claims: QuerySet, *, mask: Mask) -> Iterator[str]:
    """The claims as CSV lines: the values of `rows`, written as `csv_line` writes them.

    Made straight from the database rows, with the names escaped once (`_CsvNames`): the CSV export is
    the one that has to keep up with PostgreSQL's COPY. Dates and times need no escaping: the database
    wrote them.
    """
    field, escaped, text = _field, None, mask.text
    for row, names in _fetch(claims):
        if escaped is None:
            escaped = _CsvNames(names, mask)
        (pk, slug, title, outlet, published, url, start, end, exact, prefix, suffix, kind_id, source_id, via,
         directness, fact_id, status, annotator_id, reviewer_id, reviewed_at, reason, note, created, updated,
         _, proposed_source, proposed_fact) = row  # fmt: skip
        yield (
            ",".join(
                (
                    str(pk),
                    field(slug),
                    field(title),
                    field(outlet),
                    published or "",
                    field(url),
                    str(start),
                    str(end),
                    field(exact),
                    field(prefix),
                    field(suffix),
                    escaped.kinds[kind_id],
                    escaped.sources[source_id] if source_id else field(text(proposed_source, annotator_id)) + ",",
                    field(text(via, annotator_id)),
                    field(directness),
                    escaped.facts[fact_id] if fact_id else "," + field(text(proposed_fact, annotator_id)),
                    field(status),
                    escaped.users[annotator_id],
                    escaped.users[reviewer_id] if reviewer_id else "",
                    reviewed_at or "",
                    field(reason),
                    field(text(note, annotator_id)),
                    created,
                    updated,
                )
            )
            + "\r\n"
        )


def csv_chunks(lines: Iterable[str], *, bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV: the header, then the lines, many to a chunk; a byte-order mark first if asked (for Excel)."""
    yield ("\ufeff" if bom else "") + csv_line(COLUMNS)
    for batch in _batched(lines):
        yield "".join(batch)


def jsonl_chunks(records: Iterable[list]) -> Iterator[str]:
    """JSON Lines: one record per line, as an object keyed by COLUMNS; UTF-8, no escaping of non-ASCII."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for batch in _batched(records):
        yield "".join(dumps(dict(zip(COLUMNS, item, strict=True))) + "\n" for item in batch)


def jsonld_chunks(items: Iterable[dict], *, base_url: str, query: str = "") -> Iterator[str]:
    """An AnnotationCollection whose first (and only) AnnotationPage holds every annotation.

    The total comes after the items, counted while they stream: JSON-LD does not care where a key
    stands, and it saves a count query that could disagree with the rows read after it.
    """
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    collection = f"{base_url.rstrip('/')}/export/claims.jsonld" + (f"?{query}" if query else "")
    head = {"@context": CONTEXT, "id": collection, "type": "AnnotationCollection", "label": "Provenance claims"}
    yield dumps(head)[:-1] + ', "first": {"type": "AnnotationPage", "partOf": ' + dumps(collection) + ', "items": ['
    total = 0
    for batch in _batched(items):
        yield ("\n" if total == 0 else ",\n") + ",\n".join(map(dumps, batch))
        total += len(batch)
    yield f'\n]}}, "total": {total}}}\n'


def filename(extension: str) -> str:
    """The download's name, with today's date: claims-2026-11-22.csv."""
    return f"claims-{timezone.localdate().isoformat()}.{extension}"


# ---- choosing the claims --------------------------------------------------------------------------


@dataclass
class Selection:
    """The claims an export covers, the problems with the filters that chose them, and those filters."""

    claims: QuerySet
    errors: list[str]
    query: str


def select(query: QueryDict, claims: QuerySet, *, user=None) -> Selection:
    """Narrow `claims` by the claim filter (`annotate.filters`), every status unless one is asked for.

    A value that would change what is exported without saying so — an unparsable date or outlet, an
    unknown status, kind, article, annotator or fact — is an error: the caller refuses the export
    rather than send something other than what was asked.
    """
    filters = Filters.from_query(query, default_status="all", user=user)
    return Selection(claims=filters.apply(claims), errors=filters.problems(), query=filters.as_query())
