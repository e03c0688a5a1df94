"""One JSON shape for every refusal: {"detail": "...", "errors": {"field": ["...", ...]}}.

`errors` comes with 400s only; messages about the request as a whole go under "__all__".
"""

import json
import math
from functools import wraps

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as RequestInvalid

from config import outage

from .throttling import failed_authentications

# Where a service's refusal points, by its ValidationError code.
FIELD_OF_CODE = {
    "span": "exact",
    "inactive_kind": "kind",
    "source_name": "source",
    "fact": "fact",
}
MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
}
UNPARSABLE = "The request body is not valid JSON."
AUTHENTICATE = "Authentication required: send Authorization: Bearer <token>, or sign in to the site."


def error(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    """The API's error response.

    UTF-8 as it is, except a lone surrogate (which a refused field's name may hold, and UTF-8 cannot):
    that is written as its JSON escape, so the refusal itself never fails.
    """
    body = {"detail": detail} | ({"errors": errors} if errors is not None else {})
    content = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return HttpResponse(content, status=status, content_type="application/json; charset=utf-8")


def _sentence(message: str) -> str:
    return message if message.endswith((".", "?", "!")) else f"{message}."


def invalid(errors: dict[str, list[str]]) -> HttpResponse:
    """400 with messages by field, and a detail that reads on its own."""
    errors = {field: [_sentence(message) for message in messages] for field, messages in errors.items()}
    detail = " ".join(
        " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
        for field, messages in errors.items()
    )
    return error(400, detail, errors)


def _field(loc: tuple) -> str:
    """("body", "payload", "start") -> "start"; ("query", "page_size") -> "page_size"."""
    parts = [str(part) for part in loc[2:]] if loc and loc[0] == "body" else [str(part) for part in loc[1:]]
    return ".".join(parts) or NON_FIELD_ERRORS


def _message(item: dict) -> str:
    return MESSAGES.get(item["type"], item["msg"]).removeprefix("Value error, ")


def request_invalid(request, exc: RequestInvalid) -> HttpResponse:
    """django-ninja's validation errors (its own 422) as a 400 with messages by field."""
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        errors.setdefault(_field(tuple(item["loc"])), []).append(_message(item))
    return invalid(errors)


def refused_by_service(request, exc: ValidationError) -> HttpResponse:
    """A service's ValidationError: the same messages the browser shows, placed on a field where one is to blame."""
    if hasattr(exc, "error_dict"):
        return invalid(exc.message_dict)
    errors: dict[str, list[str]] = {}
    for item in exc.error_list:
        errors.setdefault(FIELD_OF_CODE.get(item.code, NON_FIELD_ERRORS), []).extend(item.messages)
    return invalid(errors)


def throttled(request, exc: Throttled) -> HttpResponse:
    """429 with Retry-After: how long until the next request will be looked at."""
    seconds = math.ceil(exc.wait) if exc.wait else 60
    response = error(429, f"Too many requests: try again in {seconds} second{'s' if seconds != 1 else ''}.")
    response["Retry-After"] = str(seconds)
    return response


def unauthenticated(request, exc: AuthenticationError) -> HttpResponse:
    """401, counted against the caller's address; past its rate, 429 instead."""
    if (wait := failed_authentications.seconds_to_wait(request)) is not None:
        return throttled(request, Throttled(wait))
    failed_authentications.record(request)
    detail = AUTHENTICATE if exc.message == "Unauthorized" else exc.message
    response = error(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def http_error(request, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja's message for a body it cannot parse names no format.
        message = UNPARSABLE if exc.message.startswith("Cannot parse request body") else exc.message
        return error(400, message, {NON_FIELD_ERRORS: [message]})
    return error(exc.status_code, exc.message)


def forbidden(request, exc: PermissionDenied) -> HttpResponse:
    return error(403, str(exc) or "You do not have permission to do this.")


def not_found(request, exc: Exception) -> HttpResponse:
    return error(404, str(exc) if isinstance(exc, Http404) and str(exc) else "Not found.")


def database_unavailable(request, exc: Exception) -> HttpResponse:
    """503 with Retry-After, as for every other page during an outage; tokens and sessions need the database too."""
    return outage.unavailable(request)


def outside_ninja(view):
    """An endpoint's view, answering in JSON where django-ninja would not, and to the methods HTTP expects of
    every resource: HEAD (GET's headers, no body) and OPTIONS (the methods it takes, in Allow).

    A method the endpoint lacks gets a JSON 405 instead of django-ninja's plain text. (Text that cannot
    be stored, such as a NUL in the URL, never gets this far: config.input refuses it in this shape.)
    """

    @wraps(view)
    def answer(request, *args, **kwargs):
        asked = request.method
        if asked == "HEAD":
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.method = asked
        if response.status_code == 405:
            allowed = _allowed(response["Allow"])
            if asked == "OPTIONS":
                response = HttpResponse(status=204)
                del response["Content-Type"]
            else:
                response = error(405, f"{asked} is not allowed here; allowed: {allowed}.")
            response["Allow"] = allowed
        elif asked == "HEAD":
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    return answer


def _allowed(methods: str) -> str:
    """What django-ninja's Allow lists, with HEAD beside GET and OPTIONS, which `outside_ninja` answers."""
    listed = [method.strip() for method in methods.split(",") if method.strip()]
    extra = (["HEAD"] if "GET" in listed else []) + ["OPTIONS"]
    return ", ".join(listed + [method for method in extra if method not in listed])


def install(api: NinjaAPI) -> None:
    """Route every exception the endpoints let through to its JSON answer."""
    api.add_exception_handler(RequestInvalid, request_invalid)
    api.add_exception_handler(ValidationError, refused_by_service)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(OperationalError, database_unavailable)
    api.add_exception_handler(InterfaceError, database_unavailable)
