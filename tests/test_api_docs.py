"""The API's documentation: Swagger UI from the site's own files, for signed-in users only."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from api.models import ApiToken

from .factories import make_user

pytestmark = pytest.mark.django_db
DOCS = "/api/docs"
SCHEMA = "/api/openapi.json"


def test_the_docs_page_loads_everything_from_the_sites_own_static_files(client):
    client.force_login(make_user("rita"))
    response = client.get(DOCS)
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui/swagger-ui.css" in assets
    assert "/static/js/api-docs.js" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not one of our static files"
    assert not re.search(r"https?://", page), "the page names no other site"
    # The settings reach the script as data, not code; the schema is ours.
    assert '<script id="swagger-settings" type="application/json">' in page
    assert f'"url": "{SCHEMA}"' in page


def test_anonymous_visitors_are_sent_to_sign_in_for_the_docs():
    response = Client().get(DOCS)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={DOCS}"


def test_accounts_without_a_role_get_no_docs(client):
    client.force_login(make_user("guest", role=None))
    assert client.get(DOCS).status_code == 403


def test_the_schema_answers_a_session_or_a_token_and_refuses_anonymous_callers(client):
    response = Client().get(SCHEMA)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")
    assert Client(headers={"Authorization": "Bearer not-a-token"}).get(SCHEMA).status_code == 401

    user = make_user("rita")
    _, raw = ApiToken.issue(user=user)
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(SCHEMA).status_code == 200
    client.force_login(user)
    assert client.get(SCHEMA).json()["info"]["title"] == "Provenance API"
