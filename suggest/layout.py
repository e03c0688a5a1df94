"""What a paragraph of a report is, beside its running text: an interviewer's question, an aside (a note, a
section head, a byline), or a photo's caption. The interview and own-voice passes leave these out."""

from __future__ import annotations

import re

from .text import Span

# A question's mark at the start of its paragraph: a dash or two (the Korean and Japanese press use "――"), or
# "Q:" / "Question:" in any of the usual punctuations.
QUESTION = re.compile(r"\s*(?:[―—]{1,2}|–{2}|(?:Q|Question)\s*[:.)．]|\((?:Q|Question)\))\s*", re.IGNORECASE)
ANSWER = re.compile(r"\s*(?:(?:A|Answer)\s*[:.)．]|\((?:A|Answer)\))\s*", re.IGNORECASE)
# A note, a section head or a byline at the start of a paragraph.
ASIDE = re.compile(r"\s*(?:[※*◆◇■□●○▶►▲△•†‡#]|\(|\[|<)")
NOTE = "※*†‡"  # the marks of a note, which ends an interview's answers
# A photo's caption credits the picture, in words or with a bare name after its last sentence ("... Nov. 27.
# Yonhap", "... (KCNA)"); a caption is short, so a long paragraph that cites where a study was published is not one.
CREDIT = re.compile(
    r"\b(?:published (?:in|by|on)\b|photo(?:graph)?s?\s*(?::|by\b|from\b|courtesy\b)|courtesy of\b|"
    r"from a video\b|file photo\b|screenshot\b|captured from\b|image:)",
    re.IGNORECASE,
)
CREDIT_TAIL = re.compile(r"[.!?]\s+\(?[A-Z][\w&/'’-]*(?:[ /-][A-Z][\w&/'’-]*){0,3}\)?\s*$")  # no full stop of its own
CAPTION_MAX = 320  # characters


def question(text: str, para: Span) -> bool:
    return QUESTION.match(text, para.start, para.end) is not None


def aside(text: str, para: Span) -> bool:
    return ASIDE.match(text, para.start, para.end) is not None and ANSWER.match(text, para.start, para.end) is None


def note(text: str, para: Span) -> bool:
    return text[para.start : para.end].lstrip()[:1] in NOTE


def caption(text: str, para: Span) -> bool:
    if para.end - para.start > CAPTION_MAX:
        return False
    return (
        CREDIT.search(text, para.start, para.end) is not None
        or CREDIT_TAIL.search(text, para.start, para.end) is not None
    )
