"""Streaming claims into files people open elsewhere: CSV, JSON Lines and W3C Web Annotation.

One record per claim, as `interchange.columns` declares it. `record` takes one Claim instance (for
the API); `csv_lines`, `rows` and `annotations` stream a whole queryset from `.values_list()` rows
through a server-side cursor, without model instances or per-row queries, and `csv_chunks`,
`jsonl_chunks` and `jsonld_chunks` turn them into a file, many records to a chunk. Both paths work
out each column the same way, and the tests hold them to the same output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from annotate.filters import Filters
from annotate.masking import Mask, mask_for
from annotate.models import Claim

from . import w3c
from .columns import AT, COLUMNS, EXPRESSIONS, NAMES, RELATED, Names, Reader, cells, instance_row
from .csvfield import csv_line, field

CHUNK_ROWS = 2000  # rows fetched per round trip, and rows per chunk handed to the response


def with_export_related(claims: QuerySet) -> QuerySet:
    """Claims with everything `record` and `w3c.w3c_annotation` read, in the same query."""
    return claims.select_related(*RELATED)


def export_order(claims: QuerySet) -> QuerySet:
    """The order of every export: by claim id, which an index gives without sorting a million rows."""
    return claims.order_by("pk")


def record(claim: Claim, user) -> dict:
    """One claim as the CSV and JSON Lines exports write it, as `user` may see it.

    Load the claim with `with_export_related` to read it without further queries.
    """
    return dict(zip(NAMES, cells(instance_row(claim), Reader(Names.of(claim), mask_for(user))), strict=True))


# ---- streaming a queryset -------------------------------------------------------------------------


def _fetch(claims: QuerySet) -> Iterator[tuple[tuple, Names]]:
    """(`.values_list(*EXPRESSIONS)` row, names) for a Claim queryset in export order, CHUNK_ROWS rows a round trip.

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
        for row in export_order(claims).values_list(*EXPRESSIONS).iterator(chunk_size=CHUNK_ROWS):
            yield row, names


def rows(claims: QuerySet, *, mask: Mask) -> Iterator[list]:
    """The records of a Claim queryset, as lists in COLUMNS order; for `jsonl_chunks`."""
    reader = None
    for row, names in _fetch(claims):
        reader = reader or Reader(names, mask)
        yield cells(row, reader)


def annotations(claims: QuerySet, *, mask: Mask, base_url: str) -> Iterator[dict]:
    """The claims of a queryset as W3C Web Annotations; for `jsonld_chunks`."""
    base_url, reader = base_url.rstrip("/"), None
    for row, names in _fetch(claims):
        reader = reader or Reader(names, mask)
        yield w3c.annotation(row, reader, base_url)


def _batched(records: Iterable) -> Iterator[list]:
    batch = []
    for item in records:
        batch.append(item)
        if len(batch) == CHUNK_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _computed(column, reader: Reader):
    """The column's CSV field for a row; escaped once per id for a column that one id decides (`per`)."""
    value = column.value
    if not column.per:
        return lambda row: field(value(row, reader))
    index, memo = getattr(AT, column.per), {}

    def write(row):
        if not (key := row[index]):
            return field(value(row, reader))
        if (text := memo.get(key)) is None:
            text = memo[key] = field(value(row, reader))
        return text

    return write


def line_writer(reader: Reader):
    """A function from a fetched row to its CSV line, as `csv_line(cells(row, reader))` writes it.

    Its code is made from COLUMNS, as namedtuple makes its class: a fetched value goes straight to
    `field` (numbers and dates as they come), and a column of names is escaped once per id. The CSV
    export has to keep up with PostgreSQL's COPY; calling a function per column cost it a quarter of its
    speed (bench/: 54,000 against 72,000 rows a second on the same 100,000 claims).
    """
    parts, scope = [], {"field": field}
    for n, column in enumerate(COLUMNS):
        if column.fetched is None:
            scope[f"w{n}"] = _computed(column, reader)
            parts.append(f"w{n}(row)")
        elif column.shape == "number":
            parts.append(f"str(row[{getattr(AT, column.fetched)}])")
        elif column.shape == "date":
            parts.append(f"(row[{getattr(AT, column.fetched)}] or '')")
        else:
            parts.append(f"field(row[{getattr(AT, column.fetched)}])")
    source = "def line(row):\n    return ','.join((" + ", ".join(parts) + ",)) + '\\r\\n'\n"
    exec(source, scope)  # noqa: S102 -- our own code, made from the column table above
    return scope["line"]


def csv_lines(claims: QuerySet, *, mask: Mask) -> Iterator[str]:
    """The claims as CSV lines, each what `csv_line` writes for its record."""
    line = None
    for row, names in _fetch(claims):
        line = line or line_writer(Reader(names, mask))
        yield line(row)


def csv_chunks(lines: Iterable[str], *, bom: bool = False) -> Iterator[str]:
    """RFC 4180 CSV: the header, then the lines, many to a chunk; a byte-order mark first if asked (for Excel)."""
    yield ("\ufeff" if bom else "") + csv_line(NAMES)
    for batch in _batched(lines):
        yield "".join(batch)


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def _one_line(text: str) -> str:
    """JSON text with the line breaks the encoder leaves raw written as escapes (\\u2028): they can only
    stand inside strings, where an escape means the same, and a record then stays on one line for any reader.
    """
    for char in _LINE_BREAKS:
        if char in text:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def jsonl_chunks(records: Iterable[list]) -> Iterator[str]:
    """JSON Lines: one record per line, as an object keyed by the column names; UTF-8, no escaping of non-ASCII
    but the characters some readers split lines on (U+2028, U+2029, U+0085)."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for batch in _batched(records):
        yield _one_line("".join(dumps(dict(zip(NAMES, item, strict=True))) + "\n" for item in batch))


def jsonld_chunks(items: Iterable[dict], *, base_url: str, query: str = "") -> Iterator[str]:
    """An AnnotationCollection whose first (and only) AnnotationPage holds every annotation.

    The total comes after the items, counted while they stream: JSON-LD does not care where a key
    stands, and it saves a count query that could disagree with the rows read after it. One annotation
    to a line, with the line breaks some readers see in U+2028, U+2029 and U+0085 escaped as in JSON Lines.
    """
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    collection = f"{base_url.rstrip('/')}/export/claims.jsonld" + (f"?{query}" if query else "")
    head = {"@context": w3c.CONTEXT, "id": collection, "type": "AnnotationCollection", "label": "Provenance claims"}
    yield dumps(head)[:-1] + ', "first": {"type": "AnnotationPage", "partOf": ' + dumps(collection) + ', "items": ['
    total = 0
    for batch in _batched(items):
        yield _one_line(("\n" if total == 0 else ",\n") + ",\n".join(map(dumps, batch)))
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
