"""The garbage collector is held off while the dashboard is built, and always turned back on."""

import gc
import threading

import pytest

from config.garbage import paused_collection
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard.json", "/dashboard.csv", "/facts/"])
def test_the_dashboard_builds_without_collection_and_leaves_it_on(client, url, monkeypatch):
    seen = []
    from dashboard import board

    build = board.build
    monkeypatch.setattr(board, "build", lambda *a, **k: seen.append(gc.isenabled()) or build(*a, **k))
    client.force_login(make_user(role="reviewer"))
    assert client.get(url).status_code == 200
    assert seen == [False] and gc.isenabled()


def test_nested_pauses_end_with_the_outermost_and_an_error_still_ends_them():
    with pytest.raises(ZeroDivisionError), paused_collection():
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with paused_collection():
        pass
    assert not gc.isenabled()


def test_overlapping_threads_turn_it_back_on_only_when_the_last_ends():
    inside, release = threading.Event(), threading.Event()

    def hold():
        with paused_collection():
            inside.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    inside.wait(5)
    with paused_collection():
        pass
    assert not gc.isenabled()  # the other thread is still building
    release.set()
    other.join(5)
    assert gc.isenabled()
