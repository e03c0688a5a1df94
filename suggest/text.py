"""The text's shape, in code-point offsets: paragraphs, sentences (pysbd, a maintained rule-based segmenter
that needs no model) and quotations, including those that run over sentences and paragraphs."""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass

import pysbd


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Sentence(Span):
    paragraph: int  # index of its paragraph


@dataclass(frozen=True)
class Quote(Span):
    """A quotation: [start, end) is its content, inside the marks; `open` and `close` are the marks' offsets
    (`close` is None when it runs to the end of its last paragraph without closing)."""

    open: int
    close: int | None


_PARAGRAPH = re.compile(r"[^\n]+")


def paragraphs(text: str) -> list[Span]:
    """Each non-empty line is a paragraph (the corpus keeps one paragraph a line)."""
    return [Span(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]


_per_thread = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """This thread's segmenter. One per thread, not one per process: `segment` keeps the text it is working on
    in the segmenter itself, so two threads sharing one (a threaded server) cut each other's sentences."""
    if (segmenter := getattr(_per_thread, "segmenter", None)) is None:
        # Korean press text ends sentences with the same full stops, so the English rules serve it too.
        segmenter = _per_thread.segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter


HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KO_END = re.compile(r"(?<=[다요죠음함됨])[.!?]+[”’\"']?\s+")


PART = 4_000  # pysbd's time grows with the square of a paragraph's length: longer ones go in parts
_STOP = re.compile(r"[.!?][”’\"')]*\s+")


def _parts(chunk: str) -> list[str]:
    """A paragraph in parts of about `PART` characters, each cut after a sentence's end where there is one
    (else at a space), so that segmenting stays linear however long a paragraph is."""
    parts, start = [], 0
    while len(chunk) - start > PART:
        ends = [m.end() for m in _STOP.finditer(chunk, start + PART // 2, start + PART)]
        cut = ends[-1] if ends else (chunk.rfind(" ", start + PART // 2, start + PART) + 1 or start + PART)
        parts.append(chunk[start:cut])
        start = cut
    return [*parts, chunk[start:]]


def sentences(text: str, paras: list[Span] | None = None) -> list[Sentence]:
    """The sentences of `text`, paragraph by paragraph, each trimmed of surrounding white space.

    Segmenting a paragraph at a time keeps the cost linear in the text's length.
    """
    out: list[Sentence] = []
    for index, para in enumerate(paras if paras is not None else paragraphs(text)):
        chunk = text[para.start : para.end]
        if HANGUL.search(chunk):
            pieces, cursor, counted, marks = [], 0, 0, [0, 0, 0]  # “, ” and " since the sentence began
            for m in _KO_END.finditer(chunk):
                seen = chunk[counted : m.start() + 1]  # counted as it goes: linear however long the quotation
                marks = [marks[0] + seen.count("“"), marks[1] + seen.count("”"), marks[2] + seen.count('"')]
                counted = m.start() + 1
                if marks[0] > marks[1] or marks[2] % 2 == 1:
                    continue  # a full stop inside a quotation does not end the sentence that carries it
                pieces.append(chunk[cursor : m.end()])
                cursor, counted, marks = m.end(), m.end(), [0, 0, 0]
            pieces.append(chunk[cursor:])
        else:
            pieces = [piece for part in _parts(chunk) for piece in _segmenter().segment(part)]
        cursor = 0
        for piece in pieces:
            stripped = piece.strip()
            if not stripped:
                continue
            at = chunk.find(stripped, cursor)
            if at < 0:  # the segmenter changed the text: keep what is left of the paragraph whole
                stripped, at = chunk[cursor:].strip(), chunk.find(chunk[cursor:].strip(), cursor)
            out.append(Sentence(para.start + at, para.start + at + len(stripped), index))
            cursor = at + len(stripped)
    return out


OPENING = {"“": "”", "‘": "’", '"': '"', "«": "»", "「": "」", "『": "』", "„": "“"}


def _opens(text: str, i: int) -> bool:
    """A straight double quote opens when it follows the start, a space or an opening bracket."""
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "([{—–-:"


def quotes(text: str, paras: list[Span] | None = None) -> list[Quote]:
    """Double quotations (curly, straight, guillemets, Korean brackets) with their content's offsets.

    Single quotes nest inside them and are not quotations of their own (‘’ is also the apostrophe). A
    quotation left open at the end of a paragraph continues when the next paragraph opens with a quote mark
    (the press convention for a quote over several paragraphs); otherwise it ends with its paragraph.
    """
    paras = paras if paras is not None else paragraphs(text)
    found: list[Quote] = []
    carry: int | None = None  # the offset of a quotation's opening mark, still open from earlier paragraphs
    for p_index, para in enumerate(paras):
        i, opened, closer = para.start, carry, None
        if carry is not None:
            closer = OPENING.get(text[carry], "”")
            if text[para.start] == text[carry]:
                i += 1  # the reopening mark of a continued quotation
            else:
                found.append(Quote(carry + 1, _last_end(text, paras, p_index), carry, None))
                opened = carry = None
        while i < para.end:
            char = text[i]
            if opened is None:
                if char in "“«「『„" or (char == '"' and _opens(text, i)):
                    opened, closer = i, OPENING[char]
            elif char == closer or (closer == '"' and char == "”"):
                found.append(Quote(opened + 1, i, opened, i))
                opened = None
            i += 1
        carry = opened
        if carry is not None and (p_index + 1 == len(paras) or text[paras[p_index + 1].start] != text[carry]):
            found.append(Quote(carry + 1, para.end, carry, None))
            carry = None
    return [q for q in found if q.end > q.start]


def _last_end(text: str, paras: list[Span], index: int) -> int:
    return paras[index - 1].end


def words(text: str) -> int:
    return len(text.split())


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans share at least half of the shorter one."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter * 2 >= min(a[1] - a[0], b[1] - b[0])


def near(spans: list[tuple[int, int]], span: tuple[int, int], reach: int = 4) -> bool:
    """Whether `span` overlaps one of the sorted, nearly disjoint `spans` (its neighbours are enough)."""
    index = bisect_left(spans, span)
    return any(overlaps(span, spans[i]) for i in range(max(0, index - reach), min(len(spans), index + reach)))


def quote_spans(quote_list: list[Quote], opens: list[int], sentence: Sentence) -> list[tuple[int, int]]:
    """The quotations (marks included) inside or across `sentence`. Quotations never overlap, so both their
    starts and ends are sorted: bisect, then walk back while they still reach into the sentence."""
    out = []
    index = bisect_left(opens, sentence.end) - 1
    while index >= 0:
        q = quote_list[index]
        close = (q.close if q.close is not None else q.end) + 1
        if close <= sentence.start:
            break
        out.append((q.open, close))
        index -= 1
    return out
