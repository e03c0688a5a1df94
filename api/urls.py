from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from config.access import role_not_required

from . import (
    articles,  # noqa: F401 (registers the /articles endpoints on the API)
    sources,  # noqa: F401 (registers the /sources endpoints on the API)
    suggestions,  # noqa: F401  (registers its endpoint on the API)
)
from .api import api, unknown_endpoint
from .errors import outside_ninja


def _own_checks(view):
    """The API authenticates (tokens too) and checks permissions itself, answering in JSON."""
    return login_not_required(role_not_required(outside_ninja(view)))


# No module-level app_name here: the API's own namespace ("api") is the one to reverse with.
endpoints, ninja_app, ninja_namespace = api.urls
for endpoint in endpoints:
    endpoint.callback = _own_checks(endpoint.callback)

urlpatterns = [
    path("", (endpoints, ninja_app, ninja_namespace)),
    # Any path at all, line breaks included; a 404 of any method changes nothing, so it needs no CSRF token (a
    # token caller's POST to a mistyped path would otherwise be told its form had expired, in HTML).
    re_path(r"^(?P<rest>[\s\S]*)$", csrf_exempt(_own_checks(unknown_endpoint))),
]
