"""Review queue: 4 editors claiming the next card in parallel; no card handed out twice; latency.

Run it alone with
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/review_queue.py`. It needs
PostgreSQL (the queue's `SELECT ... FOR UPDATE SKIP LOCKED`): it works in a scratch database `bench_...`
on DATABASE_URL's server, which it creates and drops. It fills it with `manage.py generate_corpus` (400
articles with 100 claims each, about half of them pending: some 20,000 cards in the queue) and adds 4
editors, bench-editor-1..4.

In the app's code: four threads, each an editor on its own database connection, work the queue until
2,000 cards are decided. `review.services.take_next` leases the editor's next pending card, a plain
`Claim.objects.get(pk=...)` of that card on the same connection gives the baseline, and
`review.services.decide` accepts it, which ends the lease.

Through HTTP: the app under gunicorn (4 workers, production settings) on 127.0.0.1, the same four
editors signed in, each in a browser without JavaScript: GET /review/ (which leases and shows the next
card), GET /claims/<pk>/ of that card (the claim's own page, the baseline), POST the accept; 400 cards.

Both ways, every card handed out is recorded: none may go to two editors (while leased, or ever, since an
accepted card leaves the queue) and none may be decided twice. Afterwards the database is checked too:
each card accepted once, by one editor, no lease left behind. It prints a table, writes
results/queue.json (its section of RESULTS.md) and exits non-zero when that fails or on any error. The
latencies are reported; the issue sets no number for them.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

NAME = "queue"
EDITORS = 4
CARDS = 2_000
HTTP_CARDS = 400
WORKERS = 4  # gunicorn workers, as in load.py
ARTICLES = 400  # x 100 claims, about half pending
CLAIMS_PER_ARTICLE = 100


def new_log() -> dict:
    """What the editors' threads record, under one lock."""
    return {
        "lock": threading.Lock(),
        "cards_left": 0,
        "holder": {},
        "handed": defaultdict(list),
        "decided": Counter(),
        "while_leased": [],
        "errors": [],
        "empty": 0,
        "take": [],
        "get": [],
        "decide": [],
        "intervals": [],
    }


def next_slot(log: dict) -> bool:
    with log["lock"]:
        if log["cards_left"] <= 0:
            return False
        log["cards_left"] -= 1
        return True


def handed(log: dict, pk: int, editor, started: float, ended: float) -> None:
    """A card was handed to `editor`; flag it if another editor holds it or ever had it."""
    with log["lock"]:
        log["intervals"].append((started, ended, editor.pk))
        holder = log["holder"].get(pk)
        if holder is not None and holder != editor.pk:
            log["while_leased"].append((pk, holder, editor.pk))
        log["holder"][pk] = editor.pk
        log["handed"][pk].append(editor.pk)


def decided(log: dict, pk: int, times: tuple[float, float, float] | None, error: str = "") -> None:
    with log["lock"]:
        log["holder"].pop(pk, None)
        if error:
            log["errors"].append(error)
            return
        log["decided"][pk] += 1
        for key, value in zip(("take", "get", "decide"), times, strict=True):
            log[key].append(value)


def failed(log: dict, editor, exc: Exception) -> None:
    with log["lock"]:
        log["errors"].append(f"{editor.username}: {type(exc).__name__}: {exc}")


def work(editor, log: dict, start: threading.Barrier) -> None:
    """One editor in the app's code, on its own connection: take the next card, read it by pk, accept it."""
    from django.db import connection

    from annotate.models import Claim
    from review import services as review

    try:
        Claim.objects.filter(pk=0).first()  # open this thread's connection before the clock starts
        start.wait()
        while next_slot(log):
            t0 = time.perf_counter()
            card = review.take_next(Claim.objects.filter(status="pending"), editor=editor, skip=())
            t1 = time.perf_counter()
            if card is None:
                with log["lock"]:
                    log["empty"] += 1
                return
            handed(log, card.pk, editor, t0, t1)
            t2 = time.perf_counter()
            Claim.objects.get(pk=card.pk)
            t3 = time.perf_counter()
            try:
                review.decide(claim_id=card.pk, version=card.version, editor=editor, decision="accept")
            except Exception as exc:  # a refusal here means two editors had the card: counted, not fatal
                decided(log, card.pk, None, f"decide {card.pk} by {editor.username}: {type(exc).__name__}: {exc}")
                continue
            decided(log, card.pk, (t1 - t0, t3 - t2, time.perf_counter() - t3))
    except Exception as exc:
        failed(log, editor, exc)
    finally:
        connection.close()


class Browser:
    """One editor's browser without JavaScript: its cookies, sent back as a browser sends them."""

    def __init__(self, site, session: dict[str, str]):
        self.site = site
        self.cookies = dict(session)

    def request(self, method: str, path: str, form: dict | None = None):
        import load

        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies["csrftoken"], **form})
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.site.origin,
                "Referer": f"{self.site.origin}/review/",
            }
        response, content = self.site.request(method, path, headers, body)
        for name, value in load.cookies(response).items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response, content


def http_work(editor, browser: Browser, log: dict, start: threading.Barrier) -> None:
    """One editor in a browser: GET /review/ (leases the next card), GET /claims/<pk>/, POST the accept."""
    try:
        start.wait()
        while next_slot(log):
            t0 = time.perf_counter()
            response, body = browser.request("GET", "/review/")
            t1 = time.perf_counter()
            if response.status != 200:
                raise RuntimeError(f"GET /review/: {response.status}")
            card = re.search(rb'data-claim="(\d+)"', body)
            if card is None:
                with log["lock"]:
                    log["empty"] += 1
                return
            pk = int(card[1])
            version = int(re.compile(rb'name="version" value="(\d+)"').search(body, card.end())[1])
            handed(log, pk, editor, t0, t1)
            t2 = time.perf_counter()
            response, _ = browser.request("GET", f"/claims/{pk}/")
            t3 = time.perf_counter()
            if response.status != 200:
                raise RuntimeError(f"GET /claims/{pk}/: {response.status}")
            response, body = browser.request("POST", f"/review/{pk}/", {"version": version, "action": "accept"})
            if response.status != 302:  # accepted: back to the queue
                decided(log, pk, None, f"accept {pk} by {editor.username}: {response.status} {body[:200]!r}")
                continue
            decided(log, pk, (t1 - t0, t3 - t2, time.perf_counter() - t3))
    except Exception as exc:
        failed(log, editor, exc)


def run(target, per_editor: list[tuple], cards: int) -> tuple[dict, float]:
    """Start one thread per editor on `target`, together; the log and the seconds until all are done."""
    log = new_log()
    log["cards_left"] = cards
    start = threading.Barrier(len(per_editor) + 1)
    threads = [threading.Thread(target=target, args=(*args, log, start)) for args in per_editor]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return log, time.perf_counter() - began


def http_run(url: str, editors: list, cards: int, workers: int) -> tuple[dict, float]:
    """The queue through gunicorn with production settings, each editor signed in through the login page."""
    import common
    import load  # gunicorn, its settings and signing in, as the load benchmark runs them
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        env = load.app_env(url, Path(tmp) / "static")
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=common.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"collectstatic failed:\n{result.stdout}{result.stderr}")
        connection.close()
        server = load.Server(env, workers, Path(tmp) / "gunicorn.log")
        try:
            browsers = [
                Browser(server.site, load.sign_in(server.site, e.username, common.SUITE_PASSWORD)) for e in editors
            ]
            for browser in browsers:  # warm the workers with a page that leases nothing
                assert browser.request("GET", "/claims/1/")[0].status in (200, 404)
            return run(http_work, list(zip(editors, browsers, strict=True)), cards)
        finally:
            server.stop()


def overlapping(intervals: list[tuple[float, float, int]]) -> int:
    """How many calls ran while another editor's was running: the race the lease must win."""
    ordered = sorted(intervals)
    count = 0
    for i, (start, end, editor) in enumerate(ordered):
        before = any(e > start and who != editor for _, e, who in ordered[max(0, i - 8) : i])
        after = any(s < end and who != editor for s, _, who in ordered[i + 1 : i + 9])
        count += before or after
    return count


def summarise(log: dict, seconds: float) -> dict:
    import common

    ms = {key: [v * 1000 for v in log[key]] or [0.0] for key in ("take", "get", "decide")}
    return {
        "decided": sum(log["decided"].values()),
        "seconds": seconds,
        "handed_twice": [pk for pk, who in log["handed"].items() if len(who) > 1],
        "decided_twice": [pk for pk, n in log["decided"].items() if n > 1],
        "while_leased": log["while_leased"],
        "errors": log["errors"],
        "calls": len(log["intervals"]),
        "overlap": overlapping(log["intervals"]),
        "ms": ms,
        "pct": {key: {p: common.percentile(values, p) for p in (50, 95, 99)} for key, values in ms.items()},
    }


def check_database(editors: list) -> dict:
    """What the database says: accepted events per card, cards accepted by the bench editors, leases."""
    from django.db.models import Count

    from annotate.models import Claim, ReviewEvent

    events = (
        ReviewEvent.objects.filter(action="accepted", actor__in=editors)
        .values("claim_ref")
        .annotate(n=Count("pk"), actors=Count("actor", distinct=True))
    )
    return {
        "events": len(events),
        "accepted_twice": [row["claim_ref"] for row in events if row["n"] > 1 or row["actors"] > 1],
        "accepted": Claim.objects.filter(status="accepted", reviewer__in=editors).count(),
        "leases_left": Claim.objects.filter(locked_by__in=editors).count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=CARDS, help=f"cards decided in the app's code ({CARDS:,})")
    parser.add_argument("--http-cards", type=int, default=HTTP_CARDS, help=f"cards decided via HTTP ({HTTP_CARDS})")
    parser.add_argument("--editors", type=int, default=EDITORS, help=f"editors in parallel (default {EDITORS})")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--articles", type=int, default=ARTICLES, help=f"corpus articles (default {ARTICLES})")
    parser.add_argument(
        "--claims-per-article", type=int, default=CLAIMS_PER_ARTICLE, help="claims on each (default 100)"
    )
    args = parser.parse_args(argv)

    import common

    base_url = os.environ.get("DATABASE_URL") or None
    if common.vendor_of(base_url) != "postgresql":
        print(
            "bench/review_queue.py needs PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED): set DATABASE_URL",
            file=sys.stderr,
        )
        return 2
    began = time.perf_counter()
    with common.ScratchDatabase(base_url) as url:
        # Production settings (DEBUG off: no query log), as the app runs behind gunicorn.
        os.environ.update(DEBUG="false", ALLOWED_HOSTS="127.0.0.1")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        common.setup_django(url)
        import django
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django.core.management import call_command
        from django.db import connection

        from annotate.models import Claim

        t = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command(
                "generate_corpus",
                articles=args.articles,
                claims_per_article=args.claims_per_article,
                no_progress=True,
                force=True,
                stdout=quiet,
            )
        corpus_seconds = time.perf_counter() - t
        password = make_password(common.SUITE_PASSWORD)  # hashed once for the 4 accounts
        role = Group.objects.get(name="editor")
        editors = []
        for i in range(1, args.editors + 1):
            editor = get_user_model().objects.create(username=f"bench-editor-{i}", password=password)
            editor.groups.add(role)
            editors.append(get_user_model().objects.get(pk=editor.pk))  # fresh: no cached permissions
        total = Claim.objects.count()
        pending = Claim.objects.filter(status="pending").count()
        if pending < args.cards + args.http_cards:
            print(f"only {pending:,} pending claims: raise --articles", file=sys.stderr)
            return 2
        print(f"corpus: {total:,} claims, {pending:,} pending; {args.editors} editors ...", file=sys.stderr)
        code = summarise(*run(work, [(e,) for e in editors], args.cards))
        print(f"  app's code: {code['decided']:,} cards in {code['seconds']:.1f} s", file=sys.stderr)
        http = None
        if args.http_cards:
            http = summarise(*http_run(url, editors, args.http_cards, args.workers))
            print(f"  HTTP: {http['decided']:,} cards in {http['seconds']:.1f} s", file=sys.stderr)
        database = check_database(editors)
        versions = (
            f"Python {sys.version.split()[0]}, Django {django.get_version()}, {common.database_version(connection)}"
        )
        head = common.header(
            "Review queue",
            connection,
            [
                f"data: {total:,} claims ({pending:,} pending) from generate_corpus; editors in "
                f"parallel: {args.editors}; {args.cards:,} cards in the app's code (threads, one connection each), "
                f"{args.http_cards:,} through gunicorn ({args.workers} workers)"
            ],
            common.command_line(base_url, __file__),
        )
    data = {"total": total, "pending": pending, "corpus_seconds": corpus_seconds}
    return report(args, code, http, database, head, versions, data, time.perf_counter() - began)


def report(args, code: dict, http: dict | None, database: dict, head, versions, data, elapsed) -> int:
    import common

    phases = {"code": code, **({"http": http} if http else {})}
    rows = {
        "code": {
            "take": "take_next (lease next card)",
            "get": "Claim.objects.get(pk=...)",
            "decide": "decide (accept)",
        },
        "http": {"take": "GET /review/", "get": "GET /claims/<pk>/", "decide": "POST /review/<pk>/ (accept)"},
    }
    table = [f"{'operation':<30} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'x baseline p50':>14}"]
    notes = [
        "| operation | calls | p50 ms | p95 ms | p99 ms | × baseline p50 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    failures = []
    for phase, s in phases.items():
        pct = s["pct"]
        for key, label in rows[phase].items():
            ratio = pct[key][50] / pct["get"][50]
            table.append(
                f"{label:<30} {len(s['ms'][key]):>6,} {pct[key][50]:>8.2f} {pct[key][95]:>8.2f} {pct[key][99]:>8.2f}"
                f" {ratio:>14.1f}"
            )
            notes.append(
                f"| {label} | {len(s['ms'][key]):,} | {pct[key][50]:.2f} | {pct[key][95]:.2f} | {pct[key][99]:.2f} | "
                f"{ratio:.1f} |"
            )
        where = "in the app's code" if phase == "code" else "through HTTP"
        if s["while_leased"] or s["handed_twice"]:
            failures.append(
                f"{where}: {len(s['handed_twice'])} cards handed out more than once "
                f"({len(s['while_leased'])} while leased)"
            )
        if s["decided_twice"]:
            failures.append(f"{where}: {len(s['decided_twice'])} cards decided twice")
        if s["errors"]:
            failures.append(f"{where}: {len(s['errors'])} errors, e.g. {s['errors'][0]}")
    expected = code["decided"] + (http["decided"] if http else 0)
    wanted = args.cards + (args.http_cards if http else 0)
    if expected != wanted or database["accepted"] != expected or database["events"] != expected:
        failures.append(
            f"{expected:,} cards decided of {wanted:,}; the database has {database['accepted']:,} accepted "
            f"and {database['events']:,} accept events"
        )
    if database["accepted_twice"]:
        failures.append(f"{len(database['accepted_twice'])} cards accepted twice in the audit trail")
    if database["leases_left"]:
        failures.append(f"{database['leases_left']} leases left behind")

    for phase, s in phases.items():
        where = "app's code" if phase == "code" else "HTTP"
        table.append(
            f"{where}: {s['decided']:,} cards in {s['seconds']:.1f} s ({s['decided'] / s['seconds']:.0f} cards/s); "
            f"{s['overlap']:,} of {s['calls']:,} calls for the next card overlapped another editor's; handed to two "
            f"editors: {len(s['handed_twice'])} ({len(s['while_leased'])} while leased); decided twice: "
            f"{len(s['decided_twice'])}; errors: {len(s['errors'])}"
        )
        table += [f"  error: {error}" for error in s["errors"][:5]]
    table.append(
        f"database: {database['events']:,} accept events, {database['accepted']:,} cards accepted by the bench "
        f"editors, {len(database['accepted_twice'])} accepted twice, {database['leases_left']} leases left"
    )
    print("\n".join([*head, "", *table, *(f"FAILED: {f}" for f in failures)]))

    def hard(name: str, count: int, ok: bool, unit: str = "cards") -> dict:
        item = common.comparison(
            name, common.stats([count], unit), None, target="0 (hard)", higher_is_better=False, limit=None
        )
        item["met"] = ok
        return item

    handed_twice = sum(len(s["handed_twice"]) for s in phases.values())
    while_leased = sum(len(s["while_leased"]) for s in phases.values())
    decided_twice = sum(len(s["decided_twice"]) for s in phases.values()) + len(database["accepted_twice"])
    errors = sum(len(s["errors"]) for s in phases.values())
    comparisons = [
        hard("Cards handed to two editors", handed_twice, not handed_twice and not while_leased),
        hard("Cards decided twice", decided_twice, not decided_twice),
        hard("Errors", errors, not errors, "errors"),
        common.comparison(
            f"take_next against a primary-key read of the same card, {args.editors} editors in parallel",
            common.stats(code["ms"]["take"], "ms", f"take_next; p95 {code['pct']['take'][95]:.1f}"),
            common.stats(code["ms"]["get"], "ms", f"Claim.objects.get(pk=...); p95 {code['pct']['get'][95]:.1f}"),
            target="none given (reported)",
            higher_is_better=False,
            limit=None,
        ),
    ]
    if http:
        comparisons.append(
            common.comparison(
                f"GET /review/ against GET /claims/<pk>/ of the same card, {args.editors} editors in parallel",
                common.stats(http["ms"]["take"], "ms", f"GET /review/; p95 {http['pct']['take'][95]:.0f}"),
                common.stats(http["ms"]["get"], "ms", f"GET /claims/<pk>/; p95 {http['pct']['get'][95]:.0f}"),
                target="none given (reported)",
                higher_is_better=False,
                limit=None,
            )
        )
    setup = (
        f"- Software: {versions}; production settings (`DEBUG=false`); the default PostgreSQL configuration, "
        f"on the same machine.\n"
        f"- Data: `manage.py generate_corpus` with {args.articles} articles of {args.claims_per_article} claims "
        f"({data['total']:,} claims, {data['pending']:,} pending, the rest accepted, rejected or waiting for "
        f"changes), in a scratch database; made in {data['corpus_seconds']:.0f} s.\n"
        f"- In the app's code: {args.editors} threads in one Python process, each an editor "
        f"(bench-editor-1..{args.editors}) on its own database connection: "
        f'`review.take_next(Claim.objects.filter(status="pending"), editor=...)`, then '
        f"`Claim.objects.get(pk=...)` of the same card (the baseline), then "
        f'`review.decide(..., decision="accept")`, until {args.cards:,} cards are decided.\n'
        + (
            f"- Through HTTP: gunicorn with {args.workers} sync workers and production settings on 127.0.0.1; the "
            f"same editors signed in through the login page, each a thread acting as a browser without "
            f"JavaScript: GET /review/ (leases and shows the next card), GET /claims/<pk>/ of that card (the "
            f"baseline), POST /review/<pk>/ to accept it; {args.http_cards:,} cards."
            if http
            else "- Through HTTP: not run (`--http-cards 0`)."
        )
    )
    summary = []
    for phase, s in phases.items():
        where = "In the app's code" if phase == "code" else "Through HTTP"
        summary.append(
            f"{where}: {s['decided']:,} cards decided in {s['seconds']:.1f} s ({s['decided'] / s['seconds']:.0f} "
            f"cards/s); {s['overlap']:,} of the {s['calls']:,} requests for the next card ran while another "
            f"editor's was running; handed to two editors: {len(s['handed_twice'])} "
            f"({len(s['while_leased'])} while leased); decided twice: {len(s['decided_twice'])}; "
            f"errors: {len(s['errors'])}."
        )
    summary.append(
        f"The audit trail has {database['events']:,} accept events for as many cards, "
        f"{len(database['accepted_twice'])} cards accepted twice, and {database['leases_left']} leases are left."
    )
    notes = [
        *([" ".join(summary)] if not failures else ["FAILED: " + "; ".join(failures)]),
        "",
        *notes,
        "",
        f"take_next's median is {code['pct']['take'][50] / code['pct']['get'][50]:.1f}x that of the primary-key "
        "read. It is one transaction: the card the editor already holds (if any), the oldest pending card "
        "nobody holds with `FOR UPDATE SKIP LOCKED`, the lease's UPDATE, the card with its related rows, and "
        "the commit. The issue gives no target for this ratio.",
    ]
    return common.publish(
        NAME,
        __file__,
        title="Review queue",
        setup=setup,
        comparisons=comparisons,
        notes=notes,
        failed=bool(failures),
        elapsed=elapsed,
    )


if __name__ == "__main__":
    sys.exit(main())
