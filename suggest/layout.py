"""What a paragraph of a report is, beside its running text: an interviewer's question, an aside (a note, a
section head, a byline), or a photo's caption. The interview and own-voice passes leave these out."""

from __future__ import annotations

import re

from .text import Span

# A question's mark at the start of its paragraph: two dashes (the Korean and Japanese press use "――"), or
# "Q:" / "Question:" in any of the usual punctuations; one dash only before a question ("— Why?"), since a
# single dash also opens a list item or a line of dialogue.
QUESTION = re.compile(r"\s*(?:[―—]{2}|–{2}|-{2}|(?:Q|Question)\s*[:.)．]|\((?:Q|Question)\))\s*", re.IGNORECASE)
DASH = re.compile(r"\s*[―—–]\s")
ANSWER = re.compile(r"\s*(?:A\s*[:)．]|Answer\s*[:.)．]|\((?:A|Answer)\))\s*", re.IGNORECASE)  # not "A. Smith"
# A note, a section head or a byline at the start of a paragraph.
ASIDE = re.compile(r"\s*(?:[※*◆◇■□●○▶►▲△•†‡#]|\(|\[|<)")
NOTE = "※*†‡"  # the marks of a note, which ends an interview's answers
# A photo's caption credits the picture: a sentence of its own that says so ("Published in Rodong Sinmun.",
# "Photo by ...", "From a video published on ..."), or a bare name with no full stop after its last sentence
# ("... Nov. 27. Yonhap", "... (KCNA)"). A caption is short, and a sentence that only mentions where a study
# was published ("The study, published in Nature, found ...") is none.
CREDIT = re.compile(
    r"(?:^|[.!?][”’\"]?\s+)(?:(?:(?:photo|picture|image|video)s?\s+)?(?:published|released|provided|supplied) "
    r"(?:in|by|on)\b|photo(?:graph)?s?\s*(?::|by\b|from\b|courtesy\b)|"
    r"courtesy of\b|from a video\b|file photo\b|screenshot\b|captured from\b|image:)",
    re.IGNORECASE | re.MULTILINE,
)
CREDIT_TAIL = re.compile(r"[.!?]\s+\(?[A-Z][\w&/'’-]*(?:[ /-][A-Z][\w&/'’-]*){0,3}\)?\s*$")
CAPTION_MAX = 320  # characters
STATEMENT = re.compile(r"[.!…”\"’)]\s*$")  # a sentence that ends as a statement does: not a question, a headline


def question(text: str, para: Span) -> bool:
    if QUESTION.match(text, para.start, para.end) is not None:
        return True
    return DASH.match(text, para.start, para.end) is not None and text[para.start : para.end].rstrip().endswith("?")


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


# A wire story's dateline ("SEOUL, March 3 (Reuters) - ") is not part of the claim.
DATELINE = re.compile(r"[A-Z][A-Z.' ]{1,30}(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*(?:\([^)]{1,40}\))?\s*[-–—]{1,2}\s+")
