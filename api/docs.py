"""The API's documentation: Swagger UI from the site's own static files, for the site's own users.

django-ninja would load Swagger UI from a CDN unless "ninja" is an installed app, and its page needs
nothing from us; here the page uses the pinned copy in static/vendor/swagger-ui and a module of ours,
so it works offline and under the Content-Security-Policy.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import DocsBase

from config.access import has_role

from . import errors
from .auth import bearer_token


class Swagger(DocsBase):
    settings = {
        "deepLinking": True,
        "validatorUrl": None,  # no badge fetched from a validator elsewhere
        "tryItOutEnabled": False,
        "displayOperationId": True,
    }

    def render_page(self, request, api, **kwargs):
        context = {"api": api, "swagger_settings": self.settings | {"url": self.get_openapi_url(api, kwargs)}}
        return render(request, "api/docs.html", context)


def _token_user(request):
    """The user of a working bearer token, or None (no token, one that does not work, or a throttled caller)."""
    try:
        return bearer_token(request)
    except HttpError:
        return None


def signed_in(view):
    """The docs page needs a signed-in account with a role, as every page does; the schema also answers
    a working token, since scripts read it. Everyone else is sent to sign in, or told to authenticate."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if has_role(request.user):
            return view(request, *args, **kwargs)
        if request.path_info.endswith(".json"):
            if request.user.is_authenticated or _token_user(request) is not None:
                return view(request, *args, **kwargs)
            return errors.unauthenticated(request, AuthenticationError())
        if request.user.is_authenticated:
            raise PermissionDenied("Your account has no role, so the API is closed to it.")
        return redirect_to_login(request.get_full_path())

    return checked
