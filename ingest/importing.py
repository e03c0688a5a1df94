"""What `import_articles` does with HTML, PDF and URLs: extract, then save as the browser does."""

from __future__ import annotations

from corpus.importing import Candidate, Result

from .extract import Draft, extract
from .problems import IngestProblem
from .saving import draft_from_url, save_draft

STATUS = {"created": "created", "revised": "revised", "duplicate": "unchanged", "failed": "failed"}


def _with_manifest(draft: Draft, meta: dict) -> Draft:
    """A manifest entry's fields win over what was extracted."""
    for key in ("title", "author", "published", "source_url", "language"):
        if key in meta:
            setattr(draft, key, meta[key] if meta[key] is not None else None)
    if "outlet" in meta:
        draft.outlet = meta["outlet"]
    return draft


def _result(where, draft: Draft, actor) -> Result:
    saved = save_draft(draft, actor=actor)
    return Result(where, STATUS[saved.status], saved.article, saved.message)


def import_document(candidate: Candidate, data: bytes, *, actor=None) -> Result:
    """An HTML or PDF file (already read within the size limit) as an article or a new revision."""
    try:
        draft = extract(data, name=candidate.path.name)
    except IngestProblem as exc:
        return Result(candidate.path, "failed", reason=str(exc))
    draft.origin = candidate.path.name
    return _result(candidate.path, _with_manifest(draft, candidate.meta), actor)


def import_url(url: str, *, actor=None) -> Result:
    """A page fetched within the limits and the address guard, as an article or a new revision."""
    try:
        draft = draft_from_url(url)
    except IngestProblem as exc:
        return Result(url, "failed", reason=str(exc))
    return _result(url, draft, actor)
