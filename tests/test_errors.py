"""Error pages: inside the site's layout, with a short explanation and a way back.

The test client runs with DEBUG off, so these are the pages a reader of the live site would see.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from .factories import make_user

pytestmark = pytest.mark.django_db
ARTICLES = reverse("annotate:article_list")


def assert_in_layout(page: str) -> None:
    assert '<link rel="stylesheet" href="/static/css/app.css">' in page
    assert '<header class="topbar">' in page
    assert f'<a href="{ARTICLES}">Back to the articles</a>' in page


def test_a_missing_page_is_shown_in_the_layout_with_the_navigation(client):
    client.force_login(make_user("rita"))
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    page = response.content.decode()
    assert_in_layout(page)
    assert "There is nothing at this address" in page
    assert '<nav aria-label="Main">' in page
    assert ">Sign in</a>" not in page


def test_a_missing_page_offers_anonymous_visitors_the_sign_in_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert_in_layout(page)
    assert f'<a href="{reverse("login")}">Sign in</a>' in page


def test_a_refusal_says_why_in_the_layout(client):
    client.force_login(make_user("rita", role="reviewer"))
    response = client.get(reverse("annotate:review"))
    assert response.status_code == 403
    page = response.content.decode()
    assert_in_layout(page)
    assert "Only editors can review claims." in page


def test_a_bad_request_is_shown_in_the_layout():
    response = Client(HTTP_HOST="attacker.example").get(ARTICLES)
    assert response.status_code == 400
    assert_in_layout(response.content.decode())


def test_a_server_error_page_renders_without_a_request_context():
    # Django's server_error renders 500.html with no context at all: no request, no user.
    response = server_error(RequestFactory().get("/articles/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert_in_layout(page)
    assert "Something went wrong on our side" in page
    assert "<nav" not in page


def test_a_form_without_its_csrf_token_is_refused_in_the_layout():
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("rita"))
    response = strict.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert_in_layout(page)
    assert "Reload the page and try again" in page
