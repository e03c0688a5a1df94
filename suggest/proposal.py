"""What the engine proposes (`Suggestion`), who a cue credits (`Speaker`), and how a span becomes a proposal
(`make`): shared by the engine and the passes it gathers (interviews, the outlet's own voice)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .gazetteer import Entry
from .lexicon import CUE_RE
from .text import HANGUL


@dataclass(frozen=True)
class Suggestion:
    """A proposed claim: its span, kind, source (a registry entry, or a name from the text), relay chain,
    score (0-1) and the reason (the cue found, or the pass that proposed it); never a name in the reason."""

    start: int
    end: int
    exact: str
    kind: str
    source: str | None
    entry: Entry | None
    via: tuple[str, ...]
    score: float
    reason: str
    cue: str = ""
    fact: str = ""  # the slug of the registered fact it restates, if that is why it was proposed

    @property
    def key(self) -> str:
        """Stable while the text and engine are: names the suggestion in forms and the audit trail."""
        return f"{self.start}-{self.end}-{self.kind}"


@dataclass(frozen=True)
class Speaker:
    """Who a cue credited: reused by pronouns, short references and continued accounts."""

    kind: str
    name: str | None
    entry: Entry | None
    words: frozenset[str]
    how: str


def make(text, span, speaker, cue, strength, via=(), bonus=0.0) -> Suggestion | None:
    """`span` of `text` (trimmed of quote marks, brackets and end punctuation) proposed as `speaker`'s, scored by
    the cue's strength and whether the registry knows the speaker; None when too little is left."""
    start, end = span
    while start < end and (text[start] in "“”\"‘’'(•·" or text[start].isspace()):
        start += 1
    if text.startswith(("- ", "* "), start):  # a list item's mark
        start += 2
    while end > start and (text[end - 1] in ".,;:“”\"‘’')" or text[end - 1].isspace()):
        end -= 1
    if end - start < (6 if HANGUL.search(text, start, end) else 12):  # Hangul says as much in half the letters
        return None
    known = speaker.entry is not None
    score = strength * (0.92 if known else 0.78) + bonus
    reason = f"cue “{cue}”" + (f"; source by {speaker.how}" if speaker.how else "")
    return Suggestion(
        start,
        end,
        text[start:end],
        speaker.kind,
        speaker.name,
        speaker.entry,
        tuple(via),
        round(min(score, 0.99), 2),
        reason,
        cue,
    )


_BUT = re.compile(r",\s+but\s+")
MIN_CLAUSE_WORDS = 5


def contrasted(text: str, made: Suggestion) -> list[Suggestion]:
    """A claim of two contrasting clauses ("X found it of interest, but everyone knew it had no effect") as the
    two claims a reader checks apart, when each says enough on its own; otherwise the claim itself. Not when
    the second clause has a cue of its own ("..., but observers said ..."): it may be someone else's; nor a
    restated fact, whose figure is in one clause only."""
    cut = _BUT.search(text, made.start, made.end)
    if cut is None or made.fact or CUE_RE.search(text, cut.end(), made.end):
        return [made]
    first, second = (made.start, cut.start()), (cut.end(), made.end)
    if min(len(text[a:b].split()) for a, b in (first, second)) < MIN_CLAUSE_WORDS:
        return [made]
    return [replace(made, start=a, end=b, exact=text[a:b]) for a, b in (first, second)]
