"""Who is calling: a bearer token, or the browser's session (with its CSRF token on unsafe methods)."""

from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken
from .throttling import failed_authentications

CSRF_FAILED = (
    "CSRF check failed: a request signed in by session must send the csrftoken cookie's value "
    "in the X-CSRFToken header. Scripts should use a token instead (Authorization: Bearer <token>)."
)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a token that does not work is refused outright, never ignored."""

    def authenticate(self, request, token: str):
        # An address that failed too often is refused before its token is looked up, even a right one.
        if (wait := failed_authentications.seconds_to_wait(request)) is not None:
            raise Throttled(wait)
        user = ApiToken.user_for(token.strip()) if token.strip() else None
        if user is None:
            raise AuthenticationError(message="The token is not valid: it is unknown, revoked or expired.")
        # The endpoints and the querysets they call ask request.user, as the browser's views do.
        request.user = user
        return user


class Session(SessionAuth):
    """The signed-in browser session, with Django's CSRF check on unsafe methods.

    Anonymous requests are passed over before the CSRF check, so they are told to authenticate (401)
    rather than that their CSRF token is missing.
    """

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        try:
            return super().__call__(request)
        except HttpError as exc:
            raise HttpError(403, CSRF_FAILED) from exc


bearer_token = BearerToken()
session = Session()
