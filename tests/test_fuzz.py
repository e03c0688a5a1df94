"""Generated input against every page, form and API field: never a server error, and a refused write stores nothing.

Signed in as a reviewer and as an editor, every route of the site (the URLconf is enumerated, and a route
missing from PAGES fails the first test) gets generated text in its query parameters and form fields: NUL
characters, lone surrogates sent as the bytes some clients make of them (%ED%A0%80) and as invalid UTF-8
(%FF), control characters, values of 100 kB, characters that change under case folding (the Kelvin sign
K, ß, İ), digits that are not ASCII. The API gets the same in every field of its JSON bodies and query
strings, and schemathesis generates requests from its OpenAPI schema. The examples are derandomized: the
same ones every run.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from urllib.parse import quote, quote_from_bytes

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from annotate.models import Claim, Fact, ReviewEvent, Source, SourceAlias
from config.wsgi import application

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure in CI is one anyone can repeat
    database=None,
    suppress_health_check=list(HealthCheck),
)
TEXT = "The voter turnout was 99.63%. KCNA said so.\nNobody voted against, a resident said. 북한 🗳️ end."


@dataclass(frozen=True)
class Raw:
    """Bytes sent percent-encoded as they are, whatever UTF-8 would make of them."""

    data: bytes


HOSTILE = [
    "\x00",
    "a\x00b",
    Raw(b"\xed\xa0\x80"),  # a lone surrogate, as CESU-8 / WTF-8 writes it
    Raw(b"a\xed\xbf\xbfb"),
    Raw(b"\xff"),
    Raw(b"\xc3"),
    "\x07\x08\x0b\x0c\x1b[31m",
    "\u212a",  # KELVIN SIGN: casefolds to k
    "ß",
    "İ",
    "ﬁ",
    "\u2028\u2029\x85",
    "\ufeff",
    "🗳️ 북한",
    "²",  # a digit to str.isdigit(), not to int()
    "１２",
    "9" * 5000,
    "-1",
    "99999999999999999999",
    "1e309",
    "2023-02-30",
    "",
    "x" * 100_000,
    "' OR 1=1 --",
    "%_\\",
]
# Values that mean something to some field, so that generated requests get past the first check.
MEANINGFUL = [
    "0",
    "1",
    " ",
    "protected source",
    "none",
    "all",
    "accepted",
    "pending",
    "rejected",
    "state_media",
    "accept",
    "reject",
    "kind",
    "other",
    "1:1",
    "on",
    "9999-12-31",
]
SPECIAL = HOSTILE + MEANINGFUL
values = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.binary(max_size=6).map(Raw),
)


def encoded(value) -> str:
    return quote_from_bytes(value.data, safe="") if isinstance(value, Raw) else quote(value, safe="")


def query_string(pairs) -> str:
    return "&".join(f"{encoded(key)}={encoded(value)}" for key, value in pairs)


# ---- the site ------------------------------------------------------------------------------------------

FILTERS = ("kind", "outlet", "article", "status", "annotator", "from", "to", "fact")
CLAIM_FIELDS = ("kind", "source", "fact", "via", "directness", "note")


@dataclass(frozen=True)
class Page:
    name: str
    get: tuple[str, ...] | None = None  # query parameters, or None if the route takes no GET
    post: tuple[str, ...] | None = None  # form fields, or None if the route takes no POST
    args: str = ""  # "slug", "claim", "source", "fact"
    notes: dict = field(default_factory=dict)


PAGES = [
    Page("kinds_css", get=("v",)),
    Page("annotate:article_list", get=("q", "page")),
    Page("annotate:article_detail", get=("from", "through", "after"), args="slug"),
    Page(
        "annotate:article_claims",
        get=("ids", "at", "after"),
        post=("start", "end", "exact", *CLAIM_FIELDS),
        args="slug",
    ),
    Page("annotate:article_passages", get=("from", "to", "at", "claim"), args="slug"),
    Page("review:article_agreement", get=("mode",), args="slug"),
    Page("review:article_independent", post=("independent",), args="slug"),
    Page("review:agreement", get=("mode",)),
    Page("review:queue", get=("claim", *FILTERS)),
    Page(
        "review:decide",
        post=("action", "version", "kind", "reason", "note", "current", *FILTERS),
        args="claim",
    ),
    Page("review:skip", post=FILTERS, args="claim"),
    Page("review:unskip", post=FILTERS),
    Page("review:undo", post=FILTERS),
    Page("review:bulk_accept", post=("claim", *FILTERS)),
    Page("annotate:claim_list", get=(*FILTERS, "fact", "page")),
    Page("annotate:my_claims", get=()),
    Page("review:claim", get=(), args="claim"),
    Page("annotate:claim_edit", get=(), post=(*CLAIM_FIELDS, "version"), args="claim"),
    Page("annotate:claim_delete", post=("version",), args="claim"),
    Page("dashboard:fact_list", get=()),
    Page("dashboard:fact_detail", get=(), args="fact"),
    Page("dashboard:fact_conflict", post=("other", "conflicting"), args="fact"),
    Page("dashboard:fact_graph", get=(), args="fact"),
    Page("dashboard:fact_verdict", post=("verdict", "explanation"), args="fact"),
    Page("dashboard:story_graph", get=FILTERS),
    Page("dashboard:export_graphml", get=FILTERS),
    Page("dashboard:export_gephi_nodes", get=FILTERS),
    Page("dashboard:export_gephi_edges", get=FILTERS),
    Page("dashboard:export_prov", get=FILTERS),
    Page("dashboard:export_claimreview", get=FILTERS),
    Page("annotate:source_list", get=("q",)),
    Page("annotate:source_edit", get=(), post=("name", "kind", "description", "sensitive", "aliases"), args="source"),
    Page("annotate:source_merge", post=("into", "confirm"), args="source"),
    Page("annotate:source_suggest", get=("source",)),
    Page("annotate:fact_suggest", get=("fact",)),
    Page("suggest:article", get=(), args="slug"),
    Page("suggest:accept", post=("suggestion", *CLAIM_FIELDS), args="slug"),
    Page("suggest:dismiss", post=("suggestion",), args="slug"),
    Page("suggest:fact_options", get=("start", "end"), args="slug"),
    Page("dashboard:index", get=(*FILTERS, "page")),
    Page("dashboard:json", get=FILTERS),
    Page("dashboard:csv", get=FILTERS),
    Page("interchange:export_csv", get=(*FILTERS, "fact", "bom")),
    Page("interchange:export_jsonl", get=(*FILTERS, "fact")),
    Page("interchange:export_jsonld", get=(*FILTERS, "fact")),
    Page("ingest:add", get=(), post=("urls", "text", "title")),
    Page(
        "ingest:save",
        post=(
            "form-TOTAL_FORMS",
            "form-INITIAL_FORMS",
            "form-0-title",
            "form-0-text",
            "form-0-revision_of",
            "form-0-keep",
        ),
    ),
    Page("ingest:revisions", get=(), args="slug"),
    Page("ingest:revision", get=(), args="revision"),
    Page("login", get=("next",), post=("username", "password", "next")),
    Page("logout", post=("next",)),
    Page("admin:index", get=()),
    Page("admin:annotate_claim_changelist", get=("q", "status__exact", "kind__id__exact", "o", "p", "created__gte")),
    Page("admin:annotate_source_changelist", get=("q", "sensitive__exact", "o")),
    Page("admin:annotate_fact_changelist", get=("q",)),
    Page("admin:annotate_reviewevent_changelist", get=("q", "action__exact")),
    Page("admin:corpus_article_changelist", get=("q",)),
]
# Routes served elsewhere in this file (the API) or that only redirect, and the admin's other pages, which
# are Django's own: fuzzed through the changelists above, which read the query string.
ELSEWHERE = ("api:", "admin:")


def route_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_route_of_the_site_is_fuzzed():
    covered = {page.name for page in PAGES}
    missing = {name for name in route_names() - covered if not name.startswith(ELSEWHERE)}
    assert not missing, f"add these routes to PAGES: {sorted(missing)}"


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Claim, ReviewEvent, Source, SourceAlias, Fact)}


@pytest.fixture
def site():
    """An article with claims, sources (one sensitive, with an alias), facts in conflict; a reviewer and an editor."""
    article = make_article(TEXT, title="Turnout report", outlet="Yonhap")
    rita = make_user("rita")
    editor = make_user("ed", role="editor")
    editor.is_staff = True
    editor.save()
    pending = make_claim(article, 0, 29, annotator=rita, source_name="KCNA", fact="Turnout was 99.63%", note="n")
    informant = make_claim(
        article, 30, 43, kind_slug="in_country_informant", annotator=rita, source_name="Hoeryong resident"
    )
    Source.objects.filter(name="Hoeryong resident").update(sensitive=True)
    SourceAlias.objects.create(source=Source.objects.get(name="KCNA"), name="Korean Central News Agency")
    other = make_claim(article, 44, 82, kind_slug="unsourced_quote", annotator=editor, fact="Nobody voted against")
    Claim.objects.filter(pk=informant.pk).update(status="accepted", reviewer=editor)
    Fact.objects.get(slug="turnout-was-9963").conflicts.add(Fact.objects.get(slug="nobody-voted-against"))
    clients = {}
    for role, user in (("reviewer", rita), ("editor", editor)):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    return {
        "clients": clients,
        "users": {"reviewer": rita, "editor": editor},
        "slug": [article.slug, "no-such-article"],
        "revision": [(article.slug, 1), (article.slug, 2), ("no-such-article", 1)],
        "claim": [pending.pk, informant.pk, other.pk, 999_999_999],
        "source": [*Source.objects.values_list("pk", flat=True), 999_999_999],
        "fact": [*Fact.objects.values_list("slug", flat=True), "no-such-fact"],
    }


def _url(page: Page, site, which: int) -> str:
    if not page.args:
        return reverse(page.name)
    choices = site[page.args]
    choice = choices[which % len(choices)]
    return reverse(page.name, args=choice if isinstance(choice, tuple) else [choice])


def _send(client, method: str, url: str, pairs: list, multipart: bool):
    if method == "get":
        return client.get(f"{url}?{query_string(pairs)}")
    if multipart and not any(isinstance(part, Raw) for pair in pairs for part in pair):
        data = {}
        for key, value in pairs:
            data.setdefault(key, []).append(value)
        return client.post(url, data)
    return client.post(url, query_string(pairs), content_type="application/x-www-form-urlencoded")


PAGE_MIXES = settings(FUZZ, max_examples=10)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_no_page_or_form_answers_with_a_server_error(site, page, role):
    client, user = site["clients"][role], site["users"][role]
    methods = [method for method in ("get", "post") if getattr(page, method) is not None]

    def send(method, pairs, *, multipart=False, which=0):
        url = _url(page, site, which)
        before = counts()
        response = _send(client, method, url, pairs, multipart)
        if page.name == "logout":
            client.force_login(user)
        assert response.status_code < 500, (method, url, pairs, response.content[:2000])
        if method == "post" and response.status_code >= 400:
            assert counts() == before, (method, url, pairs)

    # Every hostile value in every field at once, each way the page is asked, and as a field's name.
    for value in HOSTILE:
        for method in methods:
            send(method, [(name, value) for name in getattr(page, method)] + [(value, "1")])

    # Then generated mixes: some fields, different values, the objects the path names or missing ones.
    @PAGE_MIXES
    @given(
        method=st.sampled_from(methods),
        multipart=st.booleans(),
        which=st.integers(min_value=0, max_value=10),
        fields=st.lists(st.tuples(st.integers(min_value=0, max_value=20), values), max_size=6),
    )
    def mixed(method, multipart, which, fields):
        names = getattr(page, method)
        send(method, [(names[i % len(names)], v) for i, v in fields] if names else [], multipart=multipart, which=which)

    mixed()


# ---- the API -------------------------------------------------------------------------------------------

json_values = st.one_of(
    st.sampled_from([s for s in SPECIAL if isinstance(s, str)] + ["\ud800", "a\udfffb", "\x00\ud800"]),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
CLAIM_IN = ("article", "start", "end", "exact", "kind", "source", "fact", "via", "directness", "note")
CLAIM_PATCH = ("version", "kind", "source", "fact", "via", "directness", "note")
LIST_QUERY = (*FILTERS, "fact", "page", "page_size", "q")


def token_for(user) -> str:
    """A token as an operator makes one: `manage.py create_api_token USERNAME` prints it alone on stdout."""
    out = io.StringIO()
    call_command("create_api_token", user.get_username(), stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.fixture
def api(site):
    tokens = {role: token_for(user) for role, user in site["users"].items()}
    article = site["slug"][0]
    valid = {"article": article, "start": 30, "end": 43, "exact": TEXT[30:43], "kind": "expert"}
    return site | {"tokens": tokens, "valid": valid}


api_requests = st.fixed_dictionaries(
    {
        "operation": st.sampled_from(["create", "edit", "delete", "list_claims", "list_articles", "get"]),
        "role": st.sampled_from(["reviewer", "editor"]),
        "which": st.integers(min_value=0, max_value=10),
        "changes": st.lists(st.tuples(st.integers(min_value=0, max_value=20), json_values), max_size=4),
        "query": st.lists(st.tuples(st.integers(min_value=0, max_value=20), values), max_size=4),
    }
)


@FUZZ
@given(request=api_requests)
def test_no_api_field_answers_with_a_server_error(api, request):
    client = Client(headers={"Authorization": f"Bearer {api['tokens'][request['role']]}"})
    claim = api["claim"][request["which"] % len(api["claim"])]
    operation, changes = request["operation"], request["changes"]
    before = counts()
    if operation == "create":
        body = dict(api["valid"])
        body.update((CLAIM_IN[i % len(CLAIM_IN)], value) for i, value in changes)
        response = client.post("/api/claims", json.dumps(body), content_type="application/json")
    elif operation == "edit":
        body = {"version": 1} | {CLAIM_PATCH[i % len(CLAIM_PATCH)]: value for i, value in changes}
        response = client.patch(f"/api/claims/{claim}", json.dumps(body), content_type="application/json")
    elif operation == "delete":
        query = query_string([("version", value) for _, value in request["query"][:1]] or [("version", "1")])
        response = client.delete(f"/api/claims/{claim}?{query}")
    else:
        query = query_string([(LIST_QUERY[i % len(LIST_QUERY)], value) for i, value in request["query"]])
        path = {
            "list_claims": "/api/claims",
            "list_articles": "/api/articles",
            "get": f"/api/claims/{claim}",
        }[operation]
        response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (operation, changes, request["query"], response.content[:2000])
    assert response.status_code == 204 or response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert counts() == before


# ---- schemathesis, from the OpenAPI schema ------------------------------------------------------------------


@pytest.fixture
def in_process():
    """As Django's test client does: a request's end must not close the connection this test's transaction is on."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_openapi_schema_yields_no_server_error(api, in_process):
    """Positive and negative cases for every operation, through the WSGI application, signed in by token."""
    headers = {"Authorization": f"Bearer {api['tokens']['reviewer']}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", in_process, headers=headers)
    strategy = schema.as_strategy(schemathesis.GenerationMode.POSITIVE) | schema.as_strategy(
        schemathesis.GenerationMode.NEGATIVE
    )

    @FUZZ
    @given(case=strategy)
    def check(case):
        before = counts()
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
        if case.method.upper() != "GET" and response.status_code >= 400:
            assert counts() == before

    check()
