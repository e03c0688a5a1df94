"""Reading the records of a `COPY ... TO STDOUT` from libpq, and joining them into the chunks a download sends
(`interchange.copying` makes the COPY)."""

from __future__ import annotations

from collections.abc import Iterator

from psycopg import errors as psycopg_errors
from psycopg import generators, pq

from . import export
from .export import _LINE_BREAKS


def batches(copy, cut: slice, start=None) -> Iterator[list]:
    """The records of a COPY TO, `cut` (the first passed through `start` first), CHUNK_ROWS to a list.

    PostgreSQL sends each record as a message of its own. They are taken straight from libpq while it holds
    whole ones, and from psycopg's `Copy.read()` only when it must wait for the socket (every few dozen
    records) or at the end: `read()` runs a wait and two generators for every message, which at a million
    records cost more of the client's time than everything else it does (bench/: a cProfile of the export at
    1,000,000 claims).

    Each record is kept as bytes, not as the memoryview libpq's buffer comes in: a memoryview is tracked by
    the garbage collector, and a chunk's 2,000 of them, alive until the chunk is joined, had it run 19 full
    collections an export at a million claims (0.7 s of 2.2 s of the client's CPU time).
    """
    pgconn = copy.connection.pgconn
    take = pgconn.get_copy_data
    if not (first := copy.read()):
        return
    batch = [(start(first) if start else first)[cut].tobytes()]
    while True:
        size, data = take(1)  # 1: say 0 rather than wait when no whole message is buffered
        if size == 0:
            if not (data := copy.read()):  # psycopg waits for data; at the end it reads the COPY's result
                break
        elif size < 0:  # the end, met here: read the COPY's result as `read()` would have
            finish(copy)
            break
        batch.append(data[cut].tobytes())
        if len(batch) == export.CHUNK_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def finish(copy) -> None:
    """Read the result that ends a COPY TO after libpq has handed over its last message, as psycopg does."""
    connection = copy.connection
    for result in connection.wait(generators.fetch_many(connection.pgconn)):
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise psycopg_errors.error_from_result(result, encoding=connection.info.encoding)


_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"  # a binary COPY's header: this, 4 bytes of flags, 4 of extension length


def binary_start(message):
    """The first message of a binary COPY without its header; the text of each row follows its field count (2
    bytes) and length (4), which PostgreSQL neither quotes nor escapes; the last message is -1 (2 bytes, which
    comes out empty)."""
    if bytes(message[:11]) != _SIGNATURE or bytes(message[15:19]) != bytes(4):
        raise ValueError("Not the header of a binary COPY without extensions.")
    return message[19:]


# The line breaks JSON leaves raw that some readers split lines on (`export._one_line`), as UTF-8, and their
# escapes. Replaced in the bytes PostgreSQL sends rather than in SQL, where `replace` of a multibyte string on
# every line cost more than the rest of the SELECT (bench/: 4.9 s against 2.0 s for 100,000 claims). Looked
# for by their first byte first (E2 for U+2028 and U+2029, C2 for U+0085): a search for one byte is a memchr,
# about 0.01 ms a megabyte, where one for two or three bytes costs 1.5-2 ms a megabyte (most chunks hold
# neither lead byte, nor Korean or English news much of U+0080-U+00BF or of U+2000-U+2FFF).
_RAW_BREAKS = tuple((char.encode(), f"\\u{ord(char):04x}".encode()) for char in _LINE_BREAKS)
_LEADS: dict[bytes, list] = {}
for _break in _RAW_BREAKS:
    _LEADS.setdefault(_break[0][:1], []).append(_break)


def joined(batch: list, csv: bool) -> bytes:
    if csv:
        batch.append(b"")
        return b"\r\n".join(batch)
    data = b"".join(batch)
    for lead, breaks in _LEADS.items():
        if lead in data:
            for raw, escape in breaks:
                if raw in data:
                    data = data.replace(raw, escape)
    return data
