"""Plain factory functions for tests: real rows in the real test database."""

import itertools
import threading

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from annotate.models import Claim, ProvenanceKind
from annotate.services import create_claim, register_fact, register_source
from corpus.importing import sha256, unique_slug
from corpus.models import Article, Outlet

_counter = itertools.count(1)


def make_user(username: str | None = None, *, role: str | None = "reviewer", password: str = "pw-for-tests-only"):
    """A user in the given group ('reviewer', 'editor' or None)."""
    user = get_user_model().objects.create_user(username or f"user{next(_counter)}", password=password)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_article(
    text: str = "The voter turnout was 99.63%. Nobody voted against.",
    *,
    title: str | None = None,
    outlet: str | None = "Test Outlet",
    **fields,
) -> Article:
    title = title or f"Article {next(_counter)}"
    return Article.objects.create(
        slug=unique_slug(title),
        title=title,
        outlet=Outlet.objects.get_or_create(name=outlet)[0] if outlet else None,
        text=text,
        text_sha256=sha256(text),
        **fields,
    )


def kind(slug: str = "state_media") -> ProvenanceKind:
    return ProvenanceKind.objects.get(slug=slug)


def make_claim(
    article: Article,
    start: int,
    end: int,
    *,
    kind_slug: str = "state_media",
    annotator=None,
    source_name: str = "",
    fact: str = "",
    note: str = "",
) -> Claim:
    """A claim through the same service the tag panel uses, its source and fact registered as an editor would."""
    return create_claim(
        article=article,
        start=start,
        end=end,
        exact=article.text[start:end],
        kind=kind(kind_slug),
        source=register_source(name=source_name, kind=kind(kind_slug)) if source_name else None,
        fact=register_fact(statement=fact) if fact else None,
        note=note,
        annotator=annotator or make_user(),
    )


def set_relays(claim: Claim, *names: str, proposed: bool = False) -> None:
    """Give a claim a relay chain, nearest to the article first: sources registered as an editor would, or
    names held as proposed."""
    from annotate.relays import ClaimRelay

    ClaimRelay.objects.filter(claim_id=claim.pk).delete()
    for position, name in enumerate(names):
        source = None if proposed else register_source(name=name, kind=kind("news_agency"))
        ClaimRelay.objects.create(
            claim_id=claim.pk, position=position, source=source, proposed=name if proposed else ""
        )


def seed_migrated_rows() -> None:
    """The rows the migrations create (the default kinds with their roles, the two groups), for tests whose
    database was flushed: transactional tests and live-server tests."""
    import importlib

    from django.apps import apps

    from annotate.roles import ensure_roles

    importlib.import_module("annotate.migrations.0002_default_kinds").add_kinds(apps, None)
    importlib.import_module("annotate.migrations.0010_kind_roles").set_roles(apps, None)
    ensure_roles()


def in_thread(target, *args):
    """Run `target` on its own database connection; return (thread, result holder)."""
    result = {}

    def run():
        try:
            result["value"] = target(*args)
        except Exception as exc:  # handed back to the test to assert on
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def grant(user, *names: str):
    """The user with these permissions ("app_label.codename") added, read afresh (permissions are cached)."""
    from django.contrib.auth.models import Permission

    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)


def informant_claim(article, annotator, name="Kim Chol, Hyesan"):
    """A claim on article[30:51] whose source, named `name`, an editor then marked sensitive."""
    from annotate.models import Source

    claim = make_claim(article, 30, 51, kind_slug="in_country_informant", annotator=annotator, source_name=name)
    Source.objects.filter(pk=claim.source_id).update(sensitive=True)
    return claim
