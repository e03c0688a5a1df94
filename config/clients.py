"""Who is on the other end: the client's address, and what a locked-out sign-in is told.

With NUM_PROXIES proxies in front of gunicorn, REMOTE_ADDR is the nearest proxy's address for every
client, so the client's own is read from X-Forwarded-For: the entry the outermost trusted proxy added,
counted from the right, since entries to its left came from the client and may be forged. Sign-in
lockouts and the API's throttles both key on it, so that one client's failures never lock out everyone
behind the same proxy.
"""

import math

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def client_ip(request) -> str:
    proxies = settings.NUM_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, response=None, credentials=None):
    """django-axes' lockout answer: the sign-in page, saying how long to wait (429, not a bare 403 text).

    Every attempt during a lockout starts the wait again, so the whole cool-off is still ahead.
    """
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    form = AuthenticationForm(request, initial={"username": get_client_username(request, credentials) or ""})
    context = {"form": form, "locked_out_minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
