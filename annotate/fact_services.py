"""Writes to a fact beyond its claims: its web address, kept free of protected names; an editor's verdict."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.text import slugify

from .masking import holds_protected_name, protected_pattern, remove_sensitive_names, skeleton
from .models import Fact, may_change
from .names import clean_name


def fact_slug(statement: str, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """A new fact's web address from its statement, unique. Sensitive names stay out of it: everyone sees a
    fact's slug (`unname_fact_slugs` gives a new one to a fact whose slug holds a name protected since)."""
    base = _slug_base(statement, using=using)
    if holds_protected_name(base, using=using):  # spelt so that the redaction missed it
        base = "fact"
    slug, n = base, 2
    while Fact.objects.using(using).filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


SLUG_LENGTH = 80


def _slug_base(statement: str, *, using: str) -> str:
    """The words of the statement, names left out, as an address writes them: whole words only, so that the
    address holds a name only where the statement does (by the rule that finds names), never one that the
    making of the address uncovers. Otherwise a fact would get the bare "fact" for that reason alone, which
    tells that a name its statement shows is a protected one."""
    # Read as `skeleton` reads it (every dash, "_" or minus a space): "Choe Myong–hui" gave "choe-myonghui".
    words = []
    for word in skeleton(remove_sensitive_names(statement, using=using)).split():
        written = slugify(word)
        # A letter with no ASCII form ("huiж") is not simply dropped, which would leave "hui" a word.
        if written and any(char.isalnum() and not slugify(char) for char in word):
            written += "x"
        if written:
            words.append(written)
    slug = "-".join(words)
    if len(slug) > SLUG_LENGTH:  # cut between words: a word cut short may spell a name
        slug = slug[: SLUG_LENGTH + 1].rsplit("-", 1)[0][:SLUG_LENGTH]
    return slug.strip("-") or "fact"


def unname_fact_slugs(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Give a new slug to every fact whose slug holds a protected name or alias, or whose statement holds one
    and whose slug is not the one made from the statement with it left out (a slug made before the name was
    protected may spell it in a form the name's rule does not read, "choe-myonghui"); in the caller's
    transaction, after any write that protects a name (a source marked sensitive or renamed, an alias added,
    a merge) and after a fact is given a slug it did not make itself (an import's, the admin's). The old
    address stops answering; keeping it would keep the name in every link to the fact. Returns how many
    changed."""
    pattern = protected_pattern(using)
    if pattern is None:
        return 0
    changed = 0
    # Read whole before writing: SQLite does not isolate a query being read from writes on its connection.
    for pk, slug, statement in list(Fact.objects.using(using).values_list("pk", "slug", "statement")):
        if not holds_protected_name(slug, pattern=pattern):
            if not holds_protected_name(statement, pattern=pattern):
                continue
            base = _slug_base(statement, using=using)
            if re.fullmatch(rf"{re.escape(base)}(-\d+)?", slug):
                continue
        Fact.objects.using(using).filter(pk=pk).update(slug=fact_slug(statement, using=using))
        changed += 1
    return changed


@transaction.atomic
def record_verdict(*, fact: Fact, verdict: str, explanation: str, actor) -> Fact:
    """An editor's verdict on a fact (a rating label and why); an empty label clears it. Who and when are kept."""
    if not may_change(actor, "annotate.change_fact"):
        raise PermissionDenied("Only editors can record a verdict.")
    verdict, explanation = clean_name(verdict), explanation.strip()
    if explanation and not verdict:
        raise ValidationError("Give the verdict's rating, e.g. “False” or “Unproven”.", code="verdict")
    fact = Fact.objects.select_for_update().get(pk=fact.pk)
    fact.verdict, fact.verdict_explanation = verdict, explanation if verdict else ""
    fact.verdict_by, fact.verdict_at = (actor, timezone.now()) if verdict else (None, None)
    fact.save(update_fields=["verdict", "verdict_explanation", "verdict_by", "verdict_at"])
    return fact
