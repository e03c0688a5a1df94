"""Two suite steps on the suite's corpus: what one tag costs as an article's claims grow, and the reading view
of a long article (200,000 characters, 10,000 claims) against the same article empty.

`tagging`: the browser's tag (an htmx POST answered with out-of-band swaps of what changed) on an article
with 1 claim and on the same article with 1,000 dense claims: at most 1.5× the time, the same queries.
`large`: GET of a 200,000-character article with 10,000 claims against the same article with none: at most
3× the time, the same queries. Both run inside transactions that are rolled back.
"""

from __future__ import annotations

import random

import common
from pages import capture, claim, cold, dense_spans, get, growth_text, rolled_back

TAG_CLAIMS = 1_000
TAG_LIMIT = 1.5
LARGE_TEXT, LARGE_CLAIMS, LARGE_LIMIT = 200_000, 10_000, 3.0


def _post(client, url: str, data: dict):
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 201, f"POST {url}: {response.status_code} {response.content[:300]!r}"
    assert b"hx-swap-oob" in response.content, "the tag was not answered with out-of-band swaps"
    return response


def tagging(args, client, reviewer) -> int:
    """A tag on an article with 1 claim against a tag on the same article with 1,000 dense claims."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from annotate.models import Claim, ProvenanceKind
    from corpus.models import Article

    article = Article.objects.order_by("pk")[1]
    url, kinds = f"{article.get_absolute_url()}claims/", list(ProvenanceKind.objects.all())
    # Spans to tag: word-sized, each new; the kind the reviewer has not used on them.
    words = [(m, m + 5) for m in range(0, len(article.text) - 5, 7) if article.text[m : m + 5].strip()]
    rng = random.Random(11)
    rng.shuffle(words)
    spans = iter(words)

    def one_tag():
        start, end = next(spans)
        return _post(client, url, {"start": start, "end": end, "exact": article.text[start:end], "kind": "expert"})

    def measure(n: int) -> dict:
        reset_queries()  # the request resets the log when it starts: capture from an empty one
        with CaptureQueriesContext(connection) as queries:
            size = len(one_tag().content)
        count = len(queries)  # now: the captured list is read from the connection's log, which later requests reset
        times = common.timed(one_tag, args.runs)
        return common.ms(times, f"{n:,} claims on the article, {count} queries, {size:,} bytes") | {"queries": count}

    def both():
        Claim.objects.filter(article=article).delete()
        Claim.objects.bulk_create([claim(article, 0, 10, kind=kinds[0], annotator=reviewer)])
        one = measure(1)
        spans_ = dense_spans(len(article.text), TAG_CLAIMS, random.Random(7))
        Claim.objects.bulk_create(
            claim(article, start, end, kind=kinds[i % len(kinds)], annotator=reviewer, status="accepted")
            for i, (start, end) in enumerate(spans_)
        )
        return one, measure(TAG_CLAIMS)

    one, dense = rolled_back(both)
    row = common.comparison(
        f"POST {url} (htmx) on an article with {TAG_CLAIMS:,} dense claims vs with 1",
        dense,
        one,
        target=f"≤ {TAG_LIMIT}× the time; the same number of queries",
        limit=TAG_LIMIT,
    )
    row["met"] = row["met"] and dense["queries"] == one["queries"]
    setup = (
        f"The tag panel's request (an htmx POST of a 5-character span, kind `expert`) through `django.test.Client` "
        f"as a signed-in reviewer with DEBUG off, on one corpus article ({len(article.text):,} characters): first "
        f"with one claim, then with {TAG_CLAIMS:,} claims of 20-200 characters at random (most characters under "
        f"dozens of claims). {args.runs} timed tags after 2 warm-up ones, each on a new span; the answer is the "
        "out-of-band fragments (the passages under the new claim, its sidebar entry, the counts), not the page. "
        "Everything is rolled back afterwards. The queries include the session, the user and the permissions."
    )
    return common.write_section("tagging", args.output, title="Tagging cost", setup=setup, comparisons=[row])


def large(args, client, reviewer) -> int:
    """A 200,000-character article with 10,000 claims against the same article with none."""
    from annotate.models import Claim, ProvenanceKind
    from corpus.importing import sha256
    from corpus.models import Article

    text = growth_text()
    while len(text) < LARGE_TEXT:
        text += "\n\n" + text
    text = text[:LARGE_TEXT]
    kinds = list(ProvenanceKind.objects.all())

    def measure(url: str, n: int) -> tuple[dict, dict]:
        sql, size = capture(client, url)
        return common.ms(
            common.timed(lambda: get(client, url, n), args.runs), f"{n:,} claims, {len(sql)} queries, {size:,} bytes"
        ) | {"queries": len(sql)}, cold(client, url, n, args.runs)

    def both():
        article = Article.objects.create(
            slug="bench-large", title="A long article", text=text, text_sha256=sha256(text), language="en"
        )
        url = article.get_absolute_url()
        empty = measure(url, 0)
        spans = dense_spans(len(text), LARGE_CLAIMS, random.Random(5))
        Claim.objects.bulk_create(
            claim(article, start, end, kind=kinds[i % len(kinds)], annotator=reviewer, status="accepted")
            for i, (start, end) in enumerate(spans)
        )
        return empty, measure(url, LARGE_CLAIMS)

    (empty, empty_cold), (full, full_cold) = rolled_back(both)
    row = common.comparison(
        f"GET /articles/bench-large/ ({LARGE_TEXT:,} characters) with {LARGE_CLAIMS:,} claims vs none",
        full,
        empty,
        target=f"≤ {LARGE_LIMIT}× the time; the same number of queries",
        limit=LARGE_LIMIT,
    )
    row["met"] = row["met"] and full["queries"] == empty["queries"]
    first = common.comparison(
        "The same, each request the first since the rendered bodies were forgotten (the window drawn anew)",
        full_cold,
        empty_cold,
        target="(reported)",
    )
    setup = (
        f"An article of {LARGE_TEXT:,} characters (the seed reports repeated), first with no claims, then with "
        f"{LARGE_CLAIMS:,} claims of 20-200 characters at random, all nine kinds; through `django.test.Client` "
        f"as a signed-in reviewer with DEBUG off, {args.runs} timed requests after 2 warm-up ones each way. "
        "Rolled back afterwards. The page sends the first passages (about 6,000 characters) and the first 50 claims "
        "of the sidebar, the rest on demand (annotate/reading.py); the second row times requests that each find "
        "the memory of rendered bodies empty."
    )
    return common.write_section(
        "large", args.output, title="Reading view, long article", setup=setup, comparisons=[row, first]
    )
