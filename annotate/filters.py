"""The one claim filter: the query language of the dashboard, the claim list, the review queue, the exports
and the API.

`ClaimFilterForm` parses a query string field by field, with an error code for each problem ("invalid"
for a value that does not parse, "unknown" for a name that matches nothing). `Filters` is what it
yields: the values that parsed, the errors of those that did not, and the queryset they select. Pages
drop a bad value and say so (`Filters.messages`); downloads and the API refuse the request with the
errors by field, because a file or a script would not notice a filter silently ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from corpus.models import Article

from .models import Claim, Fact, ProvenanceKind

STATUS_CHOICES = [
    ("accepted", "Accepted"),
    ("with_pending", "Accepted and pending"),
    ("pending", "Pending"),
    ("changes_requested", "Changes requested"),
    ("rejected", "Rejected"),
    ("all", "All, including rejected"),
]
_STATUS_SETS = {
    "with_pending": [Claim.Status.ACCEPTED, Claim.Status.PENDING],
    "all": None,
}
NO_FACT = "none"  # ?fact=none: claims linked to no fact
MAX_ID = 2**31 - 1


class _Values(forms.Field):
    """Every value a query string gives a key (?kind=a&kind=b), blanks left out."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        return [item.strip() for item in value or [] if item.strip()]


def _unknown(what: str, value: str) -> forms.ValidationError:
    return forms.ValidationError(f"Unknown {what} “%(value)s”.", code="unknown", params={"value": value})


class ClaimFilterForm(forms.Form):
    """The filters as they arrive in a query string; every field optional."""

    kind = _Values(required=False)
    outlet = forms.CharField(required=False, max_length=20)
    article = forms.CharField(required=False, max_length=100)
    status = forms.CharField(required=False, max_length=30)
    annotator = forms.CharField(required=False, max_length=150)
    fact = forms.CharField(required=False, max_length=100)

    def __init__(self, data, *, user=None):
        super().__init__(data)
        self.user = user
        # "from" and "to" are keywords in Python: their fields are added by name, cleaned by clean_from/_to.
        self.fields["from"] = forms.CharField(required=False, max_length=30)
        self.fields["to"] = forms.CharField(required=False, max_length=30)

    def clean_kind(self):
        kinds = sorted(set(self.cleaned_data["kind"]))
        known = set(ProvenanceKind.objects.filter(slug__in=kinds).values_list("slug", flat=True))
        if unknown := [slug for slug in kinds if slug not in known]:
            raise forms.ValidationError(
                "Unknown kind: %(value)s.", code="unknown", params={"value": ", ".join(unknown)}
            )
        return kinds

    def clean_outlet(self):
        value = self.cleaned_data["outlet"].strip()
        if not value:
            return None
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise forms.ValidationError(
                "The outlet filter must be an outlet's number, not “%(value)s”.",
                code="invalid",
                params={"value": value},
            )
        return int(value)

    def clean_status(self):
        value = self.cleaned_data["status"].strip()
        if value and value not in dict(STATUS_CHOICES):
            raise _unknown("status", value)
        return value

    def clean_article(self):
        slug = self.cleaned_data["article"].strip()
        if slug and not Article.objects.filter(slug=slug).exists():
            raise _unknown("article", slug)
        return slug

    def clean_annotator(self):
        name = self.cleaned_data["annotator"].strip()
        if name and not get_user_model().objects.filter(username=name).exists():
            raise _unknown("annotator", name)
        return name

    def clean_fact(self):
        slug = self.cleaned_data["fact"].strip()
        facts = Fact.objects.visible_to(self.user) if self.user is not None else Fact.objects.all()
        if slug and slug != NO_FACT and not facts.filter(slug=slug).exists():
            raise _unknown("fact", slug)
        return slug

    def _date(self, name: str) -> dt.date | None:
        value = self.cleaned_data[name].strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                "“%(value)s” is not a date (YYYY-MM-DD).", code="invalid", params={"value": value}
            ) from None

    def clean_from(self):
        return self._date("from")

    def clean_to(self):
        return self._date("to")


@dataclass
class Filters:
    """Filters that parsed, the errors of those that did not, and the claims they select."""

    kinds: list[str] = field(default_factory=list)
    outlet: int | None = None
    article: str = ""
    status: str = ""
    annotator: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    fact: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    # What no status filter means: the dashboard counts reviewed (accepted) claims; exports take all.
    default_status: str = "accepted"

    @classmethod
    def from_query(cls, query, *, default_status: str = "accepted", user=None) -> Filters:
        """Parse a QueryDict; each bad value is left out and its error kept."""
        form = ClaimFilterForm(query, user=user)
        form.is_valid()
        data = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
        return cls(
            kinds=data.get("kind") or [],
            outlet=data.get("outlet"),
            article=data.get("article") or "",
            status=data.get("status") or "",
            annotator=data.get("annotator") or "",
            date_from=data.get("from"),
            date_to=data.get("to"),
            fact=data.get("fact") or "",
            errors={name: list(messages) for name, messages in form.errors.items()},
            default_status=default_status,
        )

    @property
    def counted_status(self) -> str:
        """The status whose claims are counted: the one asked for, or the default."""
        return self.status or self.default_status

    @property
    def messages(self) -> list[str]:
        """The errors as a page shows them: what was ignored."""
        shown = dict(STATUS_CHOICES).get(self.default_status, self.default_status).lower()
        notes = {"status": f" Showing {shown} claims."}
        return [
            f"{message}{notes.get(name, ' Ignored.')}" for name, messages in self.errors.items() for message in messages
        ]

    def problems(self) -> list[str]:
        """The errors, each once, as a refusal lists them."""
        return [message for messages in self.errors.values() for message in messages]

    def pairs(self, **overrides) -> list[tuple[str, str]]:
        """These filters as (key, value) pairs, empty ones left out: query strings and hidden inputs."""
        values = {
            "kind": self.kinds,
            "outlet": self.outlet or "",
            "article": self.article,
            "status": self.status,
            "annotator": self.annotator,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "fact": self.fact,
        } | overrides
        return [
            (k, v) for k, vs in values.items() for v in (vs if isinstance(vs, list) else [vs]) if v not in ("", None)
        ]

    def as_query(self, **overrides) -> str:
        """These filters (with overrides) as a query string, for links that keep the current view."""
        return urlencode(self.pairs(**overrides))

    @property
    def query(self) -> str:
        return self.as_query()

    @property
    def export_query(self) -> str:
        """These filters for a claim export, which must name the status the page counts by default."""
        return self.as_query(status=self.status or self.default_status)

    @property
    def query_without_status(self) -> str:
        return self.as_query(status="")

    @property
    def query_without_kinds(self) -> str:
        """For links that narrow to one kind within the other filters."""
        return self.as_query(kind=[])

    @property
    def active(self) -> bool:
        return bool(self.as_query())

    def without(self, *names: str) -> Filters:
        """These filters with some left out ("article", "fact", ...), and no errors."""
        blank = Filters()
        return replace(self, errors={}, **{name: getattr(blank, name) for name in names})

    def apply(self, claims: QuerySet, *, kinds: bool = True) -> QuerySet:
        """Restrict a Claim queryset to these filters (all but the kind filter if `kinds` is false)."""
        if self.kinds and kinds:
            claims = claims.filter(kind__slug__in=self.kinds)
        if self.outlet:
            claims = claims.filter(article__outlet_id=self.outlet)
        if self.article:
            claims = claims.filter(article__slug=self.article)
        statuses = _STATUS_SETS.get(status := self.status or self.default_status, [status])
        if statuses is not None:
            claims = claims.filter(status__in=statuses)
        if self.annotator:
            claims = claims.filter(annotator__username=self.annotator)
        if self.date_from:
            claims = claims.filter(article__published__gte=self.date_from)
        if self.date_to:
            claims = claims.filter(article__published__lte=self.date_to)
        if self.fact == NO_FACT:
            claims = claims.filter(fact__isnull=True)
        elif self.fact:
            claims = claims.filter(fact__slug=self.fact)
        return claims
