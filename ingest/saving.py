"""Turning a draft into an article: a new one, a new revision of one, or a duplicate reported."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError

from annotate.models import Claim
from annotate.revising import revise_article
from corpus.importing import digests, normalise, store_article
from corpus.models import Article, Revision

from .extract import Draft


@dataclass
class Saved:
    status: str  # "created", "revised", "duplicate" or "failed"
    article: Article | None = None
    message: str = ""


def duplicate_of(text: str) -> tuple[Article, int | None] | None:
    """The article whose current text (revision None) or an earlier revision of which is `text`."""
    forms = digests(normalise(text))
    if article := Article.objects.filter(text_sha256__in=forms).order_by("pk").first():
        return article, None
    if revision := Revision.objects.filter(text_sha256__in=forms).select_related("article").first():
        return revision.article, revision.number
    return None


def same_url(url: str) -> Article | None:
    """The article stored from the same canonical URL, if any: a changed text of it is a new revision."""
    return Article.objects.filter(source_url=url).order_by("pk").first() if url else None


# A new revision shares at least this much of its wording with the text it replaces (see `in_common`). A page
# that gives another article's address but shares less is another story under a wrong canonical address, or a
# rewrite large enough that an editor should say it is a new version: nothing is replaced unasked.
SAME_STORY = 0.5


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def in_common(old: str, new: str) -> float:
    """How much of the shorter text's wording (its runs of three words) the other has too, from 0 to 1:
    corrections and additions keep most of it, another story shares next to none."""
    a, b = _shingles(old), _shingles(new)
    return len(a & b) / max(1, min(len(a), len(b)))


def revision_target(draft: Draft) -> Article | None:
    """The article `draft` is a new version of by its canonical address, unless its text is another story."""
    target = same_url(draft.source_url)
    if target is None or in_common(target.text, normalise(draft.text)) < SAME_STORY:
        return None
    return target


def _duplicate_message(found: tuple[Article, int | None]) -> str:
    article, number = found
    if number is None:
        return f"already stored as “{article.title}” (/articles/{article.slug}/)"
    return f"the text of revision {number} of “{article.title}”, already stored"


def save_draft(draft: Draft, *, actor, revision_of: Article | None = None) -> Saved:
    """Store `draft`: a revision of `revision_of` (or of the article with its canonical URL), else new."""
    text = normalise(draft.text).strip()
    if not any(unicodedata.category(char)[0] not in "CZ" for char in text):  # blank, or only invisible marks
        return Saved("failed", message="the text is empty")
    for name in ("title", "author", "outlet"):  # as the text is: "Café" typed two ways is one outlet
        setattr(draft, name, normalise(getattr(draft, name) or "").strip())
    if found := duplicate_of(text):
        return Saved("duplicate", found[0], _duplicate_message(found))
    target = revision_of or same_url(draft.source_url)
    if revision_of is None and target is not None and (shared := in_common(target.text, text)) < SAME_STORY:
        return Saved(
            "failed",
            None,
            f"the page gives the address of “{target.title}” ({draft.source_url}) but its text is another "
            f"({shared:.0%} of its wording in common), so nothing was stored: if it is a new version of that "
            "article, add it as a revision of it; if it is another article, give its own address",
        )
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
