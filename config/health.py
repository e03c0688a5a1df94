"""Probes for load balancers and orchestrators, answered before host validation, sessions or views.

Probes come by IP address or an internal name that is not in ALLOWED_HOSTS, and over plain HTTP.

- /healthz (liveness): the process is up and answering. It never touches the database, so an outage of
  the database does not get every web process restarted.
- /readyz (readiness): this process can serve pages now, i.e. its database answers. A load balancer or
  the container's health check stops sending traffic while it says no.
"""

import logging

from django.db import DatabaseError, connections
from django.http import HttpResponse

log = logging.getLogger(__name__)


def database_ready() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.warning("readiness: the database does not answer: %s", type(exc).__name__)
        return False
    return True


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path_info == "/healthz":
                return HttpResponse("ok", content_type="text/plain")
            if request.path_info == "/readyz":
                if database_ready():
                    return HttpResponse("ready", content_type="text/plain")
                return HttpResponse("database unavailable", content_type="text/plain", status=503)
        return self.get_response(request)
