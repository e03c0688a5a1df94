"""Benchmark the provenance dashboard, /dashboard/ and /dashboard.json, at 100,000 and 1,000,000 claims.

Run with `make bench`. It needs PostgreSQL: with DATABASE_URL pointing at a PostgreSQL server it works in
a scratch database `bench_...` there, which it creates and drops, and never touches your data. On SQLite
(DATABASE_URL unset or sqlite://) it stops with a message, unless given --sqlite: then it measures small
sizes in a temporary SQLite file it deletes afterwards.

It loads a realistic corpus (2,000 articles over 50 outlets, 500 facts, 2,000 sources of the nine kinds,
12 annotators) and N claims, ~80% of them linked to a fact, with COPY on PostgreSQL, then runs VACUUM
ANALYZE on the whole database. For no filter, one kind and one outlet it measures, through
django.test.Client as a signed-in reviewer: SQL queries per request and median and p95 time of
/dashboard/ and /dashboard.json; and, run directly with a cursor, the view's main GROUP BY (fact, kind)
aggregation and all of the page's queries in turn. It prints a table and where the time of one
/dashboard/ request goes at the largest size (per query; --profile adds cProfile), writes them to
bench/results/dashboard-<database vendor>.txt, and exits non-zero when the number of queries of a request
differs between sizes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import math
import os
import pstats
import random
import re
import statistics
import sys
import time
from urllib.parse import urlencode

import common

SIZES = {"postgresql": (100_000, 1_000_000), "sqlite": (10_000, 50_000)}
MAKE_ARGS = ("--sqlite",)  # what `make bench` passes
OUTLETS, ARTICLES, FACTS, SOURCES, ANNOTATORS = 50, 2_000, 500, 2_000, 12
LINKED = 0.8  # share of claims linked to a fact
NAMED = 0.75  # share of claims naming a source
# Share of claims per kind: mostly state media relayed by agencies and outlets, as in the seed corpus.
KIND_WEIGHTS = {
    "state_media": 24,
    "news_agency": 18,
    "outlet_reporting": 16,
    "in_country_informant": 10,
    "expert": 8,
    "think_tank": 7,
    "foreign_government": 7,
    "unsourced_quote": 6,
    "defector_testimony": 4,
}
SENSITIVE_KINDS = {"in_country_informant", "defector_testimony"}
RELAYS = ["Yonhap", "Reuters", "AP", "AFP", "Kyodo", "NK News", "Daily NK"]
DIRECTNESS = ["", "first_hand", "relayed", "self_report", "interpretation"]
MAX_SPAN = 240
CLAIM_COLUMNS = (
    "article_id",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "kind_id",
    "source_id",
    "via",
    "directness",
    "fact_id",
    "note",
    "annotator_id",
    "status",
    "reviewer_id",
    "review_reason",
    "review_note",
    "version",
    "created",
    "updated",
)
# The dashboard's main aggregation: claims and articles per (fact, kind).
GROUP_BY_FACT_KIND = re.compile(
    r'^SELECT "annotate_claim"\."fact_id"[^,]*, "annotate_claim"\."kind_id"[^,]*, COUNT\(.* GROUP BY ', re.S
)


# ---- the corpus ----------------------------------------------------------------------------------


class Corpus:
    """Outlets, articles, users, sources and facts, made with the ORM; claims come later, in bulk."""

    def __init__(self, rng: random.Random):
        from annotate.models import Fact, ProvenanceKind, Source, SourceAlias
        from annotate.spans import context
        from corpus.importing import sha256
        from corpus.models import Article, Outlet

        self.rng = rng
        self.context = context
        self.kinds = list(ProvenanceKind.objects.all())
        self.kind_weights = [KIND_WEIGHTS.get(kind.slug, 5) for kind in self.kinds]

        outlets = Outlet.objects.bulk_create(Outlet(name=f"Bench Outlet {i:02d}") for i in range(OUTLETS))
        paragraphs = [
            p.strip()
            for path in sorted(common.SEED.glob("*.txt"))
            for p in path.read_text(encoding="utf-8").split("\n\n")
            if len(p.strip()) > 80
        ]
        articles = []
        for i in range(ARTICLES):
            body = []
            target = rng.randint(2_500, 7_000)
            while sum(map(len, body)) < target:
                body.append(rng.choice(paragraphs))
            text = f"Bench report {i:04d}.\n\n" + "\n\n".join(body)
            articles.append(
                Article(
                    slug=f"bench-report-{i:04d}",
                    title=f"Bench report {i:04d}: {body[0][:60]}",
                    # A few outlets carry most articles, as in real corpora.
                    outlet=outlets[int(OUTLETS * rng.random() ** 1.5)],
                    published=dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1_000)),
                    text=text,
                    text_sha256=sha256(text),
                )
            )
        self.articles = Article.objects.bulk_create(articles, batch_size=500)
        self.outlets = outlets
        # Where claim j of an article starts: a stride coprime with the room, so (start, annotator) never repeats.
        self.room = {}
        for article in self.articles:
            room = len(article.text) - MAX_SPAN - 1
            while math.gcd(room, 7_919) != 1:
                room -= 1
            self.room[article.pk] = (room, rng.randrange(room))
        self.per_article = dict.fromkeys(self.room, 0)

        self.reviewer = common.create_user("bench-reviewer", "reviewer")
        self.editor = common.create_user("bench-editor", "editor")
        self.annotators = [common.create_user(f"bench-annotator-{i:02d}", "reviewer") for i in range(ANNOTATORS)]

        sources = []
        for i in range(SOURCES):
            kind = rng.choices(self.kinds, self.kind_weights)[0]
            sensitive = kind.slug in SENSITIVE_KINDS and rng.random() < 0.8
            sources.append(Source(name=f"{kind.label} source {i:04d}", kind=kind, sensitive=sensitive))
        sources = Source.objects.bulk_create(sources)
        SourceAlias.objects.bulk_create(
            SourceAlias(source=source, name=f"Also known as {source.name}") for source in sources[::4]
        )
        self.sources_of = {kind.pk: [s.pk for s in sources if s.kind_id == kind.pk] for kind in self.kinds}

        facts = Fact.objects.bulk_create(
            Fact(statement=f"Bench fact {i:03d}: a figure several reports repeat", slug=f"bench-fact-{i:03d}")
            for i in range(FACTS)
        )
        self.facts = [fact.pk for fact in facts]
        # Each fact rests on one to four kinds: some on state media alone, some corroborated.
        self.fact_kinds = {
            fact.pk: [k.pk for k in {rng.choices(self.kinds, self.kind_weights)[0] for _ in range(rng.randint(1, 4))}]
            for fact in facts
        }
        # ...and on a handful of named sources of each of those kinds (a fact is not cited by every source).
        self.fact_sources = {
            (fact, kind): rng.sample(
                self.sources_of[kind], min(len(self.sources_of[kind]), 1 + int(8 * rng.random() ** 2))
            )
            for fact, kinds in self.fact_kinds.items()
            for kind in kinds
        }
        for a, b in zip(facts[:50:2], facts[1:50:2], strict=True):
            a.conflicts.add(b)
        self.claims = 0

    def claim_rows(self, n: int, now: dt.datetime):
        """Rows (CLAIM_COLUMNS) of the next n claims; they satisfy every check and unique constraint."""
        rng, kinds, weights = self.rng, self.kinds, self.kind_weights
        annotators = [user.pk for user in self.annotators]
        for i in range(self.claims, self.claims + n):
            article = self.articles[rng.randrange(len(self.articles))]
            j = self.per_article[article.pk]
            self.per_article[article.pk] = j + 1
            room, offset = self.room[article.pk]
            start = (offset + (j // ANNOTATORS) * 7_919) % room
            end = start + rng.randint(40, MAX_SPAN)
            prefix, suffix = self.context(article.text, start, end)
            fact = self.facts[int(FACTS * rng.random() ** 2)] if rng.random() < LINKED else None
            kind = rng.choice(self.fact_kinds[fact]) if fact else rng.choices(kinds, weights)[0].pk
            sources = self.fact_sources[fact, kind] if fact else self.sources_of[kind]
            source = rng.choice(sources) if sources and rng.random() < NAMED else None
            roll = rng.random()
            status = "pending" if roll < 0.55 else "accepted" if roll < 0.93 else "rejected"
            created = now - dt.timedelta(seconds=10 * (self.claims + n - i))
            yield (
                article.pk,
                start,
                end,
                article.text[start:end],
                prefix,
                suffix,
                kind,
                source,
                rng.choice(RELAYS) if rng.random() < 0.3 else "",
                rng.choice(DIRECTNESS),
                fact,
                "Checked against the original release." if rng.random() < 0.1 else "",
                annotators[j % ANNOTATORS],
                status,
                None if status == "pending" else self.editor.pk,
                "",
                "",
                1 if rng.random() < 0.8 else 2,
                created,
                created,
            )
        self.claims += n


def add_claims(corpus: Corpus, n: int) -> None:
    """Append n claims: COPY on PostgreSQL, executemany on SQLite; then refresh every table's statistics."""
    from django.db import connection, transaction
    from django.utils import timezone

    rows = corpus.claim_rows(n, timezone.now())
    columns = ", ".join(f'"{column}"' for column in CLAIM_COLUMNS)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:  # psycopg's own cursor, for COPY
            with cursor.copy(f"COPY annotate_claim ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # Every table, not only the claims: with no statistics on the articles the planner picks
            # nested loops for the outlet filter that run for minutes instead of milliseconds.
            cursor.execute("VACUUM (ANALYZE)")
    else:
        marks = ", ".join("%s" for _ in CLAIM_COLUMNS)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO annotate_claim ({columns}) VALUES ({marks})", list(rows))  # noqa: S608 (constants)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# ---- measuring -------------------------------------------------------------------------------------


def timed(function, runs: int) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "p95": common.percentile(times, 95)}


def measure_request(client, url: str, runs: int) -> dict:
    """Queries and times of GET url; the SQL it ran, for running it again without the view."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm up: templates, the session, the database's caches
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code

    def get():
        assert client.get(url).status_code == 200

    return {"queries": len(queries), "sql": [q["sql"] for q in queries], "bytes": len(response.content)} | timed(
        get, runs
    )


def measure_sql(statements: list[str], runs: int) -> dict:
    """Time of running the statements one after the other with a cursor, fetching every row."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    run()
    return {"queries": len(statements)} | timed(run, runs)


def short_sql(sql: str) -> str:
    """SQL without table qualifiers, column aliases and quotes, on one line: enough to tell queries apart."""
    sql = re.sub(r'"\w+"\.', "", sql)
    sql = re.sub(r' AS "\w+"', "", sql)
    return " ".join(sql.replace('"', "").split())


def breakdown(client, url: str) -> list[str]:
    """Where the time of one request goes: each query's time, and what is left for Python."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(url)
        total = time.perf_counter() - started
    sql = sum(float(query["time"]) for query in queries)
    lines = [
        "",
        f"-- one GET {url}: {total * 1000:.0f} ms, of which SQL {sql * 1000:.0f} ms in {len(queries)} queries --",
    ]
    for query in queries:
        text = short_sql(query["sql"])
        lines.append(f"{float(query['time']) * 1000:>8.0f} ms  {text[:105]}{'...' if len(text) > 105 else ''}")
    lines.append(f"{(total - sql) * 1000:>8.0f} ms  Python: ORM rows, building the dashboard, the template")
    return lines


def profile(client, url: str) -> list[str]:
    """The functions that take the time of one request (cProfile, which slows Python code down)."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    lines = []
    for order, count in (("cumulative", 40), ("tottime", 15)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(count)
        body = out.getvalue().strip().splitlines()
        start = next(i for i, line in enumerate(body) if line.lstrip().startswith("ncalls"))
        lines += ["", f"-- cProfile of one GET {url}, by {order} --", *body[start:]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="claim counts (default 100000,1000000 on PostgreSQL, 10000,50000 on SQLite)")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per endpoint and filter (default 5)")
    parser.add_argument("--sql-runs", type=int, default=7, help="timed runs of the raw SQL (default 7)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the corpus and claims")
    parser.add_argument("--sqlite", action="store_true", help="on SQLite, measure small sizes instead of stopping")
    parser.add_argument("--profile", action="store_true", help="profile one /dashboard/ request at the largest size")
    args = parser.parse_args(argv)

    base_url = os.environ.get("DATABASE_URL") or None
    vendor = common.vendor_of(base_url)
    if vendor != "postgresql":
        print(
            "bench/dashboard.py: the dashboard benchmark needs PostgreSQL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench",
            file=sys.stderr,
        )
        if not args.sqlite:
            print("skipped (pass --sqlite to measure small sizes on SQLite)", file=sys.stderr)
            return 0
        print("measuring small sizes on SQLite instead", file=sys.stderr)
    sizes = sorted(int(size) for size in args.sizes.split(",")) if args.sizes else SIZES[vendor]

    with common.ScratchDatabase(base_url) as url:
        common.setup_django(url)
        from django.db import connection

        started = time.perf_counter()
        corpus = Corpus(random.Random(args.seed))
        setup_seconds = time.perf_counter() - started
        client = common.client_for(corpus.reviewer)
        outlet = max(corpus.outlets, key=lambda o: sum(a.outlet_id == o.pk for a in corpus.articles))
        outlet_articles = sum(a.outlet_id == outlet.pk for a in corpus.articles)
        scenarios = [
            ("none", {}),
            ("kind=state_media", {"kind": "state_media"}),
            (f"outlet={outlet.pk}", {"outlet": outlet.pk}),
        ]

        rows, loads = [], []
        for n in sizes:
            started = time.perf_counter()
            add_claims(corpus, n - corpus.claims)
            loads.append((n, time.perf_counter() - started))
            print(f"  {n:>9,} claims loaded in {loads[-1][1]:.1f} s", file=sys.stderr)
            for label, query in scenarios:
                suffix = f"?{urlencode(query)}" if query else ""
                page = measure_request(client, f"/dashboard/{suffix}", args.runs)
                json = measure_request(client, f"/dashboard.json{suffix}", args.runs)
                main_sql = [sql for sql in page["sql"] if GROUP_BY_FACT_KIND.search(sql)]
                if len(main_sql) != 1:
                    raise SystemExit("bench: cannot find the dashboard's GROUP BY fact_id, kind_id query")
                group_by = measure_sql(main_sql, args.sql_runs)
                all_sql = measure_sql([sql for sql in page["sql"] if sql.lstrip().upper().startswith("SELECT")], 3)
                for endpoint, result in (
                    ("/dashboard/", page),
                    ("/dashboard.json", json),
                    ("GROUP BY (raw SQL)", group_by),
                    ("all its SELECTs (raw)", all_sql),
                ):
                    rows.append({"claims": n, "filter": label, "endpoint": endpoint, **result})
                    rows[-1]["x"] = result["median"] / group_by["median"]
                print(
                    f"  {n:>9,} claims, filter {label}: page {page['median'] * 1000:.0f} ms, "
                    f"json {json['median'] * 1000:.0f} ms, GROUP BY {group_by['median'] * 1000:.0f} ms",
                    file=sys.stderr,
                )
        profiled = []
        for _, query in scenarios:
            profiled += breakdown(client, f"/dashboard/?{urlencode(query)}" if query else "/dashboard/")
        if args.profile:
            profiled += profile(client, "/dashboard/")

        from annotate.models import Claim

        linked = Claim.objects.filter(fact__isnull=False).count() / corpus.claims
        details = [
            f"data: {ARTICLES:,} articles over {OUTLETS} outlets, {FACTS} facts, {SOURCES:,} sources, "
            f"{len(corpus.kinds)} kinds, {ANNOTATORS} annotators; {linked:.0%} of claims linked to a fact, "
            f"{NAMED:.0%} name a source; filters: one kind (state_media), one outlet ({outlet_articles} articles)",
            "load: corpus "
            + f"{setup_seconds:.1f} s (ORM); claims "
            + ", ".join(f"{n:,} in {seconds:.1f} s" for n, seconds in loads)
            + (" (COPY, then VACUUM ANALYZE)" if vendor == "postgresql" else " (executemany, then ANALYZE)"),
            f"runs: {args.runs} timed requests per endpoint and filter after 2 untimed ones; "
            f"raw SQL {args.sql_runs} runs (all SELECTs: 3); x = median / median of the GROUP BY",
        ]
        command = common.command_line(base_url, __file__, MAKE_ARGS)
        head = common.header("Dashboard benchmark", connection, details, command)

    table = [f"{'claims':>9}  {'filter':<17} {'endpoint':<22} {'queries':>7} {'median ms':>10} {'p95 ms':>9} {'x':>6}"]
    for row in rows:
        table.append(
            f"{row['claims']:>9,}  {row['filter']:<17} {row['endpoint']:<22} {row['queries']:>7} "
            f"{row['median'] * 1000:>10.1f} {row['p95'] * 1000:>9.1f} {row['x']:>6.1f}"
        )
    failures = []
    for key in sorted({(row["filter"], row["endpoint"]) for row in rows}):
        counts = sorted({row["queries"] for row in rows if (row["filter"], row["endpoint"]) == key})
        if len(counts) > 1:
            failures.append(f"{key[1]} with filter {key[0]}: query count varies with the number of claims: {counts}")
    table.append(f"queries constant across sizes: {'NO' if failures else 'yes'}")
    largest = [row for row in rows if row["claims"] == sizes[-1] and row["filter"] == "none"]
    ratio = {row["endpoint"]: row["x"] for row in largest}
    table.append(
        f"at {sizes[-1]:,} claims, no filter: /dashboard/ takes {ratio['/dashboard/']:.1f}x the time of its main "
        f"GROUP BY, /dashboard.json {ratio['/dashboard.json']:.1f}x; all the page's SELECTs run raw take "
        f"{ratio['all its SELECTs (raw)']:.1f}x"
    )
    table += ["", f"where the time goes at {sizes[-1]:,} claims:", *profiled]
    return common.write_report("dashboard", vendor, head, table, failures)


if __name__ == "__main__":
    sys.exit(main())
