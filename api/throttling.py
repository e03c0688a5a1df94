"""Rate limits on the API, with django-ninja's throttles and Django's cache.

django-ninja checks an operation's throttles only after its caller has authenticated, so a throttle
there never sees a wrong token: `failed_authentications` counts those per client address, and once an
address is over its rate it is refused before its token is even looked up (a right token included), so
guessing tokens gets nowhere. `PerUser` limits what each account may ask once authenticated.
"""

import threading

from django.conf import settings
from ninja.throttling import SimpleRateThrottle, UserRateThrottle

from config.clients import client_ip


class Configured(SimpleRateThrottle):
    """A rate read from settings when it is used, so a deployment or a test can change it at any time.

    django-ninja shares one throttle object between the threads that serve an operation and keeps the
    request being checked on it; here that state is kept per thread.
    """

    setting = ""
    _state = threading.local()

    def __init__(self):
        pass

    @property
    def rate(self) -> str:
        return getattr(settings, self.setting)

    @property
    def num_requests(self) -> int:
        return self.parse_rate(self.rate)[0]

    @property
    def duration(self) -> int:
        return self.parse_rate(self.rate)[1]

    def __getattr__(self, name):
        # key, history and now, as SimpleRateThrottle.allow_request() sets them for wait() to read.
        try:
            return getattr(Configured._state, f"{id(self)}.{name}")
        except AttributeError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        setattr(Configured._state, f"{id(self)}.{name}", value)


class PerUser(Configured, UserRateThrottle):
    """Requests per account, whether it calls with a token or a signed-in session."""

    setting = "API_THROTTLE_USER"


class FailedAuthentications(Configured):
    """Failed authentications per client address: a wrong, revoked or expired token, or none at all."""

    scope = "failed_auth"
    setting = "API_THROTTLE_FAILED"

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def _recent(self, key: str, now: float) -> list[float]:
        return [moment for moment in self.cache.get(key, []) if moment > now - self.duration]

    def seconds_to_wait(self, request) -> float | None:
        """Seconds before the request's address may try again, or None if it may now."""
        now = self.timer()
        recent = self._recent(self.get_cache_key(request), now)
        if len(recent) < self.num_requests:
            return None
        return max(recent[-1] + self.duration - now, 1)

    def record(self, request) -> None:
        key, now = self.get_cache_key(request), self.timer()
        self.cache.set(key, [now, *self._recent(key, now)], self.duration)


failed_authentications = FailedAuthentications()
