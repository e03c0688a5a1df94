"""Review queue: 4 editors taking the next card in parallel; no card handed out twice; latency.

It needs PostgreSQL (the queue's `SELECT ... FOR UPDATE SKIP LOCKED`): in a scratch database on
DATABASE_URL's server it builds a synthetic corpus (400 articles of 100 claims, about half pending) and
four editors, bench-editor-1..4. In the app's code, four threads, each an editor on its own connection,
lease the next card (`review.take_next`), read it by primary key (the baseline) and accept it
(`review.decide`) until 2,000 cards are decided. Through HTTP, the app under gunicorn with the same
editors signed in, each a browser without JavaScript: GET /review/, GET /claims/<pk>/ of that card (the
baseline), POST the accept; 400 cards. No card may go to two editors or be decided twice, and the
database must agree afterwards; the latencies are reported, with no target set for them.
"""

from __future__ import annotations

import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import common
import web


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


def http_work(editor, browser: web.Browser, log: dict, start: threading.Barrier) -> None:
    """One editor in a browser: GET /review/ (leases the next card), GET /claims/<pk>/, POST the accept."""
    try:
        start.wait()
        while next_slot(log):
            t0 = time.perf_counter()
            body = web.expect(browser.request("GET", "/review/"), 200, "GET /review/").body
            t1 = time.perf_counter()
            card = re.search(rb'data-claim="(\d+)"', body)
            if card is None:
                with log["lock"]:
                    log["empty"] += 1
                return
            pk = int(card[1])
            version = int(re.compile(rb'name="version" value="(\d+)"').search(body, card.end())[1])
            handed(log, pk, editor, t0, t1)
            t2 = time.perf_counter()
            web.expect(browser.request("GET", f"/claims/{pk}/"), 200, f"GET /claims/{pk}/")
            t3 = time.perf_counter()
            response = browser.request("POST", f"/review/{pk}/", {"version": version, "action": "accept"})
            if response.status != 302:  # accepted: back to the queue
                error = f"{response.status} {response.body[:200]!r}"
                decided(log, pk, None, f"accept {pk} by {editor.username}: {error}")
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
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp, web.Gunicorn(Path(tmp), url, workers) as server:
        browsers = [server.browser(editor.username) for editor in editors]
        for browser in browsers:  # warm the workers with a page that leases nothing
            assert browser.request("GET", "/claims/1/").status in (200, 404)
        return run(http_work, list(zip(editors, browsers, strict=True)), cards)


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


def measure(args, url: str) -> dict:
    """The corpus and the editors; both runs; what the database says afterwards."""
    from annotate.models import Claim

    seconds = common.generate(args.articles, args.claims_per_article, progress=False)
    editors = common.make_users("bench-editor", args.editors, "editor")
    m = {"total": Claim.objects.count(), "pending": Claim.objects.filter(status="pending").count()}
    if m["pending"] < args.cards + args.http_cards:
        raise SystemExit(f"only {m['pending']:,} pending claims: raise --articles")
    common.log(f"corpus: {m['total']:,} claims, {m['pending']:,} pending, made in {seconds:.0f} s")
    phases = {"code": summarise(*run(work, [(e,) for e in editors], args.cards))}
    if args.http_cards:
        phases["http"] = summarise(*http_run(url, editors, args.http_cards, args.workers))
    return m | {"corpus_seconds": seconds, "phases": phases, "database": check_database(editors)}


LABELS = {
    "code": {"take": "take_next (lease next card)", "get": "Claim.objects.get(pk=...)", "decide": "decide (accept)"},
    "http": {"take": "GET /review/", "get": "GET /claims/<pk>/", "decide": "POST /review/<pk>/ (accept)"},
}


def latency_rows(phases: dict) -> list[list]:
    rows = []
    for phase, s in phases.items():
        pct = s["pct"]
        for key, label in LABELS[phase].items():
            cells = [f"{pct[key][p]:.2f}" for p in (50, 95, 99)]
            rows.append([label, f"{len(s['ms'][key]):,}", *cells, f"{pct[key][50] / pct['get'][50]:.1f}"])
    return rows


def outcome(phase: str, s: dict) -> str:
    where = "In the app's code" if phase == "code" else "Through HTTP"
    return (
        f"{where}: {s['decided']:,} cards decided in {s['seconds']:.1f} s ({s['decided'] / s['seconds']:.0f} "
        f"cards/s); {s['overlap']:,} of the {s['calls']:,} requests for the next card ran while another editor's "
        f"was running; handed to two editors: {len(s['handed_twice'])} ({len(s['while_leased'])} while leased); "
        f"decided twice: {len(s['decided_twice'])}; errors: {len(s['errors'])}"
        + "".join(f"\n  error: {error}" for error in s["errors"][:5])
    )


def comparisons(args, m: dict) -> list[dict]:
    """The hard counts (none may be above zero), then the latencies against their baselines."""
    phases, database = m["phases"], m["database"]
    wanted = args.cards + (args.http_cards if "http" in phases else 0)
    decided = sum(s["decided"] for s in phases.values())
    lost = sum(abs(decided - n) for n in (wanted, database["accepted"], database["events"]))
    rows = [
        common.must(
            "Cards handed to two editors",
            sum(len(s["handed_twice"]) + len(s["while_leased"]) for s in phases.values()),
            "cards",
            "0 (hard)",
        ),
        common.must(
            "Cards decided twice",
            sum(len(s["decided_twice"]) for s in phases.values()) + len(database["accepted_twice"]),
            "cards",
            "0 (hard)",
        ),
        common.must("Errors", sum(len(s["errors"]) for s in phases.values()), "errors", "0 (hard)"),
        common.must(
            "Cards not decided, or decided but not in the database; leases left",
            lost + database["leases_left"],
            "cards",
            "0 (hard)",
        ),
    ]
    what = {
        "code": "take_next against a primary-key read of the same card",
        "http": "GET /review/ against GET /claims/<pk>/ of the same card",
    }
    for phase, s in phases.items():
        take, get = LABELS[phase]["take"], LABELS[phase]["get"]
        rows.append(
            common.comparison(
                f"{what[phase]}, {args.editors} editors in parallel",
                common.stats(s["ms"]["take"], "ms", f"{take}; p95 {s['pct']['take'][95]:.1f}"),
                common.stats(s["ms"]["get"], "ms", f"{get}; p95 {s['pct']['get'][95]:.1f}"),
                target="none given (reported)",
            )
        )
    return rows


def report(args, m: dict) -> int:
    database = m["database"]
    setup = (
        f"- Data: bench/synthetic.py with {args.articles} articles of {args.claims_per_article} claims "
        f"({m['total']:,} claims, {m['pending']:,} pending, the rest accepted, rejected or waiting for changes), in "
        f"a scratch database; made in {m['corpus_seconds']:.0f} s. Production settings (`DEBUG=false`).\n"
        f"- In the app's code: {args.editors} threads in one Python process, each an editor "
        f"(bench-editor-1..{args.editors}) on its own database connection: "
        '`review.take_next(Claim.objects.filter(status="pending"), editor=...)`, then `Claim.objects.get(pk=...)` '
        f'of the same card (the baseline), then `review.decide(..., decision="accept")`, until {args.cards:,} cards '
        "are decided.\n"
        + (
            f"- Through HTTP: gunicorn with {args.workers} sync workers on 127.0.0.1; the same editors signed in "
            "through the login page, each a thread acting as a browser without JavaScript: GET /review/ (leases and "
            "shows the next card), GET /claims/<pk>/ of that card (the baseline), POST /review/<pk>/ to accept it; "
            f"{args.http_cards:,} cards."
            if "http" in m["phases"]
            else "- Through HTTP: not run (`--http-cards 0`)."
        )
    )
    take = m["phases"]["code"]["pct"]
    notes = [
        *(outcome(phase, s) + "." for phase, s in m["phases"].items()),
        f"The audit trail has {database['events']:,} accept events for as many cards, "
        f"{len(database['accepted_twice'])} cards accepted twice, and {database['leases_left']} leases are left.",
        "",
        common.table(["operation", "calls", "p50 ms", "p95 ms", "p99 ms", "× baseline p50"], latency_rows(m["phases"])),
        "",
        f"take_next's median is {take['take'][50] / take['get'][50]:.1f}× that of the primary-key read. It is one "
        "transaction: the card the editor already holds (if any), the oldest pending card nobody holds with "
        "`FOR UPDATE SKIP LOCKED`, the lease's UPDATE, the card with its related rows, and the commit.",
    ]
    rows = comparisons(args, m)
    return common.write_section("queue", args.output, title="Review queue", setup=setup, comparisons=rows, notes=notes)


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--cards", type=int, default=2_000, help="cards decided in the app's code (2,000)")
    parser.add_argument("--http-cards", type=int, default=400, help="cards decided through HTTP (400; 0: none)")
    parser.add_argument("--editors", type=int, default=4, help="editors in parallel (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as in load.py)")
    parser.add_argument("--articles", type=int, default=400, help="corpus articles (default 400)")
    parser.add_argument("--claims-per-article", type=int, default=100, help="claims on each (default 100)")
    args = common.parse(parser, argv)
    base_url = common.postgres_url("review_queue.py", "SELECT ... FOR UPDATE SKIP LOCKED")
    with common.ScratchDatabase(base_url) as url:
        common.setup_django(url)
        return report(args, measure(args, url))


if __name__ == "__main__":
    sys.exit(main())
