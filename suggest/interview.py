"""Interviews printed as questions and answers: each answer is the interviewee's account, with no cue of its own.

A report may carry an interview as the interviewer's questions, each opening a paragraph with a mark ("――",
"Q:", or one dash before a question), and the answers after them ("A:" or nothing). No sentence of an answer
says who speaks: the report said it once, before the first question ("ASIAPRESS asked a reporting partner in
the country about ...", "in an interview with a resident of Hyesan"). `read` finds the answering sentences
and that mention; the engine resolves the mention as it does any other and proposes each sentence as the
interviewee's. An outlet or "us" after "spoke with" is the report itself, not the interviewee.

Two questions at least make an interview: one paragraph opening with a dash is a list item or a dialogue line.
Where answers are marked "A:", only those are answers. Unmarked, they run from a question to the next, and
what is not one is left out: notes and section heads ("※ ...", "◆ ..."), photo captions ("Published in ...",
"Photo by ..."), the interviewer's own questions, and a headline-like line with no full stop; a note ends the
answers until the next question: what follows it is the report's own text again. Answers whose interviewee
the report does not introduce are proposed as no one's, and not as the outlet's own voice either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import layout
from .lexicon import kind_of
from .text import Sentence, Span

# Who answers, as the report introduces the interview: "asked X about", "interviewed X", "spoke with X", "an
# interview with X", "X, who provided the information, ...".
_WHO = (
    r"(?P<who>(?:an?|the|one|our|this|its)\s+[^,.;:?!“”\"()]{3,80}?"
    r"|(?-i:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}))"  # a description, or a name
)
INTRODUCES = [
    re.compile(
        r"\b(?:asked|interviewed|questioned|spoke (?:to|with)|talked (?:to|with)|interview with|conversation with|"
        r"heard from)\s+" + _WHO + r"(?=\s+(?:about|on|over|who|what|how|whether|why|for|to|by)\b"
        r"|[,.;:])",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b" + _WHO + r",?\s+who\s+(?:provided|gave|shared|offered|agreed to (?:give|share|speak))\b", re.IGNORECASE
    ),
    # "reached X by phone", not "prices reached a record"
    re.compile(r"\breached\s+" + _WHO + r"(?=\s+(?:by (?:tele)?phone|on the (?:tele)?phone)\b)", re.IGNORECASE),
]
MIN_QUESTIONS = 2
LOOK_BACK = 4  # paragraphs before the first question where the report introduces the interviewee


# Whom an outlet's reporter "spoke with" is the interviewee, but "X spoke with Reuters" makes X the one: a
# report's own name, or "us", after the verb names no interviewee.
_TO_THE_PRESS = re.compile(r"(?:us|me|reporters|journalists|(?:this|our) (?:newspaper|paper|reporter|site))$", re.I)


@dataclass(frozen=True)
class Interview:
    who: str | None  # how the report introduces the interviewee, if it does
    answers: list[Sentence]  # the sentences of the answers
    paragraphs: frozenset[int]  # the answers' paragraphs (the report's own voice is not theirs)
    questions: frozenset[int]  # the paragraphs that are questions, whether or not they make an interview


def interviewee(text: str, paras: list[Span], first_question: int) -> str | None:
    """The mention of who answers: the last introduction in the paragraphs just before the first question."""
    found = None
    for para in paras[max(0, first_question - LOOK_BACK) : first_question]:
        for pattern in INTRODUCES:
            for match in pattern.finditer(text, para.start, para.end):
                who = match.group("who")
                if not (_TO_THE_PRESS.match(who) or kind_of(who) in ("news_agency", "outlet_reporting")):
                    found = who
    return found


def read(text: str, paras: list[Span], sents: list[Sentence]) -> Interview:
    """The question-and-answer interview in the text, if there is one (two questions at least). Answers marked
    "A:" are the only answers where any is marked; unmarked ones run from a question to the next, past section
    heads and captions, and a note ends them."""
    questions = [i for i, para in enumerate(paras) if layout.question(text, para)]
    if len(questions) < MIN_QUESTIONS:
        return Interview(None, [], frozenset(), frozenset(questions))
    after = range(questions[0], len(paras))
    marked = any(layout.ANSWER.match(text, paras[i].start, paras[i].end) for i in after)
    answering, open_ = set(), False
    asked = frozenset(questions)
    for index in after:
        para = paras[index]
        if index in asked:
            open_ = True
        elif marked:
            open_ = layout.ANSWER.match(text, para.start, para.end) is not None
            answering |= {index} if open_ else set()
        elif layout.aside(text, para):
            open_ = open_ and not layout.note(text, para)  # a note ends them
        elif open_ and not layout.caption(text, para):
            answering.add(index)
    found = [
        sentence
        for sentence in sents
        if sentence.paragraph in answering
        and layout.STATEMENT.search(text, sentence.start, sentence.end)
        and not text[sentence.start : sentence.end].rstrip().endswith("?")
    ]
    return Interview(interviewee(text, paras, questions[0]), found, frozenset(answering), asked)


def trimmed(text: str, sentence: Sentence) -> tuple[int, int]:
    """The sentence without an answer's mark ("A: ...")."""
    mark = layout.ANSWER.match(text, sentence.start, sentence.end)
    return (mark.end() if mark else sentence.start), sentence.end
