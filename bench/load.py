"""Tagging under load: 32 reviewers creating claims through gunicorn on PostgreSQL, against a one-row insert.

It needs PostgreSQL: in a scratch database on DATABASE_URL's server it builds a synthetic corpus (200
articles of about 3,000 characters with 100 claims each) and 32 reviewers with an API token each, and
starts the app under gunicorn with production settings on 127.0.0.1. locust (headless, in its own
virtualenv bench/.venv-load, made on first use) then runs for 60 s at a time with 32 users that send their
next request as soon as the last one is answered: GET /healthz once (for scale), then three rounds
(`--rounds`) of the baseline (a minimal authenticated view that inserts one row in one transaction,
bench/baseline.py), tagging as the browser does it (an htmx form POST answered with out-of-band swaps of
what changed), and tagging through the JSON API, in turn. Every acknowledged claim must then be in the
database as sent. Targets: tagging throughput at least half that of the baseline, no errors, no
acknowledged claim missing.

This file is also the locustfile: locust imports it (`locust -f bench/load.py`) and finds the user
classes below; the benchmark itself runs under the app's virtualenv and never imports locust.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
LOAD_VENV = HERE / ".venv-load"
LOCUST = "locust==2.47.0"
WINDOW = 5  # seconds: throughput is counted per window; the first one (users starting) is left out
BASELINE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, user_id integer NOT NULL, at timestamptz)"
)
TARGET_RATIO = 0.5  # tagging throughput / the one-row insert's throughput, at least
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

    class BaselineInserter(_Reviewer):
        """The baseline a tag cannot beat: a minimal authenticated view (bench/baseline.py) that inserts one row
        in one transaction, sent like the tag panel's POST (session, CSRF token), by the same 32 users."""

        @task
        def insert(self):
            host = self.host.split("://", 1)[1]
            headers = {
                **HTTPS,
                "Cookie": f"csrftoken={self.account['csrftoken']}; sessionid={self.account['sessionid']}",
                "X-CSRFToken": self.account["csrftoken"],
                "Origin": f"https://{host}",
                "Referer": f"https://{host}/articles/",
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            }
            body = urlencode({"csrfmiddlewaretoken": self.account["csrftoken"]})
            started = time.perf_counter()
            response = self.client.post("/bench/insert", data=body, headers=headers, name="/bench/insert")
            self.record(started, response, ok=response.status_code == 201)

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
            # The answer is what changed, as htmx out-of-band swaps, not the reading view.
            ok = response.status_code == 201 and isinstance(claim_id, int) and b"hx-swap-oob" in response.content
            self.record(started, response, ok=ok, id=claim_id, claim=_sent(claim), body=_excerpt(response, ok))

    class ApiTagger(_Reviewer):
        """Tags through the JSON API with the reviewer's bearer token."""

        @task
        def tag(self):
            claim = self.claim()
            payload = {"article": claim["slug"], **{k: v for k, v in claim.items() if k != "slug"}}
            payload["via"] = [claim["via"]] if claim["via"] else []  # the API takes the relay chain as a list
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

if FastHttpUser is None:
    import common
    import web


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving `database` (its process title names it)."""
    times = {}
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if (
                comm.read_text().strip() == "postgres"
                and f" {database} ".encode() in (comm.parent / "cmdline").read_bytes()
            ):
                times[int(comm.parent.name)] = web.cpu_seconds(int(comm.parent.name))
        except OSError:
            continue
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


def build(args) -> dict:
    """The corpus, the reviewers with their tokens, and what the load generator draws on."""
    from annotate.models import Claim, Fact, ProvenanceKind, Source
    from corpus.models import Article

    seconds = common.generate(args.articles, args.claims_per_article, progress=False)
    users = [
        {"username": u.username, "token": u.token}
        for u in common.make_users("bench-reviewer", args.users, "reviewer", tokens=True)
    ]
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
        "corpus_seconds": seconds,
    }


def run_locust(locust: Path, user_class: str, server, plan: Path, args, offset: int = 0) -> dict:
    """One headless locust run of `user_class`; its per-request records and the CPU it and the server used."""
    records = server.workdir / f"records-{user_class}-{offset}.json"
    log = server.workdir / f"locust-{user_class}-{offset}.log"
    env = os.environ | {"BENCH_LOAD_PLAN": str(plan), "BENCH_LOAD_RECORDS": str(records)}
    env |= {"BENCH_LOAD_OFFSET": str(offset), "PYTHONUNBUFFERED": "1"}
    command = [str(locust), "-f", str(Path(__file__).resolve()), "--headless", "--users", str(args.users)]
    command += ["--spawn-rate", str(args.users), "--run-time", f"{args.duration}s", "--stop-timeout", "60"]
    command += ["--host", f"http://127.0.0.1:{server.port}", "--only-summary", "--loglevel", "WARNING", user_class]
    workers = server.pids()[1:]
    busy0, total0 = machine_busy()
    cpu0, wall0 = sum(map(web.cpu_seconds, workers)), time.perf_counter()
    with log.open("w") as out, DatabaseCpu(server.database) as database:
        process = subprocess.Popen(command, cwd=common.ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
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
        "server_cpu": (sum(map(web.cpu_seconds, workers)) - cpu0) / wall,
        "database_cpu": database.seconds / wall,
        "machine_busy": (busy1 - busy0) / max(1, total1 - total0),
        "log": log,
    }


def summarise(run: dict, duration: float) -> dict:
    """Throughput per window and latencies of one run."""
    records, start = run["records"], run["start"]
    good = [r for r in records if r["ok"]]
    windows = int(duration // WINDOW)
    per_window = [0] * windows
    for r in good:
        k = int((r["ended"] - start) // WINDOW)
        if 0 <= k < windows:
            per_window[k] += 1
    latencies = [(r["ended"] - r["started"]) * 1000 for r in good] or [0.0]
    return {
        "requests": len(records),
        "errors": [r for r in records if not r["ok"]],
        "rates": [n / WINDOW for n in per_window[1:]] or [n / WINDOW for n in per_window],
        "throughput": sum(1 for r in good if r["ended"] - start < duration) / duration,
        "latencies": latencies,
        **{f"p{p}": common.percentile(latencies, p) for p in (50, 95, 99)},
        "bytes": sum(r["bytes"] for r in good) / max(1, len(good)),
        **{key: run[key] for key in CPU_KEYS},
    }


def merged(summaries: list[dict]) -> dict:
    """The summaries of several runs of one path as one: windows, requests and latencies pooled, CPU averaged."""
    latencies = [ms for s in summaries for ms in s["latencies"]]
    total = {key: sum(s[key] for s in summaries) / len(summaries) for key in CPU_KEYS + ("throughput", "bytes")}
    return total | {
        "requests": sum(s["requests"] for s in summaries),
        "errors": [e for s in summaries for e in s["errors"]],
        "rates": [rate for s in summaries for rate in s["rates"]],
        "latencies": latencies,
        **{f"p{p}": common.percentile(latencies, p) for p in (50, 95, 99)},
    }


CPU_KEYS = ("locust_cpu", "server_cpu", "database_cpu", "machine_busy")


def verify(run: dict) -> dict:
    """Every acknowledged claim is in the database as it was sent, by the reviewer who sent it."""
    from annotate.models import Claim

    acknowledged = {r["id"]: r for r in run["records"] if r["ok"]}
    stored = {
        pk: rest
        for pk, *rest in Claim.objects.filter(pk__in=list(acknowledged)).values_list(
            "pk", "annotator__username", "article__slug", "start", "end", "kind__slug"
        )
    }
    missing = [pk for pk in acknowledged if pk not in stored]
    wrong = [pk for pk, r in acknowledged.items() if pk in stored and stored[pk] != [r["user"], *r["claim"]]]
    return {
        "acknowledged": len(acknowledged),
        "missing": missing,
        "wrong": wrong,
        "users": {r["user"] for r in run["records"]},
    }


def measure(args, url: str, locust: Path) -> dict:
    """Sign everyone in, warm the workers, and run locust once per class of user."""
    from annotate.models import Claim

    plan = build(args)
    common.log(
        f"corpus: {len(plan['articles'])} articles, {plan['claims_before']:,} claims, {len(plan['spans']):,} spans"
    )
    from django.db import connection

    with connection.cursor() as cursor:  # the baseline's table (bench/baseline.py writes it)
        cursor.execute(BASELINE_TABLE)
    app = "bench.baseline:application"
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp,
        web.Gunicorn(Path(tmp), url, args.workers, app=app) as server,
    ):
        with ThreadPoolExecutor(4) as pool:
            browsers = list(pool.map(lambda u: server.browser(u["username"]), plan["users"]))
        for user, browser in zip(plan["users"], browsers, strict=True):
            user |= {"sessionid": browser.cookies["sessionid"], "csrftoken": browser.cookies["csrftoken"]}
        plan_file = Path(tmp) / "plan.json"
        keys = ("articles", "spans", "users", "kinds", "sources", "facts")
        plan_file.write_text(json.dumps({k: plan[k] for k in keys}), encoding="utf-8")
        for slug, _ in plan["articles"][:8]:  # warm the workers: templates, connections
            web.expect(browsers[0].request("GET", f"/articles/{slug}/"), 200, "reading view")
        # /healthz once, then rounds of the baseline and the two tagging paths in turn: this machine's speed
        # drifts by a fifth over minutes, which fell on one side of a ratio when each ran once in a row.
        runs = {"healthz": [run_locust(locust, "Healthz", server, plan_file, args)]}
        paths = [("baseline", "BaselineInserter"), ("browser", "BrowserTagger"), ("api", "ApiTagger")]
        if args.no_api:
            paths.pop()
        share = len(plan["spans"]) // 2 // args.rounds  # spans each user may tag in one run of one path
        for round_ in range(args.rounds):
            for name, user_class in paths:
                common.log(f"{name}, round {round_ + 1} of {args.rounds}: {args.users} users for {args.duration} s ...")
                # Each run tags spans no earlier run tagged: the API the second half, each round its own part.
                offset = (len(plan["spans"]) // 2 if name == "api" else 0) + round_ * share
                runs.setdefault(name, []).append(run_locust(locust, user_class, server, plan_file, args, offset))
        summaries = {name: merged([summarise(run, args.duration) for run in done]) for name, done in runs.items()}
        for name, done in runs.items():
            for run in done:
                if any(not r["ok"] for r in run["records"]):
                    common.log(f"--- {name}: locust log ---\n{run['log'].read_text(errors='replace')[-3000:]}")
                    common.log(f"--- gunicorn log ---\n{server.tail()}")
    checks = {
        name: verify({"records": [r for run in done for r in run["records"]]})
        for name, done in runs.items()
        if name not in ("healthz", "baseline")
    }
    bench_claims = Claim.objects.filter(annotator__username__startswith="bench-reviewer-").count()
    return {"plan": plan, "summaries": summaries, "checks": checks, "bench_claims": bench_claims}


LABELS = {
    "healthz": "GET /healthz",
    "baseline": "POST /bench/insert (one row, one transaction)",
    "browser": "tag: browser (htmx POST)",
    "api": "tag: JSON API",
}
PATHS = {"browser": "browser path", "api": "JSON API"}


def per_request(summary: dict, key: str) -> float:
    """CPU milliseconds per answered request, from the share of a core used over the run."""
    return summary[key] * 1000 / summary["throughput"] if summary["throughput"] else float("nan")


def comparisons(m: dict) -> list[dict]:
    healthz, baseline = m["summaries"]["healthz"], m["summaries"]["baseline"]
    rate = common.stats(baseline["rates"], "req/s", LABELS["baseline"])
    latency = common.stats(
        baseline["latencies"], "ms", f"{LABELS['baseline']}; p95 {baseline['p95']:,.1f}, p99 {baseline['p99']:,.1f}"
    )
    rows = [
        common.must("Errors, GET /healthz", len(healthz["errors"]), "errors"),
        common.must(f"Errors, {LABELS['baseline']}", len(baseline["errors"]), "errors"),
        common.comparison(
            "The baseline against /healthz (for scale)",
            rate,
            common.stats(healthz["rates"], "req/s", "GET /healthz"),
            target="(reported)",
            higher_is_better=True,
        ),
    ]
    for name in [n for n in ("browser", "api") if n in m["summaries"]]:
        s, check, label = m["summaries"][name], m["checks"][name], LABELS[name]
        rows += [
            common.comparison(
                f"Tagging throughput, {PATHS[name]}, against a one-row insert",
                common.stats(s["rates"], "req/s", label),
                rate,
                target=f">= {TARGET_RATIO}",
                higher_is_better=True,
                limit=TARGET_RATIO,
            ),
            common.comparison(
                f"Tagging latency, {PATHS[name]}, against a one-row insert",
                common.stats(s["latencies"], "ms", f"{label}; p95 {s['p95']:,.0f}, p99 {s['p99']:,.0f}"),
                latency,
                target="none given (reported)",
            ),
            common.must(f"Errors, {label}", len(s["errors"]), "errors"),
            common.must(
                f"Acknowledged claims missing afterwards, {label}",
                len(check["missing"]) + len(check["wrong"]),
                "claims",
            ),
        ]
    return rows


def report(args, m: dict) -> int:
    import gunicorn

    setup = (
        f"- Server: gunicorn {gunicorn.__version__}, {args.workers} sync workers (two per core: the machine's cores "
        "also run PostgreSQL and the load generator), production settings (`DEBUG=false`, static files collected "
        "and served by whitenoise), on 127.0.0.1; the default PostgreSQL configuration.\n"
        f"- Data: bench/synthetic.py with {args.articles} articles of about 3,000 characters and "
        f"{args.claims_per_article} claims each ({m['plan']['claims_before']:,} claims), in a scratch database.\n"
        f"- Client: locust ({LOCUST}, in bench/.venv-load), headless, one process on the same machine, "
        f"{args.users} users (bench-reviewer-1..{args.users}, each signed in through the login page, each with an "
        f"API token), each sending its next request as soon as the last is answered, for {args.duration} s per run: "
        f"/healthz, then {args.rounds} rounds of the baseline (POST /bench/insert: a minimal authenticated view, "
        "bench/baseline.py, that inserts one row in one transaction), the browser path and the JSON API in turn, "
        "so that the machine's drift over minutes falls on each alike. Requests pass "
        "`X-Forwarded-Proto: https` as the proxy would.\n"
        f"- Each user tags sentences it has not tagged before across the {args.articles} articles, with a random "
        "kind; half name a known source, 5% a new one, 40% a known fact."
    )
    rows = [
        [LABELS[name], f"{s['requests']:,}", len(s["errors"]), f"{s['throughput']:.1f}"]
        + [f"{s[p]:.1f}" for p in ("p50", "p95", "p99")]
        + [f"{s['bytes']:,.0f}", f"{per_request(s, 'server_cpu'):.2f}", f"{per_request(s, 'database_cpu'):.2f}"]
        + [f"{s['locust_cpu'] * 100:.0f}%", f"{s['machine_busy'] * 100:.0f}%"]
        for name, s in m["summaries"].items()
    ]
    head = ["run", "requests", "errors", "req/s (whole run)", "p50 ms", "p95 ms", "p99 ms", "bytes"]
    head += ["app CPU ms/request", "database CPU ms/request", "client CPU", "machine busy"]
    checked = "; ".join(
        f"{LABELS[n]}: {c['acknowledged']:,} acknowledged by {len(c['users'])} reviewers, {len(c['missing'])} missing, "
        f"{len(c['wrong'])} differing"
        for n, c in m["checks"].items()
    )
    errors = [
        f"- {n} error: status {e['status']} {e['error'] or ''} {e.get('body') or ''}"
        for n, s in m["summaries"].items()
        for e in s["errors"][:3]
    ]
    notes = [
        f"Throughput is counted in {WINDOW}-second windows, the first one of each run (users starting) left out; "
        "the cells show the median window of all rounds and the range; the table below pools each path's runs. "
        f"Latency is per request at the client, while {args.users} requests are always in flight, so it is mostly "
        "time spent waiting for a worker.",
        "",
        common.table(head, rows),
        "",
        "App and database CPU per request: the CPU time the gunicorn workers and the PostgreSQL processes used over "
        "the run, divided by the requests answered. Client CPU is the locust process's share of one core; machine "
        "busy the share of both cores used by everything on the machine, including work that is not this "
        "benchmark's.",
        "",
        f"Every claim acknowledged with a 201 was looked up afterwards by its id: {checked}. Claims by the bench "
        f"reviewers in the database: {m['bench_claims']:,}.",
        *errors,
    ]
    return common.write_section(
        "load", args.output, title="Tagging under load", setup=setup, comparisons=comparisons(m), notes=notes
    )


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (default 60)")
    parser.add_argument("--users", type=int, default=32, help="concurrent reviewers (default 32)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4: 2 per core)")
    parser.add_argument("--articles", type=int, default=200, help="articles (default 200)")
    parser.add_argument("--claims-per-article", type=int, default=100, help="claims already on each (default 100)")
    parser.add_argument("--no-api", action="store_true", help="skip the JSON API run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each path, taken in turn (default 3)")
    args = common.parse(parser, argv)
    base_url = common.postgres_url("load.py", "the production stack")
    locust = common.tool_venv(LOAD_VENV, LOCUST, Path(tempfile.gettempdir()) / "bench-load-pip.log") / "locust"
    with common.ScratchDatabase(base_url) as url:
        common.setup_django(url)
        return report(args, measure(args, url, locust))


if __name__ == "__main__":
    sys.exit(main())
