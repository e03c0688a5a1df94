"""One Korean sentence's attribution: "SOURCE에 따르면 CONTENT", "SOURCE는 CONTENT라고/고 밝혔다/말했다/전했다",
"CONTENT다고 SOURCE가 말했다", "“CONTENT”고 SOURCE는 전했다", "RELAY는 SOURCE를 인용해 CONTENT라고 보도했다", and the
hedges (…것으로 보인다, …것으로 알려졌다). Pure functions over a string and offsets, as `attribution.english`.
"""

from __future__ import annotations

import re

from .attribution import Attribution, _mention, _outside, _trim
from .lexicon import KO_ACCORDING_RE, KO_CITING_RE, KO_CUE_RE, KO_HEDGE_RE, cue_strength

# The speaker opens the sentence, marked as its topic (은/는) or else its subject (이/가); the fewest words win,
# so "조선중앙통신은 투표율이 …" names the agency, not the turnout.
_KO_TOPICS = [
    re.compile(r"(?:[^\s,“”\"]+\s){0,2}?[^\s,“”\"]+?(?:은|는)\s"),
    re.compile(r"(?:[^\s,“”\"]+\s){0,2}?[^\s,“”\"]+?(?:이|가)\s"),
]


_KO_SPEAKER_AFTER = re.compile(
    r"(?P<end>[다라냐자”\"’'])\s?(?:이)?라?고\s+(?P<who>(?:[^\s,“”\"]+\s){0,2}[^\s,“”\"]+(?:은|는|이|가))"
    r"(?:\s+(?:지난\s)?\d+일(?:\s(?:오전|오후|밤))?|\s+이날|\s+오늘|\s+어제)?\s*$"  # "… 조선중앙통신이 28일 보도했다"
)
_QUOTE_MARKS = "”\"’'"
_KO_SUBJECT = re.compile(r"(?<=\s)((?:[^\s,“”\"]+\s)?[^\s,“”\"]+?(?:은|는|이|가))\s+$")
_KO_SAID = re.compile(r"[”\"’']?(?:(?:이)?라고|다고|고)\s+(?=\S+\s*$)")


def korean(text: str, s: int, e: int, quotes: list[tuple[int, int]]) -> Attribution | None:
    """ "SOURCE에 따르면 CONTENT" and "SOURCE는 (…) CONTENT라고 밝혔다"."""
    according = _outside(KO_ACCORDING_RE.finditer(text, s, e), quotes)
    if according:
        m = according[0]
        mention = _mention(text, s, m.start())
        content = _trim(text, m.end(), e)
        return Attribution(content, mention, "에 따르면", 1.0)
    ending = _outside(KO_CUE_RE.finditer(text, s, e), quotes)
    if not ending:
        hedge = _outside(KO_HEDGE_RE.finditer(text, s, e), quotes)
        if hedge:  # "…것으로 보인다" (appears to), "…는 소문이 돌고 있다" (there are rumours)
            return Attribution(_trim(text, s, e), None, hedge[0].group(), cue_strength(hedge[0].group()), hedge=True)
        return None
    m = ending[-1]
    # "CONTENT다고 SOURCE가 말했다": a quotative ending, then the speaker just before the verb. The sentence's
    # topic belongs to the content then ("공장은 멈췄다고 한 주민이 말했다": the factory stopped, a resident said).
    after = _KO_SPEAKER_AFTER.search(text, s, m.start())
    if after is not None:
        end = after.start("end") if after.group("end") in _QUOTE_MARKS else after.end("end")
        content = _trim(text, s, end)
        if len(text[content[0] : content[1]].split()) >= 2:
            return Attribution(content, (after.start("who"), after.end("who")), m.group().strip(), 0.95)
    topic = next((t for pattern in _KO_TOPICS if (t := pattern.match(text, s, m.start()))), None)
    if topic:  # "SOURCE는 CONTENT라고 밝혔다", "RELAY는 SOURCE를 인용해 CONTENT라고 보도했다"
        content, mention, relay = (topic.end(), m.start()), _trim(text, s, topic.end()), None
        citing = KO_CITING_RE.search(text, topic.end() - 1, m.start())
        if citing:
            content, mention, relay = (citing.end(), m.start()), (citing.start(1), citing.end(1)), mention
        return Attribution(_trim(text, *content), mention, m.group().strip(), 1.0, relay=relay)
    # "“CONTENT”고 SOURCE는 전했다": the subject comes after the quotation, just before the verb
    subject = _KO_SUBJECT.search(text, s, m.start())
    if subject is None:
        return None
    said = _KO_SAID.search(text, s, subject.start())
    content = _trim(text, s, said.start() if said else subject.start())
    return Attribution(content, (subject.start(1), subject.end(1)), m.group().strip(), 0.95)
