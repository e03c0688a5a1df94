"""Benchmark the CSV export of claims, /export/claims.csv, against PostgreSQL's own COPY of the same query.

It needs PostgreSQL: with DATABASE_URL pointing at a PostgreSQL server it works in a scratch database
`bench_...` there, which it creates and drops, and never touches your data. It fills the database with
`manage.py generate_corpus` (articles of about 3,000 characters with 100 claims each) up to 100,000 and
then 1,000,000 claims, and at each size measures, in one run:

- our export: GET /export/claims.csv through django.test.Client as a signed-in reviewer, every streamed
  chunk written to /dev/null: rows per second (median of --runs), and this process's CPU time;
- COPY: `COPY (SELECT ...) TO STDOUT WITH (FORMAT csv, HEADER)` through psycopg of a query giving the
  same columns (the view's query, with the names of kinds, sources, facts and users joined in where the
  export looks them up), every chunk written to /dev/null: rows per second, the baseline;
- memory: `manage.py export_claims --format csv --output /dev/null` in a process of its own, which
  reports its peak resident set size (VmHWM) when it ends.

It prints a table, writes it to bench/results/export-postgresql.txt, and exits non-zero when a target
is missed: our rows per second at the largest size at least half of COPY's, and peak memory at the
largest size less than 16 MB above that at the smallest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common

SIZES = (100_000, 1_000_000)
PER_ARTICLE = 100
MIN_SPEED_RATIO = 0.5
MAX_GROWTH_MB = 16


def grow(target: int) -> float:
    """Add synthetic articles until there are `target` claims; seconds taken (generation, then VACUUM ANALYZE)."""
    from django.core.management import call_command
    from django.db import connection

    from annotate.models import Claim

    started = time.perf_counter()
    missing = target - Claim.objects.count()
    call_command(
        "generate_corpus",
        articles=missing // PER_ARTICLE,
        claims_per_article=PER_ARTICLE,
        seed=target,
        force=True,  # a scratch database, whatever DEBUG says
        no_progress=True,
        verbosity=0,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def copy_sql(user) -> tuple[str, tuple]:
    """SQL for COPY that gives the export's columns for `user`: the view's filter and order, with the names of
    kinds, sources (withheld when sensitive), facts and users joined in, where the export reads them from
    tables it loads once.
    """
    from django.db.models import Case, F, Value, When
    from django.http import QueryDict

    from annotate.models import PROTECTED, Claim
    from interchange import export

    claims = export.select(QueryDict(), Claim.objects.visible_to(user)).claims
    names = {
        "kind_id": ("kind__slug", "kind__label"),
        "source_id": (
            Case(When(source__sensitive=True, then=Value(PROTECTED)), default=F("source__name")),
            "source__kind__slug",
        ),
        "fact_id": ("fact__slug", "fact__statement"),
        "annotator_id": ("annotator__username",),
        "reviewer_id": ("reviewer__username",),
    }
    columns = [column for field in export.FIELDS[:-1] for column in names.get(field, (field,))]
    assert len(columns) == len(export.COLUMNS)
    return export.export_order(claims).values_list(*columns).query.sql_with_params()


def ours(client) -> dict:
    """One download of /export/claims.csv, streamed to /dev/null."""
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    response = client.get("/export/claims.csv")
    assert response.status_code == 200, response.status_code
    with open(os.devnull, "wb") as sink:
        for chunk in response.streaming_content:
            size += len(chunk)
            sink.write(chunk)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size}


def copy(sql: str, params: tuple) -> dict:
    """PostgreSQL's COPY of the same query to STDOUT as CSV, streamed to /dev/null."""
    from django.db import connection

    connection.ensure_connection()
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with (
        connection.connection.cursor() as cursor,
        open(os.devnull, "wb") as sink,
        cursor.copy(statement, params) as stream,
    ):
        for data in stream:
            size += len(data)
            sink.write(data)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size}


# Runs manage.py, then writes the process's peak resident set size (kB) to the file named first. The kernel's
# figure for a child (ru_maxrss from wait4) will not do: it includes the size of this process at the fork.
PEAK = """
import runpy, sys
report, sys.argv = sys.argv[1], ["manage.py", *sys.argv[2:]]
try:
    runpy.run_path("manage.py", run_name="__main__")
finally:
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def peak_memory(url: str) -> dict:
    """Peak RSS (MB) and wall time of `manage.py export_claims` to /dev/null in a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "-c", PEAK, str(report), "export_claims", "--format", "csv", "--output", os.devnull]
            + ["--no-progress", "--skip-checks"],
            cwd=common.ROOT,
            env=os.environ | {"DATABASE_URL": url},
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return {"seconds": time.perf_counter() - started, "peak_mb": int(report.read_text()) / 1024}


def median_of(results: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "cpu": statistics.median(r["cpu"] for r in results),
        "bytes": results[0]["bytes"],
        "runs": len(results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="claim counts, multiples of 100 (default 100000,1000000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each method per size (default 3)")
    args = parser.parse_args(argv)

    base_url = os.environ.get("DATABASE_URL") or None
    vendor = common.vendor_of(base_url)
    if vendor != "postgresql":
        print(
            "bench/export.py: the export benchmark compares with PostgreSQL's COPY and needs PostgreSQL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export.py",
            file=sys.stderr,
        )
        return 0
    sizes = sorted(int(size) for size in args.sizes.split(",")) if args.sizes else SIZES

    with common.ScratchDatabase(base_url) as url:
        common.setup_django(url)
        from django.db import connection

        reviewer = common.create_user("bench-reviewer", "reviewer")
        client = common.client_for(reviewer)
        sql, params = copy_sql(reviewer)
        rows, loads = [], []
        for n in sizes:
            loads.append((n, grow(n)))
            print(f"  {n:>9,} claims generated in {loads[-1][1]:.1f} s", file=sys.stderr)
            ours(client)  # warm up: the table's pages, the plan, the session
            timed = {"ours": [], "copy": []}
            for _ in range(args.runs):  # alternated, so that a busy moment of the machine hits both alike
                timed["ours"].append(ours(client))
                timed["copy"].append(copy(sql, params))
            memory = peak_memory(url)
            for method, label in (("ours", "/export/claims.csv"), ("copy", "COPY ... TO STDOUT CSV")):
                result = median_of(timed[method])
                rows.append({"claims": n, "method": label, **result, "rows_per_s": n / result["seconds"]})
            rows.append(
                {
                    "claims": n,
                    "method": "export_claims (own process)",
                    "seconds": memory["seconds"],
                    "cpu": None,
                    "bytes": None,
                    "runs": 1,
                    "rows_per_s": n / memory["seconds"],
                    "peak_mb": memory["peak_mb"],
                }
            )
            print(
                f"  {n:>9,} claims: ours {rows[-3]['rows_per_s']:,.0f} rows/s, COPY {rows[-2]['rows_per_s']:,.0f} "
                f"rows/s, peak RSS {memory['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
        details = [
            f"data: generate_corpus, {PER_ARTICLE} claims per article of about 3,000 characters (English, Hangul, "
            f"emoji); every status; 70% name a source (some sensitive: 'protected source' for the reviewer), "
            f"70% link a fact",
            "load: "
            + ", ".join(f"{n:,} claims in {seconds:.0f} s" for n, seconds in loads)
            + " (COPY, VACUUM ANALYZE)",
            f"runs: {args.runs} of each method per size after one untimed export, alternated; median; CPU = this "
            f"process's CPU time (the COPY's is mostly the server's); peak RSS of one export_claims process",
        ]
        command = common.command_line(base_url, __file__)
        head = common.header("Export benchmark", connection, details, command)

    table = [
        f"{'claims':>9}  {'method':<28} {'runs':>4} {'median s':>9} {'CPU s':>7} {'rows/s':>9} {'MB/s':>7} "
        f"{'peak RSS MB':>11}"
    ]
    for row in rows:
        cpu = f"{row['cpu']:.1f}" if row["cpu"] is not None else "-"
        rate = f"{row['bytes'] / row['seconds'] / 1e6:.1f}" if row["bytes"] else "-"
        peak = f"{row['peak_mb']:.0f}" if "peak_mb" in row else "-"
        table.append(
            f"{row['claims']:>9,}  {row['method']:<28} {row['runs']:>4} {row['seconds']:>9.2f} {cpu:>7} "
            f"{row['rows_per_s']:>9,.0f} {rate:>7} {peak:>11}"
        )
    largest = [row for row in rows if row["claims"] == sizes[-1]]
    ratio = largest[0]["rows_per_s"] / largest[1]["rows_per_s"]
    peaks = [row["peak_mb"] for row in rows if "peak_mb" in row]
    growth = peaks[-1] - peaks[0]
    failures = []
    table.append(
        f"at {sizes[-1]:,} claims our export runs at {ratio:.2f}x COPY's rows per second "
        f"(target >= {MIN_SPEED_RATIO}): {'ok' if ratio >= MIN_SPEED_RATIO else 'MISSED'}"
    )
    if ratio < MIN_SPEED_RATIO:
        failures.append(f"export speed {ratio:.2f}x COPY's, below {MIN_SPEED_RATIO}")
    table.append(
        f"peak RSS {peaks[0]:.0f} MB at {sizes[0]:,} claims, {peaks[-1]:.0f} MB at {sizes[-1]:,} "
        f"(growth {growth:+.0f} MB, target < {MAX_GROWTH_MB}): {'ok' if growth < MAX_GROWTH_MB else 'MISSED'}"
    )
    if growth >= MAX_GROWTH_MB:
        failures.append(f"peak memory grew by {growth:.0f} MB")
    write_section(rows, sizes, command, ratio, peaks)
    return common.write_report("export", vendor, head, table, failures)


def write_section(rows: list[dict], sizes: list[int], command: str, ratio: float, peaks: list[float]) -> None:
    """This run as its section of RESULTS.md: speed against COPY at the largest size, memory at each size."""
    view = next(r for r in rows if r["claims"] == sizes[-1] and r["method"].startswith("/export"))
    copy = next(r for r in rows if r["claims"] == sizes[-1] and r["method"].startswith("COPY"))
    comparisons = [
        common.comparison(
            f"CSV of {sizes[-1]:,} claims: rows per second",
            common.stats([view["rows_per_s"]], "rows/s", "GET /export/claims.csv"),
            common.stats([copy["rows_per_s"]], "rows/s", "COPY (SELECT ...) TO STDOUT CSV"),
            target="≥ 0.5×",
            higher_is_better=True,
            limit=MIN_SPEED_RATIO,
        ),
        common.comparison(
            "Peak memory of an export_claims process",
            common.stats([peaks[-1]], "MB", f"{sizes[-1]:,} claims"),
            common.stats([peaks[0]], "MB", f"{sizes[0]:,} claims"),
            target=f"no growth (< {MAX_GROWTH_MB} MB more)",
            higher_is_better=False,
            limit=(peaks[0] + MAX_GROWTH_MB) / peaks[0],
        ),
    ]
    common.write_section(
        "export",
        title="CSV export",
        command=command,
        setup=(
            "Claims from `generate_corpus` (articles of about 3,000 characters, 100 claims each, every status, "
            "some sensitive sources) in a scratch database. Ours: `GET /export/claims.csv` through "
            "`django.test.Client` as a signed-in reviewer, the stream read to the end; against PostgreSQL's "
            "`COPY (SELECT ...) TO STDOUT WITH CSV` of the same join, masking and order through psycopg, in the "
            "same run, alternated. Memory: the peak RSS (VmHWM) of a separate `manage.py export_claims` process "
            "at each size. Full table in `results/export-postgresql.txt`."
        ),
        comparisons=comparisons,
    )


if __name__ == "__main__":
    sys.exit(main())
