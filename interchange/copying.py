"""CSV and JSON Lines written by PostgreSQL: `COPY (SELECT ...) TO STDOUT`, streamed through psycopg.

The same bytes as `interchange.export` writes (the tests hold the two paths to it), made from the same
declarations (`interchange.columns`), with the masking and the CSV formula guard done in SQL:

- a column that is a fetched value (`Column.fetched`) is that value, guarded in SQL as `csv_safe` does;
- a column that one id decides (`Column.per`: kinds, sources, facts, users) is worked out here, by the
  column's own `value`, once for every row of the small table that id points to, and written into the query
  as a jsonb array read by position (`_by_id`): pseudonyms and redacted statements are exactly the Python
  path's;
- a text read through a relation (an article's title) is worked out the same way, once per related row;
- a relay chain (`Column.chain`) is aggregated from the relays grouped by claim, merge-joined to the claims
  in id order, its sources named as the source column names them;
- free text the claim's author wrote (`Column.free`) is redacted by a lookup: the database picks the texts
  that may hold a sensitive name (any non-ASCII text, or an ASCII one whose `skeleton`, which SQL can work
  out exactly for ASCII, holds one of the mask's keys), the mask redacts those (`interchange.redacting`),
  and the query reads the redacted text back by the original, guarded or encoded as the column writes it.
  The reader's own text stays as they wrote it.

PostgreSQL ends a CSV record with LF; it sends one record per CopyData message, taken here one at a time
(straight from libpq, `interchange.copystream`), so each record's LF is made the CRLF of the Python path without parsing
the CSV. The JSON line (with its LF) is one text column, copied in binary format, which neither quotes,
escapes nor scans it: each row's 6-byte prefix and the file's header are cut off here. SQLite keeps the
streamed Python path.

Nothing here writes to the database (no temporary table or function): it runs on a read-only replica. The
COPY runs without parallel workers (a setting local to its transaction).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import CharField, QuerySet, TextField, Value

from annotate.masking import Mask
from annotate.models import Claim
from annotate.relays import VIA_SEPARATOR, ClaimRelay

from . import copystream, redacting
from .columns import AT, COLUMNS, EXPRESSIONS, FETCH, Names, Reader
from .csvfield import FORMULA_PREFIXES, csv_line, csv_safe

# csv_safe's inner rule as a PostgreSQL regular expression: the hyphen last, where a bracket takes it as itself.
_INNER = "([,;\t\r\n][\"']*)([=+@\uff1d\uff0b\uff0d\uff20-])"


def _literal(text: str) -> str:
    """A constant of ours as an SQL string (standard_conforming_strings, on since PostgreSQL 9.1), in a statement
    that is sent with parameters (so % is written %%)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


_STARTS = ", ".join(str(ord(prefix)) for prefix in FORMULA_PREFIXES)  # code points, as ascii() gives them
_FOUND = _INNER.replace("(", "").replace(")", "")
_REPLACEMENT = "\\1'\\2"
_dumps = json.JSONEncoder(ensure_ascii=False).encode  # as export.jsonl_chunks encodes; one encoder for all
_JSONL_OPTIONS = "FORMAT binary"


def available(claims: QuerySet) -> bool:
    """Whether the database of `claims` can write the export itself (PostgreSQL)."""
    return connections[claims.db].vendor == "postgresql"


class _Query:
    """What one export's SELECT is made from: the claims' own query, the reader's mask, the format."""

    def __init__(self, claims: QuerySet, mask: Mask, *, csv: bool):
        self.claims, self.mask, self.csv = claims, mask, csv
        # Text read through a relation ("article__title") is worked out once per related row, here: guarding the
        # titles of 1,000 articles rather than those of 100,000 claims.
        self.related: dict[str, list] = {}
        for column in COLUMNS:
            expression = {name: e for name, e, _ in FETCH}.get(column.fetched)
            if column.shape == "text" and isinstance(expression, str) and "__" in expression:
                relation, path = expression.split("__", 1)
                self.related.setdefault(relation, []).append((column, path))
        # A relay chain is joined by `_relays_join`, not read per claim.
        chains = {getattr(AT, column.chain) for column in COLUMNS if column.chain}
        expressions = [Value(None, CharField()) if n in chains else e for n, e in enumerate(EXPRESSIONS)]
        base = claims.order_by().values_list(*expressions, *(f"{r}_id" for r in self.related)).query
        self.base_sql, self.base_params = base.get_compiler(using=claims.db).as_sql()
        self.reader = Reader(Names.load(), mask)
        self.ids: dict[str, list] = {}  # ids of the tables a `per` column reads, by the id's name
        self.rows: dict[str, list] = {}  # rows of the relations texts are read through, by relation

    def fetched(self, name: str) -> str:
        return f"f.c{getattr(AT, name)}"

    def guard(self, sql: str) -> str:
        """`csv_safe` of a text in SQL, "" as NULL (which COPY writes as nothing, where it quotes "")."""
        # The test without capture groups runs on PostgreSQL's fast path; it is false for nearly every text, and
        # the replacement, which needs them, runs only then. An empty text (most notes, reasons, proposed names)
        # runs neither: a regular expression costs about as much on "" as on a short text. The first character
        # is tested by its code point (no substring made and compared eleven times).
        # Constants are written into the text, not passed as parameters: `sql` and these appear more than once.
        prefixed = f"CASE WHEN ascii({sql}) IN ({_STARTS}) THEN '''' || {sql} ELSE {sql} END"
        replaced = f"regexp_replace({prefixed}, {_literal(_INNER)}, {_literal(_REPLACEMENT)}, 'g')"
        return f"CASE WHEN {sql} = '' THEN NULL WHEN {sql} ~ {_literal(_FOUND)} THEN {replaced} ELSE {prefixed} END"

    def text(self, sql: str, *, null: str = "''") -> str:
        """A text column: guarded for CSV, a JSON string (or `null` for none) for JSON Lines."""
        if self.csv:
            return self.guard(sql)
        return f"COALESCE(to_json({sql})::text, {null})" if null == "'null'" else f"to_json(COALESCE({sql}, ''))::text"

    def value(self, value) -> str:
        """A value worked out here, as the path writes it: guarded CSV text, or JSON."""
        if self.csv:
            value = csv_safe(value)
            return "" if value is None else str(value)
        return _dumps(value)


def _lookup(table: dict, key_sql: str) -> str:
    """SQL for `table[key]`: a jsonb object written into the statement, read by key (a binary search).

    Not a join: joins to the values worked out here made PostgreSQL hash the claims and sort them again by id,
    on disk (EXPLAIN ANALYZE at 100,000 claims: a 50 MB external sort; 0.74 s of server CPU where the claims'
    own query took 0.28 s); a lookup leaves the plan of the claims' own query, a parallel index scan in id
    order, as it is.
    """
    return f"({_literal(json.dumps(table, ensure_ascii=False))}::jsonb ->> {key_sql})"


def _by_id(table: dict, id_sql: str) -> str:
    """SQL for `table[id]` (ids of a table's rows): a jsonb array written into the statement, read by position.

    An element of a jsonb array is found by its offset, a key of an object by comparing strings: at twelve
    lookups a claim the array took a third of the object's time (bench/: 0.2 s against 0.55 s of server time
    at 100,000 claims). Position n holds id n (JSON null for the ids between), so for ids that are not small,
    dense and positive (a table whose early rows were deleted) the object is used as it is; an id beyond the
    array, like a key the object lacks, gives NULL.
    """
    ids = list(table)
    if not ids or min(ids) < 0 or max(ids) > 2 * len(ids) + 1000:
        return _lookup({str(pk): value for pk, value in table.items()}, f"{id_sql}::text")
    values = [None] * (max(ids) + 1)
    for pk, value in table.items():
        values[pk] = value
    return f"({_literal(json.dumps(values, ensure_ascii=False))}::jsonb ->> {id_sql}::integer)"


def _free_sql(query: _Query, name: str, redactions: dict) -> str:
    """A free text the claim's author wrote, redacted for the reader unless they wrote it, as the column writes
    it (guarded CSV text, or JSON). The redacted texts are guarded or encoded here, so that the SQL guard
    reads the column itself rather than the lookup each time it names its text."""
    raw = query.fetched(name)
    text = query.text(raw, null="'null'")
    if not redactions:
        return text
    author = "NULL" if query.mask.user_id is None else str(int(query.mask.user_id))
    # Never None for a text that is redacted, or the COALESCE would fall back to the text as it was written.
    masked = _lookup({original: query.value(redacted) for original, redacted in redactions.items()}, raw)
    others = f"COALESCE({masked}, {text})"
    if query.csv:  # a text redacted to nothing is written as nothing, as the guard writes ""
        others = f"NULLIF({others}, '')"
    return f"CASE WHEN f.c{AT.annotator_id} = {author} THEN {text} ELSE {others} END"


def _chain_sql(query: _Query, column, redactions: dict) -> str:
    """A relay chain as `Reader.relays` shows it, joined as the column joins it: each registry source as the
    source column names it (a name or a pseudonym), each proposed name redacted as free text is.

    Read from `_relays_join`'s chains, one row per claim with relays, not from the claim's JSON (`_Relays`): a
    subquery per claim (an index scan, a sort and json_agg, then json_array_elements) cost more than the rest
    of the SELECT (bench/: 1 s of server time at 100,000 claims; the grouped join 0.06 s).
    """
    if not redactions:
        chain = "v.chain"
    else:
        author = "NULL" if query.mask.user_id is None else str(int(query.mask.user_id))
        chain = f"CASE WHEN f.c{AT.annotator_id} = {author} THEN v.chain ELSE v.masked END"
    return query.text(chain)  # none (no relays): NULL, which CSV writes as nothing, or "" in JSON


def _relays_join(query: _Query, redactions: dict) -> str:
    """The claims' relay chains as a grouped subquery joined by claim id (a merge join, both sides in id order):
    `chain` as the author wrote it, `masked` with the proposed names redacted (only when some are)."""
    qn, meta = connections[query.claims.db].ops.quote_name, ClaimRelay._meta
    claim, source_id, proposed, position = (
        f"r.{qn(meta.get_field(name).column)}" for name in ("claim", "source", "proposed", "position")
    )
    source = next(c for c in COLUMNS if c.per == "source_id" and c.name == "source")
    named = _by_id(_per_values(query, "source_id", source, raw=True), source_id)
    separator = _literal(VIA_SEPARATOR)

    def joined(text: str) -> str:
        return (
            f"string_agg(CASE WHEN {source_id} IS NULL THEN {text} ELSE {named} END, {separator} ORDER BY {position})"
        )

    chains = [f"{joined(proposed)} AS chain"]
    if redactions:
        chains.append(f"{joined(f'COALESCE({_lookup(redactions, proposed)}, {proposed})')} AS masked")
    return (
        f" LEFT JOIN (SELECT {claim} AS claim_id, {', '.join(chains)} FROM {qn(meta.db_table)} AS r "  # noqa: S608
        f"GROUP BY {claim}) AS v ON v.claim_id = f.c{AT.pk}"
    )


def _per_values(query: _Query, per: str, column, *, raw: bool = False) -> dict:
    """{id: the column's value} for every id `per` may hold, worked out by the column itself; "" as null (CSV).
    `raw`: the value as it is, neither guarded nor JSON, for SQL that makes it part of a longer text."""
    if per not in query.ids:  # one query per table, however many columns it decides
        model = Claim._meta.get_field(per.removesuffix("_id")).related_model
        query.ids[per] = list(model._default_manager.using(query.claims.db).values_list("pk", flat=True))
    values, row = {}, [None] * len(FETCH)
    for pk in query.ids[per]:
        row[getattr(AT, per)] = pk
        value = column.value(tuple(row), query.reader)
        values[pk] = (value if raw else query.value(value)) or None
    return values


def _related_values(query: _Query, relation: str, column, path: str) -> dict:
    """{id of the related row: the column's value} for a text the column reads through `relation`."""
    if relation not in query.rows:  # one query per relation, every text the columns read through it
        model = Claim._meta.get_field(relation).related_model
        paths = [path for _, path in query.related[relation]]
        query.rows[relation] = list(model._default_manager.using(query.claims.db).values_list("pk", *paths))
    index = 1 + [c for c, _ in query.related[relation]].index(column)
    values, row = {}, [None] * len(FETCH)
    for pk, *texts in query.rows[relation]:
        row[getattr(AT, column.fetched)] = texts[index - 1]
        values[pk] = query.value(column.value(tuple(row), query.reader)) or None
    return values


def _select(query: _Query, redactions: dict[str, str]) -> str:
    """The SELECT of the export: one column per CSV field, or one JSON text per line."""
    values = [_column_sql(query, column, redactions) for column in COLUMNS]
    if query.csv:
        selected = ", ".join(values)
    else:
        keys = [("{" if n == 0 else ", ") + json.dumps(column.name) + ": " for n, column in enumerate(COLUMNS)]
        # One concat() of every piece: a chain of || copies the line so far at each of its fifty-odd steps.
        pieces = [piece for key, value in zip(keys, values, strict=True) for piece in (_literal(key), value)]
        selected = f"concat({', '.join(pieces)}, E'}}\\n')"
    aliases = ", ".join(f"c{n}" for n in range(len(FETCH) + len(query.related)))
    relays = _relays_join(query, redactions) if any(column.chain for column in COLUMNS) else ""
    return f"SELECT {selected} FROM ({query.base_sql}) AS f({aliases}){relays} ORDER BY f.c{AT.pk}"  # noqa: S608


def _textual(name: str) -> bool:
    """Whether the claim field fetched as `name` is text in the database (else the SELECT casts it)."""
    expression = {fetched: e for fetched, e, _ in FETCH}.get(name)
    if not isinstance(expression, str) or "__" in expression:
        return True
    return isinstance(Claim._meta.get_field(expression), CharField | TextField)


def _safe_choices(name: str) -> list[str]:
    """The choices of the claim field fetched as `name` that the CSV writes unchanged (not "", which is NULL)."""
    expression = {fetched: e for fetched, e, _ in FETCH}.get(name)
    if not isinstance(expression, str) or "__" in expression:
        return []
    field = Claim._meta.get_field(expression)
    return [str(value) for value, _ in field.flatchoices if value and csv_safe(str(value)) == str(value)]


def _column_sql(query: _Query, column, redactions: dict) -> str:
    for n, relation in enumerate(query.related):
        for related, path in query.related[relation]:
            if related is column:
                known = _by_id(_related_values(query, relation, column, path), f"f.c{len(FETCH) + n}")
                return known if query.csv else f"COALESCE({known}, '\"\"')"
    if column.chain:
        return _chain_sql(query, column, redactions)
    if column.fetched is not None:
        sql = query.fetched(column.fetched)
        if column.shape == "number":
            return f"{sql}::text" if query.csv else f"COALESCE({sql}::text, 'null')"
        if column.shape == "date":
            # Its text (`columns._Text`) is digits, hyphens, colons, T and Z: JSON quotes it as it is, so it is
            # quoted here rather than passed through to_json, which looks at each character of each value
            # (bench/: about 0.2 s a column at 1,000,000 claims).
            return sql if query.csv else f"COALESCE('\"' || {sql} || '\"', 'null')"
        if not _textual(column.fetched):
            sql = f"{sql}::text"  # a number written as text, as the column's value is (str of it)
            if not query.csv:  # digits and a sign: quoted as it is, as a date is
                return f"'\"' || COALESCE({sql}, '') || '\"'"
        if query.csv and (safe := _safe_choices(column.fetched)):
            # A choice that needs no guard is written as it is: a comparison costs less than the guard's tests.
            return f"CASE WHEN {sql} IN ({', '.join(map(_literal, safe))}) THEN {sql} ELSE {query.text(sql)} END"
        return query.text(sql)
    if column.per:
        known = _by_id(_per_values(query, column.per, column), query.fetched(column.per))
        if not query.csv:
            known = f"COALESCE({known}, '\"\"')"
        if not Claim._meta.get_field(column.per.removesuffix("_id")).null:
            return known
        if column.free:
            otherwise = _free_sql(query, column.free, redactions)
        else:
            blank = query.value(column.value(tuple([None] * len(FETCH)), query.reader))
            otherwise = "NULL" if query.csv and not blank else _literal(blank)
        return f"CASE WHEN {query.fetched(column.per)} IS NULL THEN {otherwise} ELSE {known} END"
    if column.free:
        return _free_sql(query, column.free, redactions)
    raise ValueError(f"The export column {column.name!r} says neither what it fetches, nor its id, nor its free text.")


def _copy(claims: QuerySet, mask: Mask, *, csv: bool) -> Iterator[bytes]:
    """The records of the export as PostgreSQL writes them, many to a chunk, in one REPEATABLE READ snapshot."""
    try:
        claims.order_by().values_list("pk").query.get_compiler(using=claims.db).as_sql()
    except EmptyResultSet:  # a filter that no claim can pass (an empty list of ids): an empty file
        return
    connection = connections[claims.db]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=claims.db):
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        query = _Query(claims, mask, csv=csv)
        redactions = redacting.redactions(claims, mask)
        sql = _select(query, redactions)
        params = list(query.base_params)  # the SELECT's own values are written into it
        statement = f"COPY ({sql}) TO STDOUT WITH ({'FORMAT csv' if csv else _JSONL_OPTIONS})"
        with connection.cursor() as cursor:
            # Without parallel workers: with them every row, its columns worked out in a worker, passes through
            # shared memory to the leader, which merges the workers' rows in id order before it writes them. That
            # costs more CPU than it spreads (bench/: at 1,000,000 claims 10-12 s of server CPU against 8 s
            # without, and 15-20% more wall time where the client shares the cores). Local to the transaction.
            cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")
        with connection.connection.cursor() as cursor, cursor.copy(statement, params) as copy:
            # A CSV record's LF becomes CRLF when the chunk is joined; a JSON line is cut from its binary row.
            cut, start = (slice(None, -1), None) if csv else (slice(6, None), copystream.binary_start)
            for batch in copystream.batches(copy, cut, start):
                yield copystream.joined(batch, csv)


def csv_chunks(claims: QuerySet, *, mask: Mask, bom: bool = False) -> Iterator[bytes]:
    """The CSV export, header first (after a byte-order mark if asked), as `export.csv_chunks` writes it."""
    yield (("\ufeff" if bom else "") + csv_line(c.name for c in COLUMNS)).encode()
    yield from _copy(claims, mask, csv=True)


def jsonl_chunks(claims: QuerySet, *, mask: Mask) -> Iterator[bytes]:
    """The JSON Lines export, as `export.jsonl_chunks` writes it."""
    yield from _copy(claims, mask, csv=False)
