"""Suggested claims of an article, for scripts: what the reading view's sidebar proposes, masked alike."""

from django.http import Http404
from ninja import Field, Schema

from corpus.models import Article
from suggest.reading import Reader, present

from .api import REFUSED, _require, api
from .schemas import Error


class FactOptionOut(Schema):
    slug: str
    statement: str = Field(description="Sensitive names redacted for those without the permission.")
    articles: int = Field(description="In how many articles the fact is tagged.")


class SuggestionOut(Schema):
    article: str = Field(description="The article's slug.")
    key: str = Field(description="Names the suggestion while the text and the engine are unchanged.")
    start: int = Field(description="Code-point offset into the article's text (inclusive).")
    end: int = Field(description="Code-point offset (exclusive).")
    exact: str
    kind: str = Field(description="The proposed kind's slug.")
    source: str | None = Field(description="A registered source (a pseudonym if sensitive) or a name from the text.")
    via: list[str] = Field(description="The relay chain, nearest to the article first.")
    fact: str | None = Field(description="The best candidate fact's slug.")
    facts: list[FactOptionOut] = Field(description="Candidate facts, best first.")
    score: float = Field(description="0-1: how sure the engine is.")
    reason: str = Field(description="The cue it found and how the source was matched.")
    engine: str = Field(description="The engine's version.")


class SuggestionList(Schema):
    results: list[SuggestionOut]


@api.get("/articles/{slug}/suggestions", response={200: SuggestionList, 404: Error, **REFUSED}, tags=["suggestions"])
def list_suggestions(request, slug: str):
    """Claims the suggestion engine proposes on an article (not yet tagged or dismissed). They are not claims:
    accept one in the reading view, or create the claim with `POST /api/claims`."""
    _require(request, "annotate.add_claim", "You do not have permission to tag claims.")
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        raise Http404(f"No article has the slug “{slug}”.")
    return {"results": [card.as_json(slug) for card in present(article, Reader.of(request.user))]}
