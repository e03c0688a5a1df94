"""A database outage is answered with 503 and "try again shortly", never with a 500 as if it were a bug.

Two ways in, one answer. `DatabaseOutageMiddleware` catches what a view raises. What other middleware
raises (the session and the signed-in user are loaded there, before any view runs) reaches no
process_exception, only Django's handler500: `server_error` takes those. The API's own exception
handler (api/errors.py) answers the same way for what its endpoints raise.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import defaults

DETAIL = "The database is unavailable; try again shortly."
RETRY_AFTER = 30  # seconds


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable(request) -> HttpResponse:
    """503 in the API's JSON shape under /api/, else the styled page."""
    if request.path_info.startswith(reverse("api:api-root")):
        response = JsonResponse({"detail": DETAIL}, status=503)
    else:
        # No request context: it would load the signed-in user, which needs the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return unavailable(request) if is_outage(exception) else None


def server_error(request):
    """handler500: an outage met outside the views still answers 503; anything else is a real 500."""
    if is_outage(sys.exc_info()[1]):
        return unavailable(request)
    return defaults.server_error(request)
