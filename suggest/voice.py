"""The report's own voice: which paragraphs are its running text, and which of their sentences state something
a reader could check.

By the kinds' definitions a statement an outlet makes with no source named is the outlet's own reporting, and
a reading of a report tags it as a claim like any other. The engine proposes such a sentence below anything a
cue credits, when it states something checkable: a figure or a date, or a name after its first word ("The
regime held an election on November 26", not "It is known that it was emphasized"). Left out: questions,
headlines (no full stop), the interviewer's questions, notes and section heads, photo captions (a paragraph
that credits a picture, or ends in a bare credit: "... Nov. 27. Yonhap"), sentences saying whom the report
interviewed, and quotations and answers, which other passes credit to their speakers.
"""

from __future__ import annotations

import re

from . import layout
from .attribution import CAPTION
from .interview import INTRODUCES
from .text import Span

_STATEMENT = re.compile(r"[.!…”\"’)]\s*$")
# Checkable: a digit, or a capitalised word after the first (a name, a place, an institution; not "I").
_CHECKABLE = re.compile(r"\d|\s[\"“‘(]?(?!I\b)[A-Z][\w’'-]")
MIN_WORDS = 6


def running(text: str, paras: list[Span]) -> set[int]:
    """The indexes of the paragraphs that are the report's running text: no question, aside or caption."""
    return {
        index
        for index, para in enumerate(paras)
        if not (layout.question(text, para) or layout.aside(text, para) or layout.caption(text, para))
    }


def states(chunk: str, *, ended: bool = True) -> bool:
    """Whether a sentence of running text (or, not `ended`, the clause that opens it) states something
    checkable (see the module's docstring)."""
    return (
        len(chunk.split()) >= MIN_WORDS
        and (not ended or _STATEMENT.search(chunk) is not None)
        and not chunk.rstrip().endswith("?")
        and _CHECKABLE.search(chunk) is not None
        and not any(pattern.search(chunk) for pattern in INTRODUCES)
        and CAPTION.match(chunk) is None  # "A photo of ...": a caption, set in the running text
    )
