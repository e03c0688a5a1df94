"""The API's articles: listed, read with their text, and added (from a URL, a file or a text, as a form or as
JSON), a changed text becoming a stored article's new revision."""

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Schema, Status
from ninja.errors import ValidationError as RequestInvalid
from ninja.files import UploadedFile
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticInvalid

from annotate.models import Claim
from config.lookups import unique
from corpus.models import Article
from ingest import api as adding

from . import pages
from .api import REFUSED, PageNumber, PageSize, _require, api
from .schemas import ArticleDetailOut, ArticleIn, ArticlePage, ArticleSaved, Error, FieldErrors


def article_json(article: Article, request: HttpRequest) -> dict:
    """An article's metadata; `url` leads a person to its reading view."""
    return {
        "slug": article.slug,
        "title": article.title,
        "outlet": article.outlet.name if article.outlet_id else None,
        "outlet_id": article.outlet_id,
        "author": article.author,
        "published": article.published,
        "source_url": article.source_url,
        "language": article.language,
        "independent": article.independent,
        "revision": article.revision,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "created": article.created,
        "updated": article.updated,
    }


@api.get("/articles", response={200: ArticlePage, 400: FieldErrors, **REFUSED}, tags=["articles"])
def list_articles(request, q: str = "", page: int = PageNumber, page_size: int = PageSize):
    """Articles, newest first; `q` keeps those whose title or outlet contains every word of it."""
    _require(request, "corpus.view_article", "You do not have permission to read articles.")
    articles = Article.objects.select_related("outlet").defer("text")
    if q.strip():
        articles = articles.search(q)
    articles = articles.order_by(F("published").desc(nulls_last=True), "title", "pk")
    items, links = pages.paginate(request, articles, page, page_size)
    return links | {"results": [article_json(article, request) for article in items]}


@api.get("/articles/{slug}", response={200: ArticleDetailOut, 404: Error, **REFUSED}, tags=["articles"])
def get_article(request, slug: str):
    """One article with its text, which every claim's offsets point into."""
    _require(request, "corpus.view_article", "You do not have permission to read articles.")
    article = unique(Article.objects.select_related("outlet").filter(slug=slug))
    if article is None:
        raise Http404(f"No article has the slug “{slug}”.")
    claims = Claim.objects.on(article, request.user).count()
    return article_json(article, request) | {"text": article.text, "claims": claims}


@api.post(
    "/articles",
    response={201: ArticleSaved, 400: FieldErrors, 409: Error, **REFUSED},
    tags=["articles"],
    url_name="articles_add",
    operation_id="add_article",
)
def add_article(request, response: HttpResponse, payload: Form[ArticleIn], file: File[UploadedFile] = None):
    """Add an article from a URL, a file (HTML, PDF, text) or text; a changed text of a stored article
    (same canonical URL, or `revision_of`) becomes its new revision. Editors only.

    The fields come as a form (a file beside them, as multipart) or as one JSON object (no file)."""
    _require(request, "corpus.add_article", "You do not have permission to add articles.")
    if request.content_type == "application/json":
        payload = _json_body(request, ArticleJSON)
    saved = adding.add_article(payload.dict(), file, actor=request.user)
    if saved.status == "duplicate":
        return Status(409, {"detail": f"Duplicate: {saved.message}."})
    response["Location"] = request.build_absolute_uri(reverse("api:get_article", args=[saved.article.slug]))
    body = article_json(saved.article, request) | {"message": saved.message, "revision": saved.article.revision}
    return Status(201, body | {"status": saved.status})


class ArticleJSON(ArticleIn):
    """ArticleIn sent as JSON, where a field's name can be mistyped ("revison_of"): an unknown one is refused,
    as the API refuses it everywhere, rather than leaving a revision to be taken for a new article."""

    model_config = ConfigDict(extra="forbid")


def _json_body(request: HttpRequest, schema: type[Schema]) -> Schema:
    """The request's JSON object read as `schema`, refused field by field as a form's fields would be."""
    body = request.body.strip() or b"{}"
    if not body.startswith(b"{"):  # an array, a string or null would pass for an empty object
        raise RequestInvalid([{"loc": ("body", "payload"), "msg": "The body must be a JSON object.", "type": "object"}])
    try:
        return schema.model_validate_json(body)
    except PydanticInvalid as exc:
        raise RequestInvalid([{**item, "loc": ("body", "payload", *item["loc"])} for item in exc.errors()]) from None
