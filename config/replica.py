"""Reads on a read replica: the dashboard, the exports and the API's reads, when DATABASE_REPLICA_URL is set.

- `ReplicaRouter` sends reads of the claim data (the apps in `ROUTED_APPS`) to the alias `replica` while a
  request that may use it is being answered; every write, and everything else (accounts, sessions, API
  tokens, sign-in lockouts), stays on the primary. A write during a request keeps its later reads there too.
- `ReplicaMiddleware` decides once per request, before the view runs: a GET or HEAD of a view in
  `REPLICA_NAMESPACES`, from a client that has not written in the last REPLICA_READ_YOUR_WRITES_SECONDS,
  while the replica answers and lags the primary by at most REPLICA_MAX_LAG_SECONDS. Otherwise, or when the
  replica is down, the primary answers: never an error. A streamed answer (an export) keeps the decision
  for as long as it streams.
- Read-your-writes: a request that wrote (any write through the ORM) sends back a signed cookie that keeps
  that browser's reads on the primary for the window; an API client that sends no cookies is known by its
  Authorization header (hashed), kept in Django's cache for the same window (a cache shared by every
  process, as for the API's throttles, keeps it across processes).
- `reads()` is the same decision for code outside a request (`export_claims`).

Lag is measured from the primary's WAL position and the replica's replayed one: a replica that has replayed
everything has no lag, however long ago the last write was; one that has not lags by the age of the last
transaction it replayed. The measure is kept for REPLICA_CHECK_SECONDS, a failure for REPLICA_RETRY_SECONDS.

Nothing here holds a server-side cursor or a session setting across transactions, so PgBouncer in
transaction pooling mode works unchanged (the export's cursors are declared inside its transaction).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
# The claim data and the accounts it names; sessions, API tokens and sign-in lockouts stay on the primary.
ROUTED_APPS = frozenset({"annotate", "corpus", "dashboard", "suggest", "auth"})
PIN_COOKIE = "provenance_primary"
_SAFE = ("GET", "HEAD")

log = logging.getLogger(__name__)
_reading = contextvars.ContextVar("provenance_reading_alias", default=None)
_wrote = contextvars.ContextVar("provenance_wrote", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads of the claim data to the replica while `_reading` says so; everything else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading.get()
        if alias and model._meta.app_label in ROUTED_APPS:
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if model._meta.app_label in ROUTED_APPS:  # not bookkeeping: a session, a token's last use, a lockout
            if _reading.get():
                _reading.set(None)  # this request's later reads see what it wrote
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: rows of both are the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


# ---- is the replica fit to answer? ----------------------------------------------------------------------

_state = {"at": -1e9, "usable": False, "lag": None}
_lock = threading.Lock()


def _measure() -> tuple[bool, float | None]:
    """(usable, lag in seconds) of the replica, asking it and the primary."""
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
                "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            )
            recovering, replayed, age = cursor.fetchone()
    except DatabaseError as error:
        log.warning("read replica unavailable, reading from the primary: %s", error)
        replica.close()  # a broken connection is opened afresh next time
        return False, None
    if not recovering:
        return True, 0.0  # promoted, or the primary itself: nothing to wait for
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() <= %s::pg_lsn", [replayed])
        caught_up = cursor.fetchone()[0]
    lag = 0.0 if caught_up else float(age) if age is not None else float("inf")
    return lag <= settings.REPLICA_MAX_LAG_SECONDS, lag


def replica_usable() -> bool:
    """Whether the replica answers and is close enough behind the primary; measured at most once per interval."""
    now = time.monotonic()
    with _lock:
        state = dict(_state)
    keep = settings.REPLICA_CHECK_SECONDS if state["usable"] else settings.REPLICA_RETRY_SECONDS
    if now - state["at"] < keep:
        return state["usable"]
    usable, lag = _measure()
    with _lock:
        _state.update(at=time.monotonic(), usable=usable, lag=lag)
    return usable


def forget_state() -> None:
    """Measure again at the next request (tests, and after a failover)."""
    with _lock:
        _state.update(at=-1e9, usable=False, lag=None)


@contextlib.contextmanager
def reads() -> Iterator[str]:
    """Within the block, the claim data is read from the replica if it is usable; yields the alias used."""
    alias = REPLICA if configured() and replica_usable() else DEFAULT_DB_ALIAS
    token = _reading.set(alias if alias == REPLICA else None)
    try:
        yield alias
    finally:
        _reading.reset(token)


# ---- the middleware -------------------------------------------------------------------------------------


def _token_key(request) -> str | None:
    header = request.headers.get("Authorization", "")
    return "replica-pin:" + hashlib.sha256(header.encode()).hexdigest() if header else None


def _pinned(request) -> bool:
    """Whether this client wrote within the read-your-writes window."""
    window = settings.REPLICA_READ_YOUR_WRITES_SECONDS
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=PIN_COOKIE, max_age=window)
        return True
    except (KeyError, signing.BadSignature):
        pass
    key = _token_key(request)
    return bool(key and cache.get(key))


def _routed(alias: str, chunks) -> Iterator:
    """A streamed body, each chunk made with reads on `alias`, as when the view ran."""
    iterator = iter(chunks)
    while True:
        token = _reading.set(alias)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _reading.reset(token)
        yield chunk


class ReplicaMiddleware:
    """Chooses where a request's reads go (see the module's docstring); marks a client that wrote.

    After the access checks in MIDDLEWARE: `process_view` runs once sign-in and role checks let the request in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wrote, reading = _wrote.set(False), _reading.set(None)
        try:
            response = self.get_response(request)
            if _wrote.get():
                self._pin(request, response)
            elif getattr(request, "_replica_reads", False) and getattr(response, "streaming", False):
                response.streaming_content = _routed(REPLICA, response.streaming_content)
        finally:
            _wrote.reset(wrote)
            _reading.reset(reading)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            configured()
            and request.method in _SAFE
            and set(match.namespaces) & set(settings.REPLICA_NAMESPACES)
            and not _pinned(request)
            and replica_usable()
        ):
            _reading.set(REPLICA)
            request._replica_reads = True
        return None

    @staticmethod
    def _pin(request, response) -> None:
        window = settings.REPLICA_READ_YOUR_WRITES_SECONDS
        if not configured() or window <= 0:
            return
        response.set_signed_cookie(
            PIN_COOKIE,
            "1",
            salt=PIN_COOKIE,
            max_age=window,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        if key := _token_key(request):
            cache.set(key, True, timeout=window)
