"""Turning a draft into an article: a new one, a new revision of one, or a duplicate reported."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError

from annotate.models import Claim
from annotate.revising import revise_article
from corpus.importing import normalise, sha256, store_article
from corpus.models import Article, Revision

from .extract import Draft


@dataclass
class Saved:
    status: str  # "created", "revised", "duplicate" or "failed"
    article: Article | None = None
    message: str = ""


def duplicate_of(text: str) -> tuple[Article, int | None] | None:
    """The article whose current text (revision None) or an earlier revision of which is `text`."""
    digest = sha256(normalise(text).strip())
    if article := Article.objects.filter(text_sha256=digest).first():
        return article, None
    if revision := Revision.objects.filter(text_sha256=digest).select_related("article").first():
        return revision.article, revision.number
    return None


def same_url(url: str) -> Article | None:
    """The article stored from the same canonical URL, if any: a changed text of it is a new revision."""
    return Article.objects.filter(source_url=url).order_by("pk").first() if url else None


def _duplicate_message(found: tuple[Article, int | None]) -> str:
    article, number = found
    if number is None:
        return f"already stored as “{article.title}” (/articles/{article.slug}/)"
    return f"the text of revision {number} of “{article.title}”, already stored"


def save_draft(draft: Draft, *, actor, revision_of: Article | None = None) -> Saved:
    """Store `draft`: a revision of `revision_of` (or of the article with its canonical URL), else new."""
    text = normalise(draft.text).strip()
    if not text:
        return Saved("failed", message="the text is empty")
    if found := duplicate_of(text):
        return Saved("duplicate", found[0], _duplicate_message(found))
    target = revision_of or same_url(draft.source_url)
    if target is not None and actor is None and Claim.objects.filter(article=target).exists():
        return Saved(
            "failed", target, f"a new revision of “{target.title}” moves its claims: name the editor (--editor)"
        )
    try:
        if target is not None:
            revised = revise_article(article=target, text=text, actor=actor, source_url=draft.source_url)
            return Saved("revised", revised.article, revised.summary())
        meta = {
            "title": draft.title.strip() or "Untitled article",
            "author": draft.author,
            "published": draft.published,
            "outlet": draft.outlet,
            "source_url": draft.source_url,
            "language": draft.language or "en",
        }
        article = store_article(name=draft.origin.rsplit("/", 1)[-1][:500], text=text, meta=meta)
    except ValidationError as exc:
        return Saved("failed", message=" ".join(exc.messages))
    except IntegrityError as exc:
        if found := duplicate_of(text):  # the same text saved at the same moment by someone else
            return Saved("duplicate", found[0], _duplicate_message(found))
        return Saved("failed", message=f"not stored: {exc}".splitlines()[0])
    except DatabaseError as exc:
        return Saved("failed", message=f"not stored: {exc}".splitlines()[0])
    return Saved("created", article, f"{len(text):,} characters")


def draft_from_url(url: str) -> Draft:
    """Fetch a page (within the limits and the address guard) and extract its article."""
    from .extract import extract
    from .fetch import fetch

    fetched = fetch(url)
    draft = extract(fetched.data, content_type=fetched.content_type, charset=fetched.charset, url=fetched.url)
    draft.origin = url
    return draft
