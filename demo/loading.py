"""Load the demo annotations: sources, facts and claims of the seed corpus, quoted rather than offset.

Loading is idempotent and additive. It creates only what is missing: a source or fact that already
exists (by name, alias or slug) is used as it is, and claims are created for a dedicated demo
account only, so nothing a user made is ever changed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from annotate import roles
from annotate.chains import set_affiliation
from annotate.fact_services import fact_slug
from annotate.masking import holds_protected_name
from annotate.models import Claim, Fact, ProvenanceKind, Source, SourceAlias
from annotate.services import create_claim
from corpus.models import Article
from review import services as review

DEMO_FILE = Path(__file__).with_name("annotations.toml")
DEMO_USERNAME = "demo"
# The demo's claims are accepted by this account, except those of `pending_articles`, left for the queue.
DEMO_DESK = "demo-desk"


class DemoError(Exception):
    """The demo file does not fit the database; nothing was stored."""


@dataclass
class Report:
    created: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def _offset(text: str, quote: str, occurrence: int) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.find(quote, start + 1)
        if start < 0:
            break
    return start


@transaction.atomic
def load(path: Path = DEMO_FILE) -> Report:
    """Create the demo sources, facts and claims that are not there yet."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = {kind.slug: kind for kind in ProvenanceKind.objects.all()}
    sources = _sources(data.get("source", []), kinds)
    facts = _facts(data.get("fact", []))
    return _claims(data, kinds, sources, facts)


def _account(username: str, last_name: str):
    """The demo's account of that name, made without a usable password: nobody signs in as it."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Demo", "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user, created


def _sources(entries: list[dict], kinds: dict) -> dict[str, Source]:
    """The demo's sources by name: those already registered (by name or alias) as they are, the rest new."""
    sources, created = {}, set()
    for entry in entries:
        if entry["kind"] not in kinds:
            raise DemoError(f"source {entry['name']!r}: unknown kind {entry['kind']!r}")
        source = Source.objects.named(entry["name"]).first()
        if source is None:
            source = Source.objects.create(
                name=entry["name"],
                kind=kinds[entry["kind"]],
                description=entry.get("description", ""),
                sensitive=entry.get("sensitive", False),
            )
            created.add(entry["name"])
            for alias in entry.get("aliases", []):
                if not Source.objects.named(alias).exists():
                    SourceAlias.objects.create(source=source, name=alias)
        sources[entry["name"]] = source
    for entry in entries:  # affiliations once every source is there; existing sources stay as editors keep them
        source, parent = sources[entry["name"]], entry.get("affiliation")
        if parent and entry["name"] in created:
            if parent not in sources:
                raise DemoError(f"source {entry['name']!r}: unknown affiliation {parent!r}")
            set_affiliation(source=source, affiliation=sources[parent])
    return sources


def _facts(entries: list[dict]) -> dict[str, Fact]:
    """The demo's facts by slug, with the conflicts between those this run created."""
    facts, new_facts = {}, set()
    for entry in entries:
        fact = Fact.objects.filter(slug=entry["slug"]).first() or Fact.objects.stated(entry["statement"]).first()
        if fact is None:
            slug = entry["slug"] if not holds_protected_name(entry["slug"]) else fact_slug(entry["statement"])
            fact = Fact.objects.create(slug=slug, statement=entry["statement"], note=entry.get("note", ""))
            new_facts.add(entry["slug"])
        facts[entry["slug"]] = fact
    for entry in entries:
        for other in entry.get("conflicts_with", []):
            # Conflicts link only facts this run created: existing facts are someone else's to judge.
            if entry["slug"] in new_facts and other in new_facts:
                facts[entry["slug"]].conflicts.add(facts[other])
    return facts


def _claims(data: dict, kinds: dict, sources: dict, facts: dict) -> Report:
    """The demo's claims, by the demo account, accepted by the demo desk but for `pending_articles`."""
    user, _ = _account(DEMO_USERNAME, "annotations")
    desk, created = _account(DEMO_DESK, "review desk")
    if created:
        desk.groups.add(Group.objects.get(name=roles.EDITOR))
    pending = set(data.get("pending_articles", []))
    entries = data.get("claim", [])
    articles = {a.slug: a for a in Article.objects.filter(slug__in={c["article"] for c in entries})}
    report = Report()
    for entry in entries:
        article = articles.get(entry["article"])
        if article is None:
            report.skipped.append(f"article {entry['article']!r} is not imported")
            continue
        start = _offset(article.text, entry["quote"], entry.get("occurrence", 1))
        if start < 0:
            raise DemoError(f"{entry['article']}: quote not found: {entry['quote'][:60]!r}")
        end, kind = start + len(entry["quote"]), kinds[entry["kind"]]
        if Claim.objects.filter(article=article, start=start, end=end, kind=kind, annotator=user).exists():
            report.unchanged += 1
            continue
        claim = create_claim(
            article=article,
            start=start,
            end=end,
            exact=entry["quote"],
            kind=kind,
            source=sources.get(entry.get("source", "")),
            fact=facts[entry["fact"]] if entry.get("fact") else None,
            relays=[sources[name] for name in entry.get("via", [])],
            directness=entry.get("directness", ""),
            note=entry.get("note", ""),
            annotator=user,
        )
        if entry["article"] not in pending:
            review.decide(claim_id=claim.pk, version=claim.version, editor=desk, decision="accept")
        report.created += 1
    return report
