# Production image: gunicorn serving the app, whitenoise serving the static files.
# Configure it with the environment variables listed in README.md; docker-compose.yml runs it beside PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false \
    WEB_CONCURRENCY=3

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code and the collected static files stay owned by root: the app user can read them, not change them.
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-not-a-secret \
    python manage.py collectstatic --no-input --verbosity 0

USER app
EXPOSE 8000

# Docker's health check is a readiness check: compose starts what depends on a healthy container, and
# proxies that read it send traffic only to healthy ones. /readyz answers "ready" once the database does.
# Liveness is /healthz, which never touches the database: an orchestrator that restarts unhealthy
# processes should probe that, or a database outage would restart every web process for nothing.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); r = u.Request('http://127.0.0.1:8000/readyz', headers={'Host': h if h and h != '*' else 'localhost'}); raise SystemExit(u.build_opener(u.ProxyHandler({})).open(r, timeout=4).read() != b'ready')"]

# exec: gunicorn becomes PID 1 and receives `docker stop`'s SIGTERM for a graceful shutdown.
CMD ["sh", "-c", "python manage.py migrate --no-input && exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers \"${WEB_CONCURRENCY:-3}\" --access-logfile -"]
