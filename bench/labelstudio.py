"""Benchmark the app against Label Studio on the same synthetic corpus: reading, tagging and exporting spans.

It installs Label Studio (PyPI `label-studio`, pinned) into its own virtual environment,
bench/.venv-labelstudio, reused on later runs. Both servers run on this machine, on 127.0.0.1 only, each
in a scratch database on DATABASE_URL's PostgreSQL that is dropped afterwards: Label Studio as
`label-studio start` runs it, ours under gunicorn. Both hold the same corpus from bench/synthetic.py: N
documents of M spans each, plus one with 1,000 spans, which Label Studio gets through its import API.
With the same client, requests alternating between the servers, it measures opening the 1,000-span
document, creating one span, and exporting every span (with the server's extra memory meanwhile).
Exit status: 0 when every target is met, 1 when one is missed, 2 when the comparison could not be run
(no PostgreSQL, Label Studio not installed or not starting); its section then says why.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import common
import web

LS_VERSION = "1.23.2"
LS_VENV = common.HERE / ".venv-labelstudio"
LS_USER = "bench@example.org"
HOST = web.HOST
IMPORT_BATCH = 500  # tasks per import request
WARMUP = 2  # untimed requests before the timed ones (exports: 1)
SAMPLE_SECONDS = 0.05  # memory sampling interval during exports
READ_TARGET = CREATE_TARGET = 1 / 3  # ours / Label Studio's time
EXPORT_TARGETS = {"CSV": 30, "JSON": 20}  # ours / Label Studio's spans per second, by format
MB = 1024 * 1024


class Unavailable(Exception):
    """The comparison cannot be run; the message says why."""


def log(message: str) -> None:
    common.log(f"[labelstudio] {message}")


def tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return ""


class PeakRss:
    """Samples a process tree's RSS every SAMPLE_SECONDS in a thread while the block runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.before = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, web.tree_rss(self.pid))

    def __enter__(self) -> PeakRss:
        self.before = self.peak = web.tree_rss(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, web.tree_rss(self.pid))

    @property
    def extra(self) -> int:
        return self.peak - self.before


# ---- Label Studio -------------------------------------------------------------------------------


def ensure_label_studio(workdir: Path) -> str:
    """Label Studio LS_VERSION in LS_VENV, installed there on first use; its `label-studio` command."""
    install_log = workdir / "pip-install.log"
    try:
        return str(common.tool_venv(LS_VENV, f"label-studio=={LS_VERSION}", install_log) / "label-studio")
    except (OSError, subprocess.SubprocessError) as exc:
        raise Unavailable(f"installing Label Studio failed: {exc}\n{tail(install_log)}") from None


class LabelStudio(web.Server):
    """`label-studio start` on 127.0.0.1 with PostgreSQL: a scratch database, a temporary data directory."""

    name = "label-studio"
    start_timeout = 900  # its first start migrates its database

    def __init__(self, workdir: Path, base_url: str, executable: str):
        super().__init__(workdir)
        self.database = common.ScratchDatabase(base_url)
        self.executable = executable
        self.token, self.password = secrets.token_hex(20), secrets.token_urlsafe(16)

    def environment(self) -> dict[str, str]:
        """Its settings: our database server, a data folder of its own, nothing of ours or of an earlier run."""
        own = ("LABEL_STUDIO_", "HEARTEX_", "POSTGRE_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
        parts = urlsplit(self.url)
        return env | {
            "DJANGO_DB": "default",
            "POSTGRE_NAME": self.database.name,
            "POSTGRE_USER": parts.username or "postgres",
            "POSTGRE_PASSWORD": parts.password or "",
            "POSTGRE_HOST": parts.hostname or "localhost",
            "POSTGRE_PORT": str(parts.port or 5432),
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.workdir / "label-studio-data"),
            # In 1.23 an organisation accepts its legacy token (Authorization: Token ...) only when created with this.
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            # No calls home from a benchmark: PyPI version check, Sentry, analytics.
            **dict.fromkeys(("LATEST_VERSION_CHECK", "COLLECT_ANALYTICS", "DEBUG"), "false"),
            **dict.fromkeys(("SENTRY_DSN", "FRONTEND_SENTRY_DSN"), ""),
            "LOG_LEVEL": "WARNING",
        }

    def __enter__(self) -> LabelStudio:
        self.url = self.database.__enter__()
        command = [self.executable, "start", "--no-browser", "--internal-host", HOST, "--port", str(self.port)]
        command += ["--username", LS_USER, "--password", self.password, "--user-token", self.token]
        log(f"starting Label Studio on {HOST}:{self.port} (database {self.database.name}; first start migrates)")
        started = time.perf_counter()
        try:
            self.start(command, self.environment(), self.workdir, "/health")
        except BaseException as exc:
            self.__exit__()
            if isinstance(exc, RuntimeError):  # it exited, or did not answer in time
                raise Unavailable(str(exc)) from None
            raise
        self.start_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
        with contextlib.suppress(Exception):
            self.database.__exit__()

    def request(self, method: str, path: str, payload=None, *, keep=True) -> web.Response:
        headers = {"Authorization": f"Token {self.token}"}
        body = None
        if payload is not None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        return web.fetch(self.port, method, path, headers, body, keep)


class Ours(web.Gunicorn):
    """Our app under gunicorn, 2 sync workers with a long timeout (a worker streaming a large export is not
    idle), signed in as a reviewer through the login form; the API with that reviewer's token."""

    def __init__(self, workdir: Path, url: str, token: str):
        super().__init__(workdir, url, workers=2, timeout=600)
        self.session = self.browser("bench-reviewer-1")
        self.token = token

    def get(self, path: str, *, keep=True) -> web.Response:
        return self.session.request("GET", path, keep=keep)

    def post_form(self, path: str, form: dict, *, htmx=False) -> web.Response:
        return self.session.request("POST", path, form, htmx=htmx)

    def post_api(self, path: str, payload: dict) -> web.Response:
        headers = {**web.HTTPS, "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return web.fetch(self.port, "POST", path, headers, json.dumps(payload, ensure_ascii=False).encode())


# ---- the corpus -----------------------------------------------------------------------------------


def build_ours(tasks: int, spans: int, open_spans: int, seed: int) -> dict:
    """Our side of the corpus (bench/synthetic.py); what Label Studio needs to hold the same."""
    from annotate.models import Claim, ProvenanceKind
    from corpus.models import Article

    load_seconds = common.generate(tasks, spans, seed=seed, progress=False)
    load_seconds += common.generate(1, open_spans, seed=seed + 1, progress=False)
    opened = Article.objects.order_by("-pk").first()  # the document with `open_spans` spans, made last
    tagged = Article.objects.order_by("pk").first()  # an ordinary document, where spans are created
    token = common.make_users("bench-reviewer", 1, "reviewer", tokens=True)[0].token
    return {
        "load_seconds": load_seconds,
        "opened": (opened.pk, opened.slug),
        "tagged": (tagged.pk, tagged.slug, tagged.text),
        "kinds": list(ProvenanceKind.objects.filter(active=True).order_by("pk").values_list("slug", flat=True)),
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
    project = web.expect(
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
        ids = web.expect(response, 201, "Label Studio: import").json()["task_ids"]
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
    common.admin_sql(ls.url, "VACUUM (ANALYZE)")
    return {"project": project, "task_of": task_of, "import_seconds": import_seconds}


# ---- measurements -------------------------------------------------------------------------------


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


def measure_reading(ls, ours, ls_task: int, slug: str, spans: int, runs: int) -> dict:
    sizes = {}

    def theirs(_):
        response = web.expect(ls.request("GET", f"/api/tasks/{ls_task}/"), 200, "Label Studio: task")
        found = sum(len(annotation["result"]) for annotation in response.json()["annotations"])
        if found != spans:
            raise RuntimeError(f"Label Studio's task has {found} spans, expected {spans}")
        sizes["theirs"] = response.size
        return response.seconds

    def our_page(_):
        response = web.expect(ours.get(f"/articles/{slug}/"), 200, "reading view")
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
        return web.expect(
            ls.request("POST", f"/api/tasks/{ls_task}/annotations/", payload), 201, "LS: annotate"
        ).seconds

    def api(i):
        start, end, exact = spans[i]
        payload = {"article": slug, "start": start, "end": end, "exact": exact, "kind": kind}
        return web.expect(ours.post_api("/api/claims", payload), 201, "POST /api/claims").seconds

    def form(i):
        start, end, exact = spans[total + i]
        fields = {"start": start, "end": end, "exact": exact, "kind": kind, "source": "", "fact": "", "note": ""}
        fields |= {"via": "", "directness": ""}
        return web.expect(
            ours.post_form(f"/articles/{slug}/claims/", fields, htmx=True), 201, "htmx claim POST"
        ).seconds

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

    def __init__(self, server: web.Server, request, kind: str, baseline: int):
        self.server, self.request, self.kind = server, request, kind
        self.result = {"seconds": [], "extra": [], "spans": 0, "bytes": 0, "baseline": baseline, "peak": 0}

    def download(self, *, timed: bool) -> None:
        """The untimed download keeps the body and counts its spans; timed ones drop it as it arrives."""
        with PeakRss(self.server.process.pid) as rss:
            response = self.request(keep=not timed)
        web.expect(response, 200, f"{self.server.name} export ({self.kind})")
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


def comparisons(r: dict) -> list[dict]:
    faster = "ours ≤ 1/3 of Label Studio's time (at least 3× faster)"
    reading, creating, annotate = r["reading"], r["creating"], "POST /api/tasks/<id>/annotations/"
    timed = [
        (f"Open the {r['corpus']['opened_claims']:,}-span document", reading["ours"], reading["theirs"], READ_TARGET),
        ("Create one span (API)", creating["api"], creating["theirs"], CREATE_TARGET),
        ("Create one span (browser form, htmx)", creating["form"], creating["theirs"], CREATE_TARGET),
    ]
    labels = [
        ("GET /articles/<slug>/ (reading view, HTML)", "GET /api/tasks/<id>/ (task with its annotations)"),
        ("POST /api/claims (token)", annotate),
        ("POST /articles/<slug>/claims/ (re-renders the reading view)", annotate),
    ]
    rows = [
        common.comparison(name, common.ms(ours, our_label), common.ms(theirs, their_label), target=faster, limit=limit)
        for (name, ours, theirs, limit), (our_label, their_label) in zip(timed, labels, strict=True)
    ]
    ours = {"CSV": "/export/claims.csv", "JSON": "/export/claims.jsonl"}
    for name, pair in r["exports"].items():
        rows.append(
            common.comparison(
                f"Export every span ({name})",
                rate(pair["ours"], f"GET {ours[name]}"),
                rate(pair["theirs"], f"GET /api/projects/<id>/export?exportType={name}"),
                target=f"ours ≥ {EXPORT_TARGETS[name]}× Label Studio's spans per second",
                higher_is_better=True,
                limit=EXPORT_TARGETS[name],
            )
        )
    for name, pair in r["exports"].items():
        rows.append(
            common.comparison(
                f"Export every span ({name}): extra server memory",
                megabytes(pair["ours"], "peak RSS during the download minus before (gunicorn master + workers)"),
                megabytes(pair["theirs"], "peak RSS during the download minus before (label-studio process)"),
                target="flat memory for ours (no ratio target)",
            )
        )
    return rows


def setup(args, r: dict) -> str:
    c, v = r["corpus"], r["versions"]
    return "\n".join(
        [
            f"- **Label Studio {LS_VERSION}** (PyPI `label-studio`, in its own virtual environment "
            "`bench/.venv-labelstudio`), started as its documentation says: `label-studio start --no-browser "
            f"--internal-host {HOST} --port <free port> --username … --password … --user-token …`, which serves it "
            "with Django's development server (one process, a thread per request), DEBUG off. PostgreSQL through "
            "`DJANGO_DB=default` and `POSTGRE_*` (a scratch database `bench_ls_…`), data directory in a temporary "
            "folder, legacy API token enabled (requests send `Authorization: Token …`); PyPI version check, Sentry "
            "and analytics off.",
            f"- **Ours**: gunicorn {v['gunicorn']}, `config.wsgi`, 2 sync workers (`--timeout 600`) on {HOST}, "
            "production settings (requests send `X-Forwarded-Proto: https` as a TLS proxy would), whitenoise serving "
            "collected static files, a scratch database `bench_…`. Signed in as a reviewer through the login form "
            "for the pages and exports; `Authorization: Bearer` token for the API.",
            f"- **Same server, same data**: {v['database']} for both. bench/synthetic.py made {args.tasks:,} "
            f"documents of about 3,000 characters (English, Hangul, emoji) with {args.spans} spans each, and one "
            f"document with {c['opened_claims']:,} spans: {c['claims']:,} spans in all (loaded with COPY in "
            f"{c['load_seconds']:.1f} s). Label Studio holds the same texts and spans (offsets, text, kind): one "
            "project whose labeling config has our nine kinds as `<Labels>` over `<Text>`, one task per document "
            "with one annotation holding its spans, imported through `POST /api/projects/<id>/import` in batches "
            f"of {IMPORT_BATCH} (took {r['import_seconds']:.1f} s). `VACUUM (ANALYZE)` on both databases after "
            "loading.",
            "- **Client**: Python's `http.client`, a new TCP connection for every request (Label Studio's "
            "development server stalls about 40 ms on reused connections), whole body read, timed from connect to "
            f"last byte; requests alternate between the two servers. Reading and creating: {WARMUP} warm-up "
            f"requests, then {args.runs} timed; exports: one untimed download (whose spans are counted), then "
            f"{args.export_runs} timed. Spans are created on an ordinary document ({args.spans} spans), a different "
            f"span on every request. Load average {r['load_before']:.1f} at the start.",
        ]
    )


def notes(r: dict, rows: list[dict]) -> str:
    csv_pair, json_pair, idle = r["exports"]["CSV"], r["exports"]["JSON"], r["idle"]
    faster = {
        c["name"]: f"{1 / c['ratio'] if c['ours']['unit'] == 'ms' else c['ratio']:.1f}×" for c in rows if c["ratio"]
    }
    grew = {s: max(csv_pair[s]["peak"], json_pair[s]["peak"]) - csv_pair[s]["baseline"] for s in ("theirs", "ours")}
    missed = [c["name"] for c in rows if c["met"] is False]
    return "\n".join(
        [
            f"- Open: Label Studio's task JSON is {r['reading']['bytes']['theirs']:,} bytes, our reading view "
            f"{r['reading']['bytes']['ours']:,} bytes of HTML (the text with nested highlights, the legend, the list "
            f"of claims with source, fact and status). Ours is {faster[rows[0]['name']]} faster.",
            f"- Create: ours is faster by {faster['Create one span (API)']} (API) and "
            f"{faster['Create one span (browser form, htmx)']} (browser form, htmx). The htmx post answers with the "
            "document's whole reading view re-rendered, which is what the browser shows after tagging.",
            "- Export: Label Studio's CSV has one row per annotation, all of its spans packed into one JSON cell "
            f"(`label`): {csv_pair['theirs']['spans']:,} spans in {csv_pair['theirs']['bytes'] / MB:.0f} MB; ours has "
            "one row per span with its context, source, fact and review fields "
            f"({csv_pair['ours']['spans']:,} rows, {csv_pair['ours']['bytes'] / MB:.0f} MB). Its JSON is one array of "
            f"tasks with their text ({json_pair['theirs']['bytes'] / MB:.0f} MB), ours JSON Lines "
            f"({json_pair['ours']['bytes'] / MB:.0f} MB). Label Studio builds the whole file before it sends the "
            f"first byte; ours streams. In spans per second ours is {faster['Export every span (CSV)']} faster (CSV) "
            f"and {faster['Export every span (JSON)']} (JSON).",
            f"- Memory (resident set of the server's whole process tree, sampled every {SAMPLE_SECONDS * 1000:.0f} "
            f"ms): idle after loading, Label Studio {idle['theirs'] / MB:.0f} MB, ours {idle['ours'] / MB:.0f} MB "
            "(master and 2 workers). Highest during the exports, counting the first, untimed downloads (which also "
            f"load the export code), over the RSS before them: Label Studio +{grew['theirs'] / MB:.0f} MB, ours "
            f"+{grew['ours'] / MB:.0f} MB.",
            "- The spans created during the run are in both exports, so the two sides count slightly different "
            f"totals; each rate uses its own server's count. The whole run took {r['seconds'] / 60:.1f} min (Label "
            f"Studio's first start, which migrates its database: {r['start_seconds']:.0f} s).",
            f"- **Missed**: {', '.join(missed)}." if missed else "- Every target was met.",
        ]
    )


def compare(args, base_url: str, stack: contextlib.ExitStack) -> dict:
    """Both servers up on the same corpus; every measurement, alternating between them."""
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-labelstudio-")))
    executable = ensure_label_studio(workdir)
    our_url = stack.enter_context(common.ScratchDatabase(base_url))
    common.setup_django(our_url)
    log(f"loading our corpus: {args.tasks:,} documents x {args.spans} spans + 1 x {args.open_spans}")
    corpus = build_ours(args.tasks, args.spans, args.open_spans, args.seed)
    ls = stack.enter_context(LabelStudio(workdir, base_url, executable))
    log(f"Label Studio up in {ls.start_seconds:.0f} s; importing {corpus['articles']:,} tasks")
    loaded = load_label_studio(ls, corpus["kinds"])
    ours = stack.enter_context(Ours(workdir, our_url, corpus["token"]))
    r = {"corpus": corpus, "import_seconds": loaded["import_seconds"], "load_before": load_before}
    r |= {"idle": {"theirs": ls.rss, "ours": ours.rss}, "start_seconds": ls.start_seconds}
    log(f"opening the {args.open_spans:,}-span document ({args.runs} runs each)")
    task_of, (opened_pk, opened_slug) = loaded["task_of"], corpus["opened"]
    r["reading"] = measure_reading(ls, ours, task_of[opened_pk], opened_slug, corpus["opened_claims"], args.runs)
    log("creating spans")
    r["creating"] = measure_creation(
        ls, ours, task_of[corpus["tagged"][0]], corpus["tagged"], corpus["kinds"], args.runs
    )
    baseline = {"theirs": ls.rss, "ours": ours.rss}
    project, runs = loaded["project"], args.export_runs
    r["exports"] = {
        "CSV": export_pair(ls, ours, project, "CSV", "/export/claims.csv", "csv", runs, baseline),
        "JSON": export_pair(ls, ours, project, "JSON", "/export/claims.jsonl", "jsonl", runs, baseline),
    }
    gunicorn = subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True)
    r["versions"] = {"database": common.database_version(), "gunicorn": gunicorn.stdout.split()[-1].strip("()")}
    r["seconds"] = time.perf_counter() - started
    return r


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--tasks", type=int, default=10_000, help="documents (tasks) besides the opened one")
    parser.add_argument("--spans", type=int, default=20, help="spans per document (default 20)")
    parser.add_argument("--open-spans", type=int, default=1_000, help="spans of the document opened (default 1000)")
    parser.add_argument("--runs", type=int, default=15, help="timed requests for reading and creating (default 15)")
    parser.add_argument("--export-runs", type=int, default=3, help="timed downloads of each export (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the corpus (default 1)")
    args = common.parse(parser, argv)
    title = "Against Label Studio"

    def give_up(reason: str, status: int = 2) -> int:
        log(reason)
        setup = f"Label Studio {LS_VERSION} against this app; not run."
        common.write_section("labelstudio", args.output, title=title, setup=setup, comparisons=[], notes=reason)
        return status

    if common.vendor_of(common.DATABASE_URL) != "postgresql":
        return give_up("The comparison needs PostgreSQL: set DATABASE_URL=postgres://... (both servers use it).")

    def interrupt(signum, frame):  # a polite stop (SIGTERM, SIGHUP) unwinds like Ctrl-C, through every clean-up
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    try:
        with contextlib.ExitStack() as stack:
            r = compare(args, common.DATABASE_URL, stack)
            rows = comparisons(r)
            return common.write_section(
                "labelstudio", args.output, title=title, setup=setup(args, r), comparisons=rows, notes=notes(r, rows)
            )
    except Unavailable as exc:
        return give_up(f"The comparison could not be run: {exc}")
    except KeyboardInterrupt as exc:
        return give_up(f"Interrupted ({exc}); everything it had started was stopped.", 130)
    except Exception as exc:
        traceback.print_exc()
        return give_up(f"The comparison could not be run: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
