"""The engine fed from the database and its answers presented to one user, with the one masking rule.

Reads only: the registry (sources and aliases with their kinds), the spans of the claims the user can see,
the texts dismissed, the facts with their claims. Every source name, relay name and fact statement that
leaves here has been through `mask_for(user)`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from django.db.models import Count, QuerySet

from annotate.masking import Mask, mask_for
from annotate.models import Claim, Fact, ProvenanceKind, Source, SourceAlias
from annotate.names import REDACTED
from corpus.models import Article

from .engine import ENGINE_VERSION, OWN_VOICE, Suggestion, suggest
from .facts import Candidate, FactDoc, FactIndex
from .gazetteer import Entry, Gazetteer, key
from .models import Dismissal

FACT_CANDIDATES = 3
FACT_TEXTS = 5_000


def registry(*, reveal: bool = True) -> Gazetteer:
    """Every registered source by its name and aliases, each with its kind's slug (two queries); without the
    protected ones unless `reveal`.

    For a reader who may not see protected names the engine does not know them: a name in the article that
    is a protected source's is found as any unregistered name is, by its cue, and shown as the article
    writes it. Matched against the registry, it came back as a pseudonym, which told the reader that the
    person the article names is a protected source, and which one."""
    aliases: dict[int, list[str]] = {}
    alias_rows = SourceAlias.objects.order_by()
    if not reveal:
        alias_rows = alias_rows.filter(source__sensitive=False)
    for source_id, name in alias_rows.values_list("source_id", "name"):
        aliases.setdefault(source_id, []).append(name)
    rows = Source.objects.order_by()
    if not reveal:
        rows = rows.filter(sensitive=False)
    rows = rows.values_list("pk", "name", "kind__slug", "sensitive")
    return Gazetteer.of(
        Entry(name, kind, pk, sensitive, tuple(aliases.get(pk, ()))) for pk, name, kind, sensitive in rows
    )


def text_key(exact: str) -> str:
    """What a dismissal is remembered by: the text as compared (case, spacing and particles aside)."""
    return hashlib.sha256(key(exact).encode()).hexdigest()


@dataclass(frozen=True)
class Reader:
    """Who the suggestions are for: what they may see of claims and facts, and their mask."""

    mask: Mask
    claims: QuerySet
    facts: QuerySet

    @classmethod
    def of(cls, user) -> Reader:
        return cls(mask_for(user), Claim.objects.visible_to(user), Fact.objects.visible_to(user))

    @classmethod
    def command_line(cls, *, reveal: bool) -> Reader:
        """An operator at the command line: every claim and fact, sensitive names only if `reveal`."""
        return cls(Mask.for_reader(reveal=reveal), Claim.objects.all(), Fact.objects.all())


def raw_suggestions(
    article: Article, reader: Reader, gazetteer: Gazetteer | None = None, facts: FactIndex | None = None
) -> list[Suggestion]:
    """The engine's suggestions for `article`, without the spans the reader sees tagged or the texts dismissed;
    a sentence may restate one of the facts the reader sees (as the other articles' claims know them)."""
    tagged = reader.claims.filter(article=article).values_list("start", "end")
    dismissed = Dismissal.objects.for_article(article).values_list("exact", flat=True)
    gazetteer = registry(reveal=reader.mask.reveal) if gazetteer is None else gazetteer
    facts = fact_index(article, reader) if facts is None else facts
    return suggest(article.text, gazetteer, tagged=list(tagged), dismissed=list(dismissed), facts=facts)


def fact_index(article: Article, reader: Reader) -> FactIndex:
    """The facts the reader may see, each with how many articles tag it and the texts of its most recent claims
    in other articles (at most `FACT_TEXTS` in all, so the cost stays bounded however many claims there are)."""
    facts = {fact.pk: fact for fact in reader.facts.order_by()}
    linked = reader.claims.filter(fact_id__isnull=False).order_by()
    articles = dict(linked.values("fact_id").annotate(n=Count("article_id", distinct=True)).values_list("fact_id", "n"))
    texts: dict[int, list[str]] = {}
    kinds: dict[int, list[str]] = {}
    recent = linked.exclude(article=article).order_by("-pk").values_list("fact_id", "exact", "kind__slug")
    for fact_id, exact, kind in recent[:FACT_TEXTS]:
        texts.setdefault(fact_id, []).append(exact[:500])
        kinds.setdefault(fact_id, []).append(kind)
    # Ranked by the statements as the reader sees them: ranked by a name hidden in one, a fact would come first
    # for a selection of text that holds that name, and selecting two words at a time would spell it out.
    shown = reader.mask.text
    return FactIndex(
        FactDoc(
            fact.slug, shown(fact.statement), tuple(texts.get(pk, ())), articles.get(pk, 0), tuple(kinds.get(pk, ()))
        )
        for pk, fact in facts.items()
    )


@dataclass(frozen=True)
class FactOption:
    """A candidate fact as offered: "Turnout was 99.63% — 4 articles"."""

    slug: str
    statement: str
    articles: int
    score: float
    firm: bool = False  # see `FactIndex.rank`

    @property
    def value(self) -> str:
        """What the Fact field takes: the statement, or the slug where a name in it is hidden from this user."""
        return self.slug if REDACTED in self.statement else self.statement

    @property
    def label(self) -> str:
        count = f"{self.articles} article{'s' if self.articles != 1 else ''}"
        return f"{self.statement} — {count}"


@dataclass(frozen=True)
class SuggestionCard:
    """One suggestion as `user` may see it: names masked, its kind a row, its fact candidates ranked."""

    key: str
    start: int
    end: int
    exact: str
    kind: ProvenanceKind
    source: str  # as shown (a pseudonym for a sensitive source), "" for none
    via: tuple[str, ...]
    facts: tuple[FactOption, ...]
    score: float
    reason: str
    engine: str = ENGINE_VERSION

    @property
    def fact(self) -> FactOption | None:
        """The fact the suggestion links to when accepted as it is: the best candidate, if it is firm; the
        others are offered in the Fact field, for the reviewer to choose."""
        return self.facts[0] if self.facts and self.facts[0].firm else None

    def as_json(self, slug: str) -> dict:
        return {
            "article": slug,
            "key": self.key,
            "start": self.start,
            "end": self.end,
            "exact": self.exact,
            "kind": self.kind.slug,
            "source": self.source or None,
            "via": list(self.via),
            "fact": self.fact.slug if self.fact else None,
            "facts": [{"slug": f.slug, "statement": f.statement, "articles": f.articles} for f in self.facts],
            "score": self.score,
            "reason": self.reason,
            "engine": self.engine,
        }


def shown_name(found: Suggestion, mask: Mask) -> str:
    """The suggestion's source as this user may see it: a registered source through the mask (a pseudonym
    if sensitive, for those whose registry holds it), or a name taken from the article as it writes it (the
    article is shown whole: redacted here, a name would be told apart as a protected one)."""
    if found.entry is not None and found.entry.source_id is not None:
        return mask.source(found.entry.source_id, found.entry.name, found.entry.sensitive)
    return found.source or ""


def _candidates(index: FactIndex, item: Suggestion) -> list[Candidate]:
    """The facts a suggestion most likely reports, best first; the one it restates, if so, first of all (and
    firm: the reason it was proposed names its figures)."""
    ranked = index.rank(item.exact, limit=FACT_CANDIDATES, kind=item.kind)
    if not item.fact:
        return ranked
    restated = next((c for c in ranked if c.slug == item.fact), None) or index.restated(item.exact)
    if restated is None or restated.slug != item.fact:
        return ranked
    return [replace(restated, firm=True), *(c for c in ranked if c.slug != item.fact)][:FACT_CANDIDATES]


def _fact_options(candidates: list[Candidate], mask: Mask) -> tuple[FactOption, ...]:
    return tuple(FactOption(c.slug, mask.text(c.statement), c.articles, c.score, c.firm) for c in candidates)


def present(
    article: Article, reader: Reader, gazetteer: Gazetteer | None = None, *, limit: int | None = None
) -> list[SuggestionCard]:
    """The suggestions for `article` as the reader may see them, in text order; kinds not in use left out.
    With `limit`, the first `limit` of them (see `count`): their facts are ranked, the others' are not."""
    gazetteer = registry(reveal=reader.mask.reveal) if gazetteer is None else gazetteer
    index = fact_index(article, reader)
    kinds = {kind.slug: kind for kind in ProvenanceKind.objects.active()}
    found = [item for item in raw_suggestions(article, reader, gazetteer, index) if item.kind in kinds]
    mask = reader.mask
    cards = []
    for item in found[:limit]:
        kind = kinds[item.kind]
        via = tuple(shown_name_of(name, gazetteer, mask) for name in item.via)
        facts = _fact_options(_candidates(index, item), mask)
        cards.append(
            SuggestionCard(
                item.key,
                item.start,
                item.end,
                item.exact,
                kind,
                shown_name(item, mask),
                via,
                facts,
                item.score,
                item.reason,
            )  # fmt: skip
        )
    return cards


def shown_name_of(name: str, gazetteer: Gazetteer, mask: Mask) -> str:
    """A relay's name as this user may see it: through the mask if it names a registered source (of the
    reader's registry), else as the article writes it (see `shown_name`)."""
    entry = gazetteer.by_key.get(key(name))
    if entry is not None and entry.source_id is not None:
        return mask.source(entry.source_id, entry.name, entry.sensitive)
    return name


def shown_via(found: Suggestion, mask: Mask, gazetteer: Gazetteer | None = None) -> list[str]:
    """The suggestion's relay chain as this user is shown it (and sends it back when accepting unchanged)."""
    gazetteer = registry(reveal=mask.reveal) if gazetteer is None else gazetteer
    return [shown_name_of(name, gazetteer, mask) for name in found.via]


def find(article: Article, reader: Reader, suggestion_key: str) -> Suggestion | None:
    """The current suggestion named `suggestion_key` ("start-end-kind"), if the engine still proposes it. The
    facts, which only restatements need, are read only when the key is not among the other suggestions, or is
    a statement in the outlet's own voice, which with the facts may be a restatement under the same key."""
    found = None
    for facts in (FactIndex(()), None):
        found = next((s for s in raw_suggestions(article, reader, facts=facts) if s.key == suggestion_key), found)
        if found is not None and found.reason != OWN_VOICE:
            return found
    return found


def fact_options(article: Article, reader: Reader, text: str) -> tuple[FactOption, ...]:
    """Candidate facts for a text of `article` that the reader selected, best first: the tag panel's Fact field
    offers them before anything is typed."""
    if not text.strip():
        return ()
    return _fact_options(fact_index(article, reader).rank(text, limit=5), reader.mask)
