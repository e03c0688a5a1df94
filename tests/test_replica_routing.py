"""Where reads go, decided without a replica: the router, the middleware's choice, read-your-writes.

The real thing (a streaming standby, PgBouncer, the servers' logs) is tests/test_replica.py.
"""

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import resolve

from annotate.models import Claim
from config import replica

router = replica.ReplicaRouter()


@pytest.fixture
def replicated(monkeypatch, settings):
    """A replica that is configured and usable, as far as the middleware can tell."""
    monkeypatch.setattr(replica, "configured", lambda: True)
    state = {"usable": True}
    monkeypatch.setattr(replica, "replica_usable", lambda: state["usable"])
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 10
    return state


def answer(method="get", path="/dashboard/", *, write=False, stream=False, cookies=None, **headers):
    """Run the middleware around a view that notes where a claim and a session would be read from."""
    request = getattr(RequestFactory(), method)(path, headers=headers)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    seen = {}

    def view(request):
        seen["claims"], seen["sessions"] = router.db_for_read(Claim), router.db_for_read(Session)
        if write:
            router.db_for_write(Claim)
            seen["after write"] = router.db_for_read(Claim)
        if stream:
            return StreamingHttpResponse(router.db_for_read(Claim) for _ in range(2))
        return HttpResponse("ok")

    def get_response(request):
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = replica.ReplicaMiddleware(get_response)
    response = middleware(request)
    if stream:
        seen["streamed"] = list(response.streaming_content)
    return seen, response


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard.json", "/export/claims.csv", "/api/claims"])
def test_reads_of_the_dashboard_exports_and_api_go_to_the_replica(replicated, path):
    seen, _ = answer(path=path)
    assert seen["claims"] == "replica"
    assert seen["sessions"] == "default"  # sessions, tokens and lockouts always on the primary


@pytest.mark.parametrize("path", ["/articles/", "/review/"])
def test_other_pages_read_the_primary(replicated, path):
    assert answer(path=path)[0]["claims"] == "default"


def test_writes_and_unsafe_methods_use_the_primary(replicated):
    assert answer("post", "/api/claims")[0]["claims"] == "default"
    seen, _ = answer(write=True)
    assert seen["claims"] == "replica" and seen["after write"] == "default"  # then it reads what it wrote
    assert router.db_for_write(Claim) == "default"


def test_a_stream_reads_the_replica_for_as_long_as_it_streams(replicated):
    seen, _ = answer(path="/export/claims.csv", stream=True)
    assert seen["streamed"] == [b"replica", b"replica"]
    assert router.db_for_read(Claim) == "default"  # and nothing else does afterwards


def test_a_client_that_wrote_reads_the_primary_for_the_window(replicated):
    _, response = answer("post", "/api/claims", write=True)
    cookie = response.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    seen, _ = answer(cookies={replica.PIN_COOKIE: cookie.value})
    assert seen["claims"] == "default"
    assert answer(cookies={replica.PIN_COOKIE: "forged"})[0]["claims"] == "replica"


def test_an_api_client_without_cookies_is_known_by_its_token(replicated):
    answer("post", "/api/claims", write=True, authorization="Bearer one")
    assert answer(path="/api/claims", authorization="Bearer one")[0]["claims"] == "default"
    assert answer(path="/api/claims", authorization="Bearer two")[0]["claims"] == "replica"


def test_bookkeeping_writes_do_not_keep_a_client_on_the_primary(replicated):
    router.db_for_write(Session)
    _, response = answer()
    assert replica.PIN_COOKIE not in response.cookies


def test_a_replica_that_lags_or_is_down_leaves_reads_on_the_primary(replicated):
    replicated["usable"] = False
    assert answer()[0]["claims"] == "default"


def test_without_a_replica_everything_reads_the_primary():
    assert answer()[0]["claims"] == "default"
    assert router.allow_migrate("replica", "annotate") is False and router.allow_migrate("default", "annotate")


@pytest.mark.django_db
def test_who_is_asking_and_what_they_may_do_are_read_from_the_primary(replicated):
    """The API asks for the account and its permissions after the replica has been chosen: a deactivated
    account, a permission taken away (to see protected names) or a revoked token must count at the next
    request, not once a lagging replica has replayed the change. No replica database exists here, so a
    read sent to it would fail."""
    from api.models import ApiToken
    from config.permissions import PermissionBackend
    from tests.factories import make_user

    editor = make_user(role="editor")
    _, raw = ApiToken.issue(user=editor)
    chosen = replica._reading.set(replica.REPLICA)
    try:
        assert router.db_for_read(Claim) == replica.REPLICA  # the request reads the claims from the replica
        backend = PermissionBackend()
        account = backend.get_user(editor.pk)
        assert account == editor and "annotate.view_sensitive_source" in backend.get_all_permissions(account)
        assert ApiToken.user_for(raw) == editor
    finally:
        replica._reading.reset(chosen)
