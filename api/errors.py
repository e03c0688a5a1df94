"""One JSON shape for every refusal: {"detail": "...", "errors": {"field": ["...", ...]}}.

`errors` comes with 400s only; messages about the request as a whole go under "__all__".
"""

import math
from functools import wraps

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
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
NUL = "Text may not contain NUL characters."
UNPARSABLE = "The request body is not valid JSON."
AUTHENTICATE = "Authentication required: send Authorization: Bearer <token>, or sign in to the site."


def error(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    """The API's error response."""
    body = {"detail": detail} | ({"errors": errors} if errors is not None else {})
    return JsonResponse(
        body, status=status, content_type="application/json; charset=utf-8", json_dumps_params={"ensure_ascii": False}
    )


def _sentence(message: str) -> str:
    return message if message.endswith((".", "?", "!")) else f"{message}."


def invalid(errors: dict[str, list[str]]) -> JsonResponse:
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


def request_invalid(request, exc: RequestInvalid) -> JsonResponse:
    """django-ninja's validation errors (its own 422) as a 400 with messages by field."""
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        errors.setdefault(_field(tuple(item["loc"])), []).append(_message(item))
    return invalid(errors)


def refused_by_service(request, exc: ValidationError) -> JsonResponse:
    """A service's ValidationError: the same messages the browser shows, placed on a field where one is to blame."""
    if hasattr(exc, "error_dict"):
        return invalid(exc.message_dict)
    errors: dict[str, list[str]] = {}
    for item in exc.error_list:
        errors.setdefault(FIELD_OF_CODE.get(item.code, NON_FIELD_ERRORS), []).extend(item.messages)
    return invalid(errors)


def throttled(request, exc: Throttled) -> JsonResponse:
    """429 with Retry-After: how long until the next request will be looked at."""
    seconds = math.ceil(exc.wait) if exc.wait else 60
    response = error(429, f"Too many requests: try again in {seconds} second{'s' if seconds != 1 else ''}.")
    response["Retry-After"] = str(seconds)
    return response


def unauthenticated(request, exc: AuthenticationError) -> JsonResponse:
    """401, counted against the caller's address; past its rate, 429 instead."""
    if (wait := failed_authentications.seconds_to_wait(request)) is not None:
        return throttled(request, Throttled(wait))
    failed_authentications.record(request)
    detail = AUTHENTICATE if exc.message == "Unauthorized" else exc.message
    response = error(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def http_error(request, exc: HttpError) -> JsonResponse:
    if exc.status_code == 400:
        # django-ninja's message for a body it cannot parse names no format.
        message = UNPARSABLE if exc.message.startswith("Cannot parse request body") else exc.message
        return error(400, message, {NON_FIELD_ERRORS: [message]})
    return error(exc.status_code, exc.message)


def forbidden(request, exc: PermissionDenied) -> JsonResponse:
    return error(403, str(exc) or "You do not have permission to do this.")


def not_found(request, exc: Exception) -> JsonResponse:
    return error(404, str(exc) if isinstance(exc, Http404) and str(exc) else "Not found.")


def database_unavailable(request, exc: Exception) -> JsonResponse:
    """503 with Retry-After, as for every other page during an outage; tokens and sessions need the database too."""
    return outage.unavailable(request)


def _has_nul(request) -> bool:
    texts = [request.path, *(text for key, values in request.GET.lists() for text in (key, *values))]
    return any("\x00" in text for text in texts)


def outside_ninja(view):
    """An endpoint's view, answering in JSON where django-ninja would not.

    NUL characters in the URL are refused before they reach a query (no database column can hold
    them), and a method the endpoint lacks gets a JSON 405 instead of django-ninja's plain text.
    """

    @wraps(view)
    def answer(request, *args, **kwargs):
        if _has_nul(request):
            return invalid({NON_FIELD_ERRORS: [NUL]})
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        allowed = response["Allow"]
        refusal = error(405, f"{request.method} is not allowed here; allowed: {allowed}.")
        refusal["Allow"] = allowed
        return refusal

    return answer


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
