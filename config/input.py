"""Input no view can use is refused at the door, before any view, query or write sees it.

PostgreSQL's text columns cannot hold a NUL character, and no UTF-8 encoder (psycopg's included) can
write a lone surrogate, half of a UTF-16 pair such as a JSON "\\ud800" escape decodes to. Either one in
a query parameter used to reach a query and end the request in a database error; in a form, a write.
`InputGuardMiddleware` answers such a request with a 400 instead, saying what was wrong and where:
an HTML page for the site, the API's JSON error shape under the API's prefix. It looks at the path,
the query string (names and values), form fields (names and values, not uploaded files' contents) and
cookies (a session cookie is looked up in the database too). A query parameter longer than
MAX_QUERY_TEXT is refused too: every one is a filter, a search or a page number, and a search longer
than any name cannot match one (SQLite refuses LIKE patterns over 50,000 bytes outright).

`problem` is the check itself, also used by the API's text type and the claim forms, which refuse
control characters as well (`controls=True`): invisible in a page, and never what someone meant to type.
`number` reads a whole number from a query parameter or form field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_QUERY_TEXT = 10_000  # characters in one query parameter's name or value
_DIGITS = re.compile("[0-9]{1,18}")
# C0 control characters but tab, line feed and carriage return; with NUL and the surrogates.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """The first character of a text that is refused, and what it is."""

    char: str

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def phrase(self) -> str:
        """As a sentence says it: 'a NUL character'."""
        if self.char == "\x00":
            return "a NUL character"
        if "\ud800" <= self.char <= "\udfff":
            return f"a lone surrogate ({self.code_point}, half of a UTF-16 pair)"
        return f"a control character ({self.code_point})"

    @property
    def message(self) -> str:
        """As a field error says it: 'Text may not contain NUL characters.'"""
        if self.char == "\x00":
            return "Text may not contain NUL characters."
        if "\ud800" <= self.char <= "\udfff":
            return f"Text may not contain lone surrogates (found {self.code_point}, half of a UTF-16 pair)."
        return f"Text may not contain control characters other than tab and line breaks (found {self.code_point})."


def problem(text: str, *, controls: bool = False) -> Problem | None:
    """What in `text` cannot be stored (with `controls`: or is a control character), or None if all is well."""
    found = (CONTROLS if controls else UNSTORABLE).search(text)
    return Problem(found[0]) if found else None


def number(text: str) -> int | None:
    """A whole number as a URL or form gives it, or None: ASCII digits only (str.isdigit() also takes "²",
    which int() refuses), at most 18 of them, so it fits a database integer."""
    return int(text) if _DIGITS.fullmatch(text) else None


@dataclass(frozen=True)
class TooLong:
    """A query parameter longer than MAX_QUERY_TEXT."""

    length: int

    @property
    def phrase(self) -> str:
        return f"{self.length:,} characters, at most {MAX_QUERY_TEXT:,} are read"

    @property
    def message(self) -> str:
        return f"Too long: {self.length:,} characters, at most {MAX_QUERY_TEXT:,}."


@dataclass(frozen=True)
class TooLarge:
    """A form whose fields (not its files) are larger than DATA_UPLOAD_MAX_MEMORY_SIZE in all."""

    limit: int

    @property
    def phrase(self) -> str:
        return (
            f"the form's fields come to more than the {self.limit:,} bytes this server reads "
            "(send a long text as a file)"
        )

    @property
    def message(self) -> str:
        return f"Too large: {self.phrase}."


def _shown(name: str) -> str:
    """A field's name fit to quote in a message: what cannot be stored cannot be shown either."""
    return UNSTORABLE.sub("\N{REPLACEMENT CHARACTER}", name)[:80]


class InputGuardMiddleware:
    """Refuse, with a 400 that says why, a request carrying text no database column can hold, or a query
    parameter too long to be a filter or a search."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._api_prefix = None

    def __call__(self, request):
        try:
            found = self.find(request)
        except RequestDataTooBig:
            found = "__all__", "the request", TooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if found is None:
            return self.get_response(request)
        field, where, trouble = found
        if request.path_info.startswith(self.api_prefix):
            from api.errors import invalid  # the API's own error shape

            return invalid({field: [trouble.message]})
        if isinstance(trouble, TooLarge):
            message = f"The request was refused: {trouble.phrase}. Nothing was changed."
        elif isinstance(trouble, TooLong):
            message = f"The request was refused: {where} is too long ({trouble.phrase}). Nothing was changed."
        else:
            message = (
                f"The request contained characters that cannot be stored ({trouble.phrase}) in {where}. "
                "Nothing was changed: remove them and try again."
            )
        htmx = request.headers.get("HX-Request") == "true"
        template = "refused_input.html" + ("#refusal" if htmx else "")
        response = render(request, template, {"message": message}, status=400)
        if htmx:
            # htmx swaps a 4xx into the requesting element's target; the message belongs to the page instead.
            response["HX-Retarget"] = "#main"
            response["HX-Reswap"] = "innerHTML"
        return response

    @property
    def api_prefix(self) -> str:
        if self._api_prefix is None:
            self._api_prefix = reverse("api:api-root")
        return self._api_prefix

    def find(self, request) -> tuple[str, str, Problem | TooLong] | None:
        """(field, where, problem) for the first unstorable text in the request, or None.

        `field` is the name the API's errors use (`__all__` for the path, a cookie or a field's name);
        `where` says it in a sentence.
        """
        if trouble := problem(request.path_info):
            return "__all__", "the address", trouble
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
            request.body  # noqa: B018 (read here, so that a body past the limit is refused here, in JSON)
        for kind, pairs in (
            ("the query parameter", request.GET.lists()),
            ("the form field", self._form(request).lists()),
            ("the cookie", ((name, [value]) for name, value in request.COOKIES.items())),
        ):
            for name, values in pairs:
                for text in (name, *values):
                    if not isinstance(text, str):
                        continue
                    trouble = problem(text)
                    if trouble is None and kind == "the query parameter" and len(text) > MAX_QUERY_TEXT:
                        trouble = TooLong(len(text))
                    if trouble is not None:
                        shown = _shown(name)
                        field = shown if kind != "the cookie" and shown == name else "__all__"
                        return field, f"{kind} “{shown}”", trouble
        return None

    @staticmethod
    def _form(request):
        """The form fields of a POST, parsed as the view would parse them (uploaded files are left alone)."""
        if request.method != "POST" or request.content_type not in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return QueryDict()
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            if request.content_type == "multipart/form-data" and (
                limit is None or int(request.META.get("CONTENT_LENGTH") or 0) <= limit
            ):
                # Keep the raw body readable after parsing, as it is for other content types: a view that
                # reads request.body (the API's) must not find the stream already consumed.
                request.body  # noqa: B018
            return request.POST
        except (OSError, ValueError):
            # An unreadable body or a malformed length: left to the view, as CsrfViewMiddleware does.
            return QueryDict()
