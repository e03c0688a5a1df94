"""The source registry in the API: `GET /api/sources`, `GET/PATCH /api/sources/{id}`.

Reviewers see the public sources (a sensitive one is never listed to them, as in the autocomplete), with
an affiliation that is a protected source shown by its pseudonym; editors see and change every source.
Changes go through the sources page's own form and service, so the same rules hold: names and aliases
unique by their key, no reserved name, no affiliation that goes round in a circle.
"""

from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest
from ninja import Field, Schema
from pydantic import ConfigDict

from annotate.forms import SourceForm
from annotate.masking import mask_for
from annotate.models import ProvenanceKind, Source, may_change
from annotate.source_services import save_source

from . import pages
from .api import REFUSED, PageNumber, PageSize, _require, api
from .schemas import Error, FieldErrors, Text

AliasName = Annotated[Text, Field(min_length=1, max_length=200)]


class SourceOut(Schema):
    id: int
    name: str = Field(description="The source's name; a protected source is listed only to editors.")
    kind: str = Field(description="Its kind of source's slug.")
    aliases: list[str]
    sensitive: bool
    affiliation: str | None = Field(
        description="The source it belongs to or speaks for (a pseudonym if that one is protected), or null."
    )


class SourcePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[SourceOut]


class SourcePatch(Schema):
    """Changes to a source; fields left out keep their values, `affiliation: null` clears it."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: Text | None = Field(None, description="A kind of source's slug.")
    aliases: list[AliasName] | None = Field(None, max_length=100, description="Every other name; replaces them.")
    sensitive: bool | None = None
    affiliation: Text | None = Field(None, max_length=200, description="Another source's name or alias, or null.")


def source_json(source: Source, user) -> dict:
    mask = mask_for(user)
    return {
        "id": source.pk,
        "name": mask.of(source),
        "kind": source.kind.slug,
        "aliases": [alias.name for alias in source.aliases.all()] if not source.sensitive or mask.reveal else [],
        "sensitive": source.sensitive,
        "affiliation": mask.of(source.affiliation) or None,
    }


def _sources(user):
    return (
        Source.objects.visible_to(user)
        .select_related("kind", "affiliation")
        .prefetch_related("aliases")
        .order_by(Lower("name"), "pk")
    )


def _visible(request: HttpRequest, pk: int) -> Source:
    source = _sources(request.user).filter(pk=pk).first()
    if source is None:
        raise Http404(f"No source has the id {pk}.")
    return source


@api.get("/sources", response={200: SourcePage, 400: FieldErrors, **REFUSED}, tags=["sources"], url_name="sources")
def list_sources(request, q: str = "", page: int = PageNumber, page_size: int = PageSize):
    """Registered sources by name; `q` keeps those whose name or an alias contains it."""
    _require(request, "annotate.view_source", "You do not have permission to read sources.")
    sources = _sources(request.user)
    if q.strip():
        sources = sources.matching(q)
    items, links = pages.paginate(request, sources, page, page_size)
    return links | {"results": [source_json(source, request.user) for source in items]}


@api.get("/sources/{int:pk}", response={200: SourceOut, 404: Error, **REFUSED}, tags=["sources"], url_name="source")
def get_source(request, pk: int):
    """One source."""
    _require(request, "annotate.view_source", "You do not have permission to read sources.")
    return source_json(_visible(request, pk), request.user)


@api.patch(
    "/sources/{int:pk}",
    response={200: SourceOut, 400: FieldErrors, 404: Error, **REFUSED},
    tags=["sources"],
    url_name="source",
    operation_id="edit_source",
)
def edit_source(request, pk: int, payload: SourcePatch):
    """Editors: rename a source, change its kind, aliases, sensitivity or affiliation."""
    if not may_change(request.user, "annotate.change_source"):  # its refusals name sources as they are
        raise PermissionDenied("Only editors can change sources.")
    source = _visible(request, pk)
    sent = payload.model_fields_set
    data = {
        "name": payload.name if "name" in sent and payload.name is not None else source.name,
        "kind": source.kind_id,
        "description": source.description,
        "aliases": "\n".join(payload.aliases if payload.aliases is not None else _alias_names(source)),
        "affiliation": source.affiliation_id or "",
    }
    if payload.sensitive if payload.sensitive is not None else source.sensitive:
        data["sensitive"] = "on"
    if payload.kind is not None:
        kind = ProvenanceKind.objects.filter(slug=payload.kind).first()
        if kind is None:
            raise ValidationError({"kind": [f"Unknown kind of source “{payload.kind}”."]})
        data["kind"] = kind.pk
    if "affiliation" in sent:
        data["affiliation"] = _affiliation(payload.affiliation)
    form = SourceForm(data, instance=source)
    if not form.is_valid():
        raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
    save_source(form=form)
    return source_json(_visible(request, pk), request.user)


def _alias_names(source: Source) -> list[str]:
    return [alias.name for alias in source.aliases.all()]


def _affiliation(name: str | None) -> int | str:
    if name is None or not name.strip():
        return ""
    found = Source.objects.named(name).first()
    if found is None:
        raise ValidationError({"affiliation": [f"No source is called “{name}”."]})
    return found.pk
