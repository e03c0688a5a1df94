"""Where an export's time goes: the client's and the server's CPU, the SELECT taken apart, a cProfile.

Not a step of the suite (it writes no section): the measurements behind what bench/FINDINGS.md says of the
export. On DATABASE_URL's PostgreSQL, in a scratch database with a corpus built as the suite builds it
(a tenth, then the rest; or, with --labelstudio, as bench/labelstudio.py builds ours: N documents of 20
claims and one of 1,000), or in an existing database of such a corpus (--database, kept):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/export_profile.py \\
        --articles 10000 --runs 3 --explain --cprofile

- runs: the CSV and JSON Lines downloads (`django.test.Client`, as the export step reads them) and the
  step's baseline, COPY of the plain join, alternated: wall time, this process's user and system CPU, and
  the server's (the backend's CPU time from /proc, which parallel workers would not be counted in);
- --explain: EXPLAIN ANALYZE of the export's SELECT, of the same FROM without the columns, of the claims'
  own query, and of the baseline's join; the redaction pass timed;
- --cprofile: one CSV download under cProfile, by CPU time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import common
import pages


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="an existing database with such a corpus (kept) instead of a scratch one")
    parser.add_argument("--articles", type=int, default=10_000, help="corpus articles (default 10,000)")
    parser.add_argument("--claims-per-article", type=int, default=100, help="claims on each (default 100)")
    parser.add_argument("--labelstudio", action="store_true", help="build as bench/labelstudio.py builds ours")
    parser.add_argument("--runs", type=int, default=3, help="downloads per method, alternated (default 3)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE of the SELECT taken apart")
    parser.add_argument("--cprofile", action="store_true", help="a cProfile of one CSV download")
    return parser.parse_args(argv)


def build(args) -> None:
    if args.labelstudio:
        common.generate(args.articles, 20, seed=1, progress=False)
        common.generate(1, 1_000, seed=2, progress=False)
    else:
        tenth = args.articles // 10
        for seed, articles in ((1, tenth), (2, args.articles - tenth)):
            common.generate(articles, args.claims_per_article, facts=2_000, sources=500, seed=seed)
    common.make_users("bench-reader", 1, "reviewer")


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profile(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.http import QueryDict

    from annotate.masking import mask_for
    from annotate.models import Claim
    from interchange import copying, export, redacting

    reviewer = get_user_model().objects.get(username="bench-reader-1")
    client = common.client_for(reviewer)
    sql, params = pages.copy_sql(reviewer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def ours(url):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return pages.drain(response.streaming_content)

    methods = {
        "/export/claims.csv": lambda: ours("/export/claims.csv"),
        "/export/claims.jsonl": lambda: ours("/export/claims.jsonl"),
        "COPY of the baseline join": lambda: pages.copy_csv(sql, params),
    }
    print(f"{Claim.objects.count():,} claims")
    for run in range(args.runs + 1):  # the first round untimed
        for name, method in methods.items():
            before, server, started = os.times(), backend_cpu(pid), time.perf_counter()
            method()
            after, seconds = os.times(), time.perf_counter() - started
            if run:
                print(
                    f"{name}: {seconds:.2f} s, client user {after.user - before.user:.2f} s, system "
                    f"{after.system - before.system:.2f} s, server {backend_cpu(pid) - server:.2f} s, "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    if args.explain:
        claims = export.select(QueryDict(), Claim.objects.visible_to(reviewer), user=reviewer).claims
        mask = mask_for(reviewer)

        def explained(cursor, statement, values) -> str:
            cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) {statement}", values)
            return next(row[0] for row in cursor.fetchall() if row[0].startswith("Execution Time")).split(": ")[1]

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true)")  # as the export
            for csv in (True, False):
                query = copying._Query(claims, mask, csv=csv)
                started = time.perf_counter()
                redactions = redacting.redactions(claims, mask)
                took = time.perf_counter() - started
                select, values = copying._select(query, redactions), list(query.base_params)
                name = "CSV" if csv else "JSON Lines"
                print(f"{name}: the redaction pass {took:.2f} s ({len(redactions)} texts)")
                print(f"{name}: the SELECT {explained(cursor, select, values)}")
                bare = "SELECT 1 FROM (" + select.split(" FROM (", 1)[1]  # noqa: S608 -- the export's own SELECT
                print(f"{name}: its FROM and ORDER BY without the columns {explained(cursor, bare, values)}")
                print(f"{name}: the claims' own query {explained(cursor, query.base_sql, values)}")
            print(f"the baseline's join {explained(cursor, sql, list(params))}")
    if args.cprofile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        ours("/export/claims.csv")
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        print(out.getvalue())


def main(argv=None) -> int:
    args = arguments(argv)
    base = common.postgres_url("export_profile.py", "the export by COPY is PostgreSQL's")
    print(f"commit {common.COMMIT}; `{common.command()}`; load average {os.getloadavg()[0]:.1f} at the start")
    if args.database:
        url = urlunsplit(urlsplit(base)._replace(path=f"/{args.database}"))
        common.setup_django(url)
        profile(args)
        return 0
    with common.ScratchDatabase(base) as url:
        common.setup_django(url)
        build(args)
        profile(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
