"""Nothing sent to a signed-in user or a token holder may be kept by a shared cache or the browser."""

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
PRIVATE = {"private", "no-store"}


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def editor(client):
    user = make_user("edna", role="editor")
    client.force_login(user)
    make_claim(make_article(), 4, 12, source_name="A sensitive informant")
    return user


@pytest.mark.parametrize(
    "url",
    [
        reverse("annotate:article_list"),
        reverse("annotate:dashboard"),
        reverse("annotate:dashboard_json"),
        reverse("annotate:export_csv"),
        reverse("annotate:export_jsonl"),
        "/api/claims",
    ],
)
def test_pages_exports_and_json_for_a_signed_in_user_are_not_stored(client, editor, url):
    response = client.get(url)
    assert response.status_code == 200
    assert directives(response) >= PRIVATE, response.get("Cache-Control")


def test_htmx_partials_are_not_stored_either(client, editor):
    response = client.get(reverse("annotate:dashboard"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert directives(response) >= PRIVATE


def test_api_answers_to_a_token_are_not_stored(editor):
    _, raw = ApiToken.issue(user=editor)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/articles")
    assert response.status_code == 200
    assert directives(response) >= PRIVATE


def test_a_refused_token_is_not_stored_either():
    response = Client(headers={"Authorization": "Bearer not-a-token"}).get("/api/articles")
    assert response.status_code == 401
    assert directives(response) >= PRIVATE
