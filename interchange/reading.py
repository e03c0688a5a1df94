"""Reading files of claims: W3C Web Annotation (JSON-LD) and our JSON Lines, each annotation as an Incoming.

A file is read as JSON Lines (one record or annotation a line) or as one JSON document (a collection, a
page, a list, or a single annotation). Our own records' fields and our W3C terms come from the column
table (`interchange.columns`); other producers' annotations are read as far as they say the same.
Whatever a file holds, a bad annotation is a Rejected for that annotation and a file that cannot be
read at all a FileProblem: never an exception from deep inside.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotate.names import is_reserved
from config.input import problem

from .columns import COLUMNS
from .w3c import KIND_NS, NS, REVIEW_NOTE


class FileProblem(Exception):
    """The file as a whole cannot be read: nothing in it was imported."""


class Rejected(Exception):
    """One annotation cannot be imported; the message says why, for the report."""


@dataclass
class Incoming:
    """One annotation or record from a file, in our own terms, whatever the format it came in."""

    ref: str
    article_url: str = ""
    article_slug: str = ""
    start: int | None = None
    end: int | None = None
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    kind: str = ""
    source: str = ""
    source_kind: str = ""
    source_sensitive: bool = False
    source_protected: bool = False
    via: str = ""
    directness: str = ""
    fact_slug: str = ""
    fact_statement: str = ""
    note: str = ""
    annotator: str = ""
    status: str = ""
    reviewer: str = ""
    reviewed_at: str = ""
    review_reason: str = ""
    review_note: str = ""
    # Read and not used: an imported quote is checked against the article's current text.
    article_revision: str = ""


def shown(text, limit: int = 200) -> str:
    """Text from a file, fit for a report line: what UTF-8 cannot write escaped, and not too long."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- reading files ---------------------------------------------------------------------------------


def read(path: Path) -> Iterator[tuple[str, object]]:
    """(reference, JSON value) for every annotation or record in the file, in order.

    JSON Lines (a record or an annotation per line) is read line by line; a JSON document (an
    AnnotationCollection, an AnnotationPage, a list of annotations or one annotation) is read whole.
    A line that is not JSON comes back as a Rejected error for that line.
    """
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise FileProblem(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        try:
            first = handle.readline()
            while first and not first.strip():
                first = handle.readline()
            if not first:
                raise FileProblem(f"{path} is empty")
            head = _json_or_none(first)
            if isinstance(head, dict):
                yield from _lines(first, head, handle)
            else:
                try:
                    document = json.loads(first + handle.read())
                except json.JSONDecodeError as exc:
                    raise FileProblem(f"{path} is neither JSON nor JSON Lines: {exc}") from None
                except ValueError:  # a number with more digits than int() converts
                    raise FileProblem(f"{path} holds a number too long to read") from None
                except RecursionError:
                    raise FileProblem(f"{path} is nested too deeply to read") from None
                yield from _annotations_in(document, "annotation")
        except UnicodeDecodeError as exc:
            raise FileProblem(f"{path} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def _json_or_none(line: str):
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _lines(first: str, head: dict, handle) -> Iterator[tuple[str, object]]:
    yield from _annotations_in(head, "line 1")
    for number, line in enumerate(handle, start=2):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {number}", Rejected(f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        except ValueError:  # a number with more digits than int() converts
            yield f"line {number}", Rejected("not JSON that can be read: a number too long to convert")
            continue
        except RecursionError:
            yield f"line {number}", Rejected("nested too deeply to read")
            continue
        yield from _annotations_in(value, f"line {number}")


def _types(value) -> set[str]:
    """The `type` of a JSON-LD object, one or several; anything but text in it is no type."""
    kinds = value.get("type") if isinstance(value, dict) else None
    return {kind for kind in _one(kinds) if isinstance(kind, str)}


def _id(value, fallback: str) -> str:
    """An annotation's own id, as a reference in the report, or `fallback` if it has none that is text."""
    ref = value.get("id") if isinstance(value, dict) else None
    return ref if isinstance(ref, str) and ref.strip() else fallback


def _annotations_in(value, ref: str) -> Iterator[tuple[str, object]]:
    """The annotations of a collection, page or list (following embedded `next` pages), or the value itself."""
    if isinstance(value, list):
        for n, item in enumerate(value, start=1):
            yield _id(item, f"{ref} {n}"), item
        return
    types = _types(value)
    if "AnnotationCollection" in types:
        page = value.get("first")
        if page is not None and not isinstance(page, dict):
            raise FileProblem("the collection's pages are not embedded in the file")
        while isinstance(page, dict):
            yield from _annotations_in(page.get("items", []), ref)
            page = page.get("next")
        return
    if "AnnotationPage" in types:
        yield from _annotations_in(value.get("items", []), ref)
        return
    yield _id(value, ref) if isinstance(value, dict) and "target" in value else ref, value


# ---- understanding one annotation -------------------------------------------------------------------


def _ours(value: dict, name: str):
    """Our term `name` from a JSON-LD object, written compact (prov:name) or as a full IRI."""
    return value.get(f"prov:{name}", value.get(NS + name))


def _text(value, what: str) -> str:
    """Text from the file, or Rejected: not text, or text no database column can hold (NUL, lone surrogates)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Rejected(f"{what} must be text")
    if trouble := problem(value):
        raise Rejected(f"{what} contains {trouble.phrase}, which cannot be stored")
    return value


def _one(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _iri(value) -> str:
    """An IRI given as text or as an object's id; "" for anything else."""
    iri = value.get("id") if isinstance(value, dict) else value
    return iri if isinstance(iri, str) else ""


def parse(ref: str, value) -> Incoming:
    """An annotation (anything with a target) or a record of our JSON Lines, as an Incoming."""
    if isinstance(value, Rejected):
        raise value
    if not isinstance(value, dict):
        raise Rejected("not a JSON object")
    if "target" in value:
        return _from_annotation(ref, value)
    if "exact" in value and ("article_slug" in value or "article_url" in value):
        return _from_record(ref, value)
    raise Rejected("neither a W3C annotation (no target) nor a record of the JSON Lines export")


def _from_record(ref: str, record: dict) -> Incoming:
    """A record of the CSV/JSON Lines export, whose columns are `columns.COLUMNS`."""
    item = Incoming(ref=ref)
    for column in COLUMNS:
        if column.incoming:
            value = record.get(column.name)
            setattr(item, column.incoming, value if column.shape == "number" else _text(value, column.name))
    item.source_protected = is_reserved(item.source)
    return item


def _from_annotation(ref: str, annotation: dict) -> Incoming:
    """A W3C Web Annotation as our export writes it; other producers' annotations as far as they say the same."""
    item = Incoming(ref=ref)
    targets = _one(annotation["target"])
    if len(targets) != 1:
        raise Rejected("an annotation must have exactly one target")
    target = targets[0]
    if not isinstance(target, dict):
        raise Rejected("the target has no selectors (TextQuoteSelector, TextPositionSelector)")
    item.article_url = _text(_iri(target.get("source")), "the target's source")
    item.article_slug = _text(_ours(target, "article"), "prov:article")
    for selector in _one(target.get("selector")):
        types = _types(selector)
        if "TextQuoteSelector" in types:
            item.exact = _text(selector.get("exact"), "exact")
            item.prefix = _text(selector.get("prefix"), "prefix")
            item.suffix = _text(selector.get("suffix"), "suffix")
        elif "TextPositionSelector" in types:
            item.start, item.end = selector.get("start"), selector.get("end")
    classifying = []
    for body in _one(annotation.get("body")):
        if not isinstance(body, dict):
            classifying.append(_iri(body))
            continue
        purposes = _one(body.get("purpose"))
        if not all(isinstance(purpose, str) for purpose in purposes):
            raise Rejected("a body's purpose must be text, such as “classifying” or “describing”")
        purposes = set(purposes)
        if "classifying" in purposes or _iri(body.get("source")).startswith(KIND_NS):
            classifying.append(_iri(body.get("source")) or _iri(body))
        elif "describing" in purposes and "TextualBody" in _types(body):
            item.source = _text(body.get("value"), "the source's name")
            item.source_kind = _text(_ours(body, "sourceKind"), "prov:sourceKind")
            item.source_sensitive = _ours(body, "sourceSensitive") is True
            item.source_protected = _ours(body, "sourceProtected") is True
    kinds = [iri for iri in classifying if iri.startswith(KIND_NS)]
    if kinds:
        item.kind = _text(kinds[0].removeprefix(KIND_NS), "the kind")
    elif classifying:
        raise Rejected(f"unknown kind “{shown(classifying[0])}”")
    creator = annotation.get("creator")
    if isinstance(creator, list):
        creator = creator[0] if creator else None
    if isinstance(creator, dict):
        creator = creator.get("nickname") or creator.get("name")
    item.annotator = _text(creator, "creator")
    terms = [(column.incoming, column.w3c) for column in COLUMNS if column.w3c] + [("review_note", REVIEW_NOTE)]
    for attribute, term in terms:
        setattr(item, attribute, _text(_ours(annotation, term), f"prov:{term}"))
    return item
