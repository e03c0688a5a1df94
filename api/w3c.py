"""The W3C Web Annotation Protocol's media type, for clients that ask for it in their Accept header.

Each claim becomes an Annotation as the W3C export writes it (`interchange.w3c.w3c_annotation`); a
page of claims becomes an AnnotationCollection, or a later AnnotationPage of it.
"""

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from annotate.models import Claim
from interchange.w3c import CONTEXT, w3c_annotation

from .pages import last_page, page_url

MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
JSON = "application/json"


def in_schema(shape: str) -> dict:
    """The OpenAPI extra that lists this media type beside JSON for an endpoint that offers it."""
    content = {MEDIA_TYPE: {"schema": {"type": "object", "description": f"A W3C {shape}."}}}
    return {"responses": {200: {"content": content}}}


def wanted(request: HttpRequest) -> bool:
    """Whether the client prefers annotations to plain JSON; plain JSON when it says nothing."""
    return request.get_preferred_type([JSON, MEDIA_TYPE]) == MEDIA_TYPE


LDP = "http://www.w3.org/ns/ldp#"
# What the Web Annotation Protocol has a server say of each kind of resource (its sections 4 and 5).
CONTAINER_LINKS = (
    f'<{LDP}BasicContainer>; rel="type", <http://www.w3.org/TR/annotation-protocol/>; rel="{LDP}constrainedBy"'
)
ANNOTATION_LINKS = f'<{LDP}Resource>; rel="type"'


def response(data: dict, *, container: bool = False) -> HttpResponse:
    """The annotation media type, varying by Accept (the same URL also answers in plain JSON), with the
    protocol's headers: the resource's LDP type, the methods it takes, and an ETag of this representation
    (it depends on who asks, whose mask it went through, so it is the body's own digest)."""
    body = json.dumps(data, ensure_ascii=False).encode()
    answer = HttpResponse(body, content_type=MEDIA_TYPE)
    patch_vary_headers(answer, ["Accept"])
    answer["Link"] = CONTAINER_LINKS if container else ANNOTATION_LINKS
    answer["Allow"] = "GET, HEAD, OPTIONS, POST" if container else "GET, HEAD, OPTIONS, PATCH, DELETE"
    answer["ETag"] = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return answer


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def annotation(request: HttpRequest, claim: Claim) -> dict:
    """One claim as a W3C Annotation, with what the caller may see of its source."""
    return w3c_annotation(claim, request.user, base_url=_site(request))


def collection(request: HttpRequest, claims: list, links: dict, page: int, size: int) -> dict:
    """A page of claims: at the collection's own address (no `page` asked for), the AnnotationCollection
    with its first page embedded as `first`; at a page's address (`page=N`, the first one's included, which
    `first` and the second page's `prev` name), that AnnotationPage.

    Items leave out their own @context: the document's covers them.
    """
    site, user = _site(request), request.user
    whole = page_url(request, None)
    items = [w3c_annotation(claim, user, base_url=site) for claim in claims]
    this_page = {
        "id": page_url(request, page),
        "type": "AnnotationPage",
        "startIndex": (page - 1) * size,
        "items": [{key: value for key, value in item.items() if key != "@context"} for item in items],
    }
    if links["next"]:
        this_page["next"] = links["next"]
    if links["previous"]:
        this_page["prev"] = links["previous"]
    if "page" in request.GET:
        return {"@context": CONTEXT, **this_page, "partOf": {"id": whole, "total": links["count"]}}
    return {
        "@context": CONTEXT,
        "id": whole,
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": "Provenance claims",
        "total": links["count"],
        "first": this_page | {"partOf": whole},
        "last": page_url(request, last_page(links["count"], size)),
    }
