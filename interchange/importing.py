"""Importing claims: W3C Web Annotation (JSON-LD) and our JSON Lines, anchored again in the articles' text.

Each annotation is imported on its own, all or nothing: one that names an unknown article or kind, or
whose quote cannot be found in the text, is reported and leaves no trace, while the others are stored.
An annotation already there (same article, span, kind and annotator) is left alone, so importing a file
twice creates nothing the second time.

Nothing in a file is trusted to say who someone here is: a creator or reviewer it names is matched only
to an account that cannot sign in (one an earlier import made, or the demo's), or becomes such an
account. Crediting a claim or a review to an account that can sign in takes the operator's word:
`trust_accounts` (--trust-accounts), or `annotator` (--annotator) for every claim's creator.

Whatever the file holds, each annotation ends as an Outcome (a file that cannot be read at all, as one
FileProblem): wrong types, text no database can store, nesting too deep to parse are reported, not raised.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from annotate import chains
from annotate.fact_services import unname_fact_slugs
from annotate.masking import holds_protected_name
from annotate.models import Claim, Fact, ProvenanceKind, Source
from annotate.names import clean_name, is_reserved
from annotate.relays import MAX_RELAYS, split_via
from annotate.services import create_claim, log_event, register_fact, register_source
from corpus.models import Article

from .reading import Incoming, Rejected, parse, shown

RELAY_NAME_LIMIT = Source._meta.get_field("name").max_length
ARTICLE_PATH = re.compile(r"/articles/([-\w]+)/?$")
ARTICLE_CACHE = 1_000  # articles kept between annotations; a file usually holds many claims per article


@dataclass
class Outcome:
    """What became of one annotation: created, unchanged or failed (with the reason), and any warnings."""

    ref: str
    status: str
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    claim: Claim | None = None


# ---- anchoring ---------------------------------------------------------------------------------------


def anchor(text: str, *, exact: str, prefix: str = "", suffix: str = "", start=None, end=None) -> tuple[int, int]:
    """Where the quote is in `text`: at [start, end) if it is still there, else the one place that fits it.

    Several places fit: those with both the prefix and the suffix around them are preferred, then
    those with either; the match must be unique. Raises Rejected otherwise.
    """
    if not exact:
        raise Rejected("no quote to anchor (TextQuoteSelector exact)")
    positioned = isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool)
    if positioned and 0 <= start < end <= len(text) and text[start:end] == exact:
        return start, end
    hits, at = [], text.find(exact)
    while at >= 0:
        hits.append(at)
        at = text.find(exact, at + 1)
    if not hits:
        raise Rejected("quote not found")
    if len(hits) > 1:
        before = {h for h in hits if prefix and text.endswith(prefix, 0, h)}
        after = {h for h in hits if suffix and text.startswith(suffix, h + len(exact))}
        narrowed = sorted(before & after) or sorted(before | after)
        if len(narrowed) != 1:
            raise Rejected(f"quote found {len(hits)} times, and its context does not tell which")
        hits = narrowed
    return hits[0], hits[0] + len(exact)


# ---- storing ---------------------------------------------------------------------------------------


class Importer:
    """Imports annotations one at a time, each in its own transaction, remembering kinds and articles.

    `annotator` credits every claim to that user. Names in the file are matched to accounts that cannot
    sign in, or make such accounts; with `trust_accounts` they may name accounts that can sign in too.
    """

    def __init__(self, *, annotator=None, trust_accounts: bool = False):
        self.annotator = annotator
        self.trust_accounts = trust_accounts
        self.kinds = {kind.slug: kind for kind in ProvenanceKind.objects.all()}
        self.articles: dict[tuple[str, str], Article] = {}
        self.users: dict[str, object] = {}

    def run(self, ref: str, value) -> Outcome:
        """Import one annotation; never raises for a bad annotation, reports it instead."""
        outcome = self._run(ref, value)
        outcome.ref = shown(outcome.ref)
        outcome.reason = shown(outcome.reason, 500)
        outcome.warnings = [shown(warning, 500) for warning in outcome.warnings]
        return outcome

    def _run(self, ref: str, value) -> Outcome:
        try:
            item = parse(ref, value)
            return self._store(item)
        except Rejected as exc:
            return Outcome(ref, "failed", str(exc))
        except (ValidationError, DatabaseError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else f"database error: {exc}"
            return Outcome(ref, "failed", message)
        except (RecursionError, MemoryError):
            return Outcome(ref, "failed", "too large or nested too deeply to import")

    def _store(self, item: Incoming) -> Outcome:
        kind = self.kinds.get(item.kind)
        if kind is None:
            raise Rejected(f"unknown kind “{item.kind}”" if item.kind else "no kind of source")
        article = self._article(item)
        exact, prefix, suffix = (unicodedata.normalize("NFC", s) for s in (item.exact, item.prefix, item.suffix))
        start, end = anchor(article.text, exact=exact, prefix=prefix, suffix=suffix, start=item.start, end=item.end)
        warnings = []
        if (start, end) != (item.start, item.end):
            was = f"{item.start}-{item.end}" if item.start is not None else "no position"
            warnings.append(f"quote re-anchored by its text: {was} -> {start}-{end}")
        username = self._username(item)
        existing = self.users.get(username) or get_user_model().objects.filter(username=username).first()
        if existing is not None:
            self.users[username] = existing
            same = Claim.objects.filter(article=article, start=start, end=end, kind=kind, annotator=existing)
            if same.exists():
                return Outcome(item.ref, "unchanged")
            if self.annotator is None:
                self._may_credit(existing, "creator", "credit it, or --annotator USER")
        self._check_choices(item)
        if item.reviewer:
            reviewer = get_user_model().objects.filter(username=self._checked_username(item.reviewer)).first()
            if reviewer is not None:
                self._may_credit(reviewer, "reviewer", "credit the review to it")
        with transaction.atomic():
            annotator = existing or self._account(username)
            claim = create_claim(
                article=article,
                start=start,
                end=end,
                exact=exact,
                kind=kind,
                source=self._source(item, kind, warnings),
                fact=self._fact(item),
                relays=self._relays(item, kind, warnings),
                directness=item.directness,
                note=item.note,
                annotator=annotator,
            )
            self._review(claim, item, annotator)
        self.users[username] = annotator
        return Outcome(item.ref, "created", warnings=warnings, claim=claim)

    def _article(self, item: Incoming) -> Article:
        """The article the target's source names: by source URL, else by slug (ours, or in a URL of this site)."""
        key = (item.article_url, item.article_slug)
        if key in self.articles:
            return self.articles[key]
        article = None
        if item.article_url:
            found = list(Article.objects.filter(source_url=item.article_url)[:10])
            if len(found) == 1:
                article = found[0]
            elif found:
                article = next((a for a in found if a.slug == item.article_slug), None)
        slug = item.article_slug
        if article is None and not slug and (match := ARTICLE_PATH.search(_url_path(item.article_url))):
            slug = match[1]
        if article is None and slug:
            article = Article.objects.filter(slug=slug).first()
        if article is None:
            named = " ".join(
                part for part in (item.article_url, f"({item.article_slug})" if item.article_slug else "") if part
            )
            raise Rejected(f"unknown article {named}" if named else "no article: the target has no source")
        if len(self.articles) >= ARTICLE_CACHE:
            self.articles.clear()
        self.articles[key] = article
        return article

    def _username(self, item: Incoming) -> str:
        if self.annotator is not None:
            return self.annotator.get_username()
        username = item.annotator.strip()
        if not username:
            raise Rejected("no creator: name the annotator with --annotator")
        user_model = get_user_model()
        try:
            user_model.username_validator(username)
        except ValidationError:
            raise Rejected(f"the creator “{username}” is not a valid username: use --annotator") from None
        if len(username) > user_model._meta.get_field(user_model.USERNAME_FIELD).max_length:
            raise Rejected(f"the creator “{username[:40]}…” is too long for a username: use --annotator")
        return username

    def _may_credit(self, user, role: str, action: str) -> None:
        """Refuse to credit an account that can sign in, unless the operator trusts the file's names."""
        if user.has_usable_password() and not self.trust_accounts:
            raise Rejected(
                f"{role} “{user.get_username()}” is an existing account that can sign in: "
                f"pass --trust-accounts to {action}"
            )

    def _account(self, username: str):
        """An existing user, or a new account that cannot sign in (the file only says who made the claim)."""
        if username in self.users:
            return self.users[username]
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _check_choices(self, item: Incoming) -> None:
        for name, value, choices in (
            ("directness", item.directness, Claim.Directness.values),
            ("status", item.status, Claim.Status.values),
            ("review reason", item.review_reason, Claim.Reason.values),
        ):
            if value and value not in choices:
                raise Rejected(f"unknown {name} “{value}”")
        for what, text, limit in (
            *(("a relay's name (prov:via)", name, RELAY_NAME_LIMIT) for name in split_via(item.via)),
            ("the source's name", clean_name(item.source), Source._meta.get_field("name").max_length),
            ("the fact's statement", clean_name(item.fact_statement), Fact._meta.get_field("statement").max_length),
        ):
            if len(text) > limit:
                raise Rejected(f"{what} is longer than {limit} characters")
        if len(split_via(item.via)) > MAX_RELAYS:
            raise Rejected(f"the relay chain (prov:via) has more than {MAX_RELAYS} sources")
        if item.review_reason and item.status not in (Claim.Status.REJECTED, Claim.Status.CHANGES_REQUESTED):
            raise Rejected("a review reason goes only with a rejected claim or a request for changes")

    def _source(self, item: Incoming, kind: ProvenanceKind, warnings: list[str]) -> Source | None:
        """The claim's source: the registered one of that name, or a new one with the file's kind and sensitivity.

        The operator who imports a file is trusted with the registry, sensitive sources included. A name
        the export withheld (a pseudonym) is not a name: the claim is imported without a source.
        """
        name = clean_name(item.source)
        if not name:
            return None
        if item.source_protected or is_reserved(name):
            warnings.append("the source's name was withheld in the file: imported without a source")
            return None
        existing = Source.objects.named(name).first()
        if existing is None:
            source_kind = self.kinds.get(item.source_kind, kind)
            if item.source_kind and item.source_kind not in self.kinds:
                warnings.append(f"unknown kind “{item.source_kind}” for the new source: given the claim's kind")
            source = register_source(name=name, kind=source_kind, sensitive=item.source_sensitive)
            if source.sensitive:
                unname_fact_slugs()  # a fact's web address may spell the name it protects now
            return source
        if item.source_sensitive and not existing.sensitive:
            warnings.append(f"the source “{existing.name}” is sensitive in the file but not here: left as it is")
        return existing

    def _relays(self, item: Incoming, kind: ProvenanceKind, warnings: list[str]) -> list[Source]:
        """The relay chain's sources, registered like the claim's source; a withheld name (a pseudonym) is left out."""
        relays, relay_kind = [], None
        for name in split_via(item.via):
            if is_reserved(name):
                warnings.append("a relay's name was withheld in the file: left out of the chain")
                continue
            if (existing := Source.objects.named(name).first()) is None:
                relay_kind = relay_kind or chains.relay_kind(kind)
                existing = register_source(name=name, kind=relay_kind)
            relays.append(existing)
        return relays

    def _fact(self, item: Incoming) -> Fact | None:
        """The claim's fact: by the file's slug or statement, or a new fact under the file's slug."""
        slug, statement = item.fact_slug.strip(), clean_name(item.fact_statement)
        if not slug and not statement:
            return None
        fact = (Fact.objects.filter(slug=slug).first() if slug else None) or (
            Fact.objects.stated(statement).first() if statement else None
        )
        if fact is not None:
            return fact
        if not statement:
            raise Rejected(f"unknown fact “{slug}” (the file gives no statement to create it from)")
        if _valid_slug(slug) and not holds_protected_name(slug, using=DEFAULT_DB_ALIAS):
            return Fact.objects.create(slug=slug, statement=statement)
        return register_fact(statement=statement)

    def _review(self, claim: Claim, item: Incoming, annotator) -> None:
        """The file's review (status, reviewer, when, why), set on the new claim with an audit event."""
        if not (item.status and item.status != Claim.Status.PENDING) and not item.reviewer:
            return
        before = claim.snapshot()
        reviewer = self._account(self._checked_username(item.reviewer)) if item.reviewer else None
        claim.status = item.status or Claim.Status.PENDING
        claim.reviewer = reviewer
        claim.reviewed_at = _instant(item.reviewed_at) if item.reviewed_at else None
        claim.review_reason = item.review_reason
        claim.review_note = item.review_note
        claim.save(update_fields=["status", "reviewer", "reviewed_at", "review_reason", "review_note", "updated"])
        if claim.status != Claim.Status.PENDING:
            log_event(claim.status, claim, reviewer or annotator, before=before, after=claim.snapshot())

    def _checked_username(self, username: str) -> str:
        user_model = get_user_model()
        try:
            user_model.username_validator(username)
        except ValidationError:
            raise Rejected(f"the reviewer “{username}” is not a valid username") from None
        if len(username) > user_model._meta.get_field(user_model.USERNAME_FIELD).max_length:
            raise Rejected(f"the reviewer “{username[:40]}…” is too long for a username")
        return username


def _url_path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:  # e.g. a malformed IPv6 host
        return ""


def _valid_slug(slug: str) -> bool:
    if not slug or len(slug) > Fact._meta.get_field("slug").max_length:
        return False
    try:
        validate_slug(slug)
    except ValidationError:
        return False
    return True


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        value.astimezone(dt.UTC)  # as it will be stored: years 1 and 9999 may not survive it
    except (ValueError, OverflowError):
        raise Rejected(f"“{text}” is not a date and time (ISO 8601) that can be stored") from None
    return value


def import_items(
    items: Iterable[tuple[str, object]], *, annotator=None, trust_accounts: bool = False
) -> Iterator[Outcome]:
    """Import (reference, JSON value) pairs as `read` yields them; an Outcome for each."""
    importer = Importer(annotator=annotator, trust_accounts=trust_accounts)
    for ref, value in items:
        yield importer.run(ref, value)
