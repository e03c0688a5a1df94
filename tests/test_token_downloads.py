"""Downloads a script fetches with its API token, as it fetches the API: the exports of claims, the
dashboard's JSON and CSV and the graph's files; masked for the token's user as for their session."""

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import Source
from api.models import ApiToken

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
DOWNLOADS = [
    "interchange:export_csv",
    "interchange:export_jsonl",
    "interchange:export_jsonld",
    "dashboard:json",
    "dashboard:csv",
    "dashboard:export_graphml",
    "dashboard:export_gephi_nodes",
    "dashboard:export_gephi_edges",
    "dashboard:export_prov",
    "dashboard:export_claimreview",
]


@pytest.fixture
def informant_claim():
    claim = make_claim(make_article("Nobody voted against, a Hyesan resident said."), 0, 20, source_name="Kim Chol-su")
    Source.objects.filter(pk=claim.source_id).update(sensitive=True)
    return claim


def bearer(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {ApiToken.issue(user=user)[1]}"})


@pytest.mark.parametrize("name", DOWNLOADS)
def test_a_token_downloads_what_its_user_may_read_masked_for_them(informant_claim, name):
    reviewer, editor = make_user("rita"), make_user("edna", role="editor")
    url = reverse(name) + ("?status=all" if name.startswith("interchange") else "?status=with_pending")
    as_reviewer = bearer(reviewer).get(url)
    assert as_reviewer.status_code == 200, as_reviewer.content[:200]
    assert "text/html" not in as_reviewer["Content-Type"] and "no-store" in as_reviewer["Cache-Control"]
    body = b"".join(as_reviewer.streaming_content) if as_reviewer.streaming else as_reviewer.content
    assert b"Kim Chol-su" not in body
    if name == "interchange:export_csv":
        assert b"Protected source 1" in body
        editor_body = b"".join(bearer(editor).get(url).streaming_content)
        assert b"Kim Chol-su" in editor_body


def test_a_bad_token_is_refused_not_sent_to_sign_in_and_writes_take_no_token(informant_claim):
    url = reverse("interchange:export_csv")
    refused = Client(headers={"Authorization": "Bearer nope"}).get(url)
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert Client().get(url).status_code == 302, "without a token, a visitor is sent to sign in as before"
    noroleuser = make_user("nobody", role=None)
    assert bearer(noroleuser).get(url).status_code == 403
    # A token never stands in for a session on a form: a POST with one is an anonymous POST.
    posted = bearer(make_user("rita")).post(reverse("dashboard:fact_verdict", args=["x"]), {})
    assert posted.status_code in (302, 403) and b"Kim" not in posted.content


def test_downloads_count_against_the_accounts_rate_as_the_api_does(informant_claim, settings):
    settings.API_THROTTLE_USER = "2/min"
    client = bearer(make_user("rita"))
    url = reverse("dashboard:json")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.get(url)["Retry-After"]) >= 1
    assert Client(headers={"Authorization": "Bearer"}).get(url).status_code == 401, "an empty token is no token"
