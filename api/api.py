"""The JSON API: articles and claims for scripts and other tools, with the browser's permissions.

Every write goes through `annotate.services`, which keeps the audit trail and refuses stale edits.
"""

from functools import cache

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from ninja import NinjaAPI, Query, Status
from ninja.renderers import JSONRenderer

from annotate import services
from annotate.chains import current_links
from annotate.filters import Filters
from annotate.models import Claim, ProvenanceKind
from annotate.presenters import present
from config.lookups import column, table, unique
from corpus.models import Article
from interchange.export import with_export_related

from . import docs, errors, pages, w3c
from .auth import bearer_token, session
from .schemas import (
    ClaimFilters,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ClaimPatch,
    Conflict,
    Error,
    FieldErrors,
)
from .throttling import PerUser

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

DESCRIPTION = f"""Articles and the claims tagged on them, with the same permissions as the site.

Authenticate with a token (`Authorization: Bearer <token>`, made with `manage.py create_api_token`) or,
from the browser, with the signed-in session (unsafe methods then need the `X-CSRFToken` header).

Errors are JSON: `{{"detail": "...", "errors": {{"field": ["..."]}}}}`, with `errors` on 400s only.
`GET /api/claims` and `GET /api/claims/{{id}}` answer as W3C Web Annotations when the request asks for
`Accept: {w3c.MEDIA_TYPE}`."""


class Renderer(JSONRenderer):
    """UTF-8 as it is: quotes in Hangul or with emoji stay readable in the response."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Provenance API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[bearer_token, session],
    renderer=Renderer(),
    docs=docs.Swagger(),
    docs_decorator=docs.signed_in,
    throttle=[PerUser()],
)
errors.install(api)

PageNumber = Query(1, ge=1, description="Page number, from 1.")
PageSize = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, at most {MAX_PAGE_SIZE}.")
REFUSED = {401: Error, 403: Error}


def _require(request: HttpRequest, permission: str, refusal: str) -> None:
    """The browser's permission names, checked the same way for session and token callers."""
    if not request.user.has_perm(permission):
        raise PermissionDenied(refusal)


# ---- claims: reading --------------------------------------------------------------------------------


def claim_json(claim: Claim, user) -> dict:
    """A claim as the API shows it to `user`: names and free text through the one mask."""
    card = present(claim, user)
    return {
        "id": card.pk,
        "article": claim.article.slug,
        "start": card.start,
        "end": card.end,
        "revision": claim.revision,
        "orphaned": claim.orphaned,
        "exact": card.exact,
        "prefix": claim.prefix,
        "suffix": claim.suffix,
        "kind": card.kind.slug,
        "kind_label": card.kind.label,
        "source": card.source_label or None,
        "source_registered": not card.source_proposed,
        "fact": card.fact.slug if card.fact else None,
        "fact_statement": card.fact_statement or None,
        "via": card.via,
        "directness": card.directness,
        "note": card.note,
        "status": card.status,
        "annotator": card.annotator,
        "reviewer": card.reviewer or None,
        "reviewed_at": card.reviewed_at,
        "review_reason": card.review_reason,
        "version": card.version,
        "created": card.created,
        "updated": claim.updated,
    }


def _claims(user):
    """The claims `user` may see, with everything the JSON and the W3C shapes show, in one query."""
    return with_export_related(Claim.objects.visible_to(user).with_related()).defer("article__text")


def _filtered(request: HttpRequest):
    """The claims the caller may see that pass the claim filter, in id order.

    The dashboard drops a bad value and says so on the page; a script would not read that, so here it
    is refused with the errors by field, as the exports do.
    """
    filters = Filters.from_query(request.GET, default_status="all", user=request.user)
    if filters.errors:
        raise ValidationError(filters.errors)
    return filters.apply(_claims(request.user)).order_by("pk")


@api.get(
    "/claims",
    response={200: ClaimPage, 400: FieldErrors, **REFUSED},
    tags=["claims"],
    url_name="claims",
    operation_id="list_claims",
    openapi_extra=w3c.in_schema("AnnotationCollection; with `page`, that AnnotationPage"),
)
def list_claims(
    request,
    response: HttpResponse,
    filters: Query[ClaimFilters],
    page: int = PageNumber,
    page_size: int = PageSize,
):
    """Claims passing the dashboard's filters (every status unless `status` says otherwise), in id order.

    With `Accept: application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`: a W3C
    AnnotationCollection whose `first` is its first page; with `page` (the first included), that AnnotationPage.
    """
    # `filters` documents the parameters; they are read from request.GET exactly as the dashboard reads them.
    _require(request, "annotate.view_claim", "You do not have permission to read claims.")
    items, links = pages.paginate(request, _filtered(request), page, page_size)
    if w3c.wanted(request):
        return w3c.response(w3c.collection(request, items, links, page, page_size), container="page" not in request.GET)
    patch_vary_headers(response, ["Accept"])
    return links | {"results": [claim_json(claim, request.user) for claim in items]}


def _visible_claim(request: HttpRequest, pk: int) -> Claim:
    """The claim, or 404 if it does not exist or the caller may not see it (independent tagging)."""
    claim = _claims(request.user).filter(pk=pk).first()
    if claim is None:
        raise Http404(f"No claim has the id {pk}.")
    return claim


@api.get(
    "/claims/{int:pk}",
    response={200: ClaimOut, 404: Error, **REFUSED},
    tags=["claims"],
    url_name="claim",
    operation_id="get_claim",
    openapi_extra=w3c.in_schema("Annotation"),
)
def get_claim(request, response: HttpResponse, pk: int):
    """One claim; a W3C Web Annotation when the request asks for the annotation media type."""
    _require(request, "annotate.view_claim", "You do not have permission to read claims.")
    claim = _visible_claim(request, pk)
    if w3c.wanted(request):
        return w3c.response(w3c.annotation(request, claim))
    patch_vary_headers(response, ["Accept"])
    return claim_json(claim, request.user)


# ---- claims: writing --------------------------------------------------------------------------------


def _kind(slug: str) -> ProvenanceKind:
    """The kind an edit names; inactive ones too, since a claim may keep the kind it has."""
    kind = unique(ProvenanceKind.objects.filter(slug=slug.strip()))
    if kind is None:
        raise ValidationError({"kind": [f"Unknown kind of source “{slug}”."]})
    return kind


def _article_and_kind(slug: str, kind_slug: str) -> tuple[Article | None, ProvenanceKind | None]:
    """The article and the kind a new claim names, read in one statement written out (a tag's reads are
    most of its database time; see `_article_and_kind_sql`); the kind alone when there is no such article."""
    # The primary, as the write that follows (asking the router would pin the client to it even for a refusal).
    rows = Article.objects.db_manager(DEFAULT_DB_ALIAS).raw(_article_and_kind_sql(), [kind_slug, slug])
    article = next(iter(rows), None)
    if article is None:
        return None, unique(ProvenanceKind.objects.filter(slug=kind_slug))
    fields = ProvenanceKind._meta.concrete_fields
    row = {field.attname: article.__dict__.pop(f"{KIND_PREFIX}{field.attname}") for field in fields}
    if row[ProvenanceKind._meta.pk.attname] is None:  # no such kind: the join found no row
        return article, None
    values = [field.to_python(row[field.attname]) for field in fields]  # SQLite's booleans are integers
    return article, ProvenanceKind.from_db(article._state.db, list(row), values)


KIND_PREFIX = "named_kind_"


@cache
def _article_and_kind_sql() -> str:
    """The article of a slug with every column of the kind of a slug (each as KIND_PREFIX + column, NULL when
    there is no such kind); parameters: the kind's slug, the article's. Through the ORM, the two reads cost a round
    trip more and 0.3 ms of CPU to build."""
    article, kind = Article._meta, ProvenanceKind._meta
    columns = ", ".join(f"{column(Article, f.name)}" for f in article.concrete_fields)
    aliases = {f"{KIND_PREFIX}{f.attname}": f for f in kind.concrete_fields}
    if clash := {f.attname for f in article.concrete_fields} & set(aliases):
        # The article's own field would be filled from the kind's column, and the kind read would be wrong.
        raise ImproperlyConfigured(f"Article has a field named like a kind's column: {clash}.")
    kinds = ", ".join(f"{column(ProvenanceKind, f.name)} AS {alias}" for alias, f in aliases.items())
    return (
        f"SELECT {columns}, {kinds} FROM {table(Article)} LEFT JOIN {table(ProvenanceKind)} "  # noqa: S608 (names only)
        f"ON {column(ProvenanceKind, 'slug')} = %s WHERE {column(Article, 'slug')} = %s"
    )


@api.post(
    "/claims",
    response={201: ClaimOut, 400: FieldErrors, **REFUSED},
    tags=["claims"],
    url_name="claims",
    operation_id="create_claim",
)
def create_claim(request, response: HttpResponse, payload: ClaimIn):
    """Tag [start, end) of an article's text; `exact` must be exactly that text."""
    _require(request, "annotate.add_claim", "You do not have permission to tag claims.")
    article, kind = _article_and_kind(payload.article, payload.kind)
    problems = {}
    if article is None:
        problems["article"] = [f"Unknown article “{payload.article}”."]
    elif payload.end > len(article.text):
        problems["end"] = [f"The span ends after the text, which has {len(article.text)} characters."]
    if kind is None:
        problems["kind"] = [f"Unknown kind of source “{payload.kind}”."]
    if problems:
        raise ValidationError(problems)
    claim = services.create_claim(
        article=article,
        start=payload.start,
        end=payload.end,
        exact=payload.exact,
        kind=kind,
        source_name=payload.source,
        fact_statement=payload.fact,
        via=payload.via,
        directness=payload.directness,
        note=payload.note,
        annotator=request.user,
        keep_chain=True,
    )
    response["Location"] = request.build_absolute_uri(reverse("api:claim", args=[claim.pk]))
    return Status(201, claim_json(claim, request.user))


def _authored_claim(request: HttpRequest, pk: int, permission: str, refusal: str) -> Claim:
    """The claim, if the caller holds the permission and is its author while it is pending (as in the browser)."""
    _require(request, permission, refusal)
    claim = _visible_claim(request, pk)
    if not claim.is_editable_by(request.user):
        raise PermissionDenied(refusal)
    return claim


def _fact_statement(fact: str | None, claim: Claim, user) -> str:
    """The claim's own fact when it comes back unchanged (left out, or by the slug the API shows), as the
    caller sees it; otherwise what they sent."""
    if fact is None or (claim.fact_id and fact.strip() == claim.fact.slug):
        return services.shown_fact(claim, user)
    return fact


def _stale(request: HttpRequest, pk: int, exc: services.StaleEdit) -> Status:
    """409 with who changed the claim and when, and the claim as it is now (null if deleted)."""
    current = _claims(request.user).filter(pk=pk).first()
    return Status(409, {"detail": str(exc), "current": claim_json(current, request.user) if current else None})


@api.patch(
    "/claims/{int:pk}",
    response={200: ClaimOut, 400: FieldErrors, 404: Error, 409: Conflict, **REFUSED},
    tags=["claims"],
    url_name="claim",
    operation_id="edit_claim",
)
def edit_claim(request, pk: int, payload: ClaimPatch):
    """Change one's own pending claim, if nobody changed it since `version`; fields left out stay."""
    claim = _authored_claim(request, pk, "annotate.change_claim", "Only the author of a pending claim can edit it.")
    try:
        services.update_claim(
            claim=claim,
            actor=request.user,
            version=payload.version,
            kind=claim.kind if payload.kind is None else _kind(payload.kind),
            source_name=services.shown_source(claim, request.user) if payload.source is None else payload.source,
            fact_statement=_fact_statement(payload.fact, claim, request.user),
            via=[label for label, _ in current_links(claim, request.user)] if payload.via is None else payload.via,
            directness=claim.directness if payload.directness is None else payload.directness,
            note=claim.note if payload.note is None else payload.note,
        )
    except services.StaleEdit as exc:
        return _stale(request, pk, exc)
    return claim_json(_visible_claim(request, pk), request.user)


@api.delete(
    "/claims/{int:pk}",
    response={204: None, 400: FieldErrors, 404: Error, 409: Conflict, **REFUSED},
    tags=["claims"],
    url_name="claim",
    operation_id="delete_claim",
)
def delete_claim(request, pk: int, version: int = Query(..., ge=1, description="The version being deleted.")):
    """Delete one's own pending claim, if nobody changed it since `version`; the audit trail keeps it."""
    claim = _authored_claim(request, pk, "annotate.delete_claim", "Only the author of a pending claim can delete it.")
    try:
        services.delete_claim(claim=claim, actor=request.user, version=version)
    except services.StaleEdit as exc:
        return _stale(request, pk, exc)
    answer = HttpResponse(status=204)
    del answer["Content-Type"]  # no content, so no type of it
    return answer


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Paths under /api/ that name no endpoint get a JSON 404 too."""
    return errors.error(
        404, f"No endpoint at {request.path}. The endpoints are listed at {reverse('api:api-root')}docs."
    )
