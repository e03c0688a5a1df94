"""The suggestion engine: attributed claims proposed from an article's text, as pure functions.

`suggest(text, gazetteer)` reads the text once: paragraphs and sentences (`text.py`), quotations, then each
sentence's attribution cue (`attribution.py`, `korean.py`); a source mention found next to a cue is looked up
in the registry (`gazetteer.py`), whose entry gives the source and its kind, or else its wording gives the kind
(`lexicon.kind_of`). Nothing here reads the database: the caller passes the registry, the spans already
tagged and the texts dismissed, so the same function serves the reading view, the command, the API and the
benchmark. No model is loaded; everything is rules, lexicons and the registry.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Iterable
from dataclasses import replace

from pysbd.lang.english import English

from . import attribution, interview, korean, layout, voice
from .facts import FactIndex
from .gazetteer import Gazetteer, key, norm_words
from .lexicon import ANALYSIS, CUE_RE, HEDGE, PRONOUN, cue_strength, kind_of, name_from_text, names_a_person
from .proposal import Speaker, Suggestion, contrasted, make
from .text import HANGUL, Quote, Sentence, near, overlaps, paragraphs, quote_spans, quotes, sentences

ENGINE_VERSION = "suggest-1.6"
OWN_VOICE = voice.OWN_VOICE
UNNAMED = Speaker("unsourced_quote", None, None, frozenset(), "")
RECENT = 64  # the speakers a later mention ("he", "the ministry") may refer back to
MIN_QUOTE_WORDS = 4  # shorter quotations are scare quotes or titles ("no" votes), not claims
_DIGIT = re.compile(r"\d")
_DEMONSTRATIVE = frozenset({"this", "that", "these", "those", "same", "이", "그", "해당"})
_ENDED = re.compile(r"[.!?:…”\"’]\s*$")


def _resolve(mention: str, gazetteer: Gazetteer, recent: deque[Speaker]) -> Speaker | None:
    """The speaker `mention` names: a registry entry, an earlier speaker it refers back to, or a new name whose
    kind its wording tells."""
    mention = mention.strip()
    found = gazetteer.find(mention)
    if found is not None and found[0].kind != "expert" and names_a_person(mention):
        found = gazetteer.find(mention, "expert")  # "KINU researcher Hong Min": the person, not the institute
    if found is not None:
        entry, how = found
        return Speaker(entry.kind, entry.name, entry, frozenset(norm_words(mention)), how)
    words = frozenset(norm_words(mention))
    named = words - _DEMONSTRATIVE  # "this official", "이 당국자" (this official): the one named before
    pronoun = PRONOUN.match(mention.lower())
    if pronoun or (named and len(words) <= 3):
        for speaker in reversed(recent):
            if named <= speaker.words or _shortened(named, speaker.words):
                return speaker
        # "he", "they": the last speaker; "the official": the last one only if its wording says nothing else,
        # and "the report" or "the agency" an institution, not unnamed people ("analysts")
        fits = [s for s in recent if not (mention.lower().startswith("the ") and s.kind == "unsourced_quote")]
        if pronoun and fits and (not named or kind_of(mention) is None):
            return fits[-1]
    kind = kind_of(mention)
    if kind is None:
        return None
    return Speaker(kind, name_from_text(mention) or None, None, words, "wording")


def _shortened(named: frozenset[str], words: frozenset[str]) -> bool:
    """A Korean name shortened to its last part: "신문" (the paper) for "노동신문", "통신" for "조선중앙통신"."""
    return len(named) == 1 and all(
        HANGUL.match(n) and len(n) >= 2 and any(w.endswith(n) and w != n for w in words) for n in named
    )


def _sentence_suggestions(
    text, sents, quote_list, gazetteer, asked: frozenset[int], cued: set[int]
) -> list[Suggestion]:
    """Each sentence's attribution as a suggestion; `cued` gets the start of every sentence where a cue was
    found, whether or not it told who spoke. An interviewer's question (a paragraph in `asked`) is no claim."""
    out: list[Suggestion] = []
    recent: deque[Speaker] = deque(maxlen=RECENT)  # a speaker referred back to was named not long before
    # (paragraph, speaker, cue, relay chain) of the previous attributed sentence
    last: tuple[int, Speaker, str, tuple[str, ...]] | None = None
    paragraph_ends = {s.paragraph: s.end for s in sents}
    opens = [q.open for q in quote_list]
    for whole in sents:
        sentence = whole
        if mark := layout.ANSWER.match(text, whole.start, whole.end):  # "A: The police said ...": not the mark
            sentence = Sentence(mark.end(), whole.end, whole.paragraph)
        if (
            not _ENDED.search(text, sentence.start, sentence.end + 1)
            and paragraph_ends.get(sentence.paragraph) == sentence.end
        ) or sentence.paragraph in asked:
            continue  # a headline or a caption: no sentence of its own; or a question
        inner = quote_spans(quote_list, opens, sentence)
        chunk = text[sentence.start : sentence.end]
        parse = korean.korean if HANGUL.search(chunk) else attribution.english
        dateline = layout.DATELINE.match(text, sentence.start, sentence.end)  # "SEOUL (Wirenews) - X said ..."
        found = parse(text, dateline.end() if dateline else sentence.start, sentence.end, inner)
        cued |= {whole.start} if found is not None else set()
        if found is None:
            last = _continued(text, sentence, inner, last, out)
            continue
        if found.hedge:
            speaker = voice.OUTLET if found.cue.lower() in ANALYSIS else UNNAMED  # the writer's judgement, or others
        else:
            mention = text[found.mention[0] : found.mention[1]] if found.mention else ""
            # "It suggests that ...": an "it" with a weaker cue than "said" is a situation, not a speaker
            weak_it = mention.strip().lower() == "it" and found.strength < 0.9
            speaker = _resolve(mention, gazetteer, recent) if mention and not weak_it else None
            if speaker is None:  # a cue that credits no one ("there were reports of ...") leaves the account open
                last = _continued(text, sentence, inner, last, out)
                continue
        via = []
        if found.relay:
            relay = _resolve(text[found.relay[0] : found.relay[1]], gazetteer, recent)
            if relay is not None and relay.name and relay.name != speaker.name:
                via.append(relay.name)
        made = make(text, _claim_span(text, sentence, found, inner), speaker, found.cue, found.strength, via)
        if made:
            out.append(made)
            if speaker.name:
                recent.append(speaker)
            last = (sentence.paragraph, speaker, found.cue, made.via)
    return out


def _continued(text, sentence, inner, last, out) -> tuple[int, Speaker, str, tuple[str, ...]] | None:
    """A figure that continues the previous sentence's report in the same paragraph ("... the KCNA said. In
    terms of ... 0.13 percent"): proposed as that speaker's, passed on by the same relays, and the account
    stays open (else it closes)."""
    chunk = text[sentence.start : sentence.end]
    if not last or last[0] != sentence.paragraph or inner or not _DIGIT.search(chunk) or chunk.endswith("?"):
        return None
    made = make(text, (sentence.start, sentence.end), last[1], last[2], 0.6, last[3])
    out += [made] if made else []
    return last


def _claim_span(text: str, sentence: Sentence, found: attribution.Attribution, inner) -> tuple[int, int]:
    """What a reader tags as the claim of reported speech: its content with the clause that attributes it
    ("The ministry said the vote was staged", "Turnout was 99.63 percent, according to the KCNA"), so that a
    long attribution ("A report in X, the official publication of Y, quoted Z that stated ...") does not leave
    a fragment. A lead before the source ("In regard to the fall in turnout, the official said ...") stays
    out; a quotation stays its own words, inside the marks."""
    c0, c1 = found.content
    if any(q0 <= c0 and c1 <= q1 for q0, q1 in inner):
        return found.content
    parts = [p for p in (found.content, found.mention, found.relay) if p]
    s0, s1 = min(p[0] for p in parts), max(p[1] for p in parts)
    # What is left beyond the source and the content is the cue itself ("According to", "said Tuesday").
    if len(text[sentence.start : s0].split()) <= 2:
        s0 = sentence.start
    if len(text[s1 : sentence.end].split()) <= 3:
        s1 = sentence.end
    elif cue := re.match(r"\s*" + re.escape(found.cue) + r"\b", text[s1 : sentence.end], re.IGNORECASE):
        s1 += cue.end()  # "CONTENT, the military said, the latest in a series of launches"
        told = attribution.TOLD_OBJECT.match(text, s1, sentence.end) if found.cue in ("told", "tells") else None
        s1 = told.end() if told else s1  # "CONTENT, an official told Reuters on Tuesday": whom is the cue's too
        lead = attribution.LEAD.match(text, s1, sentence.end)  # "said on Tuesday, after ...": the day is the cue's
        rest = text[lead.end() if lead else s1 : sentence.end].strip(" .")
        if lead and "," in lead.group():
            s1 = text.index(",", s1, lead.end())
        elif attribution.SETTING_ONLY.match(text, s1, sentence.end) or not rest:
            s1 = sentence.end  # "said in a dispatch on Friday.", "told Reuters by phone."
    dateline = layout.DATELINE.match(text, s0, s1)
    return (dateline.end() if dateline else s0), s1


def _quote_suggestions(text, quote_list, sents, by_sentence, gazetteer) -> list[Suggestion]:
    """Quotations of four words or more, credited to the speaker of their sentence, of the sentence before
    (ending in a colon) or, for a paragraph that goes on with the account, of the previous quotation."""
    out: list[Suggestion] = []
    previous: tuple[int, Speaker, str] | None = None
    para_of: dict[int, list[Sentence]] = {}
    starts = [s.start for s in sents]
    for sentence in sents:
        para_of.setdefault(sentence.paragraph, []).append(sentence)
    for quote in quote_list:
        if len(text[quote.start : quote.end].split()) < MIN_QUOTE_WORDS and not HANGUL.search(
            text[quote.start : quote.end]
        ):
            continue
        holder = _holder(sents, starts, quote.open)
        if holder is None:
            continue
        credited = by_sentence.get(holder.start)
        if credited is None:
            index = bisect_right(starts, holder.start) - 2
            before = sents[index] if index >= 0 else None
            if before is not None and text[before.start : before.end].rstrip().endswith(":"):
                credited = by_sentence.get(before.start)
        if credited is None and quote.close is not None and "\n" in text[quote.open : quote.close]:
            # A quotation over paragraphs credited where it closes: “... (paragraphs) ...,” the source said.
            closing = _holder(sents, starts, quote.close)
            credited = by_sentence.get(closing.start) if closing is not None else None
        if credited is not None:
            speaker = Speaker(credited.kind, credited.source, credited.entry, frozenset(), "the quotation's sentence")
            how = (credited.cue, 1.0, credited.via, 0.04)
        elif previous is not None and _continues(text, previous[0], holder, quote, _para_start(para_of, holder)):
            speaker, how = previous[1], (previous[2], 0.7, (), 0.0)
        else:
            continue
        # A sentence at a time (`_hedged_parts`); one that passes on what unnamed others say ("There are rumors
        # that ...") is theirs, not the speaker's.
        made = []
        for span, hedge in _hedged_parts(text, quote, starts):
            if hedge is None:
                made += [m for m in [make(text, span, speaker, *how)] if m]
            else:
                made += [m for m in [make(text, span, UNNAMED, hedge, cue_strength(hedge), _via(speaker))] if m]
        out += made
        if made:
            account = Speaker(speaker.kind, speaker.name, speaker.entry, frozenset(), "the account it continues")
            last = _holder(sents, starts, quote.end - 1) or holder  # a quotation may end in trailing space
            previous = (last.paragraph, account, "quotation")
    return out


# A full stop that ends a sentence inside a quotation (not one after a title or an initial: "Mr. Kim", "U.S.").
# Where a sentence ends inside a quotation (the segmenter keeps a quotation's sentences together): a stop before
# a capital, a quote mark or Hangul, not after an initial ("U.S.") or an abbreviation ("Gen.", "e.g.", "Mr.";
# the segmenter's own list).
_QUOTED_STOP = re.compile(r"(?<![A-Z])[.!?]+(?=\s+[“\"‘'(A-Z\uac00-\ud7a3])")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_ABBREVIATIONS = frozenset(English.Abbreviation.ABBREVIATIONS)


def _stops(text: str, start: int, end: int) -> list[int]:
    """The ends of the sentences inside text[start:end], a quotation's content."""
    out = []
    for match in _QUOTED_STOP.finditer(text, start, end):
        word = _WORD_BEFORE.search(text, max(start, match.start() - 12), match.start())
        if word is None or word.group(1).lower() not in _ABBREVIATIONS:
            out.append(match.end())
    return out


def _hedged_parts(text: str, quote: Quote, starts: list[int]) -> list[tuple[tuple[int, int], str | None]]:
    """The quotation's sentences, each a claim of its own, with the hedge of one that credits unnamed others
    ("There are rumors that ..."): (span, that hedge or None). Cut where a sentence ends inside it and where a
    paragraph begins; a question in a quotation is no claim. Proposed whole, a quotation of several sentences
    matched none of the claims a reading draws a sentence at a time (bench/suggestions.py)."""
    cuts = set(starts[bisect_right(starts, quote.start) : bisect_left(starts, quote.end)])
    bounds = sorted({quote.start, *cuts, *_stops(text, quote.start, quote.end), quote.end})
    parts: list[tuple[tuple[int, int], str | None]] = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        if text[start:stop].rstrip(" \n”’\"'").endswith("?"):
            continue
        cue = next((m.group().lower() for m in CUE_RE.finditer(text, start, stop)), "")
        parts.append(((start, stop), cue if _unnamed(cue) else None))
    return parts


def _via(speaker: Speaker) -> tuple[str, ...]:
    return (speaker.name,) if speaker.name else ()


def _continues(text: str, paragraph: int, holder: Sentence, quote, para_start: int) -> bool:
    """Whether a quotation with no cue of its own goes on with the previous quotation's account: it opens the
    next paragraph ("He added, “...”" then "“...”"), or it opens a sentence of the same paragraph
    (“...,” he said. “...”)."""
    if quote.open == para_start:
        return holder.paragraph - paragraph <= 1
    return holder.paragraph == paragraph and not text[holder.start : quote.open].strip()


# A quotation embedded in running text: a word before its opening mark and one after its closing mark, not a
# Korean quotative ending ("a “new-type weapon” and ..." but not "said, “...”" nor "“...”라고 말했다").
_BEFORE_PHRASE = re.compile(r"\w\s*[“\"‘']+$")
_AFTER_PHRASE = re.compile(r"[”\"’']+\s*(?!(?:이)?라(?:고|며)|고\s|며\s)\w")


def _a_phrase_of(text: str, quote: Suggestion, reported: Suggestion | None) -> bool:
    """Whether a quotation is a phrase inside reported speech ("KCNA said Kim oversaw the test of a “new-type
    weapon”"), which the sentence's claim stands for, rather than the speaker's words the sentence carries."""
    if reported is None or not (reported.start <= quote.start and quote.end <= reported.end):
        return False
    if quote.source != reported.source or (quote.end - quote.start) * 2 >= reported.end - reported.start:
        return False
    before = _BEFORE_PHRASE.search(text, max(0, quote.start - 8), quote.start)
    return before is not None and _AFTER_PHRASE.match(text, quote.end, quote.end + 8) is not None


def _holder(sents: list[Sentence], starts: list[int], at: int) -> Sentence | None:
    """The sentence that holds offset `at`, found by bisection."""
    index = bisect_right(starts, at) - 1
    return sents[index] if index >= 0 and sents[index].start <= at < sents[index].end else None


def _para_start(para_of, sentence: Sentence) -> int:
    return para_of[sentence.paragraph][0].start


def _answers(text, qa: interview.Interview, gazetteer) -> list[Suggestion]:
    """The answers of an interview printed as questions and answers, each the interviewee's (`interview`)."""
    speaker = _resolve(qa.who, gazetteer, deque()) if qa.who else None
    if speaker is None:
        return []
    out = []
    for sentence in qa.answers:
        span = interview.trimmed(text, sentence)
        cue = next((m.group().lower() for m in CUE_RE.finditer(text, *span)), "")
        # The reason names no one: the mention may be a protected name, which the reason would carry unmasked.
        reason = "an answer in a question-and-answer interview"
        if _unnamed(cue):  # "I heard that ...": unnamed others, passed on by the speaker, who is the relay
            made = make(text, span, UNNAMED, cue, cue_strength(cue), _via(speaker), bonus=0.02)
            reason += f"; cue “{cue}”"
        else:
            made = make(text, span, speaker, "interview", 0.65)
        out += [replace(made, reason=reason)] if made else []
    return out


def _unnamed(cue: str) -> bool:
    """Whether a cue credits unnamed others ("rumors", "heard that"), not the writer's judgement."""
    return cue in HEDGE and cue not in ANALYSIS


def suggest(
    text: str,
    gazetteer: Gazetteer | None = None,
    *,
    tagged: Iterable[tuple[int, int]] = (),
    dismissed: Iterable[str] = (),
    facts: FactIndex | None = None,
) -> list[Suggestion]:
    """The claims worth proposing in `text`, in text order.

    `tagged` are the spans of existing claims (a suggestion that covers most of one is not proposed again);
    `dismissed` are texts a reviewer dismissed on this article; `facts` the registered facts (as known from
    other articles), whose figures a sentence that names no source may restate.
    """
    gazetteer = gazetteer or Gazetteer()
    paras = paragraphs(text)
    sents = sentences(text, paras)
    quote_list = quotes(text, paras)
    qa = interview.read(text, paras, sents)
    cued: set[int] = set()
    by_sentence_list = _sentence_suggestions(text, sents, quote_list, gazetteer, qa.questions, cued)
    by_sentence: dict[int, Suggestion] = {}
    starts = [s.start for s in sents]
    for made in by_sentence_list:
        holder = _holder(sents, starts, made.start)
        if holder is not None:
            by_sentence.setdefault(holder.start, made)
    quoted = _quote_suggestions(text, quote_list, sents, by_sentence, gazetteer)
    quoted = [
        q
        for q in quoted
        if not _a_phrase_of(text, q, by_sentence.get(getattr(_holder(sents, starts, q.start), "start", -1)))
    ]
    # A quotation stands for the sentence that carries it: keep the quotation, drop the sentence.
    quoted_spans = sorted((q.start, q.end) for q in quoted)
    chosen = quoted + [s for s in by_sentence_list if not near(quoted_spans, (s.start, s.end))]
    chosen += voice.own_voice(text, paras, sents, quote_list, facts, by_sentence, cued, qa)
    chosen += _answers(text, qa, gazetteer)
    # Split before what is tagged or dismissed is left out: a part of a claim is tagged and dismissed alone.
    chosen = [part for made in chosen for part in contrasted(text, made)]
    tagged = list(tagged)
    gone = {key(t) for t in dismissed}
    kept: list[Suggestion] = []
    kept_spans: list[tuple[int, int]] = []
    for made in sorted(chosen, key=lambda s: (-s.score, s.start)):
        span = (made.start, made.end)
        if any(overlaps(span, t) for t in tagged) or key(made.exact) in gone or near(kept_spans, span):
            continue
        kept.append(made)
        insort(kept_spans, span)
    return sorted(kept, key=lambda s: (s.start, s.end))
