from django.urls import path, re_path

from .api import api, unknown_endpoint
from .errors import outside_ninja

# No module-level app_name here: the API's own namespace ("api") is the one to reverse with.
endpoints, ninja_app, ninja_namespace = api.urls
for endpoint in endpoints:
    endpoint.callback = outside_ninja(endpoint.callback)

urlpatterns = [
    path("", (endpoints, ninja_app, ninja_namespace)),
    re_path(r"^(?P<rest>.*)$", unknown_endpoint),
]
