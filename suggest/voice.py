"""The report's own voice: which paragraphs are its running text, and which of their sentences state something
a reader could check.

By the kinds' definitions a statement an outlet makes with no source named is the outlet's own reporting, and
a reading of a report tags it as a claim like any other. The engine proposes such a sentence below anything a
cue credits, when it states something checkable: a figure or a date, or a name after its first word ("The
regime held an election on November 26", not "It is known that it was emphasized"; in Korean, which has no
capitals, a figure). Left out: a sentence with a cue, even one whose speaker the engine cannot tell; questions,
headlines (no full stop), an interview's questions and answers, notes and section heads, photo captions (a
sentence that credits a picture, or a bare credit at the end: "... Nov. 27. Yonhap"), a story's credits
("Reporting by ..."), sentences saying whom the report interviewed, and quotations, which other passes credit
to their speakers.
"""

from __future__ import annotations

import re
from dataclasses import replace

from . import layout
from .attribution import CAPTION
from .facts import FactIndex
from .interview import INTRODUCES, Interview
from .proposal import Speaker, Suggestion, make
from .text import Quote, Sentence, Span, overlaps, quote_spans

OWN_VOICE = "a statement in the outlet's own voice; no source named"  # the reason of `own_voice`'s proposals
OUTLET = Speaker("outlet_reporting", None, None, frozenset(), "")
# "CLAIM, a sign analysts say ...": an appositive that comments on the clause before it.
APPOSITIVE = re.compile(
    r"an?\s+(?:\w+\s+)?(?:sign|move|step|signal|indication|reflection|development|decision|measure|shift|change|"
    r"ploy|bid|attempt|effort|gesture|departure|reversal|setback|blow|boost|rise|fall|drop|increase|decrease)s?\b",
    re.IGNORECASE,
)
# A wire story's credits and furniture: "Reporting by ...; Editing by ...", "Sign up for ...".
FURNITURE = re.compile(
    r"\s*(?:(?:additional )?(?:reporting|writing|editing|compiled|translated|translation) by\b|our standards\b|"
    r"sign up\b|subscribe\b|this (?:story|article) (?:has been|was) (?:updated|corrected)|copyright\b|©)",
    re.IGNORECASE,
)

# Checkable: a digit, or a capitalised word after the first (a name, a place, an institution; not "I").
_CHECKABLE = re.compile(r"\d|\s[\"“‘(]?(?!I\b)[A-Z][\w’'-]")
MIN_WORDS = 6


def running(text: str, paras: list[Span], qa: Interview) -> set[int]:
    """The indexes of the paragraphs that are the report's running text: no question, answer, aside or caption."""
    return {
        index
        for index, para in enumerate(paras)
        if index not in qa.paragraphs
        and index not in qa.questions
        and not (layout.aside(text, para) or layout.caption(text, para))
    }


def states(chunk: str, *, ended: bool = True) -> bool:
    """Whether a sentence of running text (or, not `ended`, the clause that opens it) states something
    checkable (see the module's docstring)."""
    return (
        len(chunk.split()) >= MIN_WORDS
        and (not ended or layout.STATEMENT.search(chunk) is not None)
        and not chunk.rstrip().endswith("?")
        and _CHECKABLE.search(chunk) is not None
        and not any(pattern.search(chunk) for pattern in INTRODUCES)
        and CAPTION.match(chunk) is None  # "A photo of ...": a caption, set in the running text
        and FURNITURE.match(chunk) is None
    )


def own_voice(
    text: str,
    paras: list[Span],
    sents: list[Sentence],
    quote_list: list[Quote],
    facts: FactIndex | None,
    attributed: dict[int, Suggestion],
    cued: set[int],
    qa: Interview,
) -> list[Suggestion]:
    """Sentences of the running text that credit no one, proposed as the outlet's reporting below anything a
    cue credits: one that states a precise figure of a registered fact (a turnout, a count other articles
    report) restates that fact and is linked to it; any other that states something checkable is proposed
    lower. `attributed`: the suggestion the sentence pass made of a sentence, by its start; `cued`: the starts
    of the sentences where it found a cue, whether or not it could tell who spoke (those are not the
    outlet's); `qa`: the text's interview, whose questions and answers are not the outlet's either."""
    out, opens, prose = [], [q.open for q in quote_list], running(text, paras, qa)
    for sentence in sents:
        start, end = sentence.start, sentence.end
        if (credited := attributed.get(start)) is not None:
            # The clause before an appositive that others are credited with is the outlet's own; a lead-in
            # before the credited part ("In a rare move, an official said ...") is no claim.
            if not (text[start : credited.start].rstrip().endswith(",") and APPOSITIVE.match(text, credited.start)):
                continue
            end = text.rindex(",", start, credited.start)
        elif start in cued:
            continue
        chunk = text[start:end]
        if chunk.rstrip().endswith("?") or not (credited or layout.STATEMENT.search(chunk)):
            continue
        if any(overlaps((start, end), q) for q in quote_spans(quote_list, opens, sentence)):
            continue
        fact = facts.restated(chunk) if facts is not None and credited is None else None
        if fact is None and not (sentence.paragraph in prose and states(chunk, ended=credited is None)):
            continue
        dateline = layout.DATELINE.match(text, start, end)
        made = make(text, (dateline.end() if dateline else start, end), OUTLET, "", 0.6 if fact else 0.5)
        if made and fact:
            reason = f"restates a registered fact ({fact.reason}); no source named"
            out.append(replace(made, reason=reason, fact=fact.slug))
        elif made:
            out.append(replace(made, reason=OWN_VOICE))
    return out
