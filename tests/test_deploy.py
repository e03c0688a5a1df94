"""Deployment: the compose file and Dockerfile, Django's deploy checks, and the production stack run natively.

The native stack test runs migrate, collectstatic and gunicorn against a scratch PostgreSQL database
with production settings (DEBUG off, secure cookies, SSL redirect behind a proxy, whitenoise). It needs
DATABASE_URL to point at PostgreSQL: it skips otherwise, except under CI, where that is a failure.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# Settings read from the environment; each test sets the ones it means, so the caller's never leak in.
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "STATIC_ROOT",
    "CONN_MAX_AGE",
    "DATABASE_CONNECT_TIMEOUT",
    "LOG_LEVEL",
    "TRUST_X_FORWARDED_PROTO",
    "NUM_PROXIES",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "API_THROTTLE_USER",
    "API_THROTTLE_FAILED",
}
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: any attempt to reach the network through it fails
TIMEOUT = 120  # seconds, for any one subprocess


def production_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment with production settings; an override of None removes the variable."""
    # DJANGO_* too: e.g. the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly flags.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SETTINGS_VARIABLES and not key.startswith("DJANGO_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 characters
        "ALLOWED_HOSTS": "example.org",
        "CSRF_TRUSTED_ORIGINS": "https://example.org",
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def output(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


# --- docker-compose.yml and Dockerfile -----------------------------------------------------------------


def load_compose(path: Path = COMPOSE) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _offline_prefix() -> list[str]:
    """`unshare -rn` (a new network namespace with no way out) where the machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10).returncode == 0:
        return [unshare, "-rn"]
    return []


def validate_compose(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with its vendored Compose schema, cut off from the network."""
    proxies = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    env = os.environ | dict.fromkeys(proxies, DEAD_PROXY) | {"NO_PROXY": "", "no_proxy": ""}
    return subprocess.run(
        [*_offline_prefix(), str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def test_compose_file_validates_against_the_compose_spec_offline():
    result = validate_compose(COMPOSE)
    assert result.returncode == 0, output(result)
    assert "validation done" in result.stdout


def test_compose_validation_rejects_an_invalid_file(tmp_path):
    # The same check fails on a compose file that breaks the spec, so a pass above means something.
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE.read_text(encoding="utf-8").replace("condition: service_healthy", "condition: service_ready"),
        encoding="utf-8",
    )
    assert broken.read_text(encoding="utf-8") != COMPOSE.read_text(encoding="utf-8")
    result = validate_compose(broken)
    assert result.returncode != 0, output(result)
    assert "service_ready" in result.stdout + result.stderr


def test_compose_web_waits_for_a_healthy_database_and_checks_readiness():
    compose = load_compose()
    db, web = compose["services"]["db"], compose["services"]["web"]

    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"], "the database keeps its data in a named volume"

    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    assert web["healthcheck"]["test"] == dockerfile_healthcheck(), "compose and Dockerfile check health alike"
    assert any(str(port).endswith(":8000") for port in web["ports"])

    env = web["environment"]
    database = urlsplit(with_defaults(env["DATABASE_URL"]))
    assert (database.scheme, database.hostname, database.path) == ("postgres", "db", "/provenance")
    assert env["DEBUG"] == "false"
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"]), "compose must refuse to start without it"
    assert {"ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "WEB_CONCURRENCY"} <= set(env)


def with_defaults(value: str) -> str:
    """A compose value as it is when no variable is set: ${NAME:-default} -> default, innermost first."""
    while (resolved := re.sub(r"\$\{[A-Z_]+:-([^${}]*)\}", r"\1", value)) != value:
        value = resolved
    return value


def test_compose_replica_and_pgbouncer_are_optional_services():
    compose = load_compose()
    services = compose["services"]
    replica, bouncer = services["db-replica"], services["pgbouncer"]
    assert "profiles" not in services["db"] and "profiles" not in services["web"], "the default stack is unchanged"
    assert replica["profiles"] == ["replica"] and bouncer["profiles"] == ["pgbouncer"]
    assert replica["image"] == services["db"]["image"]
    assert "pg_basebackup" in " ".join(replica["command"]) and "-R" in " ".join(replica["command"])
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pool_mode = transaction" in compose["configs"]["pgbouncer-ini"]["content"]
    env = services["web"]["environment"]
    assert with_defaults(env["DATABASE_REPLICA_URL"]) == "", "reads stay on the primary unless a replica is named"


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def dockerfile_healthcheck() -> list[str]:
    [healthcheck] = [rest for keyword, rest in dockerfile_instructions() if keyword == "HEALTHCHECK"]
    return ["CMD", *json.loads(healthcheck.split(" CMD ", 1)[1])]


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")

    env = " ".join(rest for keyword, rest in instructions if keyword == "ENV").split()
    assert "DEBUG=false" in env, "the image runs with production settings whatever the caller sets"

    runs = [rest for keyword, rest in instructions if keyword == "RUN"]
    assert any("pip install -r requirements.txt" in run for run in runs)
    [collectstatic] = [run for run in runs if "collectstatic" in run]
    assert "DEBUG=false" in collectstatic and "SECRET_KEY=" in collectstatic

    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert keywords.index("USER") > max(i for i, keyword in enumerate(keywords) if keyword == "RUN")

    [cmd] = [json.loads(rest) for keyword, rest in instructions if keyword == "CMD"]
    command = " ".join(cmd)
    assert "manage.py migrate --no-input &&" in command
    assert "exec gunicorn config.wsgi --bind 0.0.0.0:8000" in command
    assert "WEB_CONCURRENCY" in command

    healthcheck = dockerfile_healthcheck()
    assert healthcheck[:3] == ["CMD", "python", "-c"] and "/readyz" in healthcheck[3]

    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    assert {".git", ".venv", "*.sqlite3", "staticfiles"} <= ignored


# --- manage.py check --deploy ----------------------------------------------------------------------------


def test_deploy_checks_pass_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, output(result)
    assert "no issues" in result.stdout, output(result)


def test_deploy_checks_fail_when_a_production_setting_is_weakened():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(SECURE_SSL_REDIRECT="false"))
    assert result.returncode != 0, output(result)
    assert "security.W008" in result.stderr + result.stdout


def test_settings_refuse_to_load_without_secret_key_when_debug_is_off():
    result = manage("check", env=production_env(SECRET_KEY=None))
    assert result.returncode != 0, output(result)
    assert "SECRET_KEY" in result.stderr, output(result)


def test_debug_is_off_unless_asked_for():
    # A deployment that forgets DEBUG gets production settings, not Django's debug pages.
    show = "from django.conf import settings; print(settings.DEBUG)"
    result = manage("shell", "--no-imports", "-c", show, env=production_env(DEBUG=None))
    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == "False", output(result)

    result = manage("check", env=production_env(DEBUG=None, SECRET_KEY=None))
    assert result.returncode != 0, output(result)
    assert "SECRET_KEY must be set" in result.stderr, output(result)


# --- the production stack, natively: PostgreSQL, migrate, collectstatic, gunicorn, whitenoise ------------


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme in {"postgres", "postgresql"}:
        return url
    reason = "DATABASE_URL does not point at PostgreSQL"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the production stack test must run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def scratch_database_url():
    """A new, empty PostgreSQL database on DATABASE_URL's server, dropped afterwards whatever happens."""
    import psycopg
    from psycopg import sql

    url = postgres_url()
    # Administer through the maintenance database, so DATABASE_URL's own database need not exist.
    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    name = f"deploy_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """Plain HTTP to the local gunicorn; never follows redirects."""

    HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front adds

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, headers: dict | None = None, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers)


def cookies(response) -> SimpleCookie:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar


def wait_until_healthy(site: Site, server: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            response, body = site.get("/healthz")
            if response.status == 200 and body == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within {timeout} s:\n{log.read_text()}")


def run_healthcheck(command: list[str], port: int, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The Dockerfile's HEALTHCHECK command, aimed at this test's port instead of the container's 8000."""
    assert command[0] == "CMD" and "127.0.0.1:8000/" in command[-1]
    argv = [sys.executable, *command[2:-1], command[-1].replace("127.0.0.1:8000/", f"127.0.0.1:{port}/")]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path):
    """gunicorn serving the app with `env` on a free port, stopped afterwards whatever happens."""
    port = free_port()
    site = Site(port)
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(site, server, log)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_production_stack_serves_the_app_natively(scratch_database_url, tmp_path):
    env = production_env(
        DATABASE_URL=scratch_database_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="https://localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        LOG_LEVEL="WARNING",
        DJANGO_SUPERUSER_PASSWORD="a-long-password-for-the-deploy-test",
    )  # SECURE_SSL_REDIRECT unset: on, as in production
    for args in (
        ("migrate", "--no-input"),
        ("collectstatic", "--no-input", "--verbosity", "0"),
        ("import_articles", "corpus/seed", "--no-progress"),
        ("createsuperuser", "--no-input", "--username", "deploy-check", "--email", "deploy@example.org"),
    ):
        result = manage(*args, env=env)
        assert result.returncode == 0, f"manage.py {' '.join(args)}\n{output(result)}"
    assert (tmp_path / "static" / "staticfiles.json").is_file(), "collectstatic wrote no manifest"

    demo = manage("create_demo_users", env=env)
    assert demo.returncode != 0, "demo accounts with well-known passwords must be refused in production"
    assert "DEBUG" in demo.stderr, output(demo)

    with gunicorn(env, tmp_path / "gunicorn.log") as site:
        port = site.port
        # The container's health check, run as the container would, against this server.
        healthcheck = run_healthcheck(dockerfile_healthcheck(), port, env)
        assert healthcheck.returncode == 0, output(healthcheck)

        # Plain HTTP is sent to HTTPS, except the health check.
        response, _ = site.get("/articles/")
        assert response.status == 301
        assert response.headers["Location"] == f"https://127.0.0.1:{port}/articles/"

        # Behind the proxy: anonymous readers go to the login page, with HSTS.
        response, _ = site.get("/articles/", Site.HTTPS)
        assert response.status == 302
        assert response.headers["Location"].startswith("/accounts/login/")
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]

        # The login page sets a Secure CSRF cookie and links its stylesheet by hashed name.
        response, body = site.get("/accounts/login/", Site.HTTPS)
        assert response.status == 200
        csrf = cookies(response)["csrftoken"]
        assert csrf["secure"], response.headers.get_all("Set-Cookie")
        html = body.decode()
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)[1]
        assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", stylesheet), stylesheet

        # whitenoise serves it, compressed and cached for good.
        response, body = site.get(stylesheet, {**Site.HTTPS, "Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]

        # Signing in works over the proxy: CSRF origin check, Secure session cookie, then the seed articles.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
        response, _ = site.request(
            "POST",
            "/accounts/login/",
            {
                **Site.HTTPS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://127.0.0.1:{port}",
                "Cookie": f"csrftoken={csrf.value}",
            },
            urlencode(
                {
                    "username": "deploy-check",
                    "password": env["DJANGO_SUPERUSER_PASSWORD"],
                    "csrfmiddlewaretoken": token,
                    "next": "/articles/",
                }
            ),
        )
        assert response.status == 302, response.headers
        assert response.headers["Location"] == "/articles/"
        session = cookies(response)["sessionid"]
        assert session["secure"] and session["httponly"]

        signed_in = {**Site.HTTPS, "Cookie": f"sessionid={session.value}"}
        response, body = site.get("/articles/", signed_in)
        assert response.status == 200
        # /articles/add/ (in the navigation) is the page that adds articles, not an article.
        slugs = [slug for slug in re.findall(r'href="/articles/([a-z0-9-]+)/"', body.decode()) if slug != "add"]
        assert len(set(slugs)) == 5, "the five seed articles are listed"
        response, body = site.get(f"/articles/{slugs[0]}/", signed_in)
        assert response.status == 200
        assert b'id="article-text"' in body

    # With the server gone, the same health check reports failure.
    healthcheck = run_healthcheck(dockerfile_healthcheck(), port, env)
    assert healthcheck.returncode != 0, output(healthcheck)

    # The database goes away (nothing listens on its port): alive, not ready, and every page says
    # "try again shortly" with a 503, never a 500.
    outage = env | {"DATABASE_URL": f"postgres://provenance@127.0.0.1:{free_port()}/provenance"}
    with gunicorn(outage, tmp_path / "gunicorn-outage.log") as site:
        response, body = site.get("/healthz")
        assert (response.status, body) == (200, b"ok")
        response, body = site.get("/readyz")
        assert (response.status, body) == (503, b"database unavailable")
        healthcheck = run_healthcheck(dockerfile_healthcheck(), site.port, outage)
        assert healthcheck.returncode != 0, "the container is not ready without its database"

        response, body = site.get("/api/articles", {**Site.HTTPS, "Authorization": "Bearer some-token"})
        assert response.status == 503
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(body) == {"detail": "The database is unavailable; try again shortly."}
        assert int(response.headers["Retry-After"]) > 0

        # A signed-in reader: loading the session is what meets the outage, before any view runs.
        response, body = site.get("/articles/", {**Site.HTTPS, "Cookie": f"sessionid={session.value}"})
        assert response.status == 503
        assert int(response.headers["Retry-After"]) > 0
        page = body.decode()
        assert "try again shortly" in page
        assert re.search(r'<link rel="stylesheet" href="/static/css/app\.[0-9a-f]{12}\.css">', page), page

        # Signing in meets it in the view.
        response, body = site.get("/accounts/login/", Site.HTTPS)
        csrf = cookies(response)["csrftoken"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode())[1]
        response, body = site.request(
            "POST",
            "/accounts/login/",
            {
                **Site.HTTPS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://127.0.0.1:{site.port}",
                "Cookie": f"csrftoken={csrf.value}",
            },
            urlencode({"username": "deploy-check", "password": "wrong", "csrfmiddlewaretoken": token}),
        )
        assert response.status == 503
        assert "try again shortly" in body.decode()


def test_every_variable_the_readme_documents_is_read():
    # A documented variable that nothing reads is a setting an operator believes in and never gets.
    documented = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert len(documented) > 10
    readers = {"DATABASE_URL": "dj_database_url reads it", "WEB_CONCURRENCY": "gunicorn's command line reads it"}
    code = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "config").glob("*.py"))
    code += (ROOT / "Dockerfile").read_text(encoding="utf-8")
    unread = [name for name in documented if f'"{name}"' not in code and name not in readers]
    assert not unread, unread
    show = "from django.conf import settings as s; print(s.ARTICLE_FETCH_ALLOW_PRIVATE, s.ARTICLE_FETCH_TIMEOUT)"
    result = manage(
        "shell", "--no-imports", "-c", show,
        env=production_env(ARTICLE_FETCH_ALLOW_PRIVATE="true", ARTICLE_FETCH_TIMEOUT="3"),
    )  # fmt: skip
    assert result.stdout.strip() == "True 3.0", output(result)
