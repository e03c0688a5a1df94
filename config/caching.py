"""What a signed-in user is shown is theirs alone: no shared cache or browser history keeps a copy.

Sensitive sources are named only to editors, so a page, partial, export or API answer may hold a name
that a proxy must never hand to someone else, nor a shared computer's browser keep on disk.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


def carries_credentials(request) -> bool:
    """A session cookie or an Authorization header, checked without loading either (no database)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every answer to a request with credentials, unless the view
    chose its own caching (a stylesheet with nothing personal in it may be cached publicly)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if carries_credentials(request) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
