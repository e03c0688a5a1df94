"""Benchmark the app against Label Studio on the same synthetic corpus: reading, tagging and exporting spans.

Run alone with DATABASE_URL pointing at a PostgreSQL server (or from the suite, with the same options):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/labelstudio.py

It installs Label Studio (PyPI `label-studio`, pinned) into its own virtual environment,
bench/.venv-labelstudio, reused on later runs. Both servers run on this machine, on 127.0.0.1 only, each
in a scratch database on DATABASE_URL's server that is dropped afterwards: Label Studio as
`label-studio start` runs it (Django's development server), ours under gunicorn. Both hold the same
corpus, made by `manage.py generate_corpus`: N documents of M spans each, plus one document with 1,000
spans; Label Studio gets it through its import API, one annotation per task.

Side by side, with the same client (http.client, a new TCP connection per request, whole body read,
requests alternating between the servers), it measures: opening the 1,000-span document (Label Studio's
task API against our reading view), creating one span (its annotation API against our API and our
browser's htmx form post), and exporting every span (its CSV and JSON exports against our
/export/claims.csv and /export/claims.jsonl), with the server's extra memory during the export. It prints
a table, writes bench/results/labelstudio.json (the suite's section of RESULTS.md), stops every process
it started and drops both databases. Exit status: 0 when every target is met, 1 when one is missed, 2
when the comparison could not be run (no PostgreSQL, Label Studio not installed or not starting).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import io
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import common

LS_VERSION = "1.23.2"
LS_VENV = Path(__file__).resolve().parent / ".venv-labelstudio"
LS_USER = "bench@example.org"
OUR_USER = "bench-reviewer"
HOST = "127.0.0.1"
IMPORT_BATCH = 500  # tasks per import request
WARMUP = 2  # untimed requests before the timed ones (exports: 1)
START_TIMEOUT = 900  # seconds for a server to answer its health check (Label Studio migrates its database first)
REQUEST_TIMEOUT = 1800
SAMPLE_SECONDS = 0.05  # memory sampling interval during exports
READ_TARGET = CREATE_TARGET = 1 / 3  # ours / Label Studio's time
EXPORT_TARGET = 20  # ours / Label Studio's spans per second
MB = 1024 * 1024


class Unavailable(Exception):
    """The comparison cannot be run; the message says why."""


def log(message: str) -> None:
    print(f"[labelstudio] {message}", file=sys.stderr, flush=True)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# ---- HTTP: one new connection per request, for both servers ------------------------------------


class Response:
    def __init__(self, status: int, headers, body: bytes | None, size: int, seconds: float):
        self.status, self.headers, self.body, self.size, self.seconds = status, headers, body, size, seconds

    def json(self):
        return json.loads(self.body)


def fetch(port: int, method: str, path: str, *, headers=None, body: bytes | None = None, keep=True) -> Response:
    """One request on a new TCP connection, timed from connecting to the last byte of the body.

    With keep=False the body is read in chunks and dropped (only its size is kept), so a large export costs
    the client no memory.
    """
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        if keep:
            data = response.read()
            size = len(data)
        else:
            data, size = None, 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
        seconds = time.perf_counter() - started
    finally:
        connection.close()
    return Response(response.status, response.msg, data, size, seconds)


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        detail = (response.body or b"")[:500].decode("utf-8", errors="replace")
        raise RuntimeError(f"{what}: HTTP {response.status}, expected {status}: {detail}")
    return response


# ---- memory: resident set of a server's process tree, from /proc -------------------------------


def tree_pids(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in Path(f"/proc/{current}/task/{task}/children").read_text().split())
    return pids


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and all its descendants (VmRSS)."""
    total = 0
    for each in tree_pids(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
    return total


class PeakRss:
    """Samples a process tree's RSS every SAMPLE_SECONDS in a thread while the block runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.before = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_rss(self.pid))

    def __enter__(self) -> PeakRss:
        self.before = self.peak = tree_rss(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.pid))

    @property
    def extra(self) -> int:
        return self.peak - self.before


# ---- servers ------------------------------------------------------------------------------------


class Server:
    """A process started in its own session; stopping kills its whole process group."""

    name = "server"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / f"{self.name}.log"

    def start(self, command: list[str], env: dict, cwd: Path, health: str) -> None:
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Unavailable(
                    f"{self.name} exited with status {self.process.returncode} before answering; "
                    f"the end of its log:\n{tail(self.log_path)}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                if fetch(self.port, "GET", health).status == 200:
                    return
            time.sleep(1)
        raise Unavailable(f"{self.name} did not answer {health} within {START_TIMEOUT} s:\n{tail(self.log_path)}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Anything left in the group (a worker that outlived its master) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    @property
    def rss(self) -> int:
        return tree_rss(self.process.pid)


def admin_sql(base_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True, connect_timeout=10) as connection:
        for statement in statements:
            connection.execute(statement)


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def ensure_label_studio(workdir: Path) -> str:
    """Label Studio LS_VERSION in LS_VENV, installed if missing; its path to `label-studio`."""
    python = LS_VENV / "bin" / "python"
    probe = [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"]

    def installed() -> str | None:
        if not python.exists():
            return None
        result = subprocess.run(probe, capture_output=True, text=True, check=False)
        return result.stdout.strip() if result.returncode == 0 else None

    if installed() != LS_VERSION:
        install_log = workdir / "pip-install.log"
        log(f"installing label-studio=={LS_VERSION} into {LS_VENV} (a few minutes)")
        with install_log.open("wb") as out:
            steps = []
            if not python.exists():
                steps.append([sys.executable, "-m", "venv", str(LS_VENV)])
            steps.append(
                [str(python), "-m", "pip", "install", "--disable-pip-version-check", f"label-studio=={LS_VERSION}"]
            )
            for step in steps:
                try:
                    done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, timeout=3600, check=False)
                except (OSError, subprocess.TimeoutExpired) as exc:
                    raise Unavailable(f"installing Label Studio failed: {exc}") from None
                if done.returncode != 0:
                    raise Unavailable(
                        f"installing Label Studio failed ({' '.join(step[:4])}…: exit {done.returncode}):\n"
                        f"{tail(install_log)}"
                    )
        if (version := installed()) != LS_VERSION:
            raise Unavailable(f"Label Studio {LS_VERSION} was not installed (found {version}):\n{tail(install_log)}")
    return str(LS_VENV / "bin" / "label-studio")


class LabelStudio(Server):
    """`label-studio start` on 127.0.0.1 with PostgreSQL: a scratch database, a temporary data directory."""

    name = "label-studio"

    def __init__(self, workdir: Path, base_url: str, executable: str):
        super().__init__(workdir)
        self.base_url = base_url
        self.executable = executable
        self.database = f"bench_ls_{uuid.uuid4().hex[:12]}"
        self.token = secrets.token_hex(20)
        self.password = secrets.token_urlsafe(16)
        self.created_database = False

    def __enter__(self) -> LabelStudio:
        try:
            admin_sql(self.base_url, f'CREATE DATABASE "{self.database}"')
            self.created_database = True
            parts = urlsplit(self.base_url)
            env = dict(os.environ)
            for key in [key for key in env if key.startswith(("LABEL_STUDIO_", "HEARTEX_", "POSTGRE_"))]:
                del env[key]
            env.pop("DATABASE_URL", None)
            env.pop("DJANGO_SETTINGS_MODULE", None)
            env.update(
                DJANGO_DB="default",
                POSTGRE_NAME=self.database,
                POSTGRE_USER=parts.username or "postgres",
                POSTGRE_PASSWORD=parts.password or "",
                POSTGRE_HOST=parts.hostname or "localhost",
                POSTGRE_PORT=str(parts.port or 5432),
                LABEL_STUDIO_BASE_DATA_DIR=str(self.workdir / "label-studio-data"),
                # In 1.23 an organisation accepts its legacy token (Authorization: Token ...) only when
                # created with this on.
                LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
                # No calls home from a benchmark: PyPI version check, Sentry, analytics.
                LATEST_VERSION_CHECK="false",
                SENTRY_DSN="",
                FRONTEND_SENTRY_DSN="",
                COLLECT_ANALYTICS="false",
                DEBUG="false",
                LOG_LEVEL="WARNING",
            )
            command = [
                self.executable,
                "start",
                "--no-browser",
                "--internal-host",
                HOST,
                "--port",
                str(self.port),
                "--username",
                LS_USER,
                "--password",
                self.password,
                "--user-token",
                self.token,
            ]
            log(f"starting Label Studio on {HOST}:{self.port} (database {self.database}; first start migrates)")
            started = time.perf_counter()
            self.start(command, env, self.workdir, "/health")
            self.start_seconds = time.perf_counter() - started
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
        if self.created_database:
            with contextlib.suppress(Exception):
                admin_sql(self.base_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    @property
    def url(self) -> str:
        return urlsplit(self.base_url)._replace(path=f"/{self.database}").geturl()

    def request(self, method: str, path: str, payload=None, *, keep=True) -> Response:
        headers = {"Authorization": f"Token {self.token}"}
        body = None
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        return fetch(self.port, method, path, headers=headers, body=body, keep=keep)


class Ours(Server):
    """Our app under gunicorn, production settings, behind a (pretended) TLS proxy."""

    name = "gunicorn"

    def __init__(self, workdir: Path, database_url: str):
        super().__init__(workdir)
        self.database_url = database_url
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def __enter__(self) -> Ours:
        try:
            env = dict(os.environ)
            env.pop("DJANGO_SETTINGS_MODULE", None)
            env.update(
                DATABASE_URL=self.database_url,
                DEBUG="false",
                SECRET_KEY=secrets.token_urlsafe(50),
                ALLOWED_HOSTS=HOST,
                SECURE_SSL_REDIRECT="false",
                STATIC_ROOT=str(self.workdir / "static"),
                LOG_LEVEL="WARNING",
            )
            collect = subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=common.ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if collect.returncode != 0:
                raise RuntimeError(f"collectstatic failed: {collect.stderr[-2000:]}")
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            # A long timeout: a sync worker streaming a large export is not idle.
            command = [gunicorn, "config.wsgi", "-b", f"{HOST}:{self.port}", "-w", "2", "--timeout", "600"]
            log(f"starting gunicorn on {HOST}:{self.port}")
            self.start(command, env, common.ROOT, "/healthz")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _headers(self, extra=None) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{HOST}:{self.port}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers | (extra or {})

    def _remember(self, response: Response) -> None:
        from http.cookies import SimpleCookie

        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update((name, morsel.value) for name, morsel in jar.items())

    def login(self, username: str, password: str) -> None:
        """Sign in through the login form; the Secure cookies are kept and sent by hand."""
        self._remember(expect(fetch(self.port, "GET", "/accounts/login/", headers=self._headers()), 200, "login"))
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]}
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        response = fetch(self.port, "POST", "/accounts/login/", headers=headers, body=urlencode(form).encode())
        self._remember(expect(response, 302, "login POST"))
        if "sessionid" not in self.cookies:
            raise RuntimeError("login did not set a session cookie")

    def get(self, path: str, *, keep=True) -> Response:
        return fetch(self.port, "GET", path, headers=self._headers(), keep=keep)

    def post_form(self, path: str, form: dict, *, htmx=False) -> Response:
        form = form | {"csrfmiddlewaretoken": self.cookies["csrftoken"]}
        extra = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.cookies["csrftoken"]}
        if htmx:
            extra |= {"HX-Request": "true", "HX-Current-URL": f"https://{HOST}:{self.port}{path}"}
        return fetch(self.port, "POST", path, headers=self._headers(extra), body=urlencode(form).encode())

    def post_api(self, path: str, payload: dict) -> Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
        }
        return fetch(self.port, "POST", path, headers=headers, body=json.dumps(payload, ensure_ascii=False).encode())


# ---- the corpus -----------------------------------------------------------------------------------


def build_ours(tasks: int, spans: int, open_spans: int, seed: int) -> dict:
    """Our side of the corpus with generate_corpus; what Label Studio needs to hold the same."""
    from django.core.management import call_command, get_commands
    from django.db import connection

    from annotate.models import Claim, ProvenanceKind
    from corpus.models import Article

    started = time.perf_counter()
    quiet = {"force": True, "no_progress": True, "verbosity": 0}
    call_command("generate_corpus", articles=tasks, claims_per_article=spans, seed=seed, **quiet)
    call_command("generate_corpus", articles=1, claims_per_article=open_spans, seed=seed + 1, **quiet)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    load_seconds = time.perf_counter() - started

    opened = Article.objects.order_by("-pk").first()  # the document with `open_spans` spans, made last
    tagged = Article.objects.order_by("pk").first()  # an ordinary document, where spans are created
    user = common.create_user(OUR_USER, "reviewer")
    user.set_password(common.SUITE_PASSWORD)
    user.save()
    token = None
    if "create_api_token" in get_commands():
        out = io.StringIO()
        call_command("create_api_token", OUR_USER, name="benchmark", stdout=out, stderr=io.StringIO())
        token = out.getvalue().strip()
    kinds = list(ProvenanceKind.objects.filter(active=True).order_by("pk").values_list("slug", flat=True))
    return {
        "load_seconds": load_seconds,
        "opened": (opened.pk, opened.slug),
        "tagged": (tagged.pk, tagged.slug, tagged.text),
        "kinds": kinds,
        "token": token,
        "articles": Article.objects.count(),
        "claims": Claim.objects.count(),
        "opened_claims": Claim.objects.filter(article=opened).count(),
    }


def label_config(kinds: list[str]) -> str:
    labels = "".join(f'<Label value="{kind}"/>' for kind in kinds)
    return f'<View><Labels name="label" toName="text">{labels}</Labels><Text name="text" value="$text"/></View>'


def span_result(start: int, end: int, exact: str, kind: str, ident: str) -> dict:
    return {
        "id": ident,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": exact, "labels": [kind]},
    }


def corpus_tasks():
    """Each of our articles as a Label Studio task: its text and one annotation with its claims, in article order."""
    from annotate.models import Claim
    from corpus.models import Article

    claims = (
        Claim.objects.order_by("article_id", "pk")
        .values_list("article_id", "pk", "start", "end", "exact", "kind__slug")
        .iterator(chunk_size=5000)
    )
    pending = next(claims, None)
    for pk, text in Article.objects.order_by("pk").values_list("pk", "text").iterator(chunk_size=500):
        result = []
        while pending is not None and pending[0] == pk:
            _, claim, start, end, exact, kind = pending
            result.append(span_result(start, end, exact, kind, f"c{claim}"))
            pending = next(claims, None)
        yield pk, {"data": {"text": text}, "annotations": [{"result": result}]}


def load_label_studio(ls: LabelStudio, kinds: list[str]) -> dict:
    """A project with our nine kinds as labels, and every article imported as a task; task ids by article."""
    started = time.perf_counter()
    project = expect(
        ls.request("POST", "/api/projects", {"title": "Provenance benchmark", "label_config": label_config(kinds)}),
        201,
        "Label Studio: create project",
    ).json()["id"]
    task_of, batch, imported = {}, [], 0

    def flush():
        nonlocal imported
        response = ls.request(
            "POST", f"/api/projects/{project}/import?return_task_ids=true", [task for _, task in batch]
        )
        ids = expect(response, 201, "Label Studio: import").json()["task_ids"]
        if len(ids) != len(batch):
            raise RuntimeError(f"Label Studio imported {len(ids)} tasks of {len(batch)}")
        task_of.update((article, task) for (article, _), task in zip(batch, ids, strict=True))
        imported += len(batch)
        batch.clear()
        if imported % 2000 < IMPORT_BATCH:
            log(f"  imported {imported:,} tasks into Label Studio")

    for item in corpus_tasks():
        batch.append(item)
        if len(batch) == IMPORT_BATCH:
            flush()
    if batch:
        flush()
    import_seconds = time.perf_counter() - started
    # Autovacuum is off on some servers; give Label Studio's tables the same fresh statistics as ours.
    admin_sql(ls.url, "VACUUM (ANALYZE)")
    return {"project": project, "task_of": task_of, "import_seconds": import_seconds}


# ---- measurements -------------------------------------------------------------------------------


def alternate(runs: int, warmup: int, theirs, ours: dict) -> tuple[list[float], dict[str, list[float]]]:
    """Call theirs(i) and each of ours[name](i) in turn, warmup times untimed, then runs times; seconds."""
    their_times, our_times = [], {name: [] for name in ours}
    for i in range(warmup + runs):
        seconds = theirs(i)
        if i >= warmup:
            their_times.append(seconds)
        for name, call in ours.items():
            seconds = call(i)
            if i >= warmup:
                our_times[name].append(seconds)
    return their_times, our_times


def ms(values: list[float], label: str) -> dict:
    return common.stats([v * 1000 for v in values], "ms", label)


def measure_reading(ls, ours, ls_task: int, slug: str, spans: int, runs: int) -> dict:
    sizes = {}

    def theirs(_):
        response = expect(ls.request("GET", f"/api/tasks/{ls_task}/"), 200, "Label Studio: task")
        found = sum(len(annotation["result"]) for annotation in response.json()["annotations"])
        if found != spans:
            raise RuntimeError(f"Label Studio's task has {found} spans, expected {spans}")
        sizes["theirs"] = response.size
        return response.seconds

    def our_page(_):
        response = expect(ours.get(f"/articles/{slug}/"), 200, "reading view")
        if (found := response.body.count(b'<span class="anchor" id="claim-')) != spans:
            raise RuntimeError(f"the reading view shows {found} claims, expected {spans}")
        sizes["ours"] = response.size
        return response.seconds

    their_times, our_times = alternate(runs, WARMUP, theirs, {"page": our_page})
    return {"theirs": their_times, "ours": our_times["page"], "bytes": sizes}


def new_spans(text: str, count: int) -> list[tuple[int, int, str]]:
    """`count` different spans of the text, 40 to 99 characters each, not starting or ending in a space."""
    spans, seen, i = [], set(), 0
    room = len(text) - 100
    while len(spans) < count:
        start = (i * 97) % room
        end = start + 40 + (i * 13) % 60
        i += 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 20 and (start, end) not in seen:
            seen.add((start, end))
            spans.append((start, end, text[start:end]))
    return spans


def measure_creation(ls, ours, ls_task: int, article: tuple, kinds: list[str], runs: int) -> dict:
    _, slug, text = article
    total = WARMUP + runs
    spans = new_spans(text, 2 * total)  # Label Studio gets the first half, our API the same ones, the form the rest
    kind = kinds[0]

    def theirs(i):
        start, end, exact = spans[i]
        payload = {"result": [span_result(start, end, exact, kind, f"new{i}")]}
        return expect(ls.request("POST", f"/api/tasks/{ls_task}/annotations/", payload), 201, "LS: annotate").seconds

    def api(i):
        start, end, exact = spans[i]
        payload = {"article": slug, "start": start, "end": end, "exact": exact, "kind": kind}
        return expect(ours.post_api("/api/claims", payload), 201, "POST /api/claims").seconds

    def form(i):
        start, end, exact = spans[total + i]
        fields = {"start": start, "end": end, "exact": exact, "kind": kind, "source": "", "fact": "", "note": ""}
        fields |= {"via": "", "directness": ""}
        return expect(ours.post_form(f"/articles/{slug}/claims/", fields, htmx=True), 201, "htmx claim POST").seconds

    calls = {"form": form}
    if ours.token:
        calls = {"api": api, **calls}
    their_times, our_times = alternate(runs, WARMUP, theirs, calls)
    return {"theirs": their_times, **our_times}


def count_spans(kind: str, body: bytes) -> int:
    """Spans in a downloaded export: Label Studio's CSV and JSON, our CSV and JSON Lines."""
    if kind == "ls-json":
        return sum(len(a["result"]) for task in json.loads(body) for a in task.get("annotations", []))
    if kind == "ls-csv":
        reader = csv.DictReader(io.StringIO(body.decode("utf-8")))
        return sum(len(json.loads(row["label"])) for row in reader if row.get("label"))
    if kind == "csv":
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1
    return body.count(b"\n")


class Export:
    """One server's export: a download function, what it counts as spans, and what each download cost."""

    def __init__(self, server: Server, request, kind: str, baseline: int):
        self.server, self.request, self.kind = server, request, kind
        self.result = {"seconds": [], "extra": [], "spans": 0, "bytes": 0, "baseline": baseline, "peak": 0}

    def download(self, *, timed: bool) -> None:
        """The untimed download keeps the body and counts its spans; timed ones drop it as it arrives."""
        with PeakRss(self.server.process.pid) as rss:
            response = self.request(keep=not timed)
        expect(response, 200, f"{self.server.name} export ({self.kind})")
        result = self.result
        result["peak"] = max(result["peak"], rss.peak)
        if timed:
            result["seconds"].append(response.seconds)
            result["extra"].append(rss.extra)
            result["bytes"] = response.size
        else:
            result["spans"] = count_spans(self.kind, response.body)


def export_pair(ls, ours, project: int, ls_format: str, our_path: str, our_kind: str, runs: int, baseline) -> dict:
    """Each server's export: one untimed download, then `runs` timed ones, alternating between the servers.

    `baseline` is each server's RSS before its first export; `peak` the highest seen during any download.
    """
    log(f"exporting: Label Studio {ls_format}, ours {our_path} ({runs} runs each)")
    theirs = Export(
        ls,
        lambda keep: ls.request("GET", f"/api/projects/{project}/export?exportType={ls_format}", keep=keep),
        f"ls-{ls_format.lower()}",
        baseline["theirs"],
    )
    mine = Export(ours, lambda keep: ours.get(our_path, keep=keep), our_kind, baseline["ours"])
    for i in range(1 + runs):
        for export in (theirs, mine):
            export.download(timed=i > 0)
    return {"theirs": theirs.result, "ours": mine.result}


# ---- report -------------------------------------------------------------------------------------


def rate(export: dict, label: str) -> dict:
    return common.stats([export["spans"] / seconds for seconds in export["seconds"]], "spans/s", label)


def megabytes(export: dict, label: str) -> dict:
    return common.stats([extra / MB for extra in export["extra"]], "MB", label)


def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def table(comparisons: list[dict]) -> str:
    head = f"{'measurement':<44} {'ours (median, min-max)':>30} {'Label Studio (median, min-max)':>32} {'ratio':>7}"
    lines = [head + "  target"]
    for c in comparisons:
        ours, theirs = c["ours"], c["baseline"]

        def cell(s):
            return f"{fmt(s['median'])} {s['unit']} ({fmt(s['min'])}-{fmt(s['max'])})" if s else "-"

        ratio = f"{c['ratio']:.3f}" if c["ratio"] is not None else "-"
        verdict = {True: "met", False: "MISSED", None: "(no target)"}[c["met"]]
        lines.append(f"{c['name']:<44} {cell(ours):>30} {cell(theirs):>32} {ratio:>7}  {verdict}: {c['target']}")
    return "\n".join(lines)


def speedup(c: dict, *, time_ratio: bool) -> str:
    if not c["ratio"]:
        return "n/a"
    return f"{1 / c['ratio']:.1f}×" if time_ratio else f"{c['ratio']:.1f}×"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="documents (tasks) besides the opened one")
    parser.add_argument("--spans", type=int, default=20, help="spans per document (default 20)")
    parser.add_argument("--open-spans", type=int, default=1_000, help="spans of the document opened (default 1000)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests for reading and creating (default 15)")
    parser.add_argument("--export-runs", type=int, default=3, help="timed downloads of each export (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the corpus (default 1)")
    args = parser.parse_args(argv)

    base_url = os.environ.get("DATABASE_URL") or None
    command = common.command_line(base_url, __file__)

    def give_up(reason: str) -> int:
        log(reason)
        common.write_section(
            "labelstudio",
            title="Against Label Studio",
            command=command,
            setup=f"Label Studio {LS_VERSION} against this app; not run.",
            comparisons=[],
            notes=f"The comparison could not be run: {reason}",
        )
        return 2

    if common.vendor_of(base_url) != "postgresql":
        return give_up("it needs PostgreSQL: set DATABASE_URL=postgres://... (both servers use that server).")

    # A polite stop (SIGTERM from the suite, SIGHUP) unwinds like Ctrl-C, through every clean-up below.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    try:
        with contextlib.ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-labelstudio-")))
            executable = ensure_label_studio(workdir)

            our_url = stack.enter_context(common.ScratchDatabase(base_url))
            common.setup_django(our_url)
            log(f"loading our corpus: {args.tasks:,} documents x {args.spans} spans + 1 x {args.open_spans}")
            corpus = build_ours(args.tasks, args.spans, args.open_spans, args.seed)
            log(f"  {corpus['claims']:,} claims in {corpus['load_seconds']:.1f} s")
            from django.db import connections

            connections.close_all()

            ls = stack.enter_context(LabelStudio(workdir, base_url, executable))
            log(f"Label Studio up in {ls.start_seconds:.0f} s; importing {corpus['articles']:,} tasks")
            loaded = load_label_studio(ls, corpus["kinds"])
            log(f"  imported in {loaded['import_seconds']:.1f} s")

            ours = stack.enter_context(Ours(workdir, our_url))
            ours.login(OUR_USER, common.SUITE_PASSWORD)
            ours.token = corpus["token"]
            idle = {"theirs": ls.rss, "ours": ours.rss}

            opened_pk, opened_slug = corpus["opened"]
            log(f"opening the {args.open_spans:,}-span document ({args.runs} runs each)")
            reading = measure_reading(
                ls, ours, loaded["task_of"][opened_pk], opened_slug, corpus["opened_claims"], args.runs
            )
            log("creating spans")
            creating = measure_creation(
                ls, ours, loaded["task_of"][corpus["tagged"][0]], corpus["tagged"], corpus["kinds"], args.runs
            )
            baseline = {"theirs": ls.rss, "ours": ours.rss}
            project, runs = loaded["project"], args.export_runs
            exports = {
                "CSV": export_pair(ls, ours, project, "CSV", "/export/claims.csv", "csv", runs, baseline),
                "JSON": export_pair(ls, ours, project, "JSON", "/export/claims.jsonl", "jsonl", runs, baseline),
            }
            versions = {
                "postgres": server_version(base_url),
                "gunicorn": subprocess.run(
                    [sys.executable, "-c", "import gunicorn; print(gunicorn.__version__)"],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip(),
            }
            import django

            versions["django"] = django.get_version()
    except Unavailable as exc:
        return give_up(str(exc))
    except KeyboardInterrupt as exc:
        give_up(f"interrupted ({exc}); everything it had started was stopped.")
        return 130
    except Exception as exc:
        traceback.print_exc()
        return give_up(f"{type(exc).__name__}: {exc}")
    total_seconds = time.perf_counter() - started

    n_open = corpus["opened_claims"]
    comparisons = [
        common.comparison(
            f"Open the {n_open:,}-span document",
            ms(reading["ours"], "GET /articles/<slug>/ (reading view, HTML)"),
            ms(reading["theirs"], "GET /api/tasks/<id>/ (task with its annotations)"),
            target="ours ≤ 1/3 of Label Studio's time (at least 3× faster)",
            higher_is_better=False,
            limit=READ_TARGET,
        )
    ]
    if "api" in creating:
        comparisons.append(
            common.comparison(
                "Create one span (API)",
                ms(creating["api"], "POST /api/claims (token)"),
                ms(creating["theirs"], "POST /api/tasks/<id>/annotations/"),
                target="ours ≤ 1/3 of Label Studio's time (at least 3× faster)",
                higher_is_better=False,
                limit=CREATE_TARGET,
            )
        )
    comparisons.append(
        common.comparison(
            "Create one span (browser form, htmx)",
            ms(creating["form"], "POST /articles/<slug>/claims/ (re-renders the reading view)"),
            ms(creating["theirs"], "POST /api/tasks/<id>/annotations/"),
            target="ours ≤ 1/3 of Label Studio's time (at least 3× faster)",
            higher_is_better=False,
            limit=CREATE_TARGET,
        )
    )
    our_files = {"CSV": "/export/claims.csv", "JSON": "/export/claims.jsonl"}
    for fmt_name, pair in exports.items():
        comparisons.append(
            common.comparison(
                f"Export every span ({fmt_name})",
                rate(pair["ours"], f"GET {our_files[fmt_name]}"),
                rate(pair["theirs"], f"GET /api/projects/<id>/export?exportType={fmt_name}"),
                target="ours ≥ 20× Label Studio's spans per second",
                higher_is_better=True,
                limit=EXPORT_TARGET,
            )
        )
    for fmt_name, pair in exports.items():
        comparisons.append(
            common.comparison(
                f"Export every span ({fmt_name}): extra server memory",
                megabytes(pair["ours"], "peak RSS during the download minus before (gunicorn master + workers)"),
                megabytes(pair["theirs"], "peak RSS during the download minus before (label-studio process)"),
                target="flat memory for ours (no ratio target)",
                higher_is_better=False,
                limit=None,
            )
        )

    setup = "\n".join(
        [
            f"- **Label Studio {LS_VERSION}** (PyPI `label-studio`, in its own virtual environment "
            f"`bench/.venv-labelstudio`; Django {versions['django']}), started as its documentation says: "
            f"`label-studio start --no-browser --internal-host {HOST} --port <free port> --username … --password … "
            "--user-token …`, which serves it with Django's development server (`runserver --noreload`, one "
            "process, a thread per request), DEBUG off. PostgreSQL through `DJANGO_DB=default` and `POSTGRE_*` "
            "(a scratch database `bench_ls_…`), data directory in a temporary folder, legacy API token enabled "
            "(`LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true`; requests send `Authorization: Token …`); PyPI version "
            "check, Sentry and analytics off.",
            f"- **Ours**: gunicorn {versions['gunicorn']}, `config.wsgi`, 2 sync workers (`-w 2 --timeout 600`), "
            f"bound to {HOST}; `DEBUG=false`, production settings (`SECURE_SSL_REDIRECT=false`; requests send "
            "`X-Forwarded-Proto: https` as a TLS proxy would), whitenoise serving collected static files; Django "
            f"{versions['django']} on a scratch database `bench_…`. Signed in as a reviewer through the login "
            "form (session cookie) for the pages and exports; `Authorization: Bearer` token for the API.",
            f"- **Same server, same data**: PostgreSQL {versions['postgres']} for both. `manage.py generate_corpus` "
            f"made {args.tasks:,} documents of about 3,000 characters (English, Hangul, emoji) with {args.spans} "
            f"spans each, and one document with {n_open:,} spans: {corpus['claims']:,} spans in all "
            f"(loaded with COPY in {corpus['load_seconds']:.1f} s). Label Studio holds the same texts and spans "
            "(offsets, text, kind): one project whose labeling config has our nine kinds as `<Labels>` over "
            "`<Text>`, one task per document with one annotation holding its spans, imported through "
            f"`POST /api/projects/<id>/import` in batches of {IMPORT_BATCH} (took {loaded['import_seconds']:.1f} s). "
            "`VACUUM (ANALYZE)` on both databases after loading.",
            "- **Client**: Python's `http.client`, a new TCP connection for every request (Label Studio's "
            "development server stalls about 40 ms on reused connections), whole body read, timed from connect to "
            f"last byte; requests alternate between the two servers. Reading and creating: {WARMUP} warm-up "
            f"requests, then {args.runs} timed; exports: one untimed download (whose spans are counted), then "
            f"{args.export_runs} timed. Spans are created on an ordinary document ({args.spans} spans), a different "
            "span on every request.",
            f"- **Machine**: {os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}, Python "
            f"{platform.python_version()}; both servers and the client on it; load average {load_before:.1f} at the "
            f"start, {os.getloadavg()[0]:.1f} at the end. {common.CODE}.",
        ]
    )

    csv_pair, json_pair = exports["CSV"], exports["JSON"]
    missed = [c["name"] for c in comparisons if c["met"] is False]
    faster = {c["name"]: speedup(c, time_ratio=c["ours"]["unit"] == "ms") for c in comparisons}
    grew = {
        side: max(csv_pair[side]["peak"], json_pair[side]["peak"]) - csv_pair[side]["baseline"]
        for side in ("theirs", "ours")
    }
    created = "; ".join(
        f"{name.removeprefix('Create one span ')} {x}" for name, x in faster.items() if "Create" in name
    )
    notes = "\n".join(
        [
            f"- Open: Label Studio's task JSON is {reading['bytes']['theirs']:,} bytes, our reading view "
            f"{reading['bytes']['ours']:,} bytes of HTML (the text with nested highlights, the legend, the list of "
            f"claims with source, fact and status). Ours is {faster[comparisons[0]['name']]} faster.",
            f"- Create: ours is faster by {created}. The htmx post answers with the document's whole reading view "
            "re-rendered, which is what the browser shows after tagging.",
            "- Export: Label Studio's CSV has one row per annotation, all of its spans packed into one JSON cell "
            f"(`label`): {csv_pair['theirs']['spans']:,} spans in {csv_pair['theirs']['bytes'] / MB:.0f} MB; "
            "ours has one row per span with its context, source, fact and review fields "
            f"({csv_pair['ours']['spans']:,} rows, {csv_pair['ours']['bytes'] / MB:.0f} MB). Its JSON is one "
            f"array of tasks with their text ({json_pair['theirs']['bytes'] / MB:.0f} MB), ours JSON Lines "
            f"({json_pair['ours']['bytes'] / MB:.0f} MB). Label Studio builds the whole file before it sends the "
            f"first byte; ours streams. In spans per second ours is {faster['Export every span (CSV)']} faster "
            f"(CSV) and {faster['Export every span (JSON)']} (JSON).",
            "- Memory (resident set of the server's whole process tree, sampled every "
            f"{SAMPLE_SECONDS * 1000:.0f} ms): idle after loading, Label Studio {idle['theirs'] / MB:.0f} MB, ours "
            f"{idle['ours'] / MB:.0f} MB (master and 2 workers). Highest during the exports, counting the first, "
            "untimed downloads (which also load the export code), over the RSS before them: Label Studio "
            f"+{grew['theirs'] / MB:.0f} MB, ours "
            f"+{grew['ours'] / MB:.0f} MB.",
            "- The spans created during the run are in both exports, so the two sides count slightly different "
            f"totals; each rate uses its own server's count. The whole run took {total_seconds / 60:.1f} min "
            f"(Label Studio's first start, which migrates its database: {ls.start_seconds:.0f} s).",
            (f"- **Missed**: {', '.join(missed)}." if missed else "- Every target was met."),
        ]
    )
    path = common.write_section(
        "labelstudio", title="Against Label Studio", command=command, setup=setup, comparisons=comparisons, notes=notes
    )
    print(table(comparisons))
    print()
    print(notes)
    print(f"\nwritten to {path.relative_to(common.ROOT)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
