"""Reads on a streaming replica: the dashboard and the CSV export served by a replica, against the primary.

It starts a PostgreSQL primary of its own, a streaming standby made with pg_basebackup and PgBouncer in
transaction pooling mode in front of both (tests/replicas.py; ports 8167-8169, a temporary folder), builds
the synthetic corpus on the primary, waits for the replica to replay it, and requests `/dashboard.json`
and `/export/claims.csv` as a signed-in reviewer through `django.test.Client`, alternately with the reads
routed to the replica (DATABASE_REPLICA_URL) and kept on the primary. Both servers log every statement:
the primary must run none of the routed requests' reads of claims. The two sides share this machine's
cores, so the ratio says what routing costs, not what a second machine would add.
"""

from __future__ import annotations

import sys
import time

import common

sys.path.insert(0, str(common.ROOT))
from tests.replicas import Replicated, binaries  # noqa: E402 -- the test suite's servers, reused

PORTS = (8167, 8168, 8169)
READ_TARGET = 1.25  # routed / primary: routing costs at most a quarter more on one machine


def caught_up() -> None:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    for _ in range(1200):
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise SystemExit("the replica did not catch up in two minutes")


def measure(args, servers: Replicated) -> dict:
    from django.conf import settings

    seconds = common.generate(args.articles, args.claims_per_article, facts=args.facts, sources=args.sources)
    caught_up()
    reviewer = common.make_users("bench-replica", 1, "reviewer")[0]
    client = common.client_for(reviewer)
    routed = list(settings.REPLICA_NAMESPACES)

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            for _ in response.streaming_content:
                pass

    runs = {url: {"replica": [], "primary": []} for url in ("/dashboard.json", "/export/claims.csv")}
    primary_reads = 0
    for url, sides in runs.items():
        for side in ("replica", "primary"):
            settings.REPLICA_NAMESPACES = routed if side == "replica" else []
            get(url)  # warm up
        for _ in range(args.runs):
            for side in ("replica", "primary"):
                settings.REPLICA_NAMESPACES = routed if side == "replica" else []
                log = servers.log("primary")
                offset = log.stat().st_size
                started = time.perf_counter()
                get(url)
                sides[side].append(time.perf_counter() - started)
                if side == "replica":
                    with log.open(encoding="utf-8", errors="replace") as lines:
                        lines.seek(offset)
                        primary_reads += sum("annotate_claim" in line for line in lines)
    settings.REPLICA_NAMESPACES = routed
    from annotate.models import Claim

    return {"claims": Claim.objects.count(), "corpus_seconds": seconds, "runs": runs, "primary_reads": primary_reads}


def report(args, m: dict) -> int:
    comparisons = [
        common.comparison(
            f"GET {url} at {m['claims']:,} claims, served by the replica",
            common.ms(sides["replica"], "reads routed to the replica"),
            common.ms(sides["primary"], "the same request on the primary"),
            target=f"≤ {READ_TARGET}×",
            limit=READ_TARGET,
        )
        for url, sides in m["runs"].items()
    ]
    comparisons.append(
        common.must("Statements reading claims that the primary ran for routed requests", m["primary_reads"], "lines")
    )
    setup = __doc__.split("\n\n", 1)[1].replace("\n", " ").strip() + (
        f" {args.runs} timed requests per side after one untimed each, alternated; corpus of "
        f"{args.articles:,} articles × {args.claims_per_article} claims."
    )
    return common.write_section("replica", args.output, title="Read replica", setup=setup, comparisons=comparisons)


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--articles", type=int, default=1_000, help="corpus articles (default 1,000)")
    parser.add_argument("--claims-per-article", type=int, default=100, help="claims on each (default 100)")
    parser.add_argument("--facts", type=int, default=2_000, help="facts (default 2,000)")
    parser.add_argument("--sources", type=int, default=500, help="sources (default 500)")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per side (default 5)")
    args = common.parse(parser, argv)
    if binaries() is None:
        common.log("bench/replica.py needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
        return 2
    servers = Replicated(*PORTS).start()
    try:
        primary, replica = servers.urls()
        import os

        os.environ["DATABASE_REPLICA_URL"] = replica
        common.setup_django(primary)
        return report(args, measure(args, servers))
    finally:
        from django.db import connections

        connections.close_all()
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
