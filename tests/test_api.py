"""The JSON API: who may do what, the errors it answers with, tokens, the W3C media type, the schema."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.admin.sites import AdminSite
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotate.models import Claim, ProvenanceKind, ReviewEvent, Source
from api.admin import ApiTokenAdmin
from api.models import ApiToken, hash_token
from review import services as review

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db

TEXT = "Vote 👍🏽 in 북한 선거. The voter turnout was 99.63%. Nobody voted against them."
W3C = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
TURNOUT = TEXT.index("The voter turnout was 99.63%.")


def span(text: str, *, within: str = TEXT) -> dict:
    start = within.index(text)
    return {"start": start, "end": start + len(text), "exact": text}


def bearer(user, **fields) -> Client:
    """A client that authenticates with a new token of `user`."""
    _, raw = ApiToken.issue(user=user, **fields)
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def article():
    return make_article(TEXT, title="Turnout report")


@pytest.fixture
def author():
    return make_user("rita")


@pytest.fixture
def claim(article, author):
    return make_claim(article, TURNOUT, TURNOUT + 29, annotator=author, source_name="KCNA", fact="Turnout was 99.63%")


def new_claim(article) -> dict:
    return {"article": article.slug, "kind": "expert", **span("Nobody voted against them.")}


# ---- the permission matrix ---------------------------------------------------------------------------


def client_for(role: str, author) -> Client:
    if role == "anonymous":
        return Client()
    if role == "author":
        return bearer(author)
    if role == "other reviewer":
        return bearer(make_user("otto"))
    if role == "editor":
        return bearer(make_user("eddie", role="editor"))
    if role == "no role":
        return bearer(make_user("nora", role=None))
    if role == "inactive user":
        user = make_user("ida")
        client = bearer(user)
        user.is_active = False
        user.save()
        return client
    if role == "revoked token":
        client = bearer(make_user("rob"))
        ApiToken.objects.filter(user__username="rob").update(revoked=timezone.now())
        return client
    if role == "expired token":
        return bearer(make_user("eve"), expires=timezone.now() - dt.timedelta(seconds=1))
    raise AssertionError(role)


def call(client: Client, endpoint: str, article, claim):
    if endpoint == "list articles":
        return client.get("/api/articles")
    if endpoint == "get article":
        return client.get(f"/api/articles/{article.slug}")
    if endpoint == "list claims":
        return client.get("/api/claims")
    if endpoint == "get claim":
        return client.get(f"/api/claims/{claim.pk}")
    if endpoint == "create claim":
        return client.post("/api/claims", new_claim(article), content_type="application/json")
    if endpoint == "edit claim":
        return client.patch(f"/api/claims/{claim.pk}", {"version": 1, "note": "Checked."}, "application/json")
    if endpoint == "delete claim":
        return client.delete(f"/api/claims/{claim.pk}?version=1")
    raise AssertionError(endpoint)


ENDPOINTS = ["list articles", "get article", "list claims", "get claim", "create claim", "edit claim", "delete claim"]
EXPECTED = {
    "anonymous": [401] * 7,
    "inactive user": [401] * 7,
    "revoked token": [401] * 7,
    "expired token": [401] * 7,
    "no role": [403] * 7,
    "author": [200, 200, 200, 200, 201, 200, 204],
    "other reviewer": [200, 200, 200, 200, 201, 403, 403],
    "editor": [200, 200, 200, 200, 201, 403, 403],
}
MATRIX = [
    (role, endpoint, status)
    for role, statuses in EXPECTED.items()
    for endpoint, status in zip(ENDPOINTS, statuses, strict=True)
]


@pytest.mark.parametrize(("role", "endpoint", "status"), MATRIX, ids=[f"{r}-{e}" for r, e, _ in MATRIX])
def test_permission_matrix(role, endpoint, status, article, author, claim):
    response = call(client_for(role, author), endpoint, article, claim)

    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"].startswith("application/json")
        assert set(response.json()) == {"detail"} and response.json()["detail"]
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    if status in (401, 403):
        claim.refresh_from_db()
        assert (claim.version, claim.note) == (1, "")
        assert Claim.objects.filter(exact="Nobody voted against them.").count() == 0


def test_refusals_say_why(article, author, claim):
    other = bearer(make_user("otto"))

    assert Client().get("/api/claims").json()["detail"].startswith("Authentication required")
    assert "revoked" in client_for("revoked token", author).get("/api/claims").json()["detail"]
    edit = other.patch(f"/api/claims/{claim.pk}", {"version": 1, "note": "x"}, "application/json")
    assert edit.json() == {"detail": "Only the author of a pending claim can edit it."}
    delete = other.delete(f"/api/claims/{claim.pk}?version=1")
    assert delete.json() == {"detail": "Only the author of a pending claim can delete it."}
    assert client_for("no role", author).get("/api/claims").json() == {
        "detail": "You do not have permission to read claims."
    }


def test_authors_may_not_change_a_claim_once_accepted_but_may_answer_a_request_for_changes(article, author, claim):
    editor = make_user("eddie", role="editor")
    client = bearer(author)
    accepted = make_claim(article, 0, 4, annotator=author)
    review.decide(claim_id=accepted.pk, version=1, editor=editor, decision="accept")
    review.decide(claim_id=claim.pk, version=1, editor=editor, decision="changes", reason="wrong_kind")

    refused = client.patch(f"/api/claims/{accepted.pk}", {"version": 2, "note": "x"}, "application/json")
    assert refused.status_code == 403
    assert client.delete(f"/api/claims/{accepted.pk}?version=2").status_code == 403

    answered = client.patch(f"/api/claims/{claim.pk}", {"version": 2, "kind": "expert"}, "application/json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "pending" and answered.json()["kind"] == "expert"


def test_independent_articles_hide_other_reviewers_pending_claims(author):
    article = make_article(TEXT, title="Blind", independent=True)
    claim = make_claim(article, TURNOUT, TURNOUT + 3, annotator=author)
    other, editor = bearer(make_user("otto")), bearer(make_user("eddie", role="editor"))

    assert other.get(f"/api/claims/{claim.pk}").status_code == 404
    assert other.get("/api/claims").json()["count"] == 0
    assert other.get(f"/api/articles/{article.slug}").json()["claims"] == 0
    assert other.patch(f"/api/claims/{claim.pk}", {"version": 1}, "application/json").status_code == 404
    assert editor.get(f"/api/claims/{claim.pk}").status_code == 200
    assert bearer(author).get(f"/api/articles/{article.slug}").json()["claims"] == 1


# ---- sessions and CSRF --------------------------------------------------------------------------------


def test_session_reads_without_csrf_but_writes_need_it(article, author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.get("/api/claims").status_code == 200

    refused = client.post("/api/claims", new_claim(article), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF check failed")
    assert not Claim.objects.exists()

    client.get("/accounts/login/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    created = client.post(
        "/api/claims", new_claim(article), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201, created.content


def test_anonymous_writes_are_told_to_authenticate_not_about_csrf(article):
    response = Client(enforce_csrf_checks=True).post("/api/claims", new_claim(article), "application/json")
    assert response.status_code == 401


def test_tokens_need_no_csrf(article, author):
    _, raw = ApiToken.issue(user=author)
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    assert client.post("/api/claims", new_claim(article), content_type="application/json").status_code == 201


def test_a_bad_token_is_refused_even_with_a_session(author):
    client = Client(headers={"Authorization": "Bearer not-a-token"})
    client.force_login(author)
    assert client.get("/api/claims").status_code == 401


# ---- tokens --------------------------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored_and_its_use_is_noted(author):
    token, raw = ApiToken.issue(user=author, name="script")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()

    assert raw not in {str(value) for value in stored.values()}
    assert stored["key_hash"] == hash_token(raw) and stored["prefix"] == raw[:8]
    assert stored["last_used"] is None

    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/articles")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None


def test_a_tokens_use_is_written_at_most_once_a_minute(author):
    token, raw = ApiToken.issue(user=author)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    recent, old = timezone.now() - dt.timedelta(seconds=30), timezone.now() - dt.timedelta(minutes=5)
    for last_used, rewritten in ((recent, False), (old, True)):
        ApiToken.objects.filter(pk=token.pk).update(last_used=last_used)
        assert client.get("/api/articles").status_code == 200
        token.refresh_from_db()
        assert (token.last_used != last_used) is rewritten
        assert token.last_used >= last_used
    expiring, raw = ApiToken.issue(user=author, expires=timezone.now() + dt.timedelta(minutes=1))
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/articles").status_code == 200


def test_create_api_token_prints_a_working_token(author):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "rita", "--name", "nightly import", stdout=out, stderr=err)
    raw = out.getvalue().strip()

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (author, "nightly import", raw[:8])
    assert "cannot be shown again" in err.getvalue()
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/claims").status_code == 200


def test_create_api_token_refuses_unknown_and_inactive_users(author):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody", stdout=StringIO(), stderr=StringIO())
    author.is_active = False
    author.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", "rita", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_admin_revokes_tokens_and_never_edits_them(author):
    superuser = make_user("root", role=None)
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    token, raw = ApiToken.issue(user=author)
    client = Client()
    client.force_login(superuser)

    page = client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content and token.key_hash.encode() not in page.content
    listing = client.get("/admin/api/apitoken/?revoked__isempty=1")
    assert listing.status_code == 200 and token.prefix.encode() in listing.content
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked is not None
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/claims").status_code == 401
    assert not ApiTokenAdmin(ApiToken, AdminSite()).has_add_permission(RequestFactory().get("/"))


# ---- reading -------------------------------------------------------------------------------------------


def test_articles_are_listed_by_page_and_searchable(author):
    for n in range(5):
        make_article(f"Text {n}.", title=f"Election report {n}", published=dt.date(2023, 11, 20 + n))
    make_article("Other.", title="Weather", outlet="Rodong Sinmun")
    client = bearer(author)

    first = client.get("/api/articles?page_size=2").json()
    assert first["count"] == 6 and len(first["results"]) == 2
    assert [a["title"] for a in first["results"]] == ["Election report 4", "Election report 3"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [a["title"] for a in second["results"]] == ["Election report 2", "Election report 1"]
    assert "page=1" in second["previous"]

    assert [a["title"] for a in client.get("/api/articles?q=rodong").json()["results"]] == ["Weather"]
    assert client.get("/api/articles?page=9").json()["results"] == []


def test_an_article_comes_with_its_text_and_number_of_claims(article, author, claim):
    body = bearer(author).get(f"/api/articles/{article.slug}").json()

    assert body["text"] == TEXT and body["claims"] == 1
    assert body["outlet"] == "Test Outlet" and body["url"].endswith(f"/articles/{article.slug}/")


def test_a_claim_tagged_after_a_revision_points_into_the_current_text(article, author):
    from annotate.revising import revise_article

    editor = make_user("edna", role="editor")
    revise_article(article=article, text=TEXT + " Officials later confirmed the figures.", actor=editor)
    client = bearer(author)
    assert client.get(f"/api/articles/{article.slug}").json()["revision"] == 2
    response = client.post("/api/claims", new_claim(article), content_type="application/json")

    assert response.status_code == 201
    assert response.json()["revision"] == 2 and not response.json()["orphaned"]
    assert client.get(response["Location"]).json()["revision"] == 2


def test_a_claim_as_json(author, claim):
    response = bearer(author).get(f"/api/claims/{claim.pk}")

    assert response["Content-Type"].startswith("application/json")
    assert "Accept" in response["Vary"]
    assert "북한".encode() in response.content, "text is sent as UTF-8, not as escapes"
    body = response.json()
    assert body | {"created": None, "updated": None} == {
        "id": claim.pk,
        "article": claim.article.slug,
        "start": TURNOUT,
        "end": TURNOUT + 29,
        "revision": 1,
        "orphaned": False,
        "exact": "The voter turnout was 99.63%.",
        "prefix": TEXT[:TURNOUT],
        "suffix": TEXT[TURNOUT + 29 : TURNOUT + 61],
        "kind": "state_media",
        "kind_label": "State media",
        "source": "KCNA",
        "source_registered": True,
        "fact": "turnout-was-9963",
        "fact_statement": "Turnout was 99.63%",
        "via": [],
        "directness": "",
        "note": "",
        "status": "pending",
        "annotator": "rita",
        "reviewer": None,
        "reviewed_at": None,
        "review_reason": "",
        "version": 1,
        "created": None,
        "updated": None,
    }


def test_sensitive_sources_are_masked_for_reviewers_and_shown_to_editors(article, author, claim):
    Source.objects.filter(name="KCNA").update(sensitive=True)
    editor = bearer(make_user("eddie", role="editor"))

    assert bearer(author).get(f"/api/claims/{claim.pk}").json()["source"] == "Protected source 1"
    assert bearer(author).get("/api/claims").json()["results"][0]["source"] == "Protected source 1"
    assert editor.get(f"/api/claims/{claim.pk}").json()["source"] == "KCNA"
    w3c = bearer(author).get(f"/api/claims/{claim.pk}", headers={"Accept": W3C})
    assert b"KCNA" not in w3c.content and "Protected source 1" in w3c.content.decode()


def test_claims_take_the_dashboards_filters(author):
    early = make_article(TEXT, title="Early", outlet="KCNA Watch", published=dt.date(2023, 11, 1))
    late = make_article(TEXT + " ", title="Late", outlet="Yonhap", published=dt.date(2023, 12, 1))
    otto = make_user("otto")
    a = make_claim(early, 0, 4, annotator=author, kind_slug="state_media", fact="Turnout was 99.63%")
    b = make_claim(early, 5, 9, annotator=otto, kind_slug="expert")
    c = make_claim(late, 0, 4, annotator=author, kind_slug="think_tank")
    review.decide(claim_id=c.pk, version=1, editor=make_user("eddie", role="editor"), decision="accept")
    client = bearer(author)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/claims?{query}")
        assert response.status_code == 200, response.content
        return [claim["id"] for claim in response.json()["results"]]

    assert ids("") == [a.pk, b.pk, c.pk]
    assert ids("kind=state_media&kind=expert") == [a.pk, b.pk]
    assert ids(f"outlet={late.outlet_id}") == [c.pk]
    assert ids("article=early") == [a.pk, b.pk]
    assert ids("status=accepted") == [c.pk]
    assert ids("status=pending") == [a.pk, b.pk]
    assert ids("annotator=otto") == [b.pk]
    assert ids("from=2023-11-15") == [c.pk]
    assert ids("to=2023-11-15") == [a.pk, b.pk]
    assert ids("fact=turnout-was-9963") == [a.pk]
    assert ids("fact=none") == [b.pk, c.pk]


def test_bad_filters_are_refused_with_a_message_each(author, claim):
    response = bearer(author).get("/api/claims?status=maybe&outlet=yonhap&from=yesterday&kind=rumour&fact=nope")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"status", "outlet", "from", "kind", "fact"}
    assert errors["from"] == ["“yesterday” is not a date (YYYY-MM-DD)."]
    assert errors["kind"] == ["Unknown kind: rumour."]
    assert "status: Unknown status “maybe”" in response.json()["detail"]


def test_pages_are_bounded(author):
    client = bearer(author)
    response = client.get("/api/claims?page_size=201&page=0")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"page", "page_size"}
    assert client.get("/api/claims?page_size=200").status_code == 200


# ---- writing -------------------------------------------------------------------------------------------


def post(client, body):
    return client.post("/api/claims", body, content_type="application/json")


def test_create_a_claim(article, author):
    body = new_claim(article) | {"source": "Some experts", "fact": "Nobody voted against", "directness": "relayed"}
    response = post(bearer(author), body)

    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert (
        response["Location"] == f"http://testserver/api/claims/{claim.pk}"
    )  # absolute, as `url` and the page links are
    assert response.json()["id"] == claim.pk and response.json()["version"] == 1
    # A reviewer's new names are held on the claim until an editor accepts it.
    assert (claim.annotator, claim.exact, claim.proposed_source, claim.proposed_fact, claim.directness) == (
        author,
        "Nobody voted against them.",
        "Some experts",
        "Nobody voted against",
        "relayed",
    )
    assert response.json()["source"] == "Some experts" and response.json()["source_registered"] is False
    assert response.json()["fact"] is None and response.json()["fact_statement"] == "Nobody voted against"
    assert ReviewEvent.objects.get().action == "created"


def test_an_editor_registers_new_names_at_once(article):
    body = new_claim(article) | {"source": "Some experts", "fact": "Nobody voted against"}
    response = post(bearer(make_user("eddie", role="editor")), body)

    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert (claim.source.name, claim.fact.statement) == ("Some experts", "Nobody voted against")
    assert response.json()["source_registered"] is True and response.json()["fact"] == claim.fact.slug


def test_offsets_count_code_points(article, author):
    response = post(bearer(author), {"article": article.slug, "kind": "expert", **span("👍🏽 in 북한")})

    assert response.status_code == 201, response.content
    assert (response.json()["start"], response.json()["end"]) == (5, 13)  # 👍🏽 is two code points


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": None}, "kind", "This field is required."),
        ({"exact": "Nobody voted against them!"}, "exact", "does not match the article"),
        ({"exact": "Nobody"}, "exact", "6 characters, but the span 48-74 covers 26"),
        ({"end": 0}, "end", "greater than or equal to 1"),
        ({"start": 30, "end": 20}, "end", "Must be greater than start."),
        ({"start": 200, "end": 226}, "end", "The span ends after the text"),
        ({"kind": "rumour"}, "kind", "Unknown kind of source “rumour”."),
        ({"article": "no-such-article"}, "article", "Unknown article “no-such-article”."),
        ({"directness": "hearsay"}, "directness", "Input should be"),
        ({"colour": "red"}, "colour", "Unknown field."),
        ({"source": "x" * 201}, "source", "at most 200 characters"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_claim_is_refused_with_field_errors(article, author, change, field, message):
    body = {key: value for key, value in (new_claim(article) | change).items() if value is not None}
    response = post(bearer(author), body)

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors
    assert f"{field}: " in response.json()["detail"]
    assert not Claim.objects.exists()


def test_refusals_that_concern_no_single_field(article, author):
    client = bearer(author)
    assert post(client, new_claim(article)).status_code == 201

    duplicate = post(client, new_claim(article))
    assert duplicate.status_code == 400
    assert duplicate.json()["detail"] == "You have already tagged this text as “Expert”."
    assert duplicate.json()["errors"] == {"__all__": ["You have already tagged this text as “Expert”."]}

    garbled = client.post("/api/claims", "{not json", content_type="application/json")
    assert garbled.status_code == 400
    assert garbled.json() == {
        "detail": "The request body is not valid JSON.",
        "errors": {"__all__": ["The request body is not valid JSON."]},
    }
    empty = client.post("/api/claims", content_type="application/json")
    assert empty.status_code == 400 and empty.json()["errors"]["article"] == ["This field is required."]


def test_nul_characters_are_refused_before_they_reach_the_database(article, author, claim):
    client = bearer(author)

    for path, field in (
        ("/api/articles?q=a%00", "q"),
        ("/api/claims?article=a%00b", "article"),
        ("/api/articles/a%00b", "__all__"),
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.json()["errors"] == {field: ["Text may not contain NUL characters."]}
    response = post(client, new_claim(article) | {"note": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"note": ["Text may not contain NUL characters."]}


def test_an_inactive_kind_is_refused_for_new_claims(article, author):
    ProvenanceKind.objects.filter(slug="expert").update(active=False)
    response = post(bearer(author), new_claim(article))

    assert response.status_code == 400
    assert response.json()["errors"] == {"kind": ["The kind “Expert” is no longer in use."]}


def test_edit_a_claim_keeps_what_is_left_out(author, claim):
    response = bearer(author).patch(
        f"/api/claims/{claim.pk}", {"version": 1, "note": "Checked.", "via": ["Yonhap", "KCNA"]}, "application/json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["note"], body["via"]) == (2, "Checked.", ["Yonhap", "KCNA"])
    assert (body["kind"], body["source"], body["fact"]) == ("state_media", "KCNA", "turnout-was-9963")
    claim.refresh_from_db()
    assert (claim.version, claim.note, claim.source.name) == (2, "Checked.", "KCNA")
    event = ReviewEvent.objects.filter(action="edited").get()
    assert event.before["note"] == "" and event.after["note"] == "Checked."


def test_edit_can_clear_change_and_link(author, claim):
    client = bearer(author)
    response = client.patch(
        f"/api/claims/{claim.pk}",
        {"version": 1, "kind": "expert", "source": "", "fact": "Turnout was high", "directness": "first_hand"},
        "application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["source"], body["fact_statement"], body["directness"]) == (
        "expert",
        None,
        "Turnout was high",
        "first_hand",
    )


def test_sending_back_protected_source_keeps_the_sensitive_source(author, claim):
    Source.objects.filter(name="KCNA").update(sensitive=True)
    client = bearer(author)
    shown = client.get(f"/api/claims/{claim.pk}").json()
    assert shown["source"] == "Protected source 1"

    edit = {"version": shown["version"], "source": shown["source"], "fact": shown["fact"], "note": "Seen."}
    response = client.patch(f"/api/claims/{claim.pk}", edit, "application/json")

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert claim.source.name == "KCNA" and claim.fact.statement == "Turnout was 99.63%"
    assert Source.objects.count() == 1


def test_a_bad_edit_is_refused_with_field_errors(author, claim):
    client = bearer(author)

    unknown = client.patch(f"/api/claims/{claim.pk}", {"version": 1, "kind": "rumour"}, "application/json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"kind": ["Unknown kind of source “rumour”."]}
    no_version = client.patch(f"/api/claims/{claim.pk}", {"note": "x"}, "application/json")
    assert no_version.status_code == 400
    assert no_version.json()["errors"] == {"version": ["This field is required."]}
    read_only = client.patch(f"/api/claims/{claim.pk}", {"version": 1, "status": "accepted"}, "application/json")
    assert read_only.status_code == 400 and read_only.json()["errors"] == {"status": ["Unknown field."]}
    claim.refresh_from_db()
    assert (claim.version, claim.status) == (1, "pending")


def test_a_stale_edit_is_refused_with_the_current_claim(author, claim):
    client = bearer(author)
    first = client.patch(f"/api/claims/{claim.pk}", {"version": 1, "note": "First."}, "application/json")
    assert first.status_code == 200

    response = client.patch(f"/api/claims/{claim.pk}", {"version": 1, "note": "Second."}, "application/json")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("This claim was changed by rita at ")
    assert body["current"]["version"] == 2 and body["current"]["note"] == "First."
    claim.refresh_from_db()
    assert claim.note == "First."


def test_delete_a_claim(author, claim):
    client = bearer(author)

    missing = client.delete(f"/api/claims/{claim.pk}")
    assert missing.status_code == 400 and missing.json()["errors"] == {"version": ["This field is required."]}
    stale = client.delete(f"/api/claims/{claim.pk}?version=7")
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 1
    assert Claim.objects.filter(pk=claim.pk).exists()

    deleted = client.delete(f"/api/claims/{claim.pk}?version=1")
    assert deleted.status_code == 204 and deleted.content == b"" and "Content-Type" not in deleted
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert ReviewEvent.objects.filter(claim_ref=claim.pk, action="deleted").exists()
    assert client.get(f"/api/claims/{claim.pk}").json() == {"detail": f"No claim has the id {claim.pk}."}


def test_a_write_to_a_mistyped_path_is_a_json_404_not_a_csrf_page(author, claim):
    token = ApiToken.issue(user=author)[1]
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    writes = [
        ("post", "/api/claims/"),
        ("post", "/api/articles/"),
        ("patch", "/api/claims/abc"),
        ("delete", "/api/nope"),
    ]
    for method, path in writes:
        response = getattr(client, method)(path, "{}", content_type="application/json")
        assert response.status_code == 404, (method, path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"].startswith("No endpoint at")
    for path in ("/api/x%0Ay", f"/api/claims/{claim.pk}%0A"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), path


def test_not_found_and_not_allowed_are_json(author, claim):
    client = bearer(author)

    assert client.get("/api/articles/nope").json() == {"detail": "No article has the slug “nope”."}
    for path in ("/api/claims/abc", "/api/nothing-here", "/api/claims/"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["detail"].startswith("No endpoint at")
    response = client.put(f"/api/claims/{claim.pk}", {}, "application/json")
    assert response.status_code == 405
    assert "PATCH" in response["Allow"] and "PUT is not allowed" in response.json()["detail"]


# ---- W3C Web Annotation --------------------------------------------------------------------------------


def test_a_claim_as_a_w3c_annotation(author, claim):
    response = bearer(author).get(f"/api/claims/{claim.pk}", headers={"Accept": W3C})

    assert response["Content-Type"] == W3C
    assert "Accept" in response["Vary"]
    annotation = json.loads(response.content)
    assert "http://www.w3.org/ns/anno.jsonld" in annotation["@context"]
    assert annotation["type"] == "Annotation"
    assert annotation["id"].endswith(f"/claims/{claim.pk}")
    selectors = {selector["type"]: selector for selector in annotation["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == "The voter turnout was 99.63%."
    assert (selectors["TextPositionSelector"]["start"], selectors["TextPositionSelector"]["end"]) == (
        TURNOUT,
        TURNOUT + 29,
    )


def test_plain_json_unless_the_annotation_type_is_asked_for(author, claim):
    client = bearer(author)
    for accept in ("application/json", "*/*", "text/html", 'application/ld+json; profile="https://example.org/x"'):
        response = client.get(f"/api/claims/{claim.pk}", headers={"Accept": accept})
        assert response["Content-Type"].startswith("application/json"), accept
    preferred = client.get(f"/api/claims/{claim.pk}", headers={"Accept": f"application/json;q=0.5, {W3C}"})
    assert preferred["Content-Type"] == W3C


def test_every_endpoint_answers_head_and_options_as_http_expects(author, claim):
    client = bearer(author)
    for path in ("/api/claims", f"/api/claims/{claim.pk}", "/api/articles", "/api/sources"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head["Content-Type"] == got["Content-Type"] and int(head["Content-Length"]) == len(got.content)
        options = client.options(path)
        assert options.status_code == 204 and "Content-Type" not in options
        assert {"GET", "HEAD", "OPTIONS"} <= {m.strip() for m in options["Allow"].split(",")}, path
    annotation = client.get(f"/api/claims/{claim.pk}", headers={"Accept": W3C})
    assert annotation["Link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    assert annotation["Allow"] == "GET, HEAD, OPTIONS, PATCH, DELETE"
    assert annotation["ETag"] == client.get(f"/api/claims/{claim.pk}", headers={"Accept": W3C})["ETag"]
    assert client.head("/api/nothing-here").status_code == 404


def test_claims_as_an_annotation_collection_by_pages(article, author):
    for n in range(3):
        make_claim(article, n, n + 1, annotator=author)
    client = bearer(author)

    response = client.get("/api/claims?page_size=2", headers={"Accept": W3C})
    assert response["Content-Type"] == W3C and "Accept" in response["Vary"]
    collection = json.loads(response.content)
    assert (collection["type"], collection["total"]) == (["BasicContainer", "AnnotationCollection"], 3)
    assert 'ldp#BasicContainer>; rel="type"' in response["Link"] and "constrainedBy" in response["Link"]
    assert response["Allow"] == "GET, HEAD, OPTIONS, POST" and response["ETag"].startswith('"')
    first = collection["first"]
    assert first["type"] == "AnnotationPage" and len(first["items"]) == 2
    assert all(item["type"] == "Annotation" and "@context" not in item for item in first["items"])
    assert "page=2" in first["next"] and "page_size=2" in first["next"]

    second = json.loads(client.get(first["next"], headers={"Accept": W3C}).content)
    assert second["type"] == "AnnotationPage" and len(second["items"]) == 1
    assert second["partOf"] == {"id": collection["id"], "total": 3}
    assert "next" not in second and "page=1" in second["prev"]
    # Walking back: the first page's own address is that page, as `first` names it, not the collection.
    back = json.loads(client.get(second["prev"], headers={"Accept": W3C}).content)
    assert back["type"] == "AnnotationPage" and back["id"] == first["id"] == second["prev"]
    assert [item["id"] for item in back["items"]] == [item["id"] for item in first["items"]]


# ---- the schema, query counts --------------------------------------------------------------------------


def test_the_openapi_schema_is_served_to_a_token_and_lists_the_endpoints():
    response = bearer(make_user("otto")).get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Provenance API"
    paths = {path: set(operations) for path, operations in schema["paths"].items()}
    assert paths == {
        "/api/articles": {"get", "post"},
        "/api/articles/{slug}": {"get"},
        "/api/articles/{slug}/suggestions": {"get"},
        "/api/claims": {"get", "post"},
        "/api/claims/{pk}": {"get", "patch", "delete"},
        "/api/sources": {"get"},
        "/api/sources/{pk}": {"get", "patch"},
    }
    parameters = {p["name"] for p in schema["paths"]["/api/claims"]["get"]["parameters"]}
    assert {"kind", "outlet", "article", "status", "annotator", "from", "to", "fact", "page", "page_size"} <= parameters
    assert W3C in schema["paths"]["/api/claims/{pk}"]["get"]["responses"]["200"]["content"]
    schemes = schema["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}


def count_queries(client, path, **headers) -> int:
    client.get(path, headers=headers)  # the token's first use is noted: a write the count should leave out
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("accept", ["application/json", W3C])
def test_listing_claims_takes_the_same_queries_for_3_or_30(article, author, accept):
    sources = ["KCNA", "Yonhap", "Someone"]
    Source.objects.create(name="Someone", kind=ProvenanceKind.objects.get(slug="expert"), sensitive=True)
    client = bearer(make_user("otto"))

    def add(n):
        for i in range(n):
            make_claim(article, i, i + 1, annotator=author, source_name=sources[i % 3], fact=f"Fact {i % 4}")

    add(3)
    few = count_queries(client, "/api/claims?page_size=200", Accept=accept)
    Claim.objects.all().delete()
    add(30)
    many = count_queries(client, "/api/claims?page_size=200", Accept=accept)
    assert many == few, (few, many)


def test_listing_articles_takes_the_same_queries_for_3_or_30(author):
    client = bearer(author)
    for n in range(3):
        make_article(f"Few {n}.", title=f"Few {n}", outlet=f"Outlet {n}")
    few = count_queries(client, "/api/articles?page_size=200")
    for n in range(27):
        make_article(f"Many {n}.", title=f"Many {n}", outlet=f"Outlet {n}")
    assert count_queries(client, "/api/articles?page_size=200") == few


def test_a_tag_through_the_api_costs_at_most_six_statements_with_its_transaction(article, author):
    """The token with its account and permissions, the article with the kind, the transaction (its start and
    end: savepoints in a test), the claim, its event. A source or a fact named costs one read each."""
    client = bearer(author)
    client.get("/api/claims")  # the token's first use is noted: a write the count should leave out
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/claims", new_claim(article), content_type="application/json")
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= 6, statements
    assert Claim.objects.get(pk=response.json()["id"]).kind.slug == "expert"
    assert ReviewEvent.objects.get(claim_ref=response.json()["id"]).action == "created"


def test_a_tag_naming_an_unknown_article_or_kind_says_which(article, author):
    client = bearer(author)
    for payload, field in (({"kind": "no-such-kind"}, "kind"), ({"article": "no-such-article"}, "article")):
        response = client.post("/api/claims", new_claim(article) | payload, content_type="application/json")
        assert response.status_code == 400 and field in response.json()["errors"], response.content
    response = client.post(
        "/api/claims", new_claim(article) | {"article": "nowhere", "kind": "nothing"}, content_type="application/json"
    )
    assert set(response.json()["errors"]) >= {"article", "kind"}
    assert not Claim.objects.exists()


def test_a_tag_through_the_api_answers_with_its_chain_without_reading_it_again(article, author):
    Source.objects.create(name="KCNA", kind=ProvenanceKind.objects.get(slug="state_media"))
    Source.objects.create(name="Yonhap", kind=ProvenanceKind.objects.get(slug="news_agency"))
    client = bearer(author)
    client.get("/api/claims")  # the token's first use is noted: a write the count should leave out
    payload = {"article": article.slug, "start": TURNOUT, "end": TURNOUT + 29, "exact": TEXT[TURNOUT : TURNOUT + 29]}
    payload |= {"kind": "state_media", "source": "KCNA", "via": ["Yonhap", "Someone unknown"]}
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/claims", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["via"] == ["Yonhap", "Someone unknown"]
    claim = Claim.objects.get(pk=response.json()["id"])
    assert [(r.source and r.source.name, r.proposed) for r in claim.relays.all()] == [
        ("Yonhap", ""),
        (None, "Someone unknown"),
    ]
    # The token with its permissions, the article with the kind, the source, the relay kind and the relays'
    # two names, the claim, its relays, its event: the chain is not read back for the answer.
    assert not any('FROM "annotate_claimrelay"' in q["sql"] for q in queries.captured_queries)
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 10
