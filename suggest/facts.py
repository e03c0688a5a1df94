"""Fact links across articles: for a claim's text, the registered facts it most likely reports.

A fact is known by its statement and by the claims already linked to it in other articles. Candidates are
ranked by what a fact-checker would look for first: the same figures and dates (99.63, 27,858, 1956; rare
figures weigh more), the same quoted phrases, then the words they share (weighted by how rare each word is
among facts, so "voted" counts less than "turnout").

A sentence that states a precise figure of a registered fact restates that fact (`FactIndex.restated`), whether
or not it says who gave the figure: a claim worth tagging and linking.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_FIGURE = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,80})[”\"]")
_WORD = re.compile(r"[\uac00-\ud7a3]{2,}|[^\W\d_]{3,}", re.UNICODE)
# A Korean word carries its particle (투표율은, 투표율이: the turnout as topic, as subject): compared without it.
_KO_PARTICLE = re.compile(r"(?:은|는|이|가|을|를|의|에|에서|으로|로|도|과|와|이라고|라고)$")
_STOP = {
    "the",
    "and",
    "for",
    "that",
    "with",
    "this",
    "from",
    "were",
    "was",
    "are",
    "has",
    "have",
    "had",
    "not",
    "but",
    "its",
    "their",
    "there",
    "they",
    "them",
    "than",
    "then",
    "which",
    "who",
    "whom",
    "what",
    "when",
    "where",
    "will",
    "would",
    "could",
    "should",
    "been",
    "being",
    "into",
    "over",
    "under",
    "about",
    "after",
    "before",
    "also",
    "more",
    "most",
    "such",
    "only",
    "other",
    "some",
    "many",
    "very",
    "said",
    "says",
    "according",
    "percent",
    "per",
    "cent",
    # Korean endings and particles left on their own after a figure ("99.63%라고", "5월에서")
    "라고",
    "이라고",
    "에서",
    "으로",
}


def figures(text: str) -> set[str]:
    """The numbers in `text` as compared: thousands separators dropped ("27,858" → "27858"); single digits
    (too common to tell facts apart) left out."""
    found = {m.group().replace(",", "") for m in _FIGURE.finditer(text)}
    return {f for f in found if len(f) > 1}


_YEAR = re.compile(r"(?:1[6-9]|20)\d\d")


def precise(figure: str) -> bool:
    """Whether a figure (as `figures` gives it) tells what it measures: a decimal (99.63, 0.09) or a count of three
    digits or more (27858), but not a round number (100, 5000) nor a year (1956, 2023), which recur in
    statements of unrelated facts."""
    if "." in figure:
        return True
    return len(figure) >= 3 and not figure.endswith("0") and not _YEAR.fullmatch(figure)


def quoted_phrases(text: str) -> set[str]:
    return {m.group(1).strip().casefold() for m in _QUOTED.finditer(text)}


def _stem(word: str) -> str:
    if "\uac00" <= word[0] <= "\ud7a3":
        bare = _KO_PARTICLE.sub("", word)
        return bare if len(bare) >= 2 else word
    return _singular(word)


_SIBILANT_ES = re.compile(r"(?:x|ch|sh|ss)es$")  # not "sizes", "prizes": a plain "s" after a "ze"


def _singular(word: str) -> str:
    """An English plural as its singular, by the spelling rules alone: "boxes" → "box", "parties" → "party",
    "votes" → "vote", "sizes" → "size"; words too short to tell ("news", "gas") and "-ss", "-us", "-is" endings
    kept. A few "-ie" nouns come out wrong ("movies" → "movy", not "movie")."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-2] if _SIBILANT_ES.search(word) else word[:-1]


def content_words(text: str) -> set[str]:
    """The words that say what a text is about, compared without a plural "s" or a Korean particle."""
    return {_stem(w) for w in (w.casefold() for w in _WORD.findall(text)) if w not in _STOP}


KIND_WEIGHT = 0.5  # a fact all of whose claims are of the claim's kind: worth half a rare shared word


@dataclass(frozen=True)
class FactDoc:
    """A fact as ranking needs it: its statement, the texts of its claims, in how many articles."""

    slug: str
    statement: str
    texts: tuple[str, ...] = ()
    articles: int = 0
    kinds: tuple[str, ...] = ()  # the kind (slug) of each claim linked to it


@dataclass(frozen=True)
class Candidate:
    slug: str
    statement: str
    articles: int
    score: float
    reason: str
    firm: bool = False  # evidence enough to link it without asking: see `FactIndex.rank`


class FactIndex:
    """Facts prepared once for ranking many claims against them."""

    def __init__(self, docs: Iterable[FactDoc]):
        self.docs = list(docs)
        self.figures = [set().union(figures(d.statement), *(figures(t) for t in d.texts)) for d in self.docs]
        self.quotes = [set().union(*(quoted_phrases(t) for t in (d.statement, *d.texts))) for d in self.docs]
        self.words = [set().union(content_words(d.statement), *(content_words(t) for t in d.texts)) for d in self.docs]
        self.stated = [content_words(d.statement) for d in self.docs]  # the words of the statement alone
        # Each text a fact is known by (its statement, each claim) on its own: a claim is compared with the
        # nearest of them, so that a fact with many claims is not diluted by their number.
        self.each = [[content_words(t) for t in (d.statement, *d.texts)] for d in self.docs]
        n = len(self.docs) or 1
        figure_df = Counter(f for fs in self.figures for f in fs)
        word_df = Counter(w for ws in self.words for w in ws)
        self.figure_idf = {f: math.log(1 + n / df) for f, df in figure_df.items()}
        self.word_idf = {w: math.log(1 + n / df) for w, df in word_df.items()}
        self.by_figure: dict[str, list[int]] = {}  # the facts each precise figure belongs to
        for i, fs in enumerate(self.figures):
            for f in sorted(fs):
                if precise(f):
                    self.by_figure.setdefault(f, []).append(i)

    def restated(self, text: str) -> Candidate | None:
        """The fact `text` restates, or None: of the facts that share a precise figure and a word of what it
        measures with it ("turnout ... 99.63"; a figure alone may measure something else), the one whose shared
        figures are rarest; its reason lists them. A look-up per figure of the text, however many facts."""
        shared: dict[int, list[str]] = {}
        for f in sorted(figures(text)):
            for i in self.by_figure.get(f, ()) if precise(f) else ():
                shared.setdefault(i, []).append(f)
        words = content_words(text) if shared else set()
        shared = {i: fs for i, fs in shared.items() if words & self.words[i]}
        if not shared:
            return None
        score, best = max((sum(self.figure_idf[f] for f in fs), i) for i, fs in shared.items())
        doc = self.docs[best]
        return Candidate(doc.slug, doc.statement, doc.articles, round(1.5 * score, 3), ", ".join(shared[best]), True)

    def rank(self, text: str, *, limit: int = 3, exclude: Iterable[str] = (), kind: str = "") -> list[Candidate]:
        """The `limit` facts `text` most likely reports, best first; facts sharing nothing are left out.

        Given the `kind` of the claim, a fact whose claims are of that kind ranks higher, by their share: what
        informants say is most often what other informants said, a relayed figure what other relays carry.

        A candidate is `firm` when the text shares a precise figure and a word with the fact, or a quoted
        phrase, or says at least half of what its statement says (by the weight of its words): enough to
        link it when a suggestion is accepted with one key. The others are offered, never chosen for the
        reader.
        """
        q_figures, q_quotes, q_words = figures(text), quoted_phrases(text), content_words(text)
        skip = set(exclude)
        scored = []
        for i, doc in enumerate(self.docs):
            if doc.slug in skip:
                continue
            shared_figures = q_figures & self.figures[i]
            shared_words = q_words & self.words[i]
            if not shared_figures and len(shared_words) < 2:
                continue
            figure_score = sum(self.figure_idf[f] for f in shared_figures)
            quote_score = len(q_quotes & self.quotes[i])
            weight = sum(self.word_idf[w] for w in self.words[i]) or 1.0
            bag = sum(self.word_idf[w] for w in shared_words) / math.sqrt(weight)
            word_score = bag + 2.0 * max(self._similarity(q_words, words) for words in self.each[i])
            score = 1.5 * figure_score + 1.0 * quote_score + word_score + KIND_WEIGHT * self._share(i, kind)
            reason = ", ".join(sorted(shared_figures)[:3]) or ", ".join(sorted(shared_words)[:3])
            # A figure alone may measure something else: with a word of what it measures, as `restated` asks.
            measured = shared_words and any(precise(f) for f in shared_figures)
            firm = bool(measured) or quote_score > 0 or self._says_half(q_words, i)
            scored.append((score, i, reason, firm))
        scored.sort(key=lambda item: (-item[0], self.docs[item[1]].slug))
        return [
            Candidate(self.docs[i].slug, self.docs[i].statement, self.docs[i].articles, round(score, 3), reason, firm)
            for score, i, reason, firm in scored[:limit]
        ]

    def _similarity(self, query: set[str], words: set[str]) -> float:
        """The weight of the words two texts share, over the square roots of each text's weight (a cosine)."""
        shared = sum(self.word_idf[w] for w in query & words)
        if not shared:
            return 0.0
        own = sum(self.word_idf[w] for w in words)
        asked = sum(self.word_idf.get(w, 0.0) for w in query) or 1.0
        return shared / math.sqrt(own * asked)

    def _share(self, i: int, kind: str) -> float:
        """The share of fact `i`'s claims that are of `kind` (0 without a kind or claims)."""
        kinds = self.docs[i].kinds
        return kinds.count(kind) / len(kinds) if kind and kinds else 0.0

    def _says_half(self, words: set[str], i: int) -> bool:
        """Whether `words` hold at least half the weight of the words of fact `i`'s statement."""
        stated = self.stated[i]
        weight = sum(self.word_idf[w] for w in stated)
        return weight > 0 and sum(self.word_idf[w] for w in stated & words) >= weight / 2
