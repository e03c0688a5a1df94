"""Benchmark the reading view, /articles/<slug>/, as the number of claims on one article grows.

Run with `make bench`. When DATABASE_URL points at PostgreSQL, it works in a scratch database `bench_...`
on that server, which it creates and drops; otherwise (unset, or SQLite) in a temporary SQLite file it
creates and deletes. Your own data is never touched. For one article of
about 20,000 characters carrying N claims, it measures through django.test.Client, as a signed-in
reviewer: SQL queries per request, median and p95 time per request, and the response size. It prints
a table, writes it to bench/results/reading_view-<database vendor>.txt, and exits non-zero when a
target is missed: the same number of queries for every N, and time per claim at the largest N at
most 3x that at the next largest (roughly linear growth).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

import common

SIZES = (10, 100, 1000, 5000)
TEXT_LENGTH = 20_000
MAX_TIME_PER_CLAIM_RATIO = 3.0


def article_text(length: int = TEXT_LENGTH) -> str:
    """News prose of about `length` characters: the seed reports, repeated as needed, cut at a paragraph."""
    reports = [path.read_text(encoding="utf-8").strip() for path in sorted(common.SEED.glob("*.txt"))]
    paragraphs = [p.strip() for report in reports for p in report.split("\n\n") if p.strip()]
    text, i = "", 0
    while len(text) < length:
        text += ("\n\n" if text else "") + paragraphs[i % len(paragraphs)]
        i += 1
    return text


def spans(length: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """n spans over [0, length): mostly sentence-sized and disjoint, every tenth nested in the one
    before it, every tenth overlapping its neighbours, so no character is covered more than a few times.
    """
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


def populate(n: int, article, kinds, reviewer, editor, rng: random.Random) -> None:
    from annotate.models import Claim, Fact, Source
    from annotate.spans import context

    Claim.objects.filter(article=article).delete()
    sources = [
        Source.objects.get_or_create(
            name=f"Source {j}", defaults={"kind": kinds[j % len(kinds)], "sensitive": j % 5 == 0}
        )[0]
        for j in range(37)
    ]
    facts = [
        Fact.objects.get_or_create(slug=f"fact-{j}", defaults={"statement": f"Reported fact number {j}"})[0]
        for j in range(12)
    ]
    claims = []
    for i, (start, end) in enumerate(spans(len(article.text), n, rng)):
        prefix, suffix = context(article.text, start, end)
        accepted = i % 4 == 0
        claims.append(
            Claim(
                article=article,
                start=start,
                end=end,
                exact=article.text[start:end],
                prefix=prefix,
                suffix=suffix,
                kind=kinds[i % len(kinds)],
                source=sources[i % len(sources)] if i % 3 else None,
                fact=facts[i % len(facts)] if i % 2 else None,
                note="Checked against the original release." if i % 5 == 0 else "",
                annotator=reviewer if i % 2 else editor,
                status=Claim.Status.ACCEPTED if accepted else Claim.Status.PENDING,
                reviewer=editor if accepted else None,
            )
        )
    Claim.objects.bulk_create(claims, batch_size=500)
    assert Claim.objects.filter(article=article).count() == n


def measure(client, url: str, n: int, runs: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm caches: templates, the session, the database's
        assert client.get(url).status_code == 200
    reset_queries()  # the request resets the query log when it starts: capture from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.content.count(b'<span class="anchor" id="claim-') == n, "every claim is rendered"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return {
        "queries": len(queries),
        "median": statistics.median(times),
        "p95": common.percentile(times, 95),
        "bytes": len(response.content),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per size (default 20)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="claim counts (default 10,100,1000,5000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the claim spans")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]

    base_url = os.environ.get("DATABASE_URL") or None
    with common.ScratchDatabase(base_url) as url:
        common.setup_django(url)
        from django.db import connection

        from annotate.models import ProvenanceKind
        from corpus.importing import sha256
        from corpus.models import Article, Outlet

        text = article_text()
        article = Article.objects.create(
            slug="bench-reading-view",
            title="Benchmark: a long report with many claims",
            outlet=Outlet.objects.create(name="Bench Outlet"),
            text=text,
            text_sha256=sha256(text),
        )
        reviewer = common.create_user("bench-reviewer", "reviewer")
        editor = common.create_user("bench-editor", "editor")
        kinds = list(ProvenanceKind.objects.active())
        client = common.client_for(reviewer)
        url = article.get_absolute_url()

        rows = []
        rng = random.Random(args.seed)
        for n in sizes:
            populate(n, article, kinds, reviewer, editor, rng)
            row = {"claims": n, **measure(client, url, n, args.runs)}
            rows.append(row)
            print(f"  {n:>5} claims: {row['queries']} queries, median {row['median'] * 1000:.1f} ms", file=sys.stderr)
        details = [f"article: {len(text):,} characters; {args.runs} timed requests per size after 2 warm-up requests"]
        head = common.header("Reading view benchmark", connection, details, common.command_line(base_url, __file__))
        vendor = connection.vendor

    table = [f"{'claims':>7} {'queries':>8} {'median ms':>10} {'p95 ms':>8} {'us/claim':>9} {'bytes':>10}"]
    for row in rows:
        table.append(
            f"{row['claims']:>7} {row['queries']:>8} {row['median'] * 1000:>10.1f} {row['p95'] * 1000:>8.1f}"
            f" {row['median'] / row['claims'] * 1e6:>9.1f} {row['bytes']:>10,}"
        )

    failures = []
    query_counts = sorted({row["queries"] for row in rows})
    if len(query_counts) > 1:
        failures.append(f"query count varies with the number of claims: {query_counts}")
    if len(rows) >= 2:
        small, large = rows[-2], rows[-1]
        ratio = (large["median"] / large["claims"]) / (small["median"] / small["claims"])
        verdict = "ok" if ratio <= MAX_TIME_PER_CLAIM_RATIO else "TOO SLOW"
        table.append(
            f"time per claim at {large['claims']} / at {small['claims']}: {ratio:.2f} "
            f"(target <= {MAX_TIME_PER_CLAIM_RATIO:g}): {verdict}"
        )
        if ratio > MAX_TIME_PER_CLAIM_RATIO:
            failures.append(f"time grows faster than linearly: per-claim ratio {ratio:.2f}")
    table.append(f"queries constant across sizes: {'yes' if len(query_counts) == 1 else 'NO'}")

    return common.write_report("reading_view", vendor, head, table, failures)


if __name__ == "__main__":
    sys.exit(main())
