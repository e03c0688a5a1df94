"""What the API reads and writes, as pydantic models: they validate input and document the OpenAPI schema."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, ValidationInfo, field_validator

from annotate.models import Claim
from annotate.relays import MAX_RELAYS
from config.input import problem

Directness = Literal[("", *Claim.Directness.values)]


def _checked(controls: bool):
    def check(value):
        if isinstance(value, str) and (trouble := problem(value, controls=controls)):
            raise ValueError(trouble.message)
        return value

    return BeforeValidator(check)


# Text a database column can hold (PostgreSQL refuses NUL characters, and no UTF-8 encoder writes a lone
# surrogate), without control characters other than tab and line breaks. Checked before pydantic's own
# validation, which would refuse some surrogates with a message that names neither the character nor the rule.
Text = Annotated[str, _checked(controls=True)]
# A quote must equal the article's text, which may hold control characters: only what cannot be stored is refused.
Quote = Annotated[str, _checked(controls=False)]
RelayName = Annotated[Text, Field(min_length=1, max_length=200)]
VIA_DESCRIPTION = (
    "The relay chain: the names of the sources the claim passed through on its way into the article, nearest "
    "to the article first. Each is resolved as `source` is (a new name from a reviewer is held as proposed)."
)


class Error(Schema):
    detail: str


class FieldErrors(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Messages by field; `__all__` for the request as a whole.")


class ArticleOut(Schema):
    slug: str
    title: str
    outlet: str | None
    outlet_id: int | None
    author: str
    published: dt.date | None
    source_url: str
    language: str
    independent: bool = Field(description="Reviewers see only their own and accepted claims on it.")
    revision: int = Field(description="The number of the text it holds now: a claim of this revision points into it.")
    url: str = Field(description="The article's reading view.")
    created: dt.datetime
    updated: dt.datetime


class ArticleDetailOut(ArticleOut):
    text: str = Field(description="The text every claim offset points into (code points).")
    claims: int = Field(description="Claims on the article that the caller may see.")


class ArticlePage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ArticleOut]


class ClaimOut(Schema):
    id: int
    article: str = Field(description="The article's slug.")
    start: int = Field(description="Code-point offset into the text of revision `revision` (inclusive).")
    end: int = Field(description="Code-point offset into the text of revision `revision` (exclusive).")
    revision: int = Field(description="The article's revision the offsets refer to: its current one unless orphaned.")
    orphaned: bool = Field(
        description="True when a newer text of the article no longer holds the quote: the offsets refer to the "
        "earlier revision `revision`, not to the article's current text."
    )
    exact: str
    prefix: str
    suffix: str
    kind: str = Field(description="The kind of source's slug.")
    kind_label: str
    source: str | None = Field(
        description="The source's name; a sensitive source's pseudonym (“Protected source 3”) for those who may "
        "not see its name; or a name proposed by a reviewer, not registered yet."
    )
    source_registered: bool = Field(
        description="False while the source is a name a reviewer proposed: an editor registers it on acceptance."
    )
    fact: str | None = Field(description="The fact's slug.")
    fact_statement: str | None
    via: list[str] = Field(
        description="The relay chain, nearest to the article first: names, pseudonyms or proposed names."
    )
    directness: Directness
    note: str
    status: str
    annotator: str
    reviewer: str | None
    reviewed_at: dt.datetime | None
    review_reason: str
    version: int = Field(description="Send it back with an edit or a deletion.")
    created: dt.datetime
    updated: dt.datetime


class ClaimPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ClaimOut]


class Conflict(Schema):
    detail: str
    current: ClaimOut | None = Field(description="The claim as it is now; null if it was deleted.")


class ClaimIn(Schema):
    """A new claim: a span of an article's text and what it rests on."""

    model_config = ConfigDict(extra="forbid")

    article: Text = Field(description="The article's slug.")
    start: int = Field(ge=0)
    end: int = Field(ge=1)
    exact: Quote = Field(min_length=1, max_length=20_000, description="Exactly the text from start to end.")
    kind: Text = Field(description="A kind of source's slug, e.g. state_media.")
    source: Text = Field(
        "",
        max_length=200,
        description="A registered source's name or alias. A new name is registered at once for editors; from a "
        "reviewer it is held on the claim as proposed until an editor accepts the claim.",
    )
    fact: Text = Field(
        "",
        max_length=300,
        description="A fact's statement or slug. A new statement is registered at once for editors; from a "
        "reviewer it is held as proposed until an editor accepts the claim.",
    )
    via: list[RelayName] = Field([], max_length=MAX_RELAYS, description=VIA_DESCRIPTION)
    directness: Directness = ""
    note: Text = Field("", max_length=5_000)

    @field_validator("end")
    @classmethod
    def end_after_start(cls, end: int, info: ValidationInfo) -> int:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError("Must be greater than start.")
        return end

    @field_validator("exact")
    @classmethod
    def exact_fills_span(cls, exact: str, info: ValidationInfo) -> str:
        start, end = info.data.get("start"), info.data.get("end")
        if start is not None and end is not None and len(exact) != end - start:
            raise ValueError(
                f"{len(exact)} characters, but the span {start}-{end} covers {end - start} "
                "(offsets count Unicode code points)."
            )
        return exact


class ClaimPatch(Schema):
    """Changes to a claim; fields left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="The version the changes are based on.")
    kind: Text | None = None
    source: Text | None = Field(
        None, max_length=200, description="The source as the claim shows it to you (a pseudonym too) keeps it."
    )
    fact: Text | None = Field(None, max_length=300)
    via: list[RelayName] | None = Field(None, max_length=MAX_RELAYS, description=VIA_DESCRIPTION)
    directness: Directness | None = None
    note: Text | None = Field(None, max_length=5_000)


class ClaimFilters(Schema):
    """The dashboard's filters, plus the fact."""

    kind: list[str] = Field([], description="Kind slugs; repeat the parameter for several.")
    outlet: str = Field("", description="An outlet's id.")
    article: str = Field("", description="An article's slug.")
    status: str = Field(
        "", description="accepted, with_pending, pending, changes_requested, rejected or all (the default)."
    )
    annotator: str = Field("", description="A username.")
    date_from: str = Field("", alias="from", description="Published on or after (YYYY-MM-DD).")
    date_to: str = Field("", alias="to", description="Published on or before (YYYY-MM-DD).")
    fact: str = Field("", description="A fact's slug, or `none` for claims linked to no fact.")


class ArticleIn(Schema):
    """A new article: a URL to fetch, or text with its metadata (sent as a form; a file goes beside it)."""

    url: Text = Field("", max_length=1000, description="An http(s) address to fetch and extract.")
    text: Quote = Field("", max_length=5_000_000, description="The article's text, if not a URL or a file.")
    title: Text = Field("", max_length=500)
    author: Text = Field("", max_length=300)
    published: dt.date | None = None
    outlet: Text = Field("", max_length=200)
    source_url: Text = Field("", max_length=1000, description="The canonical URL (for text and files).")
    language: Text = Field("", max_length=20)
    revision_of: Text = Field("", max_length=100, description="Slug of the article this is a new version of.")


class ArticleSaved(ArticleOut):
    status: Literal["created", "revised"]
    message: str
    revision: int
