"""Downloads a script may fetch with its API token: the exports of claims, the dashboard's JSON and CSV, the
provenance graph's files.

`Authorization: Bearer <token>` signs the request in as the token's user, as the API does; without the
header the browser's session is asked, and a visitor without one is sent to sign in, as on every page. A
token that does not work is refused outright (401, counted against the address as the API counts it),
never passed over for the session; only reads (GET, HEAD) take a token, so a token never stands in for a
form's CSRF check. The view then checks the user's permissions as it does for a session.
"""

from __future__ import annotations

import math
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render

from api.models import ApiToken
from api.throttling import PerUser, failed_authentications

from .access import has_role, role_not_required

SCHEME = "bearer"


def _refusal(status: int, detail: str, **headers) -> HttpResponse:
    response = HttpResponse(f"{detail}\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _too_many(wait: float) -> HttpResponse:
    seconds = max(1, math.ceil(wait))
    return _refusal(429, f"Too many requests: try again in {seconds} seconds.", Retry_After=str(seconds))


def _signed_in_by_token(request, token: str) -> HttpResponse | None:
    """Sign the request in as the token's user, or the refusal: as the API counts a wrong token against the
    address, and each account's requests against its rate."""
    if (wait := failed_authentications.seconds_to_wait(request)) is not None:
        return _too_many(wait)
    user = ApiToken.user_for(token) if token else None
    if user is None:
        failed_authentications.record(request)
        return _refusal(
            401, "The token is not valid: it is unknown, revoked or expired.", WWW_Authenticate='Bearer realm="api"'
        )
    request.user = user
    if not has_role(user):
        return _refusal(403, "This account has no role here.")
    if not (per_user := PerUser()).allow_request(request):
        return _too_many(per_user.wait() or 1)
    return None


def token_or_session(view):
    """`view`, for a session or (reads only) an API token's user."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == SCHEME and request.method in ("GET", "HEAD"):
            if (refused := _signed_in_by_token(request, token.strip())) is not None:
                return refused
        elif not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        elif not has_role(request.user):
            return render(request, "no_role.html", status=403)  # as every page answers it
        return view(request, *args, **kwargs)

    return login_not_required(role_not_required(answer))
