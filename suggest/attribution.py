"""One sentence's attribution: its cue, who it names (the source mention) and what it attributes (the content).

Pure functions over a string and offsets. English: "SOURCE said (that) CONTENT", "CONTENT, SOURCE said", "CONTENT,
said SOURCE", "according to SOURCE, CONTENT", "CONTENT, according to SOURCE", "X quoted SOURCE as saying CONTENT", "X
reported, citing SOURCE, that CONTENT", "it was reported that CONTENT", "X is accused of CONTENT" (by no one named).
Korean sentences are read by `korean.py`, with the same `Attribution`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import ACCUSED, CUE_RE, CUE_STRENGTH, HEDGE, IMPERSONAL, cue_strength


@dataclass(frozen=True)
class Attribution:
    content: tuple[int, int]  # offsets into the whole text
    mention: tuple[int, int] | None  # where the source is named, if it is
    cue: str
    strength: float
    relay: tuple[int, int] | None = None  # who passed it on ("X quoted SOURCE as saying")
    hedge: bool = False


LEAD = re.compile(
    r"(?:\s|,|:|that\b|on condition of anonymity\b|on \w+\b|"
    r"in an? (?:statement|report|interview|briefing|press release|commentary|article|post)\b|"
    r"(?:on |last |this |early |late )?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|yesterday\b|today\b|"
    r"earlier\b|also\b|further\b|reporters\b|local media\b|"
    r"by (?:tele)?phone\b|by e-?mail\b)+",
    re.IGNORECASE,
)
_MENTION_LEAD = re.compile(
    r"^(?:\s|,|but\b|and\b|however\b|meanwhile\b|also\b|yet\b|so\b|though\b|although\b|while\b|whereas\b)+",
    re.IGNORECASE,
)
_MENTION_TAIL = re.compile(
    r"(?:\s|,|\b(?:also|however|meanwhile|has|have|had|was|were|is|are|been|further|publicly|recently|reportedly|"
    r"specifically|previously|separately|earlier|officially|(?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"(?-i:[a-z]+ly))\b)+$",
    re.IGNORECASE,
)
_RELAY_CUES = {"citing", "quoting", "quoted", "cited", "quotes", "cites"}
_OBJECT_END = re.compile(r"[,;:—]|\b(?:that|as|on|in)\b")
_THAT_CLAUSE = re.compile(r"\bthat(?: (?:stated|said|says|reported|showed)(?: that)?)?\b")
_NOT_A_SOURCE = re.compile(
    r"^(?:the |a |an |their |its |his |her )?(?:free )?(?:will|wishes|plans?|laws?|rules|instructions|schedule|"
    r"principles?|methods?|results?|custom)\b",
    re.IGNORECASE,
)
_THAT = re.compile(r"\bthat\b", re.IGNORECASE)
# "SOURCE, an analyst at X, said", "SOURCE, speaking on condition of anonymity, said", "SOURCE, however, said":
# what stands between the speaker and the cue is about the speaker, so the content follows the cue.
_APPOSITION = re.compile(
    r"\s*(?:[^\s,]+\s+){0,4}[^\s,]+,\s+(?:(?:a|an|the|who|which|one of|head of|director of|speaking|asking|asked|"
    r"requesting|declining|writing)\b[^,]*|however|meanwhile|too|also|though|in turn|for (?:its|his|her|their) part|"
    r"(?:on |last |this )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|in (?:a|its|his|her) (?:statement|report))"
    r",\s*$",
    re.IGNORECASE,
)
_SETTINGS = {"in a statement", "in a report"}
# What may follow a cue when the content came before it: where, when and how it was said, with no clause.
SETTING_ONLY = re.compile(
    r"\s+(?:in|on|at|through|via|during|to|after|before|from|with)\b"
    r"(?![^,;:“\"]*\b(?:that|whether|if|how|what|why|when|where|who)\b)[^,;:“\"]*$",
    re.IGNORECASE,
)
_CARRIED_BY = re.compile(r"\b(?:carried|published|released|run|aired|broadcast|issued) by\s+", re.IGNORECASE)
_CITING = re.compile(r"\s*(?:(?:which|who|that) (?:cited|quoted)|citing|quoting)\s+", re.IGNORECASE)
_TRIM = " \t,;:—–-"
_CLAUSE = re.compile(r"[,;:—”\"]\s*")
# What the outlet adds after the attributed clause: ", marking the first time...", ", which...", ", a move that...".
_ADDED = re.compile(r",\s+(?:marking|making|which|a move|the first|in what)\b")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    added = _ADDED.search(text, start, end)
    if added and added.start() - start > 40:
        end = added.start()
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and (text[end - 1] in _TRIM or text[end - 1] in ".!?"):
        end -= 1
    return start, end


def _mention(text: str, start: int, end: int) -> tuple[int, int] | None:
    chunk = text[start:end].rstrip(".!? ")  # "..., as reported by the KCNA on Monday.": the day is no name
    lead = _MENTION_LEAD.match(chunk)
    tail = _MENTION_TAIL.search(chunk)
    s = start + (lead.end() if lead else 0)
    e = start + (tail.start() if tail else len(chunk))
    s, e = _trim(text, s, e)
    if len(text[s:e].split()) > 14 and "," in text[s:e]:  # "The official, who asked not to be named because ..."
        s, e = _trim(text, s, text.index(",", s, e))
    if e - s < 2 or len(text[s:e].split()) > 14:
        return None
    return s, e


def _outside(matches, quotes: list[tuple[int, int]]):
    return [m for m in matches if not any(q0 <= m.start() < q1 for q0, q1 in quotes)]


# A photo caption describes a picture ("A photo of X voting, as reported by Y"): no claim of its own.
CAPTION = re.compile(
    r"\s*(?:an? |the )?(?:file )?(?:picture|photo|photograph|image|screenshot|video|footage)s?\b"
    r"(?: (?:of|shows?|showed|showing)\b|[^.;]{0,60}? (?:shows?|showed|showing)\b)",
    re.I,
)
# "X is accused of", "was described as": the subject of a passive cue is what is spoken of, not who speaks.
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_DUMMY_IT = re.compile(r"\bit\s+(?:was|is|has been|had been|were|will be)\s*$", re.IGNORECASE)
# "CONTENT, as reported by SOURCE": the "as" belongs to the cue.
_AS_END = re.compile(r"[\s,]*\bas\s*$", re.IGNORECASE)
# "SOURCE said in a statement / through a directive / to reporters that CONTENT": the content starts after "that".
_PREP_THAT = re.compile(r"\s+(?:in|on|at|through|via|during|with|to|after)\b[^,.;:“\"]{0,60}?\bthat\b", re.I)


# Reporting verbs that are as often plural nouns: after a determiner or a verb they are the thing reported on
# ("media reports say", "denied reports that", "amid claims that"), and capitalised they are a name's ("the
# United States said", "Reports say").
_NOUNLIKE = {"reports", "claims", "states", "quotes", "notes", "estimates"}
_BEFORE_NOUN = re.compile(
    r"\b(?:the|these|those|such|its|his|her|their|our|media|press|news|unconfirmed|recent|earlier|local|official|"
    r"similar|conflicting|member|several|many|some|amid|of|about|on|confirm|confirmed|deny|denied|denies|dismissed|"
    r"dismisses|rejected|rejects|after|despite|following)\s+$",
    re.IGNORECASE,
)


# The agent of a passive cue, right after it or after what the subject was called: "reported by X", "was
# described as a sham by X"; not the agent of another verb ("described as rigged by officials").
_AGENT = re.compile(r"\s+(?:(?:as|of)\s+(?:(?!\w+(?:ed|ing)\b|to\b)[\w’'-]+\s+){1,5}?)?by\s", re.IGNORECASE)
_NEGATED = re.compile(r"(?:\bnot|\bnever|n[’']t)\s+(?:\w+ly\s+)?(?:yet\s+|publicly\s+|officially\s+)?$", re.IGNORECASE)


def _spoken_of(text: str, s: int, cue) -> bool:
    """A cue in the passive with no agent ("X is accused of", "was described as") speaks of its subject; one
    after "to" ("gathered to confirm their names") is a purpose, not a report; a negated one reports nothing; a
    plural noun is no cue."""
    word = cue.group().lower()
    if word in CUE_STRENGTH and _NEGATED.search(text, max(s, cue.start() - 24), cue.start()):
        return True  # "the KCNA did not say how many voted": a source that says nothing is credited with nothing
    if word in _NOUNLIKE and (
        cue.group()[0].isupper() or _BEFORE_NOUN.search(text, max(s, cue.start() - 16), cue.start()) is not None
    ):
        return True
    if word in CUE_STRENGTH and re.search(r"\bto\s+$", text[max(s, cue.start() - 4) : cue.start()]):
        return True
    if word in _RELAY_CUES or word in CUE_STRENGTH and _AGENT.match(text, cue.end(), cue.end() + 80):
        return False
    return word in CUE_STRENGTH and _PASSIVE.search(text, max(s, cue.start() - 40), cue.start()) is not None


# Whom a speaker told: a name ("told Reuters", "told The Associated Press"), which is not what was said.
TOLD_OBJECT = re.compile(r"\s+(?:(?:the|a|an)\s+)?(?-i:[A-Z][\w'’.&-]*)(?:\s+(?-i:[A-Z][\w'’.&-]*)){0,4}")
_RELATIVE = re.compile(r"\b(?:who|which|that)\s+$", re.IGNORECASE)
_ADVERB_HEDGES = {"reportedly", "allegedly", "purportedly"}


def _impersonal(text: str, s: int, e: int, found) -> Attribution | None:
    """ "It was reported that CONTENT" (unnamed others, a hedge) or "It was reported by SOURCE that CONTENT"; None
    when no clause of four words or more follows ("It is known that it was emphasized")."""
    phrase = " ".join(found.group().lower().split())
    by = re.match(r"\s+by\s+", text[found.end() : e])
    that = _THAT.search(text, found.end(), min(e, found.end() + 80))
    if that is None or (
        by is None
        and text[found.end() : that.start()].strip(" ,")
        and not LEAD.fullmatch(text, found.end(), that.start())
    ):
        return None
    content = _trim(text, that.end(), e)
    if len(text[content[0] : content[1]].split()) < 4:
        return None
    if by is not None:
        mention = _mention(text, found.end() + by.end(), that.start())
        content = _trim(text, found.start(), e)  # the claim is read with its attribution, as "X said that" is
        return Attribution(content, mention, phrase.split()[-1], cue_strength(phrase.split()[-1]))
    return Attribution(_trim(text, found.start(), e), None, phrase, 0.75, hedge=True)


def english(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Attribution | None:
    """The attribution of the sentence text[s:e] (quotations inside it given as content spans), or None."""
    cues = [m for m in _outside(CUE_RE.finditer(text, s, e), quotes) if not _spoken_of(text, s, m)]
    impersonal = next(iter(_outside(IMPERSONAL.finditer(text, s, e), quotes)), None)
    if impersonal is not None and (
        not cues
        or impersonal.start() < cues[0].start()
        or cues[0].start() in range(impersonal.start(), impersonal.end())
    ):
        found = None if CAPTION.match(text, s, e) else _impersonal(text, s, e, impersonal)
        if found is not None:
            return found
    accused = None if cues or CAPTION.match(text, s, e) else ACCUSED.search(text, s, e)
    # Accusers unnamed: a hedge; not "accused of X by prosecutors", nor "the mayor, who was accused of ..."
    if accused and " by " not in text[accused.end() : e] and not _RELATIVE.search(text, s, accused.start()):
        return Attribution(_trim(text, s, e), None, "accused of", cue_strength("allegedly"), hedge=True)
    if not cues or CAPTION.match(text, s, e):
        return None
    # A source named in a clause of its own beats a hedge: "X appears to be Y, the ministry said" is the
    # ministry's; "there are many who point out that ..." stays a hedge.
    first = cues[0]
    if first.group().lower() in _SETTINGS:  # "In a statement, the ministry said ...": the verb names the speaker
        first = next((m for m in cues[1:] if m.group().lower() in CUE_STRENGTH), first)
    after = cues[1] if len(cues) > 1 and not text[first.end() : cues[1].start()].strip() else None
    if first.group().lower() in _ADVERB_HEDGES and after is not None and after.group().lower() in CUE_STRENGTH:
        first = after  # "the ministry reportedly said": the ministry said it, as others report
    if first.group().lower() in HEDGE:
        first = next(
            (m for m in cues[1:] if "," in text[first.end() : m.start()] and m.group().lower() not in HEDGE), first
        )
    cue = first.group().lower()
    if cue not in HEDGE and _DUMMY_IT.search(text, s, first.start()):  # "it was reported that": "it" is no speaker
        return None
    if cue in HEDGE:
        return Attribution(_trim(text, s, e), None, cue, cue_strength(cue), hedge=True)
    if cue == "according to":
        return _according(text, s, e, first)
    inner = next((m for m in cues[1:] if m.group().lower() in ("as saying", "citing", "quoting", "according to")), None)
    if cue in _RELAY_CUES or inner is not None:
        return _relayed(text, s, e, first, inner)
    return _verb(text, s, e, first, cue)


def _according(text, s, e, match) -> Attribution | None:
    before = text[s : match.start()].strip(_TRIM + " ")
    strength = cue_strength("according to")
    if _NOT_A_SOURCE.match(text[match.end() : e].strip()):  # "according to the free will of ..."
        return None
    comma = text.find(",", match.end(), e)
    relay, origin = None, _CITING.match(text, comma + 1, e) if comma > 0 else None
    if origin:  # "according to RELAY, citing SOURCE, ..." or "..., which cited SOURCE": the relay passed it on
        relay = _mention(text, match.end(), comma)
        stop = text.find(",", origin.end(), e)
        comma, named = (stop if stop > 0 else e), origin.end()
    else:
        named = match.end()
    if len(before.split()) <= 1:  # "According to SOURCE, CONTENT"
        if comma < 0:
            return Attribution(_trim(text, s, e), _mention(text, match.end(), e), "according to", strength * 0.8)
        content = _trim(text, comma + 1, e)
        return Attribution(content, _mention(text, named, comma), "according to", strength, relay=relay)
    # "CONTENT, according to SOURCE" (what follows may go on after another comma: keep only the name)
    mention_end = comma if comma > 0 else e
    return Attribution(
        _trim(text, s, match.start()), _mention(text, named, mention_end), "according to", strength, relay=relay
    )


def _relayed(text, s, e, first, inner) -> Attribution:
    """ "X quoted SOURCE as saying CONTENT", "X reported, citing SOURCE, that CONTENT", "CONTENT, X reported,
    citing SOURCE": SOURCE is the origin, X the relay."""
    cue = first.group().lower()
    strength = cue_strength(cue)
    citing = inner if inner is not None and inner.group().lower() in ("citing", "quoting", "according to") else None
    if inner is None or citing is not None:
        named = citing or first  # the cue the origin's name follows
        stop = _OBJECT_END.search(text, named.end(), e)
        mention = _mention(text, named.end(), stop.start() if stop else e)
        relay = _subject(text, s, first.start()) if named is not first or first.start() > s else None
        that = _THAT_CLAUSE.search(text, named.end(), e)
        verb = _verb_after(text, stop.start() if stop else e, e)
        if that:
            content = _trim(text, that.end(), e)
        elif verb is not None:  # "RELAY, citing SOURCE, said CONTENT"
            lead = LEAD.match(text, verb.end(), e)
            content = _trim(text, lead.end() if lead else verb.end(), e)
        elif citing is not None and first.start() > s and "," not in text[s : first.start()]:
            # "SOURCE said CONTENT, according to RELAY": the content runs from the cue to the relay's clause
            lead = LEAD.match(text, first.end(), e)
            cut = text.rfind(",", first.end(), citing.start())
            content = _trim(text, lead.end() if lead else first.end(), cut if cut > 0 else citing.start())
        else:  # the content came first: up to the clause that names the relay
            cut = text.rfind(",", s, first.start())
            content = _trim(text, s, cut if cut > s else first.start())
            relay = _mention(text, cut + 1, first.start()) if cut > s else relay
        if citing is not None and citing.group().lower() == "according to":
            mention, relay = relay, mention  # "SOURCE said, according to RELAY, that ..."
        return Attribution(content, mention, cue, strength, relay=relay)
    relay = _mention(text, s, first.start())
    mention = _mention(text, first.end(), inner.start())  # "X quoted SOURCE as saying CONTENT"
    passive = _PASSIVE.search(text, s, first.start())
    if passive:  # "SOURCE was quoted (by RELAY) as saying CONTENT"
        by = re.match(r"\s*by\b", text[first.end() : inner.start()])
        relay = _mention(text, first.end() + by.end(), inner.start()) if by else None
        mention = _subject(text, s, passive.start())
    lead = LEAD.match(text, inner.end(), e)
    content = _trim(text, lead.end() if lead else inner.end(), e)
    closing = max(text.rfind("”", s, first.start()), text.rfind('"', s, first.start()))
    if content[1] - content[0] < 2 and closing > s:  # "“CONTENT,” Kim was quoted as saying."
        content = _trim(text, s, closing)
    return Attribution(content, mention, cue, strength, relay=relay)


def _verb_after(text: str, at: int, e: int):
    """A reporting verb right after the clause that names the origin ("citing the KCNA, said ...")."""
    found = re.match(r"[\s,]*", text[at:e])
    verb = CUE_RE.match(text, at + found.end(), e)
    return verb if verb and verb.group().lower() in CUE_STRENGTH and verb.group().lower() not in _RELAY_CUES else None


def _by_agent(text, s, e, match, before, after, strength) -> Attribution | None:
    """A passive cue's agent: "CONTENT, as reported by SOURCE", and "The vote was described as a sham by
    SOURCE, ..." (the sentence says what SOURCE called it)."""
    passive = re.match(r"\s+by\s", after)
    late = _AGENT.match(after) if not passive and _PASSIVE.search(before) else None
    by = late or (passive if passive and len(before.split()) >= 4 else None)
    if by is None:
        return None
    stop = _CLAUSE.search(text, match.end() + by.end(), e)
    mention = _mention(text, match.end() + by.end(), stop.start() if stop else e)
    as_end = _AS_END.search(before)
    content = _trim(text, s, e) if late else _trim(text, s, s + as_end.start() if as_end else match.start())
    return Attribution(content, mention, match.group().lower(), strength)


def _verb(text, s, e, match, cue) -> Attribution | None:
    before = text[s : match.start()]
    after = text[match.end() : e]
    strength = cue_strength(cue)
    if agent := _by_agent(text, s, e, match, before, after, strength):
        return agent
    if re.match(r"\s+by\s", after) or _PASSIVE.search(before):
        return None
    quoted = _quote_first(text, s, match, before, after, cue, strength)
    if quoted is not None:
        return quoted
    boundary = max(before.rfind(","), before.rfind("”"), before.rfind('"'))
    after_words = len(after.split())
    first = _content_first(text, s, e, match, before, boundary)
    if first is not None:
        return Attribution(first[0], first[1], cue, strength)
    # "CONTENT, said SOURCE", but not "SOURCE, an analyst at X, said CONTENT" (a name and its apposition)
    inverted = boundary >= 0 and not before[boundary + 1 :].strip() and not _APPOSITION.match(before)
    # "In regard to X, SOURCE said CONTENT": a clause after the cue is the content; one after a comma
    # ("CONTENT, the military said, the latest in a series of launches") is the outlet's addition.
    if not inverted and not after.lstrip().startswith(","):
        told = TOLD_OBJECT.match(text, match.end(), e) if cue in ("told", "tells") else None  # "told Reuters"
        lead = LEAD.match(text, told.end() if told else match.end(), e)
        after_words = 11 if len(text[lead.end() if lead else match.end() : e].split()) >= 3 else after_words
        # "CONTENT, KCNA said in a dispatch carried on Friday": only the setting of the cue follows, no clause
        after_words = 0 if before[boundary + 1 :].strip() and SETTING_ONLY.match(after) else after_words
    if boundary >= 0 and not _THAT.search(after) and after_words <= 10 and len(before[:boundary].split()) >= 3:
        # "CONTENT, SOURCE said." or "CONTENT, said SOURCE, a professor at ..."
        content = _trim(text, s, s + boundary)
        if before[boundary + 1 :].strip():
            mention = _mention(text, s + boundary + 1, match.start())
        else:
            mention = _mention(text, match.end(), e)
        return Attribution(content, mention, cue, strength)
    # "SOURCE said (on Tuesday) (that) CONTENT": the content starts after the time, place and "that"
    relay = None
    lead = LEAD.match(text, match.end(), e)
    start = lead.end() if lead else match.end()
    if cue in ("told", "tells"):
        that = _THAT.search(text, match.end(), min(e, match.end() + 60))
        start = that.end() if that else start
    elif prep := _PREP_THAT.match(text, match.end(), e):
        start = prep.end()
        if carried := _CARRIED_BY.search(text, match.end(), prep.end()):  # "in a statement carried by KCNA that"
            relay = _mention(text, carried.end(), prep.end() - 4)
    if cue in ("told", "tells") and start == match.end():
        comma = text.find(",", match.end(), e)
        start = comma + 1 if 0 < comma < match.end() + 60 else start
    content = _trim(text, start, e)
    if len(text[content[0] : content[1]].split()) < 3:
        return None
    return Attribution(content, _subject(text, s, match.start()), cue, strength, relay=relay)


def _content_first(text, s, e, match, before, boundary):
    """ "CONTENT, officials told reporters (on Tuesday), after ...": the cue's own words end at a comma and no
    quotation or "that" follows, so the content came first; "..., adding that ..." goes on with it. (content,
    mention) or None."""
    told = TOLD_OBJECT.match(text, match.end(), e) if match.group().lower() in ("told", "tells") else None
    lead = LEAD.match(text, told.end() if told else match.end(), e)
    if (
        lead is None
        or "," not in lead.group()
        or boundary < 0
        or not before[boundary + 1 :].strip()
        or len(before[:boundary].split()) < 3
        or _APPOSITION.match(before)
        or re.match(r"\s*(?:that\b|[“\"‘])", text[lead.end() : e])
    ):
        return None
    more = re.match(r"\s*(?:adding|saying|noting|explaining|stressing)\s+(?:that\b)?", text[lead.end() : e])
    content = (s, e) if more else _trim(text, s, s + boundary)
    return content, _mention(text, s + boundary + 1, match.start())


def _quote_first(text, s, match, before, after, cue, strength) -> Attribution | None:
    """ "“CONTENT,” SOURCE said." and "“CONTENT,” said SOURCE, a professor at ...": the quotation is the content
    and the speaker stands between it and the cue, or follows the cue, however long their description."""
    closing = max(before.rfind("”"), before.rfind('"'))
    if closing < 0 or before[:closing].count("“") + before[:closing].count('"') == 0:
        return None
    between = before[closing + 1 :].strip(_TRIM + " ")
    if len(between.split()) > 12 or _THAT.search(after[:12]):
        return None
    content = _trim(text, s, s + closing)
    if between:
        return Attribution(content, _mention(text, s + closing + 1, match.start()), cue, strength)
    return Attribution(content, _mention(text, match.end(), match.end() + len(after)), cue, strength)


def _subject(text: str, s: int, end: int) -> tuple[int, int] | None:
    """The source named before a verb cue: the last clause before it ("In March, North Korea said"), or all
    of it when it ends with an apposition ("The Institute, a think tank, said")."""
    before = text[s:end].rstrip()
    if not before.endswith(","):
        cut = max(before.rfind(","), before.rfind(";"), before.rfind("”"), before.rfind('"'))
        if cut >= 0:
            s += cut + 1
    return _mention(text, s, end)
