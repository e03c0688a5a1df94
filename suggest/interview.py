"""Interviews printed as questions and answers: each answer is the interviewee's account, with no cue of its own.

A report may carry an interview as the interviewer's questions, each opening a paragraph with a mark ("――",
"—", "Q:"), and the answers after them ("A:" or nothing). No sentence of an answer says who speaks: the report
said it once, before the first question ("ASIAPRESS asked a reporting partner in the country about ...",
"in an interview with a resident of Hyesan"). `answers` finds the answering sentences and that mention; the
engine resolves the mention as it does any other and proposes each sentence as the interviewee's.

Two questions at least make an interview: one paragraph opening with a dash is a list item or a dialogue line.
Within it, what is not an answer is left out: notes and section heads ("※ ...", "◆ ..."), photo captions
(a paragraph that credits a picture: "Published in ...", "Photo by ..."), the interviewer's own questions, and
a headline-like line with no full stop. A note ends the answers until the next question: what follows it is
the report's own text again.
"""

from __future__ import annotations

import re

from . import layout
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
        r"heard from|reached)\s+" + _WHO + r"(?=\s+(?:about|on|over|who|what|how|whether|why|for|to|by)\b"
        r"|[,.;:])",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b" + _WHO + r",?\s+who\s+(?:provided|gave|shared|offered|agreed to (?:give|share|speak))\b", re.IGNORECASE
    ),
]
MIN_QUESTIONS = 2
LOOK_BACK = 4  # paragraphs before the first question where the report introduces the interviewee
_ENDED = re.compile(r"[.!…”\"’)]\s*$")


def interviewee(text: str, paras: list[Span], first_question: int) -> str | None:
    """The mention of who answers: the last introduction in the paragraphs just before the first question."""
    found = None
    for para in paras[max(0, first_question - LOOK_BACK) : first_question]:
        for pattern in INTRODUCES:
            for match in pattern.finditer(text, para.start, para.end):
                found = match.group("who")
    return found


def answers(text: str, paras: list[Span], sents: list[Sentence]) -> tuple[str | None, list[Sentence]]:
    """(the interviewee's mention, the sentences of the answers) of a question-and-answer interview in the text;
    (None, []) when there is none."""
    questions = [i for i, para in enumerate(paras) if layout.question(text, para)]
    if len(questions) < MIN_QUESTIONS:
        return None, []
    who = interviewee(text, paras, questions[0])
    if who is None:
        return None, []
    answering, open_ = set(), False
    for index in range(questions[0], len(paras)):
        para = paras[index]
        if layout.question(text, para):
            open_ = True
        elif layout.aside(text, para):
            open_ = open_ and not layout.note(text, para)  # a note ends them
        elif open_ and not layout.caption(text, para):
            answering.add(index)
    found = [
        sentence
        for sentence in sents
        if sentence.paragraph in answering
        and _ENDED.search(text, sentence.start, sentence.end)
        and not text[sentence.start : sentence.end].rstrip().endswith("?")
    ]
    return who, found


def trimmed(text: str, sentence: Sentence) -> tuple[int, int]:
    """The sentence without an answer's mark ("A: ...")."""
    mark = layout.ANSWER.match(text, sentence.start, sentence.end)
    return (mark.end() if mark else sentence.start), sentence.end
