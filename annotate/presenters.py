"""What pages show of claims and facts to one user: every name and free text already through the mask.

Views hand templates these, never model instances with names on them, so a template cannot print a
sensitive name by reaching for `claim.source.name` or `claim.note`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse

from corpus.models import Article, Revision

from .chains import shown_relays
from .masking import Mask, mask_for
from .models import Claim, Fact, ProvenanceKind
from .spans import sentence_around

STATUS_LABELS = dict(Claim.Status.choices)
REASON_LABELS = dict(Claim.Reason.choices)
DIRECTNESS_LABELS = dict(Claim.Directness.choices)


@dataclass(frozen=True, slots=True)
class FactRef:
    """A fact as a page names it: its slug, and its statement with sensitive names masked."""

    pk: int
    slug: str
    statement: str

    def get_absolute_url(self) -> str:
        return reverse("dashboard:fact_detail", args=[self.slug])

    def __str__(self) -> str:
        return self.statement


def fact_ref(fact: Fact, mask: Mask) -> FactRef:
    return FactRef(fact.pk, fact.slug, mask.text(fact.statement))


def fact_refs(facts: Iterable[Fact], user) -> list[FactRef]:
    """These facts as `user` may see them, in the order of what they see: by stored statement, a fact
    naming a protected source would sit where the hidden name sorts."""
    return by_statement([fact_ref(fact, mask_for(user)) for fact in facts])


def by_statement(facts: list, *, mask: Mask | None = None) -> list:
    """Facts (or FactRefs) sorted by their statement as shown: masked by `mask` when given (Facts), as they
    are otherwise (FactRefs are already masked)."""
    shown = (lambda fact: mask.text(fact.statement)) if mask is not None else (lambda fact: fact.statement)
    return sorted(facts, key=lambda fact: (shown(fact).lower(), fact.pk))


@dataclass(slots=True)
class ClaimCard:
    """One claim as `user` may see it, with what they may do with it."""

    pk: int
    version: int
    article: Article
    kind: ProvenanceKind
    start: int
    end: int
    exact: str
    status: str
    source_label: str  # a name, a pseudonym, or a proposed name; "" when none is given
    source_proposed: bool  # typed by a reviewer, not registered yet
    source_sensitive: bool  # only ever true for those who may see sensitive names
    via: list[str]  # the relay chain, nearest to the article first, through the mask
    directness: str
    fact: FactRef | None
    proposed_fact: str
    note: str
    annotator: str
    annotator_id: int
    reviewer: str
    reviewed_at: dt.datetime | None
    review_reason: str
    review_note: str
    created: dt.datetime
    editable: bool
    before: str | None = None
    after: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def review_reason_label(self) -> str:
        return REASON_LABELS.get(self.review_reason, self.review_reason)

    @property
    def sent_back(self) -> dict | None:
        return _said(self.reviewer, self.review_reason, self.review_note)

    @property
    def directness_label(self) -> str:
        return DIRECTNESS_LABELS.get(self.directness, self.directness)

    @property
    def fact_statement(self) -> str:
        return self.fact.statement if self.fact else self.proposed_fact


def _text_of(claim: Claim) -> str:
    """The text the claim's offsets refer to: its article's, or an older revision's for an orphan."""
    if not claim.orphaned:
        return claim.article.text
    revisions = Revision.objects.filter(article_id=claim.article_id, number=claim.revision)
    return revisions.values_list("text", flat=True).first() or ""


def present(claim: Claim, user, *, in_context: bool = False) -> ClaimCard:
    """What `user` sees of `claim`. Load it with `Claim.objects.with_related()` (and its article)."""
    mask = mask_for(user)
    author = claim.annotator_id
    source = mask.of(claim.source) if claim.source_id else mask.text(claim.proposed_source, author)
    card = ClaimCard(
        pk=claim.pk,
        version=claim.version,
        article=claim.article,
        kind=claim.kind,
        start=claim.start,
        end=claim.end,
        exact=claim.exact,
        status=claim.status,
        source_label=source,
        source_proposed=bool(claim.proposed_source),
        source_sensitive=bool(claim.source_id and claim.source.sensitive and mask.reveal),
        via=shown_relays(claim, user),
        directness=claim.directness,
        fact=fact_ref(claim.fact, mask) if claim.fact_id else None,
        proposed_fact=mask.text(claim.proposed_fact, author),
        note=mask.text(claim.note, author),
        annotator=claim.annotator.get_username(),
        annotator_id=author,
        reviewer=claim.reviewer.get_username() if claim.reviewer_id else "",
        reviewed_at=claim.reviewed_at,
        review_reason=claim.review_reason,
        review_note=mask.text(claim.review_note, claim.reviewer_id),
        created=claim.created,
        editable=claim.is_editable_by(user),
    )
    if in_context:
        card.before, card.after = sentence_around(_text_of(claim), claim.start, claim.end)
    return card


def present_all(claims: Iterable[Claim], user, *, in_context: bool = False) -> list[ClaimCard]:
    return [present(claim, user, in_context=in_context) for claim in claims]


def _said(reviewer: str, reason: str, note: str) -> dict | None:
    """Who sent a claim back, why and with what note (already masked), as the author's pages show it."""
    if not (reason or note):
        return None
    if reason == Claim.Reason.TEXT_CHANGED:  # no editor's word: the article's new revision moved it
        return {"by": "A new revision of the article", "reason": REASON_LABELS[reason], "note": ""}
    return {"by": reviewer or "An editor", "reason": REASON_LABELS.get(reason, reason), "note": note}


def sent_back(claim: Claim, user) -> dict | None:
    """What sent `claim` back to its author (see `_said`), the note as `user` may read it, or None."""
    reviewer = claim.reviewer.get_username() if claim.reviewer_id else ""
    return _said(reviewer, claim.review_reason, mask_for(user).text(claim.review_note, claim.reviewer_id))
