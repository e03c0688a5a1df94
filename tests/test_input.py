"""Text that cannot be stored (NUL, lone surrogates) is refused with a 400 that says why, and changes nothing."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import Claim, Fact, ReviewEvent, Source, SourceAlias
from api.models import ApiToken

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The voter turnout was 99.63%.\tNobody voted against. KCNA said so."
NUL_PAGE = "The request contained characters that cannot be stored (a NUL character)"


@pytest.fixture
def article():
    return make_article(TEXT, title="Turnout report")


@pytest.fixture
def claim(article):
    return make_claim(article, 0, 29, annotator=make_user("rita"), source_name="KCNA", fact="Turnout")


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Claim, ReviewEvent, Source, SourceAlias, Fact)}


PAGES = [
    "/articles/?q=%00",
    "/claims/?kind=%00",
    "/claims/?article=%00",
    "/claims/?annotator=%00",
    "/claims/?fact=%00",
    "/dashboard/?article=a%00",
    "/dashboard.json?annotator=%00",
    "/dashboard.csv?kind=%00",
    "/export/claims.csv?fact=%00",
    "/export/claims.jsonl?fact=%00",
    "/export/claims.jsonld?fact=%00",
    "/suggest/sources/?source=%00",
    "/suggest/facts/?fact=%00",
    "/review/?kind=%00",
    "/review/?annotator=x%00y",
    "/sources/?q=%00",
    "/facts/?%00=1",
    "/articles/a%00b/",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_anywhere_in_a_pages_address_is_refused_with_a_page_that_says_so(client, editor, claim, url):
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert NUL_PAGE in response.content.decode()


def test_the_page_names_the_field_and_htmx_gets_the_message_in_the_page(client, editor):
    client.force_login(editor)
    response = client.get("/claims/?fact=a%00b")
    assert "in the query parameter “fact”. Nothing was changed" in response.content.decode()
    fragment = client.get("/dashboard/?article=%00", headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and NUL_PAGE in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert (fragment["HX-Retarget"], fragment["HX-Reswap"]) == ("#main", "innerHTML")


def test_refused_review_decisions_store_nothing(client, editor, claim):
    client.force_login(editor)
    before = counts()
    url = reverse("review:decide", args=[claim.pk])
    as_form = client.post(
        url, f"action=kind&version={claim.version}&kind=%00", content_type="application/x-www-form-urlencoded"
    )
    multipart = client.post(
        url, {"action": "reject", "version": claim.version, "reason": "other", "note": "nul \x00 here"}
    )
    for response in (as_form, multipart):
        assert response.status_code == 400
        assert NUL_PAGE in response.content.decode()
    assert "in the form field “note”" in multipart.content.decode()
    assert counts() == before
    assert Claim.objects.get(pk=claim.pk).status == "pending"


def test_a_tag_with_a_nul_in_a_field_name_stores_nothing(client, article):
    client.force_login(make_user("olga"))
    data = {"start": 0, "end": 3, "exact": "The", "kind": "expert", "source": "New source", "x\x00": "1"}
    response = client.post(reverse("annotate:article_claims", args=[article.slug]), data)
    assert response.status_code == 400
    assert not Claim.objects.exists() and not Source.objects.exists()


def test_uploaded_files_are_not_read_for_it(client, editor, claim):
    client.force_login(editor)
    upload = ("binary.bin", b"\x00\xff\x00")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("review:unskip"), {"file": SimpleUploadedFile(*upload)})
    assert response.status_code == 302


def test_a_session_cookie_holding_a_nul_is_refused_not_looked_up(client):
    client.cookies["sessionid"] = "\x00" * 12
    response = client.get("/articles/")
    assert response.status_code == 400
    assert "in the cookie “sessionid”" in response.content.decode()


# ---- the API ---------------------------------------------------------------------------------------------


def bearer(user) -> Client:
    _, raw = ApiToken.issue(user=user)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_api_refuses_them_in_its_json_error_shape(claim):
    client = bearer(make_user("otto"))
    response = client.get("/api/claims?fact=a%00b")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "fact: Text may not contain NUL characters.",
        "errors": {"fact": ["Text may not contain NUL characters."]},
    }
    assert client.get("/api/articles/a%00b").json()["errors"] == {"__all__": ["Text may not contain NUL characters."]}


def post(client, payload: str):
    return client.post("/api/claims", payload, content_type="application/json")


def new_claim(article, **fields) -> dict:
    start = TEXT.index("Nobody voted against.")
    return {
        "article": article.slug,
        "kind": "expert",
        "start": start,
        "end": start + 21,
        "exact": "Nobody voted against.",
    }


@pytest.mark.parametrize("field", ["article", "kind", "source", "fact", "note", "exact"])
def test_a_lone_surrogate_in_any_api_text_is_a_field_error(article, claim, field):
    client = bearer(make_user("otto"))
    before = counts()
    payload = json.dumps(new_claim(article)).replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
    if field not in new_claim(article):
        payload = payload[:-1] + f', "{field}": "a\\ud800b"}}'
    response = post(client, payload)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][field] == [
        "Text may not contain lone surrogates (found U+D800, half of a UTF-16 pair)."
    ]
    patched = client.patch(f"/api/claims/{claim.pk}", '{"version": 1, "note": "\\udfff"}', "application/json")
    assert patched.status_code in (400, 403)
    assert counts() == before


def test_a_lone_surrogate_in_a_relays_name_is_a_field_error(article):
    client = bearer(make_user("otto"))
    before = counts()
    payload = json.dumps(new_claim(article) | {"via": ["Yonhap", "a"]}).replace('"a"]', '"a\\ud800b"]')
    response = post(client, payload)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {
        "via.1": ["Text may not contain lone surrogates (found U+D800, half of a UTF-16 pair)."]
    }
    assert counts() == before


def test_control_characters_are_refused_in_api_text_but_tab_and_line_breaks_are_not(article):
    client = bearer(make_user("otto"))
    refused = post(client, json.dumps(new_claim(article) | {"note": "bell \x07"}))
    assert refused.status_code == 400
    assert refused.json()["errors"]["note"] == [
        "Text may not contain control characters other than tab and line breaks (found U+0007)."
    ]
    assert not Claim.objects.exists()
    kept = post(client, json.dumps(new_claim(article) | {"note": "one\ttwo\r\nthree"}))
    assert kept.status_code == 201
    assert Claim.objects.get().note == "one\ttwo\r\nthree"


def test_a_quote_may_hold_what_the_article_holds(article):
    """`exact` must equal the article's text, control characters and all; only what cannot be stored is refused."""
    client = bearer(make_user("otto"))
    start = TEXT.index("\t")
    response = post(client, json.dumps(new_claim(article) | {"start": start - 1, "end": start + 2, "exact": ".\tN"}))
    assert response.status_code == 201, response.content


def test_a_lone_surrogate_in_an_unknown_field_name_is_answered_in_json(article):
    response = post(bearer(make_user("otto")), '{"\\ud800": 1}')
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_an_error_naming_what_utf_8_cannot_write_is_still_sent():
    from api.errors import invalid

    response = invalid({"\ud800": ["Unknown field."]})
    assert json.loads(response.content) == {
        "detail": "\ud800: Unknown field.",
        "errors": {"\ud800": ["Unknown field."]},
    }


def test_multipart_sent_to_a_json_endpoint_is_still_a_400(article):
    response = bearer(make_user("otto")).post("/api/claims", {"article": article.slug, "note": "x"})
    assert response.status_code == 400


def test_control_characters_in_a_tag_are_refused_in_the_browser_too(client, article):
    client.force_login(make_user("olga"))
    data = {"start": 0, "end": 3, "exact": "The", "kind": "expert", "note": "bell \x07"}
    response = client.post(reverse("annotate:article_claims", args=[article.slug]), data)
    assert response.status_code == 400
    assert "Note: Text may not contain control characters other than tab and line breaks (found U+0007)." in (
        response.content.decode()
    )
    assert not Claim.objects.exists()


# ---- found by generated input (tests/test_fuzz.py) ---------------------------------------------------------


@pytest.mark.parametrize("digits", ["²", "٣", "9" * 5000])
def test_numbers_that_are_digits_only_to_isdigit_are_no_numbers(client, editor, claim, digits):
    """str.isdigit() takes "²" and "٣", which int() refuses or reads otherwise; 5,000 digits exceed int()'s limit."""
    client.force_login(editor)
    article = claim.article
    assert client.get(f"/review/?claim={digits}").status_code == 404
    assert client.get(f"/articles/{article.slug}/claims/?ids={digits},{claim.pk}&at={digits}").status_code == 200
    assert client.get(f"/dashboard/?outlet={digits}").status_code == 200
    (error,) = client.get(f"/dashboard.json?outlet={digits}").json()["errors"]
    assert error.startswith("The outlet filter must be an outlet's number") and error.endswith("Ignored.")
    bulk = client.post(reverse("review:bulk_accept"), {"claim": f"{digits}:1"})
    assert bulk.status_code == 302 and Claim.objects.get(pk=claim.pk).status == "pending"


def test_a_query_parameter_longer_than_any_search_is_refused(client, editor):
    client.force_login(editor)
    long = "x" * 10_001
    for url in (f"/articles/?q={long}", f"/suggest/sources/?source={long}", f"/sources/?q={long}"):
        response = client.get(url)
        assert response.status_code == 400
        assert "the query parameter “" in response.content.decode()
        assert "is too long (10,001 characters, at most 10,000 are read)" in response.content.decode()
    assert client.get("/articles/?q=" + "x" * 10_000).status_code == 200
    api = bearer(editor).get(f"/api/articles?q={long}")
    assert api.status_code == 400
    assert api.json()["errors"] == {"q": ["Too long: 10,001 characters, at most 10,000."]}


def test_a_username_longer_than_any_account_is_a_form_error_not_a_server_error(client):
    response = client.post(reverse("login"), {"username": "9" * 5000, "password": "x"})
    assert response.status_code == 200 and "didn't match" in response.content.decode()
