"""The logic behind `POST /api/articles`: which input to read, and one clear refusal when it fails."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from corpus.models import Article

from .extract import Draft, draft_from_text, extract
from .forms import MAX_UPLOAD
from .problems import IngestProblem
from .saving import Saved, draft_from_url, save_draft

METADATA = ("title", "author", "published", "outlet", "source_url", "language")
HTTP_URL = URLValidator(schemes=["http", "https"])


def _draft(data: dict, file) -> tuple[Draft, str]:
    given = [
        name for name, present in (("url", data["url"]), ("file", file), ("text", data["text"].strip())) if present
    ]
    if len(given) != 1:
        raise ValidationError({"__all__": ["Send exactly one of url, file and text."]}, code="one_input")
    field = given[0]
    try:
        if field == "url":
            return draft_from_url(data["url"]), field
        if field == "file":
            if file.size > MAX_UPLOAD:
                raise IngestProblem(f"too large ({file.size:,} bytes; the limit is {MAX_UPLOAD:,})", code="too_large")
            return extract(file.read(), name=file.name or "", content_type=file.content_type or ""), field
        return draft_from_text(data["text"], title=data["title"]), field
    except IngestProblem as exc:
        raise ValidationError({field: [str(exc)]}, code=exc.code) from None


def add_article(data: dict, file, *, actor) -> Saved:
    """Fetch, read or take the text; metadata sent wins over what was extracted; then save."""
    draft, _ = _draft(data, file)
    for name in METADATA:
        if data.get(name):
            setattr(draft, name, data[name])
    if data.get("source_url"):
        try:
            HTTP_URL(data["source_url"])
        except ValidationError:  # as the browser's form and the manifest: a javascript: link is no address
            raise ValidationError({"source_url": ["Give an http:// or https:// address."]}, code="bad_url") from None
    target = None
    if data["revision_of"]:
        target = Article.objects.filter(slug=data["revision_of"]).first()
        if target is None:
            raise ValidationError({"revision_of": [f"No article has the slug “{data['revision_of']}”."]})
    saved = save_draft(draft, actor=actor, revision_of=target)
    if saved.status == "failed":
        raise ValidationError({"__all__": [saved.message]}, code="not_saved")
    return saved
