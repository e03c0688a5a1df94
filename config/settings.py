"""Settings for the provenance annotation app, read from the environment.

DEBUG is off unless DEBUG=true is set: a deployment that forgets it gets production settings, never
Django's debug pages. Development (`make run`, `make test`) sets DEBUG=true and needs nothing else: an
SQLite file beside the project. Production sets SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS and
DATABASE_URL; with those, `manage.py check --deploy` is clean.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. On a development machine, run with DEBUG=true (make does)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "corpus",
    "annotate",
    "review",
    "dashboard",
    "interchange",
    "ingest",
    "demo",
    "api",
    "suggest",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Text no column can hold (NUL, lone surrogates) and overlong query parameters: a 400 before any view runs.
    "config.input.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in account (views opt out with @login_not_required) that holds a role.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "config.access.RoleRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A missing page is the app's own 404 page in development too (config/errors.py).
    "config.errors.FriendlyNotFoundMiddleware",
]
# Platform hardening, kept apart from the list above.
MIDDLEWARE += [
    # Content-Security-Policy on every response (the policy is below).
    "csp.middleware.CSPMiddleware",
    # Cache-Control: private, no-store on everything a signed-in user or a token holder is sent.
    "config.caching.PrivateResponsesMiddleware",
    # A database outage met by a view: 503, not 500 (config/outage.py has the other way in).
    "config.outage.DatabaseOutageMiddleware",
    # Where reads go, primary or replica (config/replica.py): after every check that may refuse the request.
    "config.replica.ReplicaMiddleware",
    # Sign-in lockouts (django-axes): last, as axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotate.kind_styles.context",
                "annotate.attention.context",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that has gone away fails a request in seconds (a 503) instead of holding a worker
    # for the operating system's TCP timeout, minutes long.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )
# A read replica (a streaming standby of the primary): the dashboard, the exports and the API's reads go to it,
# unless it lags by more than REPLICA_MAX_LAG_SECONDS or does not answer, and a client's reads stay on the
# primary for REPLICA_READ_YOUR_WRITES_SECONDS after it wrote (config/replica.py).
if DATABASE_REPLICA_URL := os.environ.get("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if {DATABASES[alias]["ENGINE"] for alias in DATABASES} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL, as DATABASE_URL does.")
    # A replica that has gone away costs a request two seconds once, then is left alone for REPLICA_RETRY_SECONDS.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
for _alias, _name in (("default", "provenance"), ("replica", "provenance-replica")):
    if _alias in DATABASES and DATABASES[_alias]["ENGINE"] == "django.db.backends.postgresql":
        # Who is asking, in pg_stat_activity and the server's log (%a): the primary's or the replica's reads.
        DATABASES[_alias]["OPTIONS"].setdefault("application_name", _name)
        # Behind PgBouncer in transaction pooling mode with reads outside transactions that must stream
        # (the app's own streams declare their cursors inside a transaction and need not this).
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
REPLICA_NAMESPACES = env_list("REPLICA_NAMESPACES", "dashboard,interchange,api")
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_READ_YOUR_WRITES_SECONDS = int(os.environ.get("REPLICA_READ_YOUR_WRITES_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "1"))
REPLICA_RETRY_SECONDS = float(os.environ.get("REPLICA_RETRY_SECONDS", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The claims' covering index (INCLUDE columns) speeds the dashboard on PostgreSQL; SQLite keeps the
    # plain index, which is all a local run needs, and Django would warn about it on every `migrate`.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # what Django 6 does; a URL typed without a scheme is https

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes). After AXES_FAILURE_LIMIT failed sign-ins for one username (from
# anywhere) or from one address (for any usernames), sign-in is refused for AXES_COOLOFF_MINUTES, even
# with the right password; each attempt meanwhile starts the wait again. A success does not wipe the
# count: axes would wipe every failure from that address too, letting anyone with an account guess
# another's password between sign-ins of their own. Failures expire with the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "config.permissions.PermissionBackend",  # ModelBackend, its permissions in one query
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one trips the lockout
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "config.clients.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.clients.client_ip"

# The API's throttles (django-ninja's): requests per account, token or session, and failed
# authentications (unknown, revoked or expired tokens, or none) per client address. Their counters live
# in Django's cache: by default in each process's memory, so with several processes or servers each
# counts on its own (a client gets up to that many times the rate) unless CACHES names a shared cache.
# Sign-in lockouts are kept in the database and shared by all.
API_THROTTLE_USER = os.environ.get("API_THROTTLE_USER", "600/min")
API_THROTTLE_FAILED = os.environ.get("API_THROTTLE_FAILED", "60/min")

# A form's fields (not its files) are read into memory up to this size, Django's default: every request's
# form is read before anyone is known (config/input.py), so a larger limit is memory anyone may make the
# server spend. A longer article is sent as a file; a larger form is refused with a 400 that says so.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

# Fetching a page for "Add articles" (ingest/fetch.py): non-public addresses are refused unless allowed.
ARTICLE_FETCH_ALLOW_PRIVATE = env_bool("ARTICLE_FETCH_ALLOW_PRIVATE", False)
ARTICLE_FETCH_TIMEOUT = float(os.environ.get("ARTICLE_FETCH_TIMEOUT", "10"))
ARTICLE_FETCH_MAX_BYTES = int(os.environ.get("ARTICLE_FETCH_MAX_BYTES", "5000000"))
ARTICLE_FETCH_MAX_REDIRECTS = int(os.environ.get("ARTICLE_FETCH_MAX_REDIRECTS", "5"))

# Review queue: may an editor accept their own claims (a one-person desk)? How long an opened card stays theirs.
REVIEW_SELF_ACCEPT = env_bool("REVIEW_SELF_ACCEPT", False)
REVIEW_LEASE_SECONDS = int(os.environ.get("REVIEW_LEASE_SECONDS", "600"))
# The IRI of our own terms in the JSON-LD exports (prov:status, pv:via ...) and of the kinds (<IRI>/kind#slug):
# a deployment sets a URL under a domain it controls. The default's .example domain can never name anyone else's.
PROVENANCE_VOCABULARY = os.environ.get("PROVENANCE_VOCABULARY", "https://provenance.example/ns").rstrip("#/")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "annotate:article_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Proxies in front of gunicorn that append the client's address to X-Forwarded-For (see config/clients.py).
# With DEBUG off the app expects one, as it trusts X-Forwarded-Proto from it; set 0 when clients reach
# gunicorn directly, or every address they forge would count as a different client.
BEHIND_PROXY = not DEBUG and env_bool("TRUST_X_FORWARDED_PROTO", True)
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "1" if BEHIND_PROXY else "0"))
NINJA_NUM_PROXIES = NUM_PROXIES

# Production hardening: on whenever DEBUG is off. The TLS-terminating proxy in front of gunicorn
# sets X-Forwarded-Proto; trust it only where gunicorn cannot be reached except through that proxy
# (TRUST_X_FORWARDED_PROTO=false otherwise).
if not DEBUG:
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy: scripts and styles come only from this site's own files, never from inline
# code, inline style attributes or eval, so injected markup can neither run nor restyle anything. Kind
# colours reach the pages as classes from /kinds.css; htmx runs with allowEval off (base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own messages once: its default console handler and the root's would both print them (the
    # autoreloader's "Watching for file changes" came out twice), and its default handler drops them
    # outside DEBUG.
    "loggers": {"django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False}},
}
