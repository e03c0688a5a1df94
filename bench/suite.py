"""The benchmark suite at scale, on PostgreSQL: `make bench` runs it and writes bench/RESULTS.md.

It builds a synthetic corpus in a scratch database (10,000 articles of about 3,000 characters, 1,000,000
claims with overlaps, 2,000 facts, 500 sources, several annotators, mixed statuses) and measures the
reading view and the dashboard on it, in this process. The other steps are scripts of their own, each
with its own scratch database, run one after the other: the CSV export (export.py), tagging under load
(load.py), the review queue (review_queue.py), importing articles (imports.py) and Label Studio side by side
(labelstudio.py). Every step writes results/<step>.json; this script turns them into RESULTS.md.

Every comparison is of two things measured in the same run, because absolute times on a shared machine
mean little: ours against a baseline (the same page without claims, the raw SQL, COPY, /healthz...).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import common

HERE = Path(__file__).resolve().parent
STEPS = ("reading", "dashboard", "export", "load", "queue", "imports", "labelstudio")
SCRIPTS = {"export": "export.py", "load": "load.py", "queue": "review_queue.py", "imports": "imports.py"}
SCRIPTS["labelstudio"] = "labelstudio.py"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DENSE_CLAIMS = 1_000


def production_settings() -> None:
    """Measure what production runs: DEBUG off (no query log, cached templates), static files collected."""
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(HERE / ".static"),
    )


def build_corpus(args) -> dict:
    """The synthetic corpus through generate_corpus, then fresh planner statistics."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command(
        "generate_corpus",
        articles=args.articles,
        claims_per_article=args.claims_per_article,
        facts=args.facts,
        sources=args.sources,
        force=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from annotate.models import Claim, Fact, Source
    from corpus.models import Article

    return {
        "seconds": time.perf_counter() - started,
        "articles": Article.objects.count(),
        "claims": Claim.objects.count(),
        "facts": Fact.objects.count(),
        "sources": Source.objects.count(),
    }


def timed(function, runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def ms(values: list[float], label: str) -> dict:
    return common.stats([v * 1000 for v in values], "ms", label)


def dense_spans(length: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """n overlapping spans of 20-200 code points anywhere in [0, length), no two identical."""
    spans = set()
    while len(spans) < n:
        size = rng.randint(20, min(200, length - 1))
        start = rng.randrange(0, length - size)
        spans.add((start, start + size))
    return sorted(spans)


def reading_step(args, client, reviewer) -> None:
    """One corpus article with 1,000 overlapping claims against the same article with none."""
    from django.db import connection, transaction

    from annotate.models import Claim, ProvenanceKind
    from annotate.spans import context
    from corpus.models import Article

    article = Article.objects.order_by("pk").first()
    url = article.get_absolute_url()
    kinds = list(ProvenanceKind.objects.all())
    rng = random.Random(7)

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    def measure() -> tuple[list[float], int, int]:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            size = len(get().content)
        return timed(get, args.runs), len(queries), size

    with transaction.atomic():
        Claim.objects.filter(article=article).delete()
        empty, empty_queries, empty_size = measure()
        Claim.objects.bulk_create(
            Claim(
                article=article,
                start=start,
                end=end,
                exact=article.text[start:end],
                prefix=context(article.text, start, end)[0],
                suffix=context(article.text, start, end)[1],
                kind=kinds[i % len(kinds)],
                annotator=reviewer,
                status=("pending", "accepted", "rejected")[i % 3],
            )
            for i, (start, end) in enumerate(dense_spans(len(article.text), DENSE_CLAIMS, rng))
        )
        dense, dense_queries, dense_size = measure()
        transaction.set_rollback(True)  # the corpus stays as generated for the other steps
    comparisons = [
        common.comparison(
            f"GET {url} with {DENSE_CLAIMS:,} overlapping claims vs none",
            ms(dense, f"{DENSE_CLAIMS:,} claims, {dense_queries} queries, {dense_size:,} bytes"),
            ms(empty, f"no claims, {empty_queries} queries, {empty_size:,} bytes"),
            target="≤ 3× the time; the same number of queries",
            higher_is_better=False,
            limit=3,
        )
    ]
    comparisons[0]["met"] = comparisons[0]["met"] and dense_queries == empty_queries
    common.write_section(
        "reading",
        title="Reading view",
        command=command(args),
        setup=(
            f"One article of the corpus ({len(article.text):,} characters), requested through `django.test.Client` "
            f"as a signed-in reviewer with DEBUG off: first with its claims removed, then with {DENSE_CLAIMS:,} "
            "claims of 20-200 characters placed at random (so most characters are covered by dozens of claims), "
            f"of all nine kinds and three statuses. {args.runs} timed requests after 2 warm-up ones, each way; "
            "the claims are added and removed inside a transaction that is rolled back."
        ),
        comparisons=comparisons,
    )


def dashboard_step(args, client) -> None:
    """/dashboard/ against the SQL it runs, executed directly; and the time with each filter."""
    import dashboard as dashboard_bench
    from corpus.models import Article, Outlet

    outlet = Outlet.objects.order_by("pk").first()
    article = Article.objects.order_by("pk").first()
    scenarios = [
        ("no filter", {}),
        ("kind=state_media", {"kind": "state_media"}),
        ("outlet", {"outlet": outlet.pk}),
        ("article", {"article": article.slug}),
        ("status=with_pending", {"status": "with_pending"}),
        ("annotator", {"annotator": "synthetic-annotator-01"}),
        ("published in 2024", {"from": "2024-01-01", "to": "2024-12-31"}),
    ]
    comparisons = []
    lines = ["| filter | /dashboard/ median ms | its SQL run raw, ms | × | main GROUP BY ms |", "|---|--:|--:|--:|--:|"]
    for label, query in scenarios:
        url = "/dashboard/" + (f"?{urlencode(query)}" if query else "")
        page = dashboard_bench.measure_request(client, url, args.runs)
        selects = [sql for sql in page["sql"] if sql.lstrip().upper().startswith("SELECT")]
        raw = dashboard_bench.measure_sql(selects, args.runs)
        main_sql = [sql for sql in page["sql"] if dashboard_bench.GROUP_BY_FACT_KIND.search(sql)]
        group_by = dashboard_bench.measure_sql(main_sql, args.runs) if main_sql else None
        ratio = page["median"] / raw["median"]
        lines.append(
            f"| {label} | {page['median'] * 1000:.0f} | {raw['median'] * 1000:.0f} | {ratio:.2f} | "
            f"{group_by['median'] * 1000:.0f} |"
            if group_by
            else f"| {label} | {page['median'] * 1000:.0f} | {raw['median'] * 1000:.0f} | {ratio:.2f} | – |"
        )
        if label == "no filter":
            comparisons.append(
                common.comparison(
                    f"GET /dashboard/ over {args.claims_total:,} claims vs its {len(selects)} SELECTs run raw",
                    common.stats([page["median"] * 1000], "ms", f"{page['queries']} queries"),
                    common.stats([raw["median"] * 1000], "ms", "the same SQL through a cursor"),
                    target="≤ 2×",
                    higher_is_better=False,
                    limit=2,
                )
            )
            if group_by:
                comparisons.append(
                    common.comparison(
                        "GET /dashboard/ vs its main GROUP BY (fact, kind) alone",
                        common.stats([page["median"] * 1000], "ms", "the page"),
                        common.stats([group_by["median"] * 1000], "ms", "one statement"),
                        target="(for scale; no target)",
                        higher_is_better=False,
                        limit=None,
                    )
                )
            lines_breakdown = dashboard_bench.breakdown(client, url)
    common.write_section(
        "dashboard",
        title="Dashboard",
        command=command(args),
        setup=(
            "`/dashboard/` over the whole corpus through `django.test.Client` as a signed-in reviewer with DEBUG "
            f"off, median of {args.runs} requests after a warm-up; against the SELECT statements the same request "
            "ran, captured and executed again one after the other through a cursor with every row fetched. "
            "The ratio is the app's own cost (ORM, Python, template) on top of its SQL. The main GROUP BY is shown "
            "for scale. The dashboard counts accepted claims by default."
        ),
        comparisons=comparisons,
        notes="\n".join(lines)
        + "\n\nWhere one unfiltered request's time goes:\n\n```\n"
        + "\n".join(line for line in lines_breakdown if line)
        + "\n```",
    )


def command(args) -> str:
    return "make bench" if os.environ.get("MAKELEVEL") else "bench/suite.py " + " ".join(sys.argv[1:])


def run_script(step: str, base_url: str) -> int:
    """A step that is a script of its own: it makes its own scratch database on the same server."""
    script = HERE / SCRIPTS[step]
    if not script.exists():
        print(f"bench: {script.name} is missing; step {step} skipped", file=sys.stderr)
        return 1
    print(f"\n== {step}: {script.name} ==", file=sys.stderr, flush=True)
    env = os.environ | {"DATABASE_URL": base_url}
    return subprocess.run([sys.executable, str(script)], env=env, cwd=common.ROOT).returncode


def machine() -> str:
    cores = os.cpu_count()
    memory = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cores} cores{memory}, {os.uname().machine}, Linux {os.uname().release}"


def fmt(stat: dict | None) -> str:
    if not stat:
        return "–"
    unit = stat["unit"]
    if stat["n"] == 1:
        body = f"{stat['median']:,.1f} {unit}"
    else:
        body = f"{stat['median']:,.1f} {unit} ({stat['min']:,.1f}–{stat['max']:,.1f})"
    return body + (f"<br>{stat['label']}" if stat.get("label") else "")


def write_results(corpus: dict | None, started: dt.datetime, base_url: str, statuses: dict[str, str]) -> Path:
    """RESULTS.md from the sections the steps wrote, in the order of STEPS."""
    lines = [
        "# Benchmark results",
        "",
        f"Written {started:%Y-%m-%d %H:%M} UTC on {machine()}; {database_version(base_url)}; "
        f"Python {sys.version.split()[0]}; {common.code_version()}.",
        "",
        "Each row compares ours with a baseline measured in the same run: medians, with min–max over the "
        "repetitions in brackets. The ratio is ours / baseline.",
        "",
    ]
    corpus_file = common.RESULTS / "corpus.json"
    if corpus:
        corpus_file.write_text(json.dumps(corpus) + "\n", encoding="utf-8")
    elif corpus_file.exists():
        corpus = json.loads(corpus_file.read_text(encoding="utf-8"))
    if corpus:
        lines += [
            f"Corpus for the reading view and the dashboard: {corpus['articles']:,} articles, {corpus['claims']:,} "
            f"claims, {corpus['facts']:,} facts, {corpus['sources']:,} sources, built by `manage.py generate_corpus` "
            f"in {corpus['seconds']:.0f} s. The other steps build what they measure in scratch databases of their own.",
            "",
        ]
    summary = ["| step | comparison | ours | baseline | ratio | target | met |", "|---|---|--:|--:|--:|---|---|"]
    bodies = []
    for step in STEPS:
        path = common.RESULTS / f"{step}.json"
        if step not in statuses:
            if not path.exists():
                continue
            statuses[step] = "earlier"  # a step this run did not repeat keeps the figures of its last run
        if not path.exists():
            bodies += [f"## {step}", "", f"Did not complete: {statuses[step]}.", ""]
            continue
        section = json.loads(path.read_text(encoding="utf-8"))
        bodies += [f"## {section['title']}", "", section["setup"], "", f"Command: `{section['command']}`", ""]
        if statuses[step] == "earlier":
            bodies += ["(Measured by an earlier run of the suite, with the command above.)", ""]
        elif statuses[step] != "ok":
            bodies += [f"This step reported a problem: {statuses[step]}.", ""]
        bodies += ["| comparison | ours | baseline | ratio | target | met |", "|---|--:|--:|--:|---|---|"]
        for row in section["comparisons"]:
            ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "–"
            met = {True: "yes", False: "**no**", None: "–"}[row["met"]]
            cells = f"| {fmt(row['ours'])} | {fmt(row['baseline'])} | {ratio} | {row['target']} | {met} |"
            bodies.append(f"| {row['name']} " + cells)
            summary.append(f"| {section['title']} | {row['name']} " + cells)
        bodies += ["", section.get("notes", ""), ""]
    findings = HERE / "FINDINGS.md"  # what the figures mean and why a target is missed, written by hand
    extra = [findings.read_text(encoding="utf-8"), ""] if findings.exists() else []
    out = HERE / "RESULTS.md"
    text = "\n".join(lines + ["## Summary", "", *summary, "", *extra, *bodies]).rstrip() + "\n"
    out.write_text(text, encoding="utf-8")
    return out


def database_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--claims-per-article", type=int, default=100)
    parser.add_argument("--facts", type=int, default=2_000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7, help="timed repetitions per measurement (default 7)")
    args = parser.parse_args(argv)
    args.claims_total = args.articles * args.claims_per_article
    steps = [s for s in args.steps.split(",") if s]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")

    base_url = os.environ.get("DATABASE_URL") or ""
    if common.vendor_of(base_url or None) != "postgresql":
        print(f"bench: the suite runs on PostgreSQL; using {DEFAULT_POSTGRES}", file=sys.stderr)
        base_url = DEFAULT_POSTGRES
    started = dt.datetime.now(dt.UTC)
    production_settings()
    statuses, corpus = {}, None
    common.RESULTS.mkdir(exist_ok=True)
    for step in steps:
        (common.RESULTS / f"{step}.json").unlink(missing_ok=True)

    in_process = [s for s in steps if s in ("reading", "dashboard")]
    if in_process:
        with common.ScratchDatabase(base_url) as url:
            common.setup_django(url)
            from django.core.management import call_command

            call_command("collectstatic", "--noinput", verbosity=0)
            print(f"== corpus: {args.articles:,} articles × {args.claims_per_article} claims ==", file=sys.stderr)
            corpus = build_corpus(args)
            reviewer = common.create_user("bench-reader", "reviewer")
            client = common.client_for(reviewer)
            for step in in_process:
                print(f"\n== {step} ==", file=sys.stderr, flush=True)
                try:
                    reading_step(args, client, reviewer) if step == "reading" else dashboard_step(args, client)
                    statuses[step] = "ok"
                except Exception as exc:  # reported in RESULTS.md; the other steps still run
                    statuses[step] = f"{type(exc).__name__}: {exc}"
                    print(f"bench: {step} failed: {exc!r}", file=sys.stderr)
    for step in steps:
        if step in SCRIPTS:
            code = run_script(step, base_url)
            statuses[step] = "ok" if code == 0 else f"exit status {code} (a target missed or an error: see above)"
    out = write_results(corpus, started, base_url, statuses)
    print(f"\nwrote {out.relative_to(common.ROOT)}", file=sys.stderr)
    failed = {step: status for step, status in statuses.items() if status not in ("ok", "earlier")}
    for step, status in failed.items():
        print(f"  {step}: {status}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
