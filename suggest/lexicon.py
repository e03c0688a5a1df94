"""What attribution looks like in news text: reporting cues (English and Korean) and the patterns that tell a
source's kind from its mention when the registry does not know it.

The lists are general news-attribution vocabulary (reporting verbs as in PARC 3.0's cue lexicon, Korean
press's 밝혔다/전했다/에 따르면), not phrases of any one article. Kinds are named by their default slugs;
the engine's callers map them to the kinds that exist.
"""

from __future__ import annotations

import re

# Reporting verbs, in every form a news sentence uses. The strength says how surely a sentence carrying the
# cue attributes its content to someone (a "said" almost always does; a "believe" often expresses opinion).
_VERBS = {
    1.0: "said says say told tells reported reports stated states announced quoted quoting quotes cited citing "
    "confirmed confirms claimed claims added adds wrote writes acknowledged acknowledges admitted admits "
    "confirm acknowledge admit",
    0.85: "noted notes explained explains warned warns argued argues insisted insists revealed reveals "
    "disclosed discloses stressed stresses emphasized emphasised emphasizes asserted asserts "
    "estimated estimates predicted predicts alleged alleges maintained maintains conceded concedes "
    "cautioned caution cautions described describes testified testifies recalled recalls "
    # Base forms for plural speakers ("analysts warn"), leaving out those that are as often nouns (report, claim).
    "explain warn argue insist reveal disclose emphasize emphasise assert predict allege "
    "maintain concede testify deny accuse indicate conclude complain "
    "denied denies accused accuses declared declares reiterated reiterates indicated indicates concluded "
    "concludes responded replied replies remarked commented mentioned complained complains forecast "
    "shows showed",
    0.7: "believe believes believed suggested suggests suspect suspects expect expects observed observes continued "
    "speculated assessed published publishes speculate assess suggest think thinks",
}
CUE_STRENGTH: dict[str, float] = {word: strength for strength, words in _VERBS.items() for word in words.split()}

# Multi-word cues: the source follows them ("according to the KCNA") or they carry no source at all.
_PHRASES = {
    "according to": 1.0,
    "pointed out": 0.85,
    "point out": 0.85,
    "as saying": 1.0,
    # A study, survey or report "found that": its finding, with "that" so that "police found the car" is none.
    "found that": 0.85,
    "finds that": 0.85,
    "find that": 0.85,
    "in a statement": 0.9,
    "in a report": 0.9,
}
_HEDGES = {  # unattributed assertions: their own kind, the unsourced quote
    "widely seen as": 0.8,
    "widely viewed as": 0.8,
    "widely regarded as": 0.8,
    "widely considered": 0.8,
    "widely expected": 0.75,
    "is seen as": 0.7,
    "are seen as": 0.7,
    "widely believed": 0.75,
    "it is believed": 0.75,
    "it is said": 0.75,
    "it is interpreted": 0.7,
    "speculation that": 0.8,
    "rumors": 0.75,
    "rumours": 0.75,
    "there are many who": 0.8,
    # What others report, with no one named: "the factory reportedly closed", "he allegedly took bribes".
    "reportedly": 0.75,
    "allegedly": 0.75,
    "purportedly": 0.7,
    # Hearsay a speaker passes on ("I heard that ...", not "I heard gunshots"): from others, not named.
    "heard that": 0.7,
    "heard from": 0.7,
    "heard rumors": 0.75,
    "heard rumours": 0.75,
    # Epistemic judgements in the writer's voice (the outlet's analysis, below).
    "appears to be": 0.6,
    "appear to be": 0.6,
    "seems to be": 0.6,
    "may be intended": 0.65,
}

# An impersonal passive ("it was reported that", "it is understood that", "it has been learned that") reports
# what someone said without naming them: unnamed others, unless an agent follows ("it was reported by X that").
IMPERSONAL = re.compile(
    r"\bit\s+(?:is|was|(?:has|had)(?:\s+(?:also|now|\w+ly))?\s+been|will(?:\s+(?:also|\w+ly))?\s+be)\s+"
    r"(?:(?:also|now|further|\w+ly)\s+)?"
    r"(?:reported|said|claimed|alleged|announced|confirmed|estimated|revealed|disclosed|rumou?red|learned|learnt|"
    r"understood|known)\b",
    re.IGNORECASE,
)
# "X is accused of ...": the passive credits its subject with nothing; the accusation rests on unnamed others.
ACCUSED = re.compile(r"\b(?:is|are|was|were|been|being|stands?|stood)\s+(?:\w+ly\s+)?accused\s+of\b", re.IGNORECASE)

CUE_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(sorted((re.escape(p) for p in [*_PHRASES, *_HEDGES, *CUE_STRENGTH]), key=len, reverse=True))
    + r")(?![\w-])(?!\s+tanks?\b)",  # "think", but not "think tank"
    re.IGNORECASE,
)

# Korean reporting endings (…라고 밝혔다, …고 전했다) and "X에 따르면" (according to X). The verb stems
# come with their past and present endings; 했다고 marks reported speech inside a longer sentence.
KO_ACCORDING_RE = re.compile(r"(?:에|의)\s?따르면|에 의하면|(?<=\S)(?:이|가)? ?전한 바에 따르면")
_KO_VERBS = (
    "말했|밝혔|전했|보도했|주장했|설명했|강조했|지적했|덧붙였|알려왔|증언했|발표했|전망했|분석했|평가했|"
    "언급했|경고했|비판했|부인했|인정했|시사했|예상했|추정했|보고했|답했|반박했|공개했|토로했|우려했|"
    "내다봤|예측했|진단했|통보했|폭로했|시인했|해명했"
)
KO_CUE_RE = re.compile(
    rf"(?:(?:이)?라고|다고|냐고|자고|고)\s?(?:{_KO_VERBS}|했|알렸|말한|밝힌|전한|보도한|주장한)"
    rf"|(?:{_KO_VERBS})다"
    r"|(?:이)?라며\s|다며\s"  # "“...”라며 ..." (saying that ...): the quotation's cue mid-sentence
)
# "조선중앙통신을 인용해" (citing the KCNA): the origin, passed on by the sentence's speaker.
KO_CITING_RE = re.compile(r"(?<=\s)([^\s,“”\"]+?)(?:을|를)\s?인용(?:해|하여|한|했다)\s?")
# Korean hedges: the writer's judgement (…것으로 보인다, …로 해석된다) or what unnamed others say (소문, 일각).
_KO_ANALYSIS = {"것으로 보인다": 0.6, "것으로 분석된다": 0.7, "것으로 해석된다": 0.7, "로 해석된다": 0.7,
                "것으로 풀이된다": 0.7, "것으로 관측된다": 0.7}  # fmt: skip
# "…것으로 알려졌다" / "…것으로 전해졌다" (is known / is said to have): what the press learned from no one it names.
_KO_UNNAMED = {
    "소문이": 0.75,
    "소문에": 0.75,
    "소문도": 0.75,
    "일각에서는": 0.75,
    "라는 관측이": 0.7,
    "것으로 알려졌다": 0.75,
    "것으로 전해졌다": 0.75,
    "다고 알려졌다": 0.75,
    "다고 전해졌다": 0.75,
}
KO_HEDGE_RE = re.compile("|".join(map(re.escape, [*_KO_ANALYSIS, *_KO_UNNAMED])))

_HEDGES.update(_KO_ANALYSIS)
_HEDGES.update(_KO_UNNAMED)
HEDGE = set(_HEDGES)
# Impersonal judgements that credit no one but the writer ("it is interpreted as", "is widely seen as"): by the
# kinds' definitions the outlet's own analysis, where "rumors" or "many who point out" credit unnamed others.
ANALYSIS = {
    "widely seen as", "widely viewed as", "widely regarded as", "widely considered", "widely expected", "is seen as",
    "are seen as", "it is interpreted",
    "appears to be", "appear to be", "seems to be", "may be intended", *_KO_ANALYSIS,
}  # fmt: skip


def cue_strength(cue: str) -> float:
    """How surely `cue` attributes a sentence's content (1.0 for "said", less for "believe")."""
    cue = cue.lower()
    return CUE_STRENGTH.get(cue) or _PHRASES.get(cue) or _HEDGES.get(cue) or 0.8


# Kind patterns, first match wins: the more specific shapes come first, so "a source in North Korea" is an
# informant before "North Korea" makes it state media. Korean forms beside the English ones.
_KIND_PATTERNS: list[tuple[str, str]] = [
    (
        "defector_testimony",
        r"\bdefectors?\b|\bescapees?\b|\bformer (?:resident|official|soldier|worker)s?\b|who (?:fled|escaped)|"
        r"탈북(?:민|자|인)|(?:북한)?이탈주민|귀순자",
    ),
    (
        "in_country_informant",
        r"\b(?:a |an |one |the |local |our |two |three |several |multiple )?(?:sources?|informants?|contacts?) "
        r"(?:in|inside|within|from|based in|living in|close to)\b|\bresidents? (?:of|in|from)\b|\binformants?\b|"
        r"\breporting partners?\b|\blocal sources?\b|\bin-country\b|\bsources? inside\b|\bresidents?\b|"
        r"소식통|내부 (?:소식통|관계자)|주민(?:은|이|들)?",
    ),
    (
        "state_media",
        r"\bkcna\b|korean central (?:news agency|broadcasting|television)|\brodong sinmun\b|\bminju chosun\b|"
        r"\bstate(?:-run)? (?:media|news agency|television|tv|radio|newspaper)\b|\bofficial (?:media|newspaper)\b|"
        r"\buriminzokkiri\b|\bregime\b|\bcentral (?:election|elections) (?:guidance )?committee\b|"
        r"조선중앙(?:통신|방송|TV|텔레비전)|[로노]동신문|민주조선|관영 (?:매체|언론|통신)|북한 매체|"
        r"선거지도위원회|외무성|우리민족끼리",
    ),
    (
        # The outlet speaking of itself ("data compiled by the paper", "told this newspaper"): its own reporting.
        "outlet_reporting",
        r"\bthis (?:news)?paper\b|\bthe paper\b|\bthis (?:outlet|site|website|publication|magazine)\b|"
        r"\bour (?:reporters?|correspondents?|staff|newsroom)\b|본지|본사",
    ),
    (
        "news_agency",
        r"\byonhap\b|\breuters\b|\bassociated press\b|\bap\b|\bafp\b|\bagence france|\bkyodo\b|\bxinhua\b|"
        r"\btass\b|\bbloomberg\b|\bnews agency\b|\bwire service\b|연합뉴스|뉴시스|교도통신|신화통신|"
        # Another outlet passing a report on: its name says it is one ("the Daily Courier", "NK News").
        r"\b(?:newspaper|daily|times|post|herald|journal|tribune|gazette|courier|chronicle|news|radio|broadcast(?:er|ing)|"
        r"television|magazine|weekly|outlet|press|media)\b|신문|일보|방송|통신|언론|외신",
    ),
    (
        "think_tank",
        r"\binstitute\b|\binstitution\b|\bthink[- ]tank\b|\bcent(?:er|re) for\b|\bfoundation\b|\bcouncil on\b|"
        r"\bresearch (?:group|center|centre|firm)\b|\bkinu\b|\basan\b|연구원|연구소|재단|"
        # Other institutions that publish analysis: international bodies, NGOs, universities.
        r"\borgani[sz]ation\b|\bprogramme\b|\bunited nations\b|\bu\.n\.|"
        r"\bassociation\b|\bfederation\b|\brights watch\b|\bamnesty\b|\buniversity\b|\bngo\b|유엔|대학",
    ),
    (
        "foreign_government",
        r"\bministr(?:y|ies)\b|\bminister\b|\bgovernment officials?\b|\bofficials?\b|\bspokes(?:man|woman|person)\b|"
        r"\bgovernment\b|\bdiplomat(?:s|ic)?\b|\blawmakers?\b|\blegislators?\b|\bparliament\b|\bnational assembly\b|"
        r"\bprosecutors?\b|\bpolice\b|\bauthorities\b|\bagency\b|\bmilitary\b|\bcommand\b|"
        r"\bstate department\b|\bpentagon\b|\bwhite house\b|\bnational intelligence service\b|\bnis\b|\bjcs\b|"
        r"\bjoint chiefs\b|\bembassy\b|\bpresidential office\b|\bseoul\b|\bwashington\b|\btokyo\b|\bbeijing\b|"
        # Office-holders and organs of a state that are not ministries: "President Lee", "the coast guard".
        r"\bunited states\b|\bu\.s\.(?!\w)|"
        r"\bpresident\b|\bprime minister\b|\bpremier\b|\bmayor\b|\bgovernor\b|\bambassador\b|\benvoys?\b|"
        r"\bsecretary of state\b|\bdepartment of\b|\bbureau\b|\bcoast guard\b|\barmy\b|\bnavy\b|\bair force\b|"
        r"\bcourts?\b|\bregulators?\b|\bstatistics (?:office|agency|bureau)\b|\bcustoms\b|"
        r"대통령|총리|장관|대사(?:관)?|법원|해경|관세청|통계청|"
        r"통일부|외교부|국방부|국정원|국가정보원|합참|합동참모본부|군 당국|"
        r"대통령실|청와대|정부 (?:관계자|당국자)|당국자|"
        r"대변인|국무부|백악관|국방성|정부|(?<!대)의원|경찰|검찰",
    ),
    (
        "unsourced_quote",
        r"\banalysts?\b|\bexperts?\b|\bobservers?\b|\bcritics?\b|\bsome\b|\bmany\b|\bothers\b|\bpeople\b|"
        r"\brumou?rs?\b|\bspeculation\b|\bobservers\b|\bwatchers\b|전문가(?:들)?|관측통|일각|소문|"
        # Anonymous sources with no place that makes them in-country ones ("a source familiar with the matter").
        r"\bsources?\b|\binsiders?\b|\bwitness(?:es)?\b|\bfamiliar with\b|\bscholars\b|\bresearchers\b|"
        r"\bcommentators?\b|\bcritics\b|관계자|관측",
    ),
]
KIND_PATTERNS = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _KIND_PATTERNS]

OFFICIAL_SOURCE = re.compile(
    r"\b(?:diplomatic|government|intelligence|military|official|security|police) (?:sources?|insiders?)\b|정부 소식통",
    re.IGNORECASE,
)
# North Korea speaking for itself ("North Korea said", "Pyongyang reported") is its state media; in Korean the
# name carries its particle ("북한은 주장했다", "북측이 밝혔다").
STATE_SPEAKER = re.compile(
    r"^(?:the |an? )?(?:(?:north korean?|north|pyongyang|dprk)(?:'s|’s)?\b|(?:북한|북측|북)(?:은|는|이|가|도|의)?"
    r"(?![\uac00-\ud7a3]))|\bworkers'? party\b|노동당",
    re.IGNORECASE,
)

# Someone speaking for themselves: a title ("a professor at ...", "researcher") makes an expert even when an
# institution follows, since the person, not the institution, is credited; two or more capitalised words
# with no other clue are a named person too.
TITLE = re.compile(
    r"\b(?:professor|prof\.|dr\.|researcher|research fellow|analyst|fellow|scholar|lecturer|economist|"
    r"historian|political scientist|former (?:diplomat|ambassador))\b|교수|연구위원|박사",
    re.IGNORECASE,
)
PERSON = re.compile(r"(?:^|\s)[A-Z][a-z]+(?:[- ][A-Z][a-z]+){1,3}\b")

# A speaker named again without their name: resolved to the last speaker of the same article.
PRONOUN = re.compile(
    r"^(?:he|she|they|it|we|i|the (?:source|resident|informant|official|ministry|agency|report|statement|study|"
    r"paper|newspaper|survey|analysis|document|directive|institute|group|organi[sz]ation)|그|그녀|그들)$",
    re.I,
)


_NAME = re.compile(r"(?:[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?\s+){1,3}[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?")


def _named_person(mention: str) -> bool:
    """A person's name with a description after it ("Yang Moo-jin, president of the University of X"): the
    person, not the institution, is credited."""
    head, comma, _ = mention.partition(",")
    return bool(
        comma
        and _NAME.fullmatch(head.strip())
        and not STATE_SPEAKER.search(head.strip())
        and not any(pattern.search(head) for _, pattern in KIND_PATTERNS)
    )


def names_a_person(mention: str) -> bool:
    """Whether a mention credits a person, by a title ("KINU researcher Hong Min", "a professor at X") or a
    name with its description ("Yang Moo-jin, president of X"), even where it names an institution too."""
    return bool(TITLE.search(mention)) or _named_person(mention)


# Where or how someone spoke ("the mayor, speaking at a news conference", "officials at a press briefing") names
# the occasion, not the speaker: its words ("news", "press", "radio") say nothing of the speaker's kind.
_OCCASION = re.compile(
    r"\b(?:at|in|during|on|to|before|after|from)\s+(?:an?|the|his|her|its|their|a joint)?\s*(?:\w+\s+)?"
    r"(?:news|press|media|radio|television|tv)\s+(?:conference|briefing|interview|event|call)s?\b|"
    r"(?:기자회견|브리핑|인터뷰)(?:에서|을 통해)",
    re.IGNORECASE,
)


def kind_of(mention: str) -> str | None:
    """The kind a source mention's wording implies ("the unification ministry" → foreign_government)."""
    mention = _OCCASION.sub(" ", mention) if mention else mention
    if not mention or not mention.strip():
        return None
    # Informants and defectors before a country's name ("a source in North Korea"), then a titled person
    # before their institution ("a professor at the Asan Institute").
    if OFFICIAL_SOURCE.search(mention):  # "diplomatic sources in Seoul" speak for a government, not from inside
        return "foreign_government"
    for kind, pattern in KIND_PATTERNS[:2]:
        if pattern.search(mention):
            return kind
    if TITLE.search(mention) or _named_person(mention):
        return "expert"
    if KIND_PATTERNS[2][1].search(mention) or STATE_SPEAKER.search(mention.strip()):
        return "state_media"
    for kind, pattern in KIND_PATTERNS[3:]:
        if pattern.search(mention):
            return kind
    if PERSON.search(mention):
        return "expert"
    return None


_DOCUMENT_OF = re.compile(
    r"^(?:(?:new|recent|latest|annual|joint)\s+)?(?:report|statement|study|survey|data|analysis|paper|figures|"
    r"assessment|document|estimate)s?\s+(?:by|from|of|released by|published by|compiled by)\s+(?:the\s+)?",
    re.IGNORECASE,
)
_KO_PARTICLE = re.compile(r"(?<=[\uac00-\ud7a3])(?:은|는|이|가|도|측은|측이)$")


def name_from_text(mention: str) -> str:
    """A source's name as the text gives it: of an apposition ("think tank, the Pacific Foundation"), the part
    that is a proper name; without its article or a parenthesised abbreviation ("the KCNA", "(KCNA)")."""

    def clean(text: str) -> str:
        text = re.sub(r"^(?:the|a|an)\s+|\s*\([^)]*\)", "", text.strip(), flags=re.IGNORECASE).strip()
        text = _DOCUMENT_OF.sub("", text)  # "a report by the Institute" is the Institute's
        text = re.sub(r"^(?:(?:지난\s)?\d+일|이날|오늘|어제)\s+", "", text)  # "27일 통일부는": the day is no name
        return _KO_PARTICLE.sub("", text)  # "통일부는" (the ministry, as topic) is named "통일부"

    # "a resident, who declined to give his name", "officials, speaking on condition of anonymity"
    mention = re.sub(r",\s*(?:who|whose|which|speaking|asking|requesting|declining)\b.*$", "", mention)
    first, *rest = mention.split(",")
    if first.lower() == first:  # a description first ("think tank, the Pacific Foundation"): the name follows
        named = next((clean(p) for p in rest if clean(p)[:1].isupper()), None)
        if named:
            return named
    return clean(mention)
