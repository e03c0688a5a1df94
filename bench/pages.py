"""The suite's steps on its own corpus: the reading view, its growth with the number of claims, the dashboard
and the CSV export. Each requests the app through `django.test.Client` as a signed-in reviewer with
production settings and writes its section of RESULTS.md; suite.py builds the corpus and calls them.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import common

DENSE_CLAIMS = 1_000
GROWTH_SIZES = (10, 100, 1_000, 5_000)
GROWTH_TEXT = 20_000  # characters of the article whose claims grow
MAX_PER_CLAIM_RATIO = 3.0
# The dashboard's main aggregation: claims and articles per (fact, kind).
GROUP_BY_FACT_KIND = re.compile(
    r'^SELECT "annotate_claim"\."fact_id"[^,]*, "annotate_claim"\."kind_id"[^,]*, COUNT\(.* GROUP BY ', re.S
)


def get(client, url: str, claims: int | None = None):
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    if claims is not None:
        # The page counts every claim; its body and sidebar show a window of them (annotate/reading.py).
        shown = re.search(rb'<span class="count" id="claims-count">(\d+)</span>', response.content)
        found = int(shown.group(1)) if shown else 0
        assert found == claims, f"GET {url} counts {found} claims, not {claims}"
        assert claims == 0 or b'<span class="anchor" id="claim-' in response.content, f"GET {url} draws no claim"
    return response


def capture(client, url: str) -> tuple[list[str], int]:
    """The SQL of one request to `url`, and the size of its response."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the request resets the log when it starts: capture from an empty one
    with CaptureQueriesContext(connection) as queries:
        size = len(get(client, url).content)
    return [query["sql"] for query in queries], size


def cold(client, url: str, n: int, runs: int) -> dict:
    """Times of `url` when each request is the first since the reading view's rendered bodies were forgotten
    (annotate.reading.BODIES): what a reader meets first after any change to the claims it draws."""
    from annotate.reading import BODIES

    def once():
        BODIES.clear()
        get(client, url, n)

    return common.ms(common.timed(once, runs), f"{n:,} claims, body rendered")


def claim(article, start: int, end: int, **fields):
    from annotate.models import Claim
    from annotate.spans import context

    prefix, suffix = context(article.text, start, end)
    return Claim(
        article=article, start=start, end=end, exact=article.text[start:end], prefix=prefix, suffix=suffix, **fields
    )


def rolled_back(function):
    """Run `function` in a transaction that is rolled back: the corpus stays as generated for the next step."""
    from django.db import transaction

    with transaction.atomic():
        result = function()
        transaction.set_rollback(True)
    return result


# ---- reading view: 1,000 overlapping claims against none ----------------------------------------------


def dense_spans(length: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """n overlapping spans of 20-200 code points anywhere in [0, length), no two identical."""
    spans = set()
    while len(spans) < n:
        size = rng.randint(20, min(200, length - 1))
        start = rng.randrange(0, length - size)
        spans.add((start, start + size))
    return sorted(spans)


def reading(args, client, reviewer) -> int:
    """One corpus article with 1,000 overlapping claims against the same article with none."""
    from annotate.models import Claim, ProvenanceKind
    from corpus.models import Article

    article = Article.objects.order_by("pk").first()
    url, kinds = article.get_absolute_url(), list(ProvenanceKind.objects.all())

    def measure(n: int) -> tuple[dict, dict]:
        sql, size = capture(client, url)
        return common.ms(
            common.timed(lambda: get(client, url, n), args.runs), f"{n:,} claims, {len(sql)} queries, {size:,} bytes"
        ) | {"queries": len(sql)}, cold(client, url, n, args.runs)

    def both():
        Claim.objects.filter(article=article).delete()
        empty = measure(0)
        spans = dense_spans(len(article.text), DENSE_CLAIMS, random.Random(7))
        statuses = ("pending", "accepted", "rejected")
        Claim.objects.bulk_create(
            claim(article, start, end, kind=kinds[i % len(kinds)], annotator=reviewer, status=statuses[i % 3])
            for i, (start, end) in enumerate(spans)
        )
        return empty, measure(DENSE_CLAIMS)

    (empty, empty_cold), (dense, dense_cold) = rolled_back(both)
    row = common.comparison(
        f"GET {url} with {DENSE_CLAIMS:,} overlapping claims vs none",
        dense,
        empty,
        target="≤ 2× the time; the same number of queries",
        limit=2,
    )
    row["met"] = row["met"] and dense["queries"] == empty["queries"]
    first = common.comparison(
        "The same, each request the first since the rendered bodies were forgotten (the body drawn anew)",
        dense_cold,
        empty_cold,
        target="(reported)",
    )
    setup = (
        f"One article of the corpus ({len(article.text):,} characters): first with its claims removed, then with "
        f"{DENSE_CLAIMS:,} claims of 20-200 characters placed at random (so most characters are covered by dozens "
        f"of claims), of all nine kinds and three statuses. {args.runs} timed requests after 2 warm-up ones, each "
        "way; the claims are added and removed inside a transaction that is rolled back. The reading view keeps "
        "the bodies it rendered last in memory, under everything they are drawn from (annotate/reading.py): the "
        "second row times requests that each find that memory empty."
    )
    return common.write_section("reading", args.output, title="Reading view", setup=setup, comparisons=[row, first])


# ---- reading view: time per claim and queries as one article's claims grow ---------------------------------


def growth_text() -> str:
    """News prose of about GROWTH_TEXT characters: the seed reports, repeated as needed, cut at a paragraph."""
    reports = [path.read_text(encoding="utf-8").strip() for path in sorted(common.SEED.glob("*.txt"))]
    paragraphs = [p.strip() for report in reports for p in report.split("\n\n") if p.strip()]
    text, i = "", 0
    while len(text) < GROWTH_TEXT:
        text += ("\n\n" if text else "") + paragraphs[i % len(paragraphs)]
        i += 1
    return text


def growth_spans(length: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """n spans over [0, length): mostly sentence-sized and disjoint, every tenth nested in the one before it,
    every tenth overlapping its neighbours, so no character is covered more than a few times."""
    slot = length / n
    result: list[tuple[int, int]] = []
    for i in range(n):
        a, b = int(i * slot), int((i + 1) * slot)
        if i % 10 == 9 and result:  # nested inside the previous claim
            start, end = result[-1]
            quarter = (end - start) // 4
            result.append((start + quarter, max(start + quarter + 1, end - quarter)))
        elif i % 10 == 5 and 0 < i < n - 1:  # overlapping: from the middle of the slot before to the one after
            result.append((int((i - 0.5) * slot), min(length, int((i + 1.5) * slot))))
        else:
            room = max(1, b - a - 1)
            size = min(room, rng.randint(60, 240))
            start = a + rng.randrange(room - size + 1)
            result.append((start, start + size))
    return result


def growth_claims(article, n: int, reviewer, rng: random.Random) -> list:
    """n claims of mixed kinds, sources (some sensitive), facts, annotators and statuses on `article`."""
    from django.contrib.auth import get_user_model

    from annotate.models import Fact, ProvenanceKind, Source

    kinds = list(ProvenanceKind.objects.active())
    sources = list(Source.objects.order_by("pk")[:37])  # of every kind, the informants mostly sensitive
    facts = list(Fact.objects.order_by("pk")[:12])
    editor = get_user_model().objects.filter(groups__name="editor").first()
    return [
        claim(
            article,
            start,
            end,
            kind=kinds[i % len(kinds)],
            source=sources[i % len(sources)] if i % 3 else None,
            fact=facts[i % len(facts)] if i % 2 else None,
            note="Checked against the original release." if i % 5 == 0 else "",
            annotator=reviewer if i % 2 else editor,
            status="accepted" if i % 4 == 0 else "pending",
            reviewer=editor if i % 4 == 0 else None,
        )
        for i, (start, end) in enumerate(growth_spans(len(article.text), n, rng))
    ]


def growth_rows(args, client, reviewer) -> list[dict]:
    """For each size: queries, times and bytes of the reading view of one article with that many claims."""
    from annotate.models import Claim
    from corpus.importing import sha256
    from corpus.models import Article, Outlet

    text, rng, rows = growth_text(), random.Random(1), []
    article = Article.objects.create(
        slug="bench-growth",
        title="A long report with many claims",
        outlet=Outlet.objects.first(),
        text=text,
        text_sha256=sha256(text),
    )
    url = article.get_absolute_url()
    for n in GROWTH_SIZES:
        Claim.objects.filter(article=article).delete()
        Claim.objects.bulk_create(growth_claims(article, n, reviewer, rng), batch_size=500)
        sql, size = capture(client, url)
        times = common.timed(lambda n=n: get(client, url, n), args.runs)
        rows.append({"claims": n, "queries": len(sql), "times": times, "bytes": size, "length": len(text)})
        common.log(f"  {n:>5} claims: {len(sql)} queries, median {common.ms(times)['median']:.1f} ms")
    return rows


def growth(args, client, reviewer) -> int:
    """Time per claim at 5,000 claims against that at 1,000; the same queries at every size."""
    rows = rolled_back(lambda: growth_rows(args, client, reviewer))
    small, large = rows[-2], rows[-1]

    def per_claim(row):
        return common.stats([t * 1e6 / row["claims"] for t in row["times"]], "µs/claim", f"{row['claims']:,} claims")

    counts = sorted({row["queries"] for row in rows})
    queries = common.comparison(
        f"Queries per request at {rows[0]['claims']:,} to {large['claims']:,} claims",
        common.stats([large["queries"]], "queries", f"{large['claims']:,} claims"),
        common.stats([rows[0]["queries"]], "queries", f"{rows[0]['claims']:,} claims"),
        target="the same at every size",
    )
    queries["met"] = len(counts) == 1
    comparisons = [
        common.comparison(
            f"Time per claim at {large['claims']:,} claims vs at {small['claims']:,}",
            per_claim(large),
            per_claim(small),
            target=f"≤ {MAX_PER_CLAIM_RATIO:g}× (growth roughly linear)",
            limit=MAX_PER_CLAIM_RATIO,
        ),
        queries,
    ]
    lines = [
        [f"{r['claims']:,}", r["queries"], f"{common.ms(r['times'])['median']:.1f}"]
        + [
            f"{common.percentile(r['times'], 95) * 1000:.1f}",
            f"{common.ms(r['times'])['median'] * 1000 / r['claims']:.1f}",
            f"{r['bytes']:,}",
        ]
        for r in rows
    ]
    setup = (
        f"An article of {rows[0]['length']:,} characters (the seed reports, repeated) carrying N claims, mostly "
        "sentence-sized, every tenth nested inside another and every tenth overlapping its neighbours; mixed kinds, "
        "statuses, sources of the corpus (some sensitive) and facts. For each N, the SQL queries of one request, "
        f"then {args.runs} timed requests after 2 warm-up ones; added inside a transaction that is rolled back."
    )
    notes = common.table(["claims", "queries", "median ms", "p95 ms", "µs/claim", "bytes"], lines)
    return common.write_section(
        "growth", args.output, title="Reading view as claims grow", setup=setup, comparisons=comparisons, notes=notes
    )


# ---- dashboard ---------------------------------------------------------------------------------------


def filters() -> list[tuple[str, dict]]:
    from corpus.models import Article, Outlet

    return [
        ("no filter", {}),
        ("kind=state_media", {"kind": "state_media"}),
        ("outlet", {"outlet": Outlet.objects.order_by("pk").first().pk}),
        ("article", {"article": Article.objects.order_by("pk").first().slug}),
        ("status=with_pending", {"status": "with_pending"}),
        ("annotator", {"annotator": "synthetic-annotator-01"}),
        ("published in 2024", {"from": "2024-01-01", "to": "2024-12-31"}),
    ]


def run_sql(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def dashboard_sizes(args, client) -> dict:
    """Queries and times of /dashboard/ and /dashboard.json, each filter, at the corpus's present size: read
    from the summary (as served) and from the claims table (the live query, the summary turned off)."""
    from annotate.models import Claim
    from dashboard import board

    measured = {"claims": Claim.objects.count(), "rows": {}}
    for label, query in filters():
        suffix = f"?{urlencode(query)}" if query else ""
        for endpoint in ("/dashboard/", "/dashboard.json"):
            url = endpoint + suffix
            row = measured["rows"][label, endpoint] = {}
            for summary in (False, True):
                board.SUMMARY = summary
                try:
                    get(client, url)  # warm: templates, the session, the database's caches
                    sql, _ = capture(client, url)
                    times = common.timed(lambda url=url: get(client, url), args.runs, warmup=0)
                finally:
                    board.SUMMARY = True
                row |= {"sql" if summary else "live_sql": sql, "times" if summary else "live_times": times}
        common.log(
            f"  {measured['claims']:,} claims, {label}: {common.ms(row['times'])['median']:.0f} ms from the summary, "
            f"{common.ms(row['live_times'])['median']:.0f} ms live (json)"
        )
    return measured


def raw(args, sql: list[str], live_sql: list[str]) -> tuple[list[float], list[float] | None]:
    """Times of the page's SELECTs run one after the other through a cursor, and of the live query's main
    GROUP BY (fact, kind) over the claims table alone: what the summary has to beat."""
    selects = [s for s in sql if s.lstrip().upper().startswith("SELECT")]
    main = [s for s in live_sql if GROUP_BY_FACT_KIND.search(s)]
    group_by = common.timed(lambda: run_sql(main), args.runs, warmup=1) if main else None
    return common.timed(lambda: run_sql(selects), args.runs, warmup=1), group_by


def short_sql(sql: str) -> str:
    """SQL without table qualifiers, column aliases and quotes, on one line: enough to tell queries apart."""
    sql = re.sub(r' AS "\w+"', "", re.sub(r'"\w+"\.', "", sql))
    return " ".join(sql.replace('"', "").split())


def breakdown(client, url: str) -> list[str]:
    """Where the time of one request goes: each query's time, and what is left for Python."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        get(client, url)
        total = time.perf_counter() - started
    sql = sum(float(query["time"]) for query in queries)
    lines = [f"-- one GET {url}: {total * 1000:.0f} ms, of which SQL {sql * 1000:.0f} ms in {len(queries)} queries --"]
    for query in queries:
        text = short_sql(query["sql"])
        lines.append(f"{float(query['time']) * 1000:>8.0f} ms  {text[:105]}{'...' if len(text) > 105 else ''}")
    return lines + [f"{(total - sql) * 1000:>8.0f} ms  Python: ORM rows, building the dashboard, the template", ""]


def profile(client, url: str) -> list[str]:
    """The functions that take the time of one request (cProfile, which slows Python code down)."""
    profiler = cProfile.Profile()
    profiler.runcall(get, client, url)
    lines = []
    for order, count in (("cumulative", 40), ("tottime", 15)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(count)
        body = out.getvalue().strip().splitlines()
        start = next(i for i, line in enumerate(body) if line.lstrip().startswith("ncalls"))
        lines += [f"-- cProfile of one GET {url}, by {order} --", *body[start:], ""]
    return lines


def dashboard_table(args, sizes: list[dict]) -> tuple[list[list], dict]:
    """A row per size, filter and endpoint; the raw SQL's times at the largest size, by filter."""
    rows, raws = [], {}
    for measured in sizes:
        for (label, endpoint), m in measured["rows"].items():  # /dashboard/ comes before /dashboard.json
            median, cells = common.ms(m["times"])["median"], ["–"] * 4
            live = common.ms(m["live_times"])["median"]
            if measured is sizes[-1]:
                raws[label] = raws.get(label) or raw(args, m["sql"], m["live_sql"])
                selects, group_by = (common.ms(t)["median"] if t else None for t in raws[label])
                if endpoint == "/dashboard/":
                    cells[:2] = [f"{selects:.0f}", f"{median / selects:.2f}"]
                if group_by:
                    cells[2:] = [f"{group_by:.0f}", f"{median / group_by:.2f}"]
            rows.append(
                [f"{measured['claims']:,}", label, endpoint, len(m["sql"]), f"{median:.0f}"]
                + [f"{common.percentile(m['times'], 95) * 1000:.0f}", f"{live:.0f}", *cells]
            )
    return rows, raws


def dashboard_comparisons(sizes: list[dict], raws: dict) -> tuple[list[dict], list]:
    """Each endpoint and filter against the live query's main GROUP BY over the claims (≤ 1×) and against the
    live query itself; the page against its SQL run raw; the same queries at both sizes."""
    full = sizes[-1]
    page = full["rows"]["no filter", "/dashboard/"]
    selects, _ = raws["no filter"]
    n = sum(s.lstrip().upper().startswith("SELECT") for s in page["sql"])
    comparisons = [
        common.comparison(
            f"GET /dashboard/ over {full['claims']:,} claims vs its {n} SELECTs run raw",
            common.ms(page["times"], f"{len(page['sql'])} queries"),
            common.ms(selects, "the same SQL through a cursor"),
            target="≤ 2×",
            limit=2,
        )
    ]
    for (label, endpoint), m in full["rows"].items():
        served = "from the summary" if any("dashboard_claimcount" in s for s in m["sql"]) else "live (fallback)"
        if group_by := raws[label][1]:
            comparisons.append(
                common.comparison(
                    f"GET {endpoint}, {label}, {served}, vs the main GROUP BY (fact, kind) over the claims table",
                    common.ms(m["times"], f"the endpoint, {served}"),
                    common.ms(group_by, "one statement over annotate_claim"),
                    target="≤ 1×",
                    limit=1,
                )
            )
        comparisons.append(
            common.comparison(
                f"GET {endpoint}, {label}: {served} vs the live query",
                common.ms(m["times"], served),
                common.ms(m["live_times"], "the summary turned off"),
                target="(reported)",
            )
        )
    varying = [key for key in full["rows"] if len({len(s["rows"][key]["sql"]) for s in sizes}) > 1]
    between = f"between {sizes[0]['claims']:,} and {full['claims']:,} claims"
    comparisons.append(common.must(f"Endpoints and filters whose query count differs {between}", len(varying), "pairs"))
    return comparisons, varying


def dashboard(args, client, sizes: list[dict]) -> int:
    """/dashboard/ against the main GROUP BY over the claims, the live query and its own SQL; every filter."""
    from dashboard.models import ClaimCount

    rows, raws = dashboard_table(args, sizes)
    comparisons, varying = dashboard_comparisons(sizes, raws)
    head = ["claims", "filter", "endpoint", "queries", "median ms", "p95 ms", "live ms", "its SELECTs raw, ms", "×"]
    notes = [
        common.table([*head, "main GROUP BY over claims, ms", "× GROUP BY"], rows),
        "",
        f"The summary holds {ClaimCount.objects.count():,} rows for {sizes[-1]['claims']:,} claims.",
        "",
        *(f"Query count varies with the size: {label}, {endpoint}." for label, endpoint in varying),
        "Where one request's time goes at the full size:",
        "",
        "```",
    ]
    for _, query in filters()[:3]:
        notes += breakdown(client, "/dashboard/" + (f"?{urlencode(query)}" if query else ""))
    notes += profile(client, "/dashboard/") if args.profile else []
    setup = (
        "`/dashboard/` and `/dashboard.json` through `django.test.Client` as a signed-in reviewer with DEBUG off, with "
        f"no filter and with each filter, median of {args.runs} requests after a warm-up; first over a tenth of the "
        "corpus, then over all of it; each read from the summary (`dashboard_claimcount`, kept by triggers) as "
        "served, and live from the claims table with the summary turned off. The target: each endpoint and filter "
        "at most the time of the live query's main GROUP BY (fact, kind) over the claims table, executed alone "
        "through a cursor. The page is also compared with its own SELECTs run raw (the app's own cost). The "
        "annotator filter is always answered live. The dashboard counts accepted claims by default."
    )
    return common.write_section(
        "dashboard", args.output, title="Dashboard", setup=setup, comparisons=comparisons, notes=[*notes, "```"]
    )


# ---- CSV export: against PostgreSQL's COPY of the same rows; peak memory at each size ---------------------

MIN_EXPORT_RATIO, MIN_JSONL_RATIO, MAX_GROWTH_MB = 0.9, 0.7, 16


def copy_sql(user) -> tuple[str, tuple]:
    """A query giving the export's 27 columns for `user`: the view's filter and order, with the names of kinds,
    sources, facts and users joined in where the export reads them from tables it loads once, a sensitive
    source as its pseudonym (the export's mask), a reviewer's proposed name where there is no source or fact.
    Redacting names inside free text is the export's own work: the query copies the text as stored."""
    from django.db.models import Case, CharField, F, When
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Coalesce
    from django.http import QueryDict

    from annotate.models import Claim, Source, can_see_sensitive
    from annotate.names import pseudonym
    from interchange import columns, export

    sensitive = list(Source.objects.filter(sensitive=True).order_by("pk").values_list("pk", flat=True))
    labels = [None] * max(sensitive, default=0)  # by source id: PostgreSQL's arrays count from 1
    for number, pk in enumerate(sensitive, start=1):
        labels[pk - 1] = pseudonym(number)
    pseudonyms = RawSQL('(%s::text[])["annotate_claim"."source_id"]', (labels,), output_field=CharField())
    name = F("source__name")
    if not can_see_sensitive(user):
        name = Case(When(source__sensitive=True, then=pseudonyms), default=name)
    expressions = {name: expression for name, expression, _ in columns.FETCH}
    computed = {
        "kind": "kind__slug",
        "kind_label": "kind__label",
        "source": Coalesce(name, F("proposed_source")),
        "source_kind": "source__kind__slug",
        "via": expressions["via"],  # the relay chain as JSON text, read with the claim's row
        "fact_slug": "fact__slug",
        "fact_statement": Coalesce(F("fact__statement"), F("proposed_fact")),
        "annotator": "annotator__username",
        "reviewer": "reviewer__username",
        "note": "note",
    }
    selected = [expressions[column.fetched] if column.fetched else computed[column.name] for column in columns.COLUMNS]
    claims = export.select(QueryDict(), Claim.objects.visible_to(user), user=user).claims
    return export.export_order(claims).values_list(*selected).query.sql_with_params()


def drain(chunks) -> int:
    """Write every chunk to /dev/null; the bytes."""
    size = 0
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            size += len(chunk)
            sink.write(chunk)
    return size


def cpu_timed(function) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    size = function()
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size}


def copy_csv(sql: str, params: tuple) -> int:
    """PostgreSQL's COPY of the query to STDOUT as CSV, read through psycopg into /dev/null."""
    from django.db import connection

    connection.ensure_connection()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with connection.connection.cursor() as cursor, cursor.copy(statement, params) as stream:
        return drain(stream)


def peak_memory(url: str) -> dict:
    """Peak RSS (MB) and wall time of `manage.py export_claims` to /dev/null in a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        command = [sys.executable, str(common.HERE / "peak.py"), str(report), "export_claims", "--format", "csv"]
        started = time.perf_counter()
        subprocess.run(
            [*command, "--output", os.devnull, "--no-progress", "--skip-checks"],
            cwd=common.ROOT,
            env=common.app_env(url, common.HERE / ".static"),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        return {"seconds": time.perf_counter() - started, "peak_mb": int(report.read_text()) / 1024}


def export_size(args, client, reviewer, url: str) -> dict:
    """Ours and COPY, alternated so that a busy moment of the machine hits both alike; then peak memory."""
    from annotate.models import Claim

    sql, params = copy_sql(reviewer)

    def ours(url="/export/claims.csv") -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return drain(response.streaming_content)

    ours()  # warm up: the table's pages, the plan, the session
    runs = {"ours": [], "copy": [], "jsonl": []}
    for _ in range(args.export_runs):
        runs["ours"].append(cpu_timed(ours))
        runs["copy"].append(cpu_timed(lambda: copy_csv(sql, params)))
        runs["jsonl"].append(cpu_timed(lambda: ours("/export/claims.jsonl")))
    measured = {"claims": Claim.objects.count(), "runs": runs, "memory": peak_memory(url)}
    common.log(f"  export at {measured['claims']:,} claims: peak RSS {measured['memory']['peak_mb']:.0f} MB")
    return measured


def export(args, sizes: list[dict]) -> int:
    """Rows per second against COPY's at the full size; the export process's memory at each size."""
    small, full = sizes[0], sizes[-1]

    def rate(m, method, label):
        return common.stats([m["claims"] / r["seconds"] for r in m["runs"][method]], "rows/s", label)

    rows = []
    for m in sizes:
        methods = (
            ("ours", "/export/claims.csv"),
            ("jsonl", "/export/claims.jsonl"),
            ("copy", "COPY ... TO STDOUT CSV"),
        )
        for method, label in methods:
            if method not in m["runs"]:
                continue
            r = m["runs"][method]
            seconds = common.stats([x["seconds"] for x in r], "s")["median"]
            cpu = common.stats([x["cpu"] for x in r], "s")["median"]
            rows.append([f"{m['claims']:,}", label, len(r), f"{seconds:.2f}", f"{cpu:.1f}"])
            rows[-1] += [f"{m['claims'] / seconds:,.0f}", f"{r[0]['bytes'] / seconds / 1e6:.1f}", "–"]
        mem = m["memory"]
        rows.append([f"{m['claims']:,}", "export_claims (own process)", 1, f"{mem['seconds']:.2f}", "–"])
        rows[-1] += [f"{m['claims'] / mem['seconds']:,.0f}", "–", f"{mem['peak_mb']:.0f}"]
    peaks = [small["memory"]["peak_mb"], full["memory"]["peak_mb"]]
    comparisons = [
        common.comparison(
            f"CSV of {full['claims']:,} claims: rows per second",
            rate(full, "ours", "GET /export/claims.csv"),
            rate(full, "copy", "COPY (SELECT ...) TO STDOUT CSV"),
            target=f"≥ {MIN_EXPORT_RATIO}×",
            higher_is_better=True,
            limit=MIN_EXPORT_RATIO,
        ),
        common.comparison(
            f"JSON Lines of {full['claims']:,} claims: rows per second",
            rate(full, "jsonl", "GET /export/claims.jsonl"),
            rate(full, "copy", "COPY (SELECT ...) TO STDOUT CSV"),
            target=f"≥ {MIN_JSONL_RATIO}×",
            higher_is_better=True,
            limit=MIN_JSONL_RATIO,
        ),
        common.comparison(
            "Peak memory of an export_claims process",
            common.stats([peaks[1]], "MB", f"{full['claims']:,} claims"),
            common.stats([peaks[0]], "MB", f"{small['claims']:,} claims"),
            target=f"no growth (< {MAX_GROWTH_MB} MB more)",
            limit=(peaks[0] + MAX_GROWTH_MB) / peaks[0],
        ),
    ]
    setup = (
        "The corpus at a tenth of its size, then at the full size. Ours: `GET /export/claims.csv` and "
        "`/export/claims.jsonl` (on PostgreSQL both written by the database: `COPY (SELECT ...) TO STDOUT` with "
        "masking and the formula guard in SQL, `interchange/copying.py`) through "
        "`django.test.Client` as a signed-in reviewer (sensitive names withheld), the stream read to the end; "
        "against PostgreSQL's `COPY (SELECT ...) TO STDOUT WITH CSV` of the same join, masking, order and 27 "
        f"columns through psycopg; {args.export_runs} runs each after one untimed export, alternated. CPU is this "
        "process's (COPY's is mostly the server's). Memory: the peak RSS (VmHWM) of a separate "
        "`manage.py export_claims` process at each size."
    )
    headers = ["claims", "method", "runs", "median s", "CPU s", "rows/s", "MB/s", "peak RSS MB"]
    return common.write_section(
        "export",
        args.output,
        title="CSV export",
        setup=setup,
        comparisons=comparisons,
        notes=common.table(headers, rows),
    )
