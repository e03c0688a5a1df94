"""Writes: accepting a suggestion (a claim, made by the one tagging service) and dismissing one."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotate.models import Claim, ProvenanceKind
from annotate.services import create_claim
from corpus.models import Article

from .engine import ENGINE_VERSION, Suggestion
from .models import Dismissal
from .reading import text_key


def origin_of(suggestion: Suggestion, *, edited: bool) -> dict:
    """What the audit event records of an accepted suggestion."""
    return {
        "suggestion": suggestion.key,
        "engine": ENGINE_VERSION,
        "score": suggestion.score,
        "reason": suggestion.reason,
        "edited": edited,
    }


@transaction.atomic
def accept_suggestion(
    *,
    article: Article,
    suggestion: Suggestion,
    annotator,
    kind: ProvenanceKind,
    source_name: str = "",
    fact_statement: str = "",
    via: Sequence[str] = (),
    directness: str = "",
    note: str = "",
    edited: bool = False,
) -> Claim:
    """The suggestion as a claim of `annotator`'s, through `create_claim` (the same checks, rights and audit
    trail as tagging by hand); its audit event names the suggestion, the engine version and the score.
    `via` is the relay chain as the reviewer saw or edited it, nearest to the article first: each name is
    resolved by `resolve_relays` with the reviewer's rights, as the tag panel's Via field is."""
    return create_claim(
        article=article,
        start=suggestion.start,
        end=suggestion.end,
        exact=suggestion.exact,
        kind=kind,
        source_name=source_name,
        fact_statement=fact_statement,
        via=list(via),
        directness=directness,
        note=note,
        annotator=annotator,
        origin=origin_of(suggestion, edited=edited),
    )


@transaction.atomic
def dismiss_suggestion(*, article: Article, suggestion: Suggestion, actor) -> Dismissal:
    """Remember that this text was dismissed on this article: it is not proposed again, to anyone."""
    fields = {
        "exact": suggestion.exact,
        "start": suggestion.start,
        "kind": suggestion.kind,
        "engine": ENGINE_VERSION,
        "score": suggestion.score,
        "dismissed_by": actor,
    }
    try:
        with transaction.atomic():
            dismissal, _ = Dismissal.objects.get_or_create(
                article=article, key=text_key(suggestion.exact), defaults=fields
            )
    except IntegrityError:  # dismissed twice at once: the first one stands
        dismissal = Dismissal.objects.filter(article=article, key=text_key(suggestion.exact)).first()
        if dismissal is None:
            raise ValidationError("The suggestion could not be dismissed; try again.", code="dismiss") from None
    return dismissal
