"""Every URL and method, for every kind of visitor: who gets in, who is refused, and refusals change nothing.

Anonymous visitors are sent to sign in (the API answers 401); an account without a role is refused
everywhere (403); reviewers read, tag and change their own pending claims; editors review, curate
sources and facts, and run the agreement pages; nobody edits someone else's claim.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import Claim, Fact, ReviewEvent, Source, SourceAlias
from api.models import ApiToken
from corpus.models import Article
from suggest.engine import suggest
from suggest.models import Dismissal

from .crawl import routes
from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The turnout was 99.63%, the KCNA said. Nobody voted against, a resident said."
ROLES = ["anonymous", "no role", "author", "other reviewer", "editor", "superuser"]
OK = "ok"  # any success: 200, 201, 204, or a redirect that is not to the sign-in page
READERS = {"anonymous": "login", "no role": 403, "author": OK, "other reviewer": OK, "editor": OK, "superuser": OK}
EDITORS = READERS | {"author": 403, "other reviewer": 403}
AUTHOR = READERS | {"other reviewer": 403, "editor": 403, "superuser": 403}
API_READERS = READERS | {"anonymous": 401}
API_AUTHOR = AUTHOR | {"anonymous": 401}
API_EDITORS = EDITORS | {"anonymous": 401}
OPEN = dict.fromkeys(ROLES, OK)


@pytest.fixture
def world():
    author = make_user("rita")
    article = make_article(TEXT, title="Report")
    claim = make_claim(article, 0, 22, annotator=author, source_name="KCNA", fact="Turnout was 99.63%")
    other_source = Source.objects.create(name="Yonhap", kind=claim.kind)
    other_fact = Fact.objects.create(statement="Nobody voted against", slug="nobody")
    users = {
        "author": author,
        "other reviewer": make_user("olga"),
        "no role": make_user("nobody", role=None),
        "editor": make_user("eddie", role="editor"),
        "superuser": type(author).objects.create_superuser("root", password="pw-for-tests-only"),
    }
    return {"article": article, "claim": claim, "source": claim.source, "other_source": other_source,
            "fact": claim.fact, "other_fact": other_fact, "users": users}  # fmt: skip


def cases(w) -> list[tuple]:
    """(route name, method, kwargs, data, expected status by role)."""
    article, claim, fact = w["article"], w["claim"], w["fact"]
    a, c, f, s = {"slug": article.slug}, {"pk": claim.pk}, {"slug": fact.slug}, {"pk": w["source"].pk}
    start = TEXT.index("Nobody voted against")
    tag = {"start": start, "end": start + 20, "exact": "Nobody voted against", "kind": "state_media"}
    edit = {"kind": "state_media", "source": "KCNA", "version": claim.version, "note": "changed"}
    api_claim = {"article": article.slug} | tag
    new_article = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 0, "form-0-keep": "on", "form-0-title": "New",
                   "form-0-text": "A new report on the elections in the North."}  # fmt: skip
    suggestion = next(s.key for s in suggest(TEXT) if s.exact.startswith("Nobody"))
    return [
        ("login", "get", {}, None, OPEN),
        ("logout", "post", {}, None, dict.fromkeys(ROLES, "login")),
        ("kinds_css", "get", {}, None, OPEN),
        ("api:openapi-json", "get", {}, None, OPEN | {"anonymous": 401}),
        ("api:openapi-view", "get", {}, None, READERS),
        ("api:api-root", "get", {}, None, dict.fromkeys(ROLES, 404)),
        ("api:list_articles", "get", {}, None, API_READERS),
        ("api:get_article", "get", a, None, API_READERS),
        ("api:claims", "get", {}, None, API_READERS),
        ("api:claims", "post", {}, api_claim, API_READERS),
        ("api:claim", "get", c, None, API_READERS),
        ("api:claim", "patch", c, {"version": claim.version, "note": "x"}, API_AUTHOR),
        ("api:claim", "delete", c | {"?": f"version={claim.version}"}, None, API_AUTHOR),
        ("api:sources", "get", {}, None, API_READERS),
        ("api:source", "get", s, None, API_READERS),
        ("api:source", "patch", s, {"affiliation": "Yonhap"}, API_READERS | {"author": 403, "other reviewer": 403}),
        ("annotate:article_list", "get", {}, None, READERS),
        ("annotate:article_detail", "get", a, None, READERS),
        ("annotate:article_claims", "get", a | {"?": "at=1"}, None, READERS),
        ("annotate:article_claims", "post", a, tag, READERS),
        ("annotate:article_passages", "get", a | {"?": "from=0"}, None, READERS),
        ("review:article_agreement", "get", a, None, EDITORS),
        ("review:article_independent", "post", a, {"independent": "on"}, EDITORS),
        ("review:agreement", "get", {}, None, EDITORS),
        ("review:queue", "get", {}, None, EDITORS),
        ("review:decide", "post", c, {"action": "reject", "reason": "other", "version": 1}, EDITORS),
        ("review:skip", "post", c, {}, EDITORS),
        ("review:unskip", "post", {}, {}, EDITORS),
        ("review:undo", "post", {}, {}, EDITORS),
        ("review:bulk_accept", "post", {}, {"claim": f"{claim.pk}:1"}, EDITORS),
        ("annotate:claim_list", "get", {}, None, READERS),
        ("annotate:my_claims", "get", {}, None, READERS),
        ("review:claim", "get", c, None, READERS),
        ("annotate:claim_edit", "get", c, None, AUTHOR),
        ("annotate:claim_edit", "post", c, edit, AUTHOR),
        ("annotate:claim_delete", "post", c, {"version": claim.version}, AUTHOR),
        ("dashboard:fact_list", "get", {}, None, READERS),
        ("dashboard:fact_detail", "get", f, None, READERS),
        ("dashboard:fact_graph", "get", f, None, READERS),
        ("dashboard:fact_verdict", "post", f, {"verdict": "False", "explanation": "x"}, EDITORS),
        ("dashboard:story_graph", "get", {}, None, READERS),
        ("dashboard:export_graphml", "get", {}, None, READERS),
        ("dashboard:export_gephi_nodes", "get", {}, None, READERS),
        ("dashboard:export_gephi_edges", "get", {}, None, READERS),
        ("dashboard:export_prov", "get", {}, None, READERS),
        ("dashboard:export_claimreview", "get", {}, None, READERS),
        ("dashboard:fact_conflict", "post", f, {"other": "nobody", "conflicting": "on"}, EDITORS),
        ("annotate:source_list", "get", {}, None, EDITORS),
        ("annotate:source_edit", "get", s, None, EDITORS),
        ("annotate:source_edit", "post", s, {"name": "KCNA!", "kind": claim.kind_id, "aliases": ""}, EDITORS),
        ("annotate:source_merge", "post", {"pk": w["other_source"].pk}, {"into": w["source"].pk}, EDITORS),
        ("annotate:source_suggest", "get", {}, None, READERS),
        ("annotate:fact_suggest", "get", {}, None, READERS),
        ("dashboard:index", "get", {}, None, READERS),
        ("dashboard:json", "get", {}, None, READERS),
        ("dashboard:csv", "get", {}, None, READERS),
        ("interchange:export_csv", "get", {}, None, READERS),
        ("interchange:export_jsonl", "get", {}, None, READERS),
        ("interchange:export_jsonld", "get", {}, None, READERS),
        ("ingest:add", "get", {}, None, EDITORS),
        ("ingest:add", "post", {}, {"text": "A pasted report on the elections."}, EDITORS),
        ("ingest:save", "post", {}, new_article, EDITORS),
        ("ingest:revisions", "get", a, None, READERS),
        ("ingest:revision", "get", a | {"number": 1}, None, READERS | dict.fromkeys(ROLES[2:], 404)),
        # The matrix sends JSON, which the endpoint reads as it reads a form: editors add the article.
        ("api:articles_add", "post", {}, {"text": "A report sent as JSON."}, API_EDITORS),
        ("suggest:article", "get", a, None, READERS),
        ("suggest:accept", "post", a, {"suggestion": suggestion, "kind": "in_country_informant"}, READERS),
        ("suggest:dismiss", "post", a, {"suggestion": suggestion}, READERS),
        ("suggest:fact_options", "get", a | {"?": "start=0&end=22"}, None, READERS),
        ("api:list_suggestions", "get", a, None, API_READERS),
    ]


def state() -> tuple:
    """Everything a request could change, compared before and after a refused one."""
    return (
        list(Claim.objects.order_by("pk").values_list("pk", "version", "status", "note", "source_id", "locked_by")),
        ReviewEvent.objects.count(),
        list(Source.objects.order_by("pk").values_list("pk", "name", "affiliation_id")),
        SourceAlias.objects.count(),
        list(Fact.objects.order_by("pk").values_list("pk", "statement", "verdict")),
        sorted(Fact.conflicts.through.objects.values_list("from_fact_id", "to_fact_id")),
        list(Article.objects.values_list("pk", "independent", "revision")),
        Dismissal.objects.count(),
    )


def request(role: str, users: dict, method: str, url: str, data) -> tuple[int, str]:
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    if method in ("get", "delete"):
        response = getattr(client, method)(url)
    elif url.startswith("/api/"):
        response = getattr(client, method)(url, json.dumps(data), content_type="application/json")
    else:
        response = client.post(url, data)
    return response.status_code, response.get("Location", "")


def outcome(status: int, location: str) -> object:
    if status in (301, 302) and location.startswith(reverse("login")):
        return "login"
    return OK if status < 400 else status


def test_every_route_is_in_the_matrix(world):
    covered = {name for name, *_ in cases(world)}
    assert {route.name for route in routes()} <= covered


KEYS = [
    ("login", "get"), ("logout", "post"), ("kinds_css", "get"), ("api:openapi-json", "get"),
    ("api:openapi-view", "get"),
    ("api:api-root", "get"), ("api:list_articles", "get"), ("api:get_article", "get"), ("api:claims", "get"),
    ("api:claims", "post"), ("api:claim", "get"), ("api:claim", "patch"), ("api:claim", "delete"),
    ("api:sources", "get"), ("api:source", "get"), ("api:source", "patch"),
    ("annotate:article_list", "get"), ("annotate:article_detail", "get"), ("annotate:article_claims", "get"),
    ("annotate:article_claims", "post"), ("annotate:article_passages", "get"), ("review:article_agreement", "get"),
    ("review:article_independent", "post"), ("review:agreement", "get"), ("review:queue", "get"),
    ("review:decide", "post"), ("review:skip", "post"), ("review:unskip", "post"),
    ("review:undo", "post"), ("review:bulk_accept", "post"), ("annotate:claim_list", "get"),
    ("annotate:my_claims", "get"),
    ("review:claim", "get"), ("annotate:claim_edit", "get"), ("annotate:claim_edit", "post"),
    ("annotate:claim_delete", "post"), ("dashboard:fact_list", "get"), ("dashboard:fact_detail", "get"),
    ("dashboard:fact_graph", "get"), ("dashboard:fact_verdict", "post"), ("dashboard:story_graph", "get"),
    ("dashboard:export_graphml", "get"), ("dashboard:export_gephi_nodes", "get"),
    ("dashboard:export_gephi_edges", "get"), ("dashboard:export_prov", "get"), ("dashboard:export_claimreview", "get"),
    ("dashboard:fact_conflict", "post"),
    ("annotate:source_list", "get"), ("annotate:source_edit", "get"),
    ("annotate:source_edit", "post"), ("annotate:source_merge", "post"), ("annotate:source_suggest", "get"),
    ("annotate:fact_suggest", "get"), ("dashboard:index", "get"), ("dashboard:json", "get"),
    ("dashboard:csv", "get"), ("interchange:export_csv", "get"), ("interchange:export_jsonl", "get"),
    ("interchange:export_jsonld", "get"), ("ingest:add", "get"), ("ingest:add", "post"), ("ingest:save", "post"),
    ("ingest:revisions", "get"), ("ingest:revision", "get"), ("api:articles_add", "post"),
    ("suggest:article", "get"), ("suggest:accept", "post"),
    ("suggest:dismiss", "post"), ("suggest:fact_options", "get"), ("api:list_suggestions", "get"),
]  # fmt: skip


def test_the_matrix_lists_every_case(world):
    assert [(name, method) for name, method, *_ in cases(world)] == KEYS


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", KEYS, ids=[f"{method}-{name}" for name, method in KEYS])
def test_each_role_gets_exactly_what_it_may(key, role, world):
    name, method, kwargs, data, expected = next(case for case in cases(world) if case[:2] == key)
    kwargs = dict(kwargs)
    query = kwargs.pop("?", "")
    url = reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")
    before = state()
    status, location = request(role, world["users"], method, url, data)
    assert outcome(status, location) == expected[role], status
    if expected[role] != OK:
        assert state() == before, "a refused request changed something"


def test_the_api_takes_tokens_with_the_same_rules(world):
    token = ApiToken.issue(user=world["users"]["no role"])[1]
    response = Client().get("/api/claims", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    response = Client().get("/api/claims", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
