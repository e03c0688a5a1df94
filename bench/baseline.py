"""The app under gunicorn with one more URL, for bench/load.py's baseline: POST /bench/insert, a minimal
authenticated view that inserts one row in one transaction.

It passes the same middleware as tagging (session, CSRF, sign-in, role check) and writes one row to
`bench_baseline`, a table load.py creates in its scratch database (BASELINE_TABLE): what a tag cannot beat. Only the
benchmark serves it (gunicorn `bench.baseline:application`); the app's own URLs never include it.
"""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402


@require_POST
def insert(request):
    """One row, by the signed-in user, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline (user_id, at) VALUES (%s, now()) RETURNING id", [request.user.pk])
        (row,) = cursor.fetchone()
    return HttpResponse(str(row), status=201, content_type="text/plain")


urlpatterns = [path("bench/insert", insert), path("", include("config.urls"))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
