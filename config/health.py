from django.http import HttpResponse


class HealthCheckMiddleware:
    """Answer /healthz before host validation, sessions or the database are involved.

    Load balancers and container health checks probe by IP address or an internal name that is
    not in ALLOWED_HOSTS; the answer says only that the process is up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)
