"""The app's own 404 page in development too.

With DEBUG on, Django answers a missing page with its technical page: no layout, no way back. A
newcomer's first `make run` is in development mode, so a mistyped address there must look like the app
(the console still logs the 404). The API answers its own errors in JSON and is left alone.
"""

from django.conf import settings
from django.http import Http404
from django.views.defaults import page_not_found

OWN_ERRORS = ("/api/", "/static/", "/admin/")


def _ours(request) -> bool:
    return settings.DEBUG and not request.path.startswith(OWN_ERRORS)


class FriendlyNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched the address: Django's technical page, built before any view ran.
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None and _ours(request):
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and _ours(request):
            return page_not_found(request, exception)
        return None
