"""Writes to a fact beyond its claims: an editor's verdict."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Fact
from .names import clean_name


@transaction.atomic
def record_verdict(*, fact: Fact, verdict: str, explanation: str, actor) -> Fact:
    """An editor's verdict on a fact (a rating label and why); an empty label clears it. Who and when are kept."""
    if not actor.has_perm("annotate.change_fact"):
        raise PermissionDenied("Only editors can record a verdict.")
    verdict, explanation = clean_name(verdict), explanation.strip()
    if explanation and not verdict:
        raise ValidationError("Give the verdict's rating, e.g. “False” or “Unproven”.", code="verdict")
    fact = Fact.objects.select_for_update().get(pk=fact.pk)
    fact.verdict, fact.verdict_explanation = verdict, explanation if verdict else ""
    fact.verdict_by, fact.verdict_at = (actor, timezone.now()) if verdict else (None, None)
    fact.save(update_fields=["verdict", "verdict_explanation", "verdict_by", "verdict_at"])
    return fact
