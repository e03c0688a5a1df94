"""Brute force, throttled: sign-in lockouts (django-axes) and the API's rate limits (django-ninja's)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from api.models import ApiToken

from .factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"
LOGIN = reverse("login")


def sign_in(username: str, password: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("annotate:article_list")


@pytest.fixture
def rita():
    return make_user("rita", password=PASSWORD)


def test_five_wrong_passwords_lock_the_account_and_the_address(rita):
    make_user("otto", password=PASSWORD)
    for _ in range(4):
        assert sign_in("rita", "guess").status_code == 200  # the form again, with its error
    fifth = sign_in("rita", "guess")
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Too many failed sign-ins for this account or from your network: try again in 15 minutes." in page
    assert '<link rel="stylesheet" href="/static/css/app.css">' in page and 'id="id_password"' in page
    assert 'value="rita"' in page

    # The right password is refused now, from this address for anyone, and for this account from anywhere.
    assert sign_in("rita", PASSWORD).status_code == 429
    assert sign_in("otto", PASSWORD).status_code == 429
    assert sign_in("rita", PASSWORD, address="198.51.100.4").status_code == 429
    # Someone else elsewhere is not affected.
    assert signed_in(sign_in("otto", PASSWORD, address="198.51.100.4"))


def test_a_username_guessed_from_many_addresses_is_locked(rita):
    for n in range(5):
        sign_in("rita", f"guess {n}", address=f"192.0.2.{n + 1}")
    assert sign_in("rita", PASSWORD, address="192.0.2.99").status_code == 429


def test_an_address_trying_many_usernames_is_locked(rita):
    for n in range(5):
        sign_in(f"user{n}", "guess")
    assert sign_in("rita", PASSWORD).status_code == 429


def test_sign_in_works_again_after_the_cool_off(rita):
    for _ in range(5):
        sign_in("rita", "guess")
    assert sign_in("rita", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert signed_in(sign_in("rita", PASSWORD))


def test_the_admin_sign_in_is_locked_too(rita):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "rita", "password": "guess"})
    assert sign_in("rita", PASSWORD).status_code == 429


# ---- the API ----------------------------------------------------------------------------------------------


def api(token: str, address: str = "203.0.113.7", forwarded: str | None = None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} | ({"X-Forwarded-For": forwarded} if forwarded else {})
    return Client(REMOTE_ADDR=address, headers=headers)


def test_wrong_tokens_from_one_address_are_throttled_with_429_and_retry_after(settings, rita):
    settings.API_THROTTLE_FAILED = "3/min"
    _, raw = ApiToken.issue(user=rita)
    for n in range(3):
        assert api(f"guess-{n}").get("/api/claims").status_code == 401
    response = api("guess-3").get("/api/claims")
    assert response.status_code == 429
    assert response.json() == {"detail": f"Too many requests: try again in {response['Retry-After']} seconds."}
    assert 0 < int(response["Retry-After"]) <= 60

    # Past its rate an address is refused before its token is looked at: a right guess is no use.
    assert api(raw).get("/api/claims").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.7").get("/api/claims").status_code == 429  # nor calling with none
    # Another address is not affected.
    assert api(raw, address="198.51.100.4").get("/api/claims").status_code == 200


def test_the_failure_rate_defaults_to_sixty_a_minute(rita):
    for n in range(60):
        assert api(f"guess-{n}").get("/api/articles").status_code == 401
    assert api("guess-60").get("/api/articles").status_code == 429


def test_each_account_has_its_own_rate(settings, rita):
    settings.API_THROTTLE_USER = "3/min"
    _, raw = ApiToken.issue(user=rita)
    for _ in range(3):
        assert api(raw).get("/api/articles").status_code == 200
    response = api(raw).get("/api/articles")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Too many requests")
    # The same account through its session counts against the same rate; another account does not.
    browser = Client()
    browser.force_login(rita)
    assert browser.get("/api/articles").status_code == 429
    _, other = ApiToken.issue(user=make_user("otto"))
    assert api(other).get("/api/articles").status_code == 200


def test_behind_a_proxy_each_client_counts_from_its_forwarded_address(settings, rita):
    settings.API_THROTTLE_FAILED = "2/min"
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.2"
    for _ in range(2):
        api("guess", address=proxy, forwarded="203.0.113.7").get("/api/articles")
    # A forged entry to the left of the proxy's own does not make a new client.
    forged = api("guess", address=proxy, forwarded="1.2.3.4, 203.0.113.7")
    assert forged.get("/api/articles").status_code == 429
    assert api("guess", address=proxy, forwarded="198.51.100.4").get("/api/articles").status_code == 401
