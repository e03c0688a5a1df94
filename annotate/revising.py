"""A new text for an article: keep the old one as a revision and re-anchor every claim on it.

`corpus.anchoring` decides where each quote lies in the new text; this service writes the outcome:
moved claims get the new revision's offsets, orphans stay on the revision whose text they quote,
each with an audit event, and claims whose quote changed go back to the review queue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from corpus.anchoring import Anchor, Placement, reanchor
from corpus.importing import normalise, sha256
from corpus.models import Article, Revision

from .models import Claim, ReviewEvent
from .spans import context

UPDATED_FIELDS = [
    "revision",
    "orphaned",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "status",
    "review_reason",
    "version",
    "updated",
]


@dataclass
class Revised:
    """What a new revision did to an article's claims."""

    article: Article
    number: int
    counts: Counter = field(default_factory=Counter)  # by placement status
    orphans: list[int] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{n} {status}" for status, n in sorted(self.counts.items())]
        return f"revision {self.number}" + (f" ({', '.join(parts)})" if parts else "")


def _apply(claim: Claim, placement: Placement, *, text: str, number: int) -> str | None:
    """Set the claim's new state in memory; the audit action, or None if nothing a reader sees moved."""
    if placement.status == "orphaned":
        claim.orphaned = True
        claim.status, claim.review_reason = Claim.Status.PENDING, Claim.Reason.TEXT_CHANGED
        return ReviewEvent.Action.ORPHANED
    claim.revision = number
    claim.start, claim.end, claim.exact = placement.start, placement.end, placement.exact
    claim.prefix, claim.suffix = context(text, placement.start, placement.end)
    if placement.status == "edited":
        claim.status, claim.review_reason = Claim.Status.PENDING, Claim.Reason.TEXT_CHANGED
    return None if placement.status == "unchanged" else ReviewEvent.Action.MOVED


@transaction.atomic
def revise_article(*, article: Article, text: str, actor, source_url: str = "") -> Revised:
    """Replace an article's text with a changed version, keeping the old one and re-anchoring claims.

    Raises ValidationError if the text is the article's own or another article's current text.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    text = normalise(text)
    digest = sha256(text)
    if not text.strip():
        raise ValidationError("The new text is empty.", code="empty")
    if digest == article.text_sha256:
        raise ValidationError(f"This is already the text of “{article.title}”.", code="unchanged")
    if Article.objects.filter(text_sha256=digest).exclude(pk=article.pk).exists():
        raise ValidationError("This text is already stored as another article.", code="duplicate")
    old_text, number = article.text, article.revision + 1
    Revision.objects.create(
        article=article,
        number=article.revision,
        text=old_text,
        text_sha256=article.text_sha256,
        source_url=article.source_url,
    )
    claims = list(
        Claim.objects.select_for_update(of=("self",))
        .filter(article=article, orphaned=False)
        .select_related("kind", "source", "fact", "reviewer")
        .order_by("start", "pk")
    )
    anchors = [Anchor(c.pk, c.start, c.end, c.exact, c.prefix, c.suffix) for c in claims]
    placements = reanchor(old_text, text, anchors)
    Article.objects.filter(pk=article.pk).update(
        text=text,
        text_sha256=digest,
        revision=number,
        source_url=source_url or article.source_url,
        updated=timezone.now(),
    )
    article.refresh_from_db()
    revised = Revised(article, number)
    _record(claims, placements, revised=revised, text=text, actor=actor)
    return revised


def _record(claims: list[Claim], placements: list[Placement], *, revised: Revised, text: str, actor) -> None:
    """Write every claim's new place (or its orphaning) and the audit events, in two bulk queries."""
    article, number = revised.article, revised.number
    taken = set()  # one claim per span, kind and annotator, as the database requires
    events = []
    for claim, placement in zip(claims, placements, strict=True):
        key = (placement.start, placement.end, claim.kind_id, claim.annotator_id)
        if placement.status != "orphaned" and key in taken:
            placement = Placement(claim.pk, "orphaned", reason="ambiguous")
        taken.add(key)
        before = claim.snapshot()
        action = _apply(claim, placement, text=text, number=number)
        revised.counts[placement.status] += 1
        if placement.status == "orphaned":
            revised.orphans.append(claim.pk)
        claim.version += 1  # the rows are locked: no other writer can have bumped it meanwhile
        claim.updated = timezone.now()
        if action:
            after = claim.snapshot() | {"anchoring": placement.reason or placement.status}
            events.append(
                ReviewEvent(
                    claim=claim,
                    claim_ref=claim.pk,
                    article=article,
                    actor=actor,
                    action=action,
                    before=before,
                    after=after,
                )
            )
    Claim.objects.bulk_update(claims, UPDATED_FIELDS, batch_size=500)
    ReviewEvent.objects.bulk_create(events)
