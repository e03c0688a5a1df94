"""The pages and downloads around the dashboard on a large corpus: time, size and memory of each request.

Not a step of the suite (it writes no section and has no target): what bench/FINDINGS.md says of the fact
list, the fact page, the graphs and the standard downloads at a million claims was measured with it. On
DATABASE_URL's PostgreSQL, in an existing database of a corpus that bench/synthetic.py built (--database,
kept), or in a scratch one it builds as the suite does (a tenth, then the rest):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/around.py \\
        --database bench1m --runs 3

Each URL is requested through `django.test.Client` with production settings, as the corpus's reviewer and
editor, in a process forked for it (so that one request's peak memory does not hide the next one's): the
median wall time of `--runs` requests after one untimed, the response's bytes, and the most the process
grew during the untimed first request (the response held whole counts: the test client keeps it).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import common
import pages

PAGES = ("/dashboard/", "/dashboard.json", "/facts/", "/facts/{fact}/", "/facts/{fact}/graph/", "/graph/")
DOWNLOADS = (
    "/dashboard.csv",
    "/export/claimreview.jsonld",
    "/export/provenance.jsonld",
    "/export/graph.graphml",
    "/export/graph-nodes.csv",
)


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="an existing database of such a corpus (kept) instead of a scratch one")
    parser.add_argument("--articles", type=int, default=10_000, help="corpus articles to build (default 10,000)")
    parser.add_argument("--claims-per-article", type=int, default=100, help="claims on each (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="timed requests of each URL (default 3)")
    parser.add_argument("--only", help="only the URLs that contain this text")
    return parser.parse_args(argv)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _measured(client, url: str, runs: int) -> str:
    """One URL in a forked process: its line of the table."""
    from django.db import connections

    connections.close_all()  # the child opens its own
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            start_rss = _rss_mb()
            times, size = [], 0
            for run in range(runs + 1):
                started = time.perf_counter()
                response = client.get(url)
                assert response.status_code == 200, f"GET {url}: {response.status_code}"
                body = response.streaming_content if response.streaming else [response.content]
                size = pages.drain(body)
                del response, body
                if run:
                    times.append(time.perf_counter() - started)
                else:  # the first request's peak: later ones may overlap the last one's garbage
                    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start_rss
            line = f"| {url} | {statistics.median(times) * 1000:,.0f} ms | {size:,} | {grown:,.0f} MB |"
        except BaseException as exc:  # noqa: BLE001 -- reported as the URL's line
            line = f"| {url} | failed: {exc!r:.200} | | |"
        os.write(write, line.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        line = pipe.read().decode()
    os.waitpid(pid, 0)
    return line


def measure(args) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from annotate.models import Claim, Fact

    call_command("collectstatic", "--noinput", verbosity=0)  # the pages name their files by the manifest

    users = get_user_model().objects
    reviewer = users.filter(groups__name="reviewer").order_by("pk").first()
    editor = users.filter(groups__name="editor").order_by("pk").first()
    top = Fact.objects.order_by("pk").first()
    print(f"{Claim.objects.count():,} claims, {Fact.objects.count():,} facts; the first fact: {top.slug}")
    for user, urls in ((reviewer, PAGES), (editor, PAGES + DOWNLOADS)):
        print(f"\nAs {user.username} (load average {os.getloadavg()[0]:.1f} at the start)\n")
        print("| URL | time (median) | bytes | process grew |\n|---|--:|--:|--:|")
        client = common.client_for(user)
        for url in urls:
            url = url.format(fact=top.slug)
            if not args.only or args.only in url:
                print(_measured(client, url, args.runs), flush=True)


def main(argv=None) -> int:
    args = arguments(argv)
    base = common.postgres_url("around.py", "the corpus is built as the suite builds it")
    print(f"commit {common.COMMIT}; `{common.command()}`; load average {os.getloadavg()[0]:.1f} at the start")
    if args.database:
        common.setup_django(urlunsplit(urlsplit(base)._replace(path=f"/{args.database}")))
        measure(args)
        return 0
    with common.ScratchDatabase(base) as url:
        common.setup_django(url)
        tenth = args.articles // 10
        for seed, articles in ((1, tenth), (2, args.articles - tenth)):
            common.generate(articles, args.claims_per_article, facts=2_000, sources=500, seed=seed)
        measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
