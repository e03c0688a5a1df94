"""Tagging under load: 32 reviewers creating claims through gunicorn on PostgreSQL, against /healthz.

Run it alone with
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py`. It needs
PostgreSQL: it works in a scratch database `bench_...` on DATABASE_URL's server, which it creates and
drops. It fills it with `manage.py generate_corpus` (200 articles of about 3,000 characters with 100
claims each), adds 32 reviewers (bench-reviewer-1..32) with an API token each, collects the static files
into a temporary folder and starts the app under gunicorn with production settings (DEBUG off) on a free
port of 127.0.0.1. Each reviewer signs in through the login page.

Then locust (headless, in its own virtualenv bench/.venv-load, made on first use) runs three times for
60 s each with 32 users that send their next request as soon as the last one is answered:

- /healthz: the same stack doing nothing (the baseline);
- tagging as the browser does it: POST /articles/<slug>/claims/ with the session cookie, the CSRF token
  and htmx's headers, answered with the re-rendered reading partial;
- tagging through the JSON API: POST /api/claims with a bearer token.

Every user tags spans (sentences) it has not tagged before, across the 200 articles. Afterwards every
claim the server acknowledged (201, with its id) must be in the database as sent. The script prints a
table, writes results/load.json (its section of RESULTS.md) and exits non-zero when a target is missed:
tagging throughput at least half that of /healthz, no errors, no acknowledged claim missing.

This file is also the locustfile: locust imports it (`locust -f bench/load.py`) and finds the user
classes below; the benchmark itself runs under the app's virtualenv and never imports locust.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOAD_VENV = HERE / ".venv-load"
LOCUST = "locust==2.47.0"
NAME = "load"

USERS = 32
WORKERS = 4  # gunicorn sync workers: 2 per core on this 2-core machine, which also runs PostgreSQL and locust
DURATION = 60  # seconds per run
ARTICLES = 200
CLAIMS_PER_ARTICLE = 100
WINDOW = 5  # seconds: throughput is counted per window; the first one (users starting) is left out
TARGET_RATIO = 0.5  # tagging throughput / /healthz throughput, at least
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front of gunicorn adds


# ---- the load generator: locust imports this file (in bench/.venv-load) and runs these users ----------

try:
    from locust import FastHttpUser, events, task
    from locust.exception import StopUser
except ImportError:  # the app's virtualenv: this file is the benchmark, not a locustfile
    FastHttpUser = None

if FastHttpUser is not None:
    PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
    RECORDS: list[dict] = []
    CLOCK = {}
    _numbers = itertools.count()

    @events.test_start.add_listener
    def _started(**kwargs):
        CLOCK["start"] = time.perf_counter()

    @events.quitting.add_listener
    def _write_records(**kwargs):
        out = {"start": CLOCK.get("start"), "records": RECORDS}
        Path(os.environ["BENCH_LOAD_RECORDS"]).write_text(json.dumps(out), encoding="utf-8")

    class _Reviewer(FastHttpUser):
        """One of the bench reviewers; the cookie jar is off, so only the headers sent here count."""

        abstract = True
        network_timeout = 60.0
        connection_timeout = 60.0

        def on_start(self):
            self.client.client.cookiejar = None
            self.number = next(_numbers)
            self.account = PLAN["users"][self.number % len(PLAN["users"])]
            self.rng = random.Random(self.number)
            self.spans = list(range(len(PLAN["spans"])))
            random.Random(1000 + self.number).shuffle(self.spans)
            self.position = int(os.environ.get("BENCH_LOAD_OFFSET", "0"))
            self.new_sources = 0

        def record(self, started: float, response, **extra):
            ended = time.perf_counter()
            error = getattr(response, "error", None)
            RECORDS.append(
                {
                    "user": self.account["username"],
                    "started": started,
                    "ended": ended,
                    "status": response.status_code,
                    "error": repr(error)[:300] if error else None,
                    "bytes": len(response.content or b"") if not error else 0,
                    **extra,
                }
            )

        def claim(self) -> dict:
            """The next span this user has not tagged yet, with a kind, maybe a source, a fact and a relay."""
            if self.position >= len(self.spans):
                raise StopUser()
            article, start, end = PLAN["spans"][self.spans[self.position]]
            self.position += 1
            slug, text = PLAN["articles"][article]
            rng = self.rng
            roll = rng.random()
            if roll < 0.5:
                source = rng.choice(PLAN["sources"])
            elif roll < 0.55:
                self.new_sources += 1
                source = f"Bench source {self.account['username']} {self.new_sources}"
            else:
                source = ""
            return {
                "slug": slug,
                "start": start,
                "end": end,
                "exact": text[start:end],
                "kind": rng.choice(PLAN["kinds"]),
                "source": source,
                "fact": rng.choice(PLAN["facts"]) if rng.random() < 0.4 else "",
                "via": rng.choice(["Yonhap", "Reuters", "NK News"]) if rng.random() < 0.3 else "",
                "directness": rng.choice(["", "first_hand", "relayed", "self_report", "interpretation"]),
                "note": "Checked against the original release." if rng.random() < 0.1 else "",
            }

    class Healthz(_Reviewer):
        """The baseline: the same stack and the same 32 users, answered before sessions or the database."""

        @task
        def healthz(self):
            started = time.perf_counter()
            response = self.client.get("/healthz", headers=HTTPS, name="/healthz")
            ok = response.status_code == 200 and response.content == b"ok"
            self.record(started, response, ok=ok)

    class BrowserTagger(_Reviewer):
        """Tags as the reading view's tag panel does: an htmx form POST with the session and CSRF token."""

        @task
        def tag(self):
            claim = self.claim()
            host = self.host.split("://", 1)[1]
            page = f"https://{host}/articles/{claim['slug']}/"
            form = {key: claim[key] for key in ("start", "end", "exact", "kind", "source", "fact", "via")}
            form |= {"directness": claim["directness"], "note": claim["note"]}
            headers = {
                **HTTPS,
                "Cookie": f"csrftoken={self.account['csrftoken']}; sessionid={self.account['sessionid']}",
                "X-CSRFToken": self.account["csrftoken"],
                "Origin": f"https://{host}",
                "Referer": page,
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "HX-Request": "true",
                "HX-Target": "tag-panel",
                "HX-Trigger": "tag-panel",
                "HX-Current-URL": page,
            }
            body = urlencode({"csrfmiddlewaretoken": self.account["csrftoken"], **form})
            started = time.perf_counter()
            response = self.client.post(
                f"/articles/{claim['slug']}/claims/", data=body, headers=headers, name="/articles/[slug]/claims/"
            )
            claim_id = None
            if response.status_code == 201:
                try:
                    claim_id = json.loads(response.headers.get("HX-Trigger", ""))["claim-saved"]["id"]
                except (ValueError, KeyError, TypeError):
                    claim_id = None
            ok = response.status_code == 201 and isinstance(claim_id, int) and b'id="reading"' in response.content
            self.record(started, response, ok=ok, id=claim_id, claim=_sent(claim), body=_excerpt(response, ok))

    class ApiTagger(_Reviewer):
        """Tags through the JSON API with the reviewer's bearer token."""

        @task
        def tag(self):
            claim = self.claim()
            payload = {"article": claim["slug"], **{k: v for k, v in claim.items() if k != "slug"}}
            headers = {**HTTPS, "Authorization": f"Bearer {self.account['token']}"}
            started = time.perf_counter()
            response = self.client.post("/api/claims", json=payload, headers=headers, name="/api/claims")
            claim_id = None
            if response.status_code == 201:
                try:
                    claim_id = json.loads(response.content)["id"]
                except (ValueError, KeyError, TypeError):
                    claim_id = None
            ok = response.status_code == 201 and isinstance(claim_id, int)
            self.record(started, response, ok=ok, id=claim_id, claim=_sent(claim), body=_excerpt(response, ok))

    def _sent(claim: dict) -> list:
        return [claim["slug"], claim["start"], claim["end"], claim["kind"]]

    def _excerpt(response, ok: bool) -> str | None:
        if ok or getattr(response, "error", None):
            return None
        return (response.content or b"")[:300].decode("utf-8", "replace")


# ---- the benchmark: runs under the app's virtualenv ------------------------------------------------------


def ensure_locust() -> Path:
    """bench/.venv-load/bin/locust, installing it there on first use (kept out of the app's requirements)."""
    locust = LOAD_VENV / "bin" / "locust"
    python = LOAD_VENV / "bin" / "python"
    if locust.exists():
        return locust
    print(f"installing {LOCUST} into {LOAD_VENV.relative_to(ROOT)} ...", file=sys.stderr)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", LOCUST], check=True)
    return locust


def locust_version(locust: Path) -> str:
    result = subprocess.run([str(locust), "--version"], capture_output=True, text=True, check=True)
    return result.stdout.split(" from ")[0].strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(url: str, static_root: Path) -> dict[str, str]:
    """Production settings for gunicorn and collectstatic; the caller's own settings never leak in."""
    settings = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "LOG_LEVEL"}
    settings |= {"SECURE_HSTS_SECONDS", "STATIC_ROOT", "CONN_MAX_AGE", "REVIEW_SELF_ACCEPT", "WEB_CONCURRENCY"}
    env = {k: v for k, v in os.environ.items() if k not in settings and not k.startswith("DJANGO_")}
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
    }


class Site:
    """Plain HTTP to the local gunicorn, as the proxy in front would pass it on; never follows redirects."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"

    def request(self, method: str, path: str, headers: dict | None = None, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers={**HTTPS, **(headers or {})})
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()


def cookies(response) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


class Server:
    """gunicorn serving the app, started and stopped by the benchmark."""

    def __init__(self, env: dict[str, str], workers: int, log: Path):
        self.port = free_port()
        self.site = Site(self.port)
        self.log = log
        self.database = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi"]
                + ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{log.read_text()}")
            try:
                response, body = self.site.request("GET", "/healthz")
                if response.status == 200 and body == b"ok":
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()}")

    def workers(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time used so far by these processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` (its process title names it)."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() != "postgres":
                continue
            if f" {database} ".encode() not in (comm.parent / "cmdline").read_bytes():
                continue
            fields = (comm.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[int(comm.parent.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return times


class DatabaseCpu:
    """CPU seconds the backends serving one database use while the block runs, sampled twice a second:
    a backend that exits (its connection closed after CONN_MAX_AGE) keeps what it had used by then."""

    def __init__(self, database: str):
        self.database = database
        self.seconds = 0.0

    def __enter__(self):
        import threading

        self.first = postgres_cpu(self.database)
        self.last = dict(self.first)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self):
        while not self.done.wait(0.5):
            self.last.update(postgres_cpu(self.database))

    def __exit__(self, *exc_info):
        self.done.set()
        self.thread.join()
        self.last.update(postgres_cpu(self.database))
        self.seconds = sum(t - self.first.get(pid, 0.0) for pid, t in self.last.items())


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def sign_in(site: Site, username: str, password: str) -> dict[str, str]:
    """Sign in through the login page as a browser would: its CSRF cookie and form token, then the POST."""
    response, body = site.request("GET", "/accounts/login/")
    assert response.status == 200, f"login page: {response.status}"
    csrf = cookies(response)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    response, body = site.request(
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Origin": site.origin,
            "Referer": f"{site.origin}/accounts/login/",
        },
        urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/articles/"}),
    )
    assert response.status == 302, f"signing in as {username}: {response.status} {body[:300]!r}"
    session = cookies(response)
    return {"sessionid": session["sessionid"], "csrftoken": session.get("csrftoken", csrf)}


def build(args) -> dict:
    """The corpus, the reviewers with their tokens, and what the load generator draws on."""
    import common
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from annotate.models import Claim, Fact, ProvenanceKind, Source
    from corpus.models import Article

    started = time.perf_counter()
    call_command(
        "generate_corpus",
        articles=args.articles,
        claims_per_article=args.claims_per_article,
        no_progress=True,
        force=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    corpus_seconds = time.perf_counter() - started
    password = make_password(common.SUITE_PASSWORD)  # hashed once: 32 hashes of the same password cost ~15 s
    role = Group.objects.get(name="reviewer")
    users = []
    for i in range(1, args.users + 1):
        user = get_user_model().objects.create(username=f"bench-reviewer-{i}", password=password)
        user.groups.add(role)
        token = _capture(call_command, "create_api_token", user.username, name="bench/load.py")
        users.append({"username": user.username, "token": token})
    articles = list(Article.objects.order_by("slug").values_list("slug", "text")[: args.articles])
    spans = [
        (i, m.start(), m.end())
        for i, (_, text) in enumerate(articles)
        for m in re.finditer(r'\S[^\n]*?[.!?]"?(?=\s|$)', text)
    ]
    return {
        "articles": articles,
        "spans": spans,
        "users": users,
        "kinds": list(ProvenanceKind.objects.active().values_list("slug", flat=True)),
        "sources": list(Source.objects.filter(sensitive=False).values_list("name", flat=True)),
        "facts": list(Fact.objects.values_list("statement", flat=True)),
        "claims_before": Claim.objects.count(),
        "corpus_seconds": corpus_seconds,
    }


def _capture(call_command, *args, **kwargs) -> str:
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue().strip()


def run_locust(locust: Path, user_class: str, server: Server, plan: Path, work: Path, args, offset: int = 0) -> dict:
    """One headless locust run of `user_class`; its per-request records and the CPU it and the server used."""
    records = work / f"records-{user_class}.json"
    log = work / f"locust-{user_class}.log"
    env = os.environ | {
        "BENCH_LOAD_PLAN": str(plan),
        "BENCH_LOAD_RECORDS": str(records),
        "BENCH_LOAD_OFFSET": str(offset),
        "PYTHONUNBUFFERED": "1",
    }
    command = [str(locust), "-f", str(Path(__file__).resolve()), "--headless", "--users", str(args.users)]
    command += ["--spawn-rate", str(args.users), "--run-time", f"{args.duration}s", "--stop-timeout", "60"]
    command += ["--host", f"http://127.0.0.1:{server.port}", "--only-summary", "--loglevel", "WARNING", user_class]
    workers = server.workers()
    busy0, total0 = machine_busy()
    cpu0 = cpu_seconds(workers)
    wall0 = time.perf_counter()
    with log.open("w") as out, DatabaseCpu(server.database) as database:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - wall0
    busy1, total1 = machine_busy()
    if not records.exists():
        raise SystemExit(f"locust ({user_class}) wrote no records:\n{log.read_text()[-3000:]}")
    data = json.loads(records.read_text(encoding="utf-8"))
    return {
        "records": data["records"],
        "start": data["start"],
        "locust_cpu": (usage.ru_utime + usage.ru_stime) / wall,
        "server_cpu": (cpu_seconds(workers) - cpu0) / wall,
        "database_cpu": database.seconds / wall,
        "machine_busy": (busy1 - busy0) / max(1, total1 - total0),
        "log": log,
    }


def summarise(run: dict, duration: float) -> dict:
    """Throughput per window and latencies of one run."""
    import common

    records, start = run["records"], run["start"]
    good = [r for r in records if r["ok"]]
    errors = [r for r in records if not r["ok"]]
    windows = int(duration // WINDOW)
    per_window = [0] * windows
    for r in good:
        k = int((r["ended"] - start) // WINDOW)
        if 0 <= k < windows:
            per_window[k] += 1
    rates = [n / WINDOW for n in per_window[1:]] or [n / WINDOW for n in per_window]
    in_run = sum(1 for r in good if r["ended"] - start < duration)
    latencies = [(r["ended"] - r["started"]) * 1000 for r in good] or [0.0]
    return {
        "requests": len(records),
        "ok": len(good),
        "errors": errors,
        "rates": rates,
        "throughput": in_run / duration,
        "latencies": latencies,
        "p50": common.percentile(latencies, 50),
        "p95": common.percentile(latencies, 95),
        "p99": common.percentile(latencies, 99),
        "bytes": sum(r["bytes"] for r in good) / max(1, len(good)),
        "locust_cpu": run["locust_cpu"],
        "server_cpu": run["server_cpu"],
        "database_cpu": run["database_cpu"],
        "machine_busy": run["machine_busy"],
    }


def verify(run: dict) -> dict:
    """Every acknowledged claim is in the database as it was sent, by the reviewer who sent it."""
    from annotate.models import Claim

    acknowledged = {r["id"]: r for r in run["records"] if r["ok"]}
    stored = {
        pk: (username, slug, start, end, kind)
        for pk, username, slug, start, end, kind in Claim.objects.filter(pk__in=list(acknowledged)).values_list(
            "pk", "annotator__username", "article__slug", "start", "end", "kind__slug"
        )
    }
    missing = [pk for pk in acknowledged if pk not in stored]
    wrong = [pk for pk, r in acknowledged.items() if pk in stored and stored[pk] != (r["user"], *r["claim"])]
    users = {r["user"] for r in run["records"]}
    return {"acknowledged": len(acknowledged), "missing": missing, "wrong": wrong, "users": users}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=DURATION, help=f"seconds per run (default {DURATION})")
    parser.add_argument("--users", type=int, default=USERS, help=f"concurrent reviewers (default {USERS})")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--articles", type=int, default=ARTICLES, help=f"articles (default {ARTICLES})")
    parser.add_argument(
        "--claims-per-article", type=int, default=CLAIMS_PER_ARTICLE, help="claims already on each (default 100)"
    )
    parser.add_argument("--no-api", action="store_true", help="skip the JSON API run")
    args = parser.parse_args(argv)

    import common

    base_url = os.environ.get("DATABASE_URL") or None
    if common.vendor_of(base_url) != "postgresql":
        print("bench/load.py needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    locust = ensure_locust()
    started = time.perf_counter()
    with common.ScratchDatabase(base_url) as url, tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        # This process only builds the data; gunicorn gets its own settings (app_env). DEBUG off here too.
        os.environ.update(DEBUG="false", ALLOWED_HOSTS="127.0.0.1")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        common.setup_django(url)
        import django
        import gunicorn
        from django.db import connection

        from annotate.models import Claim

        plan = build(args)
        print(
            f"corpus: {len(plan['articles'])} articles, {plan['claims_before']:,} claims, "
            f"{len(plan['spans']):,} spans to tag",
            file=sys.stderr,
        )
        env = app_env(url, work / "static")
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"collectstatic failed:\n{result.stdout}{result.stderr}")
        connection.close()  # gunicorn's workers open their own
        server = Server(env, args.workers, work / "gunicorn.log")
        try:
            site = server.site
            with ThreadPoolExecutor(4) as pool:
                sessions = list(pool.map(lambda u: sign_in(site, u["username"], common.SUITE_PASSWORD), plan["users"]))
            for user, session in zip(plan["users"], sessions, strict=True):
                user |= session
            plan_file = work / "plan.json"
            plan_file.write_text(
                json.dumps({k: plan[k] for k in ("articles", "spans", "users", "kinds", "sources", "facts")}),
                encoding="utf-8",
            )
            # Warm the workers (templates, connections) with a few reading views before anything is timed.
            first = plan["users"][0]
            for slug, _ in plan["articles"][:8]:
                response, _ = site.request("GET", f"/articles/{slug}/", {"Cookie": f"sessionid={first['sessionid']}"})
                assert response.status == 200, f"reading view: {response.status}"

            runs = {}
            print(f"healthz: {args.users} users for {args.duration} s ...", file=sys.stderr)
            runs["healthz"] = run_locust(locust, "Healthz", server, plan_file, work, args)
            print(f"browser tagging: {args.users} users for {args.duration} s ...", file=sys.stderr)
            runs["browser"] = run_locust(locust, "BrowserTagger", server, plan_file, work, args)
            if not args.no_api:
                print(f"API tagging: {args.users} users for {args.duration} s ...", file=sys.stderr)
                half = len(plan["spans"]) // 2  # the API run tags the other half of each user's spans
                runs["api"] = run_locust(locust, "ApiTagger", server, plan_file, work, args, offset=half)
        finally:
            server.stop()
            server_log = server.log.read_text(errors="replace")

        summaries = {name: summarise(run, args.duration) for name, run in runs.items()}
        checks = {name: verify(run) for name, run in runs.items() if name != "healthz"}
        bench_claims = Claim.objects.filter(annotator__username__startswith="bench-reviewer-").count()
        head = common.header(
            "Tagging under load",
            connection,
            [
                f"server: gunicorn {gunicorn.__version__}, {args.workers} sync workers, DEBUG=False, 127.0.0.1",
                f"client: {locust_version(locust)} (headless, FastHttpUser), {args.users} users, no wait, "
                f"{args.duration} s per run",
            ],
            common.command_line(base_url, __file__),
        )
        versions = (
            f"Python {sys.version.split()[0]}, Django {django.get_version()}, {common.database_version(connection)}"
        )
        for name, run in runs.items():
            if summaries[name]["errors"]:
                print(f"--- {name}: locust log ---\n{run['log'].read_text(errors='replace')[-3000:]}")
        if any(s["errors"] for s in summaries.values()) and server_log.strip():
            print(f"--- gunicorn log (last 3000 characters) ---\n{server_log[-3000:]}")
    elapsed = time.perf_counter() - started
    return report(args, plan, summaries, checks, bench_claims, head, versions, elapsed)


def per_request(summary: dict, key: str) -> float:
    """CPU milliseconds per answered request, from the share of a core used over the run."""
    return summary[key] * 1000 / summary["throughput"] if summary["throughput"] else float("nan")


def report(args, plan, summaries, checks, bench_claims, head, versions, elapsed) -> int:
    import common

    labels = {"healthz": "GET /healthz", "browser": "tag: browser (htmx POST)", "api": "tag: JSON API"}
    healthz = summaries["healthz"]
    healthz_median = common.stats(healthz["rates"], "req/s")["median"]
    table = [
        f"{'run':<26} {'requests':>8} {'errors':>6} {'req/s':>7} {'median':>7} {'x healthz':>9} {'p50 ms':>8}"
        f" {'p95 ms':>8} {'p99 ms':>8} {'bytes':>7} {'app ms/req':>10} {'db ms/req':>9} {'client':>6} {'busy':>5}"
    ]
    for name, s in summaries.items():
        median = common.stats(s["rates"], "req/s")["median"]
        table.append(
            f"{labels[name]:<26} {s['requests']:>8,} {len(s['errors']):>6} {s['throughput']:>7.1f} {median:>7.1f}"
            f" {median / healthz_median:>9.3f} {s['p50']:>8.1f} {s['p95']:>8.1f} {s['p99']:>8.1f} {s['bytes']:>7,.0f}"
            f" {per_request(s, 'server_cpu'):>10.2f} {per_request(s, 'database_cpu'):>9.2f}"
            f" {s['locust_cpu'] * 100:>5.0f}% {s['machine_busy'] * 100:>4.0f}%"
        )
    failures = []
    comparisons = []
    healthz_rate = common.stats(healthz["rates"], "req/s", "GET /healthz")
    for name in ("browser", "api"):
        if name not in summaries:
            continue
        s, check = summaries[name], checks[name]
        rate = common.stats(s["rates"], "req/s", labels[name])
        item = common.comparison(
            f"Tagging throughput, {'browser path' if name == 'browser' else 'JSON API'}, against /healthz",
            rate,
            healthz_rate,
            target=f">= {TARGET_RATIO}",
            higher_is_better=True,
            limit=TARGET_RATIO,
        )
        comparisons.append(item)
        comparisons.append(
            common.comparison(
                f"Tagging latency, {'browser path' if name == 'browser' else 'JSON API'}, against /healthz",
                common.stats(s["latencies"], "ms", f"{labels[name]}; p95 {s['p95']:,.0f}, p99 {s['p99']:,.0f}"),
                common.stats(
                    healthz["latencies"], "ms", f"GET /healthz; p95 {healthz['p95']:,.1f}, p99 {healthz['p99']:,.1f}"
                ),
                target="none given (reported)",
                higher_is_better=False,
                limit=None,
            )
        )
        errors = common.comparison(
            f"Errors, {labels[name]}",
            common.stats([len(s["errors"])], "errors"),
            None,
            target="0",
            higher_is_better=False,
            limit=None,
        )
        errors["met"] = not s["errors"]
        lost = common.comparison(
            f"Acknowledged claims missing afterwards, {labels[name]}",
            common.stats([len(check["missing"]) + len(check["wrong"])], "claims"),
            None,
            target="0",
            higher_is_better=False,
            limit=None,
        )
        lost["met"] = not check["missing"] and not check["wrong"]
        comparisons += [errors, lost]
        if item["met"] is False:
            failures.append(f"{labels[name]}: throughput {item['ratio']:.3f} of /healthz (target >= {TARGET_RATIO})")
        if s["errors"]:
            failures.append(f"{labels[name]}: {len(s['errors'])} errors")
        if check["missing"] or check["wrong"]:
            failures.append(
                f"{labels[name]}: {len(check['missing'])} acknowledged claims missing, {len(check['wrong'])} differ"
            )
        table.append(
            f"{labels[name]}: {check['acknowledged']:,} claims acknowledged by {len(check['users'])} reviewers, "
            f"{len(check['missing'])} missing, {len(check['wrong'])} differing from what was sent"
        )
    if healthz["errors"]:
        failures.append(f"GET /healthz: {len(healthz['errors'])} errors")
    acknowledged = sum(c["acknowledged"] for c in checks.values())
    table.append(f"claims by the bench reviewers in the database: {bench_claims:,} (acknowledged: {acknowledged:,})")
    for name, s in summaries.items():
        for error in s["errors"][:3]:
            table.append(f"  {name} error: status {error['status']} {error['error'] or ''} {error.get('body') or ''}")
    print("\n".join([*head, "", *table, *(f"FAILED: {f}" for f in failures)]))

    setup = (
        f"- Software: {versions}; gunicorn, {args.workers} sync workers (two per core: the machine's 2 cores "
        f"also run PostgreSQL and the load generator), production settings (`DEBUG=false`, static files "
        f"collected and served by whitenoise), on 127.0.0.1; the default PostgreSQL configuration.\n"
        f"- Data: `manage.py generate_corpus` with {args.articles} articles of about 3,000 characters and "
        f"{args.claims_per_article} claims each ({plan['claims_before']:,} claims), in a scratch database.\n"
        f"- Client: locust ({LOCUST}, in bench/.venv-load), headless, one process on the same machine, "
        f"{args.users} users (bench-reviewer-1..{args.users}, each signed in through the login page, each "
        f"with an API token), each sending its next request as soon as the last is answered, for "
        f"{args.duration} s per run: /healthz, then the browser path, then the JSON API. Requests pass "
        f"`X-Forwarded-Proto: https` as the proxy would.\n"
        f"- Each user tags sentences it has not tagged before across the {args.articles} articles, with a "
        f"random kind; half name a known source, 5% a new one, 40% a known fact."
    )
    notes = [
        f"Throughput is counted in {WINDOW}-second windows, the first one (users starting) left out; the "
        f"cells show the median window and the range. Latency is per request at the client, while "
        f"{args.users} requests are always in flight, so it is mostly time spent waiting for a worker.",
        "",
        "| run | requests | errors | req/s (whole run) | p50 ms | p95 ms | p99 ms | bytes | app CPU ms/request | "
        "database CPU ms/request | client CPU | machine busy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in summaries.items():
        notes.append(
            f"| {labels[name]} | {s['requests']:,} | {len(s['errors'])} | {s['throughput']:.1f} | {s['p50']:.1f} | "
            f"{s['p95']:.1f} | {s['p99']:.1f} | {s['bytes']:,.0f} | {per_request(s, 'server_cpu'):.2f} | "
            f"{per_request(s, 'database_cpu'):.2f} | {s['locust_cpu'] * 100:.0f}% | {s['machine_busy'] * 100:.0f}% |"
        )
    notes += [
        "",
        "App and database CPU per request: the CPU time the gunicorn workers and the PostgreSQL processes used "
        "over the run, divided by the requests answered. Client CPU is the locust process's share of one core; "
        "machine busy the share of both cores used by everything on the machine, including work that is not "
        "this benchmark's.",
        "",
        "Every claim acknowledged with a 201 was looked up afterwards by its id: "
        + "; ".join(
            f"{labels[n]}: {c['acknowledged']:,} acknowledged, {len(c['missing'])} missing, {len(c['wrong'])} differing"
            for n, c in checks.items()
        )
        + f". Claims by the bench reviewers in the database: {bench_claims:,}.",
    ]
    return common.publish(
        NAME,
        __file__,
        title="Tagging under load",
        setup=setup,
        comparisons=comparisons,
        notes=notes,
        failed=bool(failures),
        elapsed=elapsed,
    )


if __name__ == "__main__":
    sys.exit(main())
