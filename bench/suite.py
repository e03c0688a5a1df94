"""The benchmark suite: every step, each against a baseline of the same run; writes bench/RESULTS.md.

The steps reading, growth, dashboard and export run in this process, on a synthetic corpus that it builds
in a scratch database with bench/synthetic.py (10,000 articles of about 3,000 characters, 1,000,000
claims) in two stages: the dashboard and the export are measured at a tenth of it and at all of it. The
steps load, queue, imports and labelstudio are scripts of their own (load.py, review_queue.py, imports.py,
labelstudio.py), run one after the other, each building what it measures in a scratch database of its own.
Every step writes results/<step>.json beside the results file; this script turns them into that file.

`make bench` runs it on PostgreSQL (DATABASE_URL if it points at PostgreSQL, else the local server);
`make bench-quick` passes --quick: the reading view and the dashboard at small sizes on DATABASE_URL
(SQLite by default), written to bench/out/quick.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import traceback
from pathlib import Path

import common
import lean
import pages

STEPS = (
    "reading",
    "growth",
    "large",
    "tagging",
    "dashboard",
    "export",
    "load",
    "queue",
    "imports",
    "reanchor",
    "labelstudio",
    "replica",
    "suggestions",
    "masking",
)
SCRIPTS = {
    "load": "load.py",
    "queue": "review_queue.py",
    "imports": "imports.py",
    "reanchor": "reanchor.py",
    "labelstudio": "labelstudio.py",
    "replica": "replica.py",
    "suggestions": "suggestions.py",
    "masking": "masking.py",
}
ON_CORPUS = ("reading", "growth", "large", "tagging", "dashboard", "export")
# Fewer than 999 facts: SQLite reads longer lists of ids in batches, which would add a query at the full size.
QUICK = {"steps": "reading,growth,dashboard", "articles": 200, "claims_per_article": 50, "facts": 500, "runs": 3}
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
MAKE_TARGETS = {(): "bench", ("--quick",): "bench-quick"}


def arguments(argv: list[str] | None):
    parser = common.parser(__doc__)
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--articles", type=int, default=10_000, help="corpus articles (default 10,000)")
    parser.add_argument("--claims-per-article", type=int, default=100, help="claims on each (default 100)")
    parser.add_argument("--facts", type=int, default=2_000, help="facts in the corpus (default 2,000)")
    parser.add_argument("--sources", type=int, default=500, help="sources in the corpus (default 500)")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per measurement (default 7)")
    parser.add_argument("--export-runs", type=int, default=3, help="timed exports per method and size (default 3)")
    parser.add_argument("--profile", action="store_true", help="add a cProfile listing of one /dashboard/ request")
    parser.add_argument("--quick", action="store_true", help="small sizes, reading and dashboard, any database")
    if "--quick" in (sys.argv[1:] if argv is None else argv):
        parser.set_defaults(output=common.HERE / "out" / "quick.md", **QUICK)
    args = common.parse(parser, argv, neutral=("output", "steps", "profile", "quick"))
    args.steps = [s for s in args.steps.split(",") if s]
    if unknown := set(args.steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    return args


def database(args) -> str | None:
    """The server the steps use: DATABASE_URL; without --quick only PostgreSQL will do."""
    if not args.quick and common.vendor_of(common.DATABASE_URL) != "postgresql":
        common.log(f"bench: the suite runs on PostgreSQL; using {DEFAULT_POSTGRES}")
        return DEFAULT_POSTGRES
    return common.DATABASE_URL


def attempt(statuses: dict, step: str, function, *args):
    """function(*args), unless the step has already failed; a failure is recorded and the other steps go on."""
    if step in statuses:
        return None
    try:
        return function(*args)
    except Exception as exc:
        traceback.print_exc()
        statuses[step] = f"failed: {type(exc).__name__}: {exc}"
        return None


def build(args, stage: int) -> float:
    """The first tenth of the corpus (stage 0) or the rest of it (stage 1); seconds."""
    tenth = args.articles // 10
    articles = tenth if stage == 0 else args.articles - tenth
    common.log(f"== corpus: {articles:,} articles × {args.claims_per_article} claims ==")
    options = {"facts": args.facts, "sources": args.sources, "seed": 1 + stage}
    return common.generate(articles, args.claims_per_article, **options)


def on_corpus(args, base_url: str | None, steps: list[str], statuses: dict) -> dict:
    """The steps that share the suite's corpus; what the corpus held."""
    from_sizes = {"dashboard": [], "export": []}
    with common.ScratchDatabase(base_url) as url:
        common.setup_django(url)
        from django.core.management import call_command

        call_command("collectstatic", "--noinput", verbosity=0)
        reviewer = common.make_users("bench-reader", 1, "reviewer")[0]
        client = common.client_for(reviewer)
        seconds = 0.0
        for stage in (0, 1):
            seconds += build(args, stage)
            if "dashboard" in steps:
                from_sizes["dashboard"].append(attempt(statuses, "dashboard", pages.dashboard_sizes, args, client))
            if "export" in steps:
                from_sizes["export"].append(attempt(statuses, "export", pages.export_size, args, client, reviewer, url))
        calls = {
            "reading": (pages.reading, args, client, reviewer),
            "growth": (pages.growth, args, client, reviewer),
            "large": (lean.large, args, client, reviewer),
            "tagging": (lean.tagging, args, client, reviewer),
            "dashboard": (pages.dashboard, args, client, from_sizes["dashboard"]),
            "export": (pages.export, args, from_sizes["export"]),
        }
        for step in steps:
            common.log(f"\n== {step} ==")
            code = attempt(statuses, step, *calls[step])
            statuses.setdefault(step, "ok" if code == 0 else "a target missed")
        return corpus_counts(seconds)


def corpus_counts(seconds: float) -> dict:
    from annotate.models import Claim, Fact, Source
    from corpus.models import Article

    counts = {"articles": Article.objects.count(), "claims": Claim.objects.count()}
    return {"seconds": seconds, **counts, "facts": Fact.objects.count(), "sources": Source.objects.count()}


def run_script(step: str, base_url: str, args) -> str:
    """A step that is a script of its own: it makes its own scratch database on the same server."""
    common.log(f"\n== {step}: {SCRIPTS[step]} ==")
    env = os.environ | {"DATABASE_URL": base_url}
    command = [sys.executable, str(common.HERE / SCRIPTS[step]), "--output", str(args.output)]
    code = subprocess.run(command, env=env, cwd=common.ROOT).returncode
    return {0: "ok", 1: "a target missed"}.get(code, f"failed: exit status {code}")


def summary(sections: dict[str, dict], statuses: dict[str, str]) -> list[str]:
    lines = ["| step | comparison | ours | baseline | ratio | target | met |", "|---|---|--:|--:|--:|---|---|"]
    for section in sections.values():
        lines += [
            f"| {section['title']} | {row['name']} " + common.comparison_row(row) for row in section["comparisons"]
        ]
    problems = {step: status for step, status in statuses.items() if status not in ("ok", "earlier")}
    return lines + ["", *(f"- **{step}**: {status}." for step, status in problems.items())]


def _corpora(folder: Path, corpus: dict | None, steps: list[str]) -> dict[str, dict]:
    """The corpus each step that shares one was last measured on (results/corpus.json), this run's steps updated.

    A run of some steps on a smaller corpus (`--steps tagging --articles 200`) must not relabel the sections
    it keeps from a run at the full size."""
    path = folder / "corpus.json"
    corpora = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if "articles" in corpora:  # the file as it was before: one corpus, said to be every step's
        corpora = dict.fromkeys(ON_CORPUS, corpora)
    if corpus:
        corpora |= dict.fromkeys(steps, corpus)
        path.write_text(json.dumps(corpora, indent=1) + "\n", encoding="utf-8")
    return {step: corpora[step] for step in ON_CORPUS if step in corpora}


def _corpora_line(corpora: dict[str, dict]) -> str:
    """Which corpus each step was measured on, one sentence per corpus."""
    by_corpus: dict[str, list[str]] = {}
    for step, corpus in corpora.items():
        by_corpus.setdefault(json.dumps(corpus, sort_keys=True), []).append(step)
    sentences = []
    for key, steps in by_corpus.items():
        corpus = json.loads(key)
        built = f" in {corpus['seconds']:.0f} s" if "seconds" in corpus else ""
        sentences.append(
            f"The corpus of {', '.join(steps[:-1]) + ' and ' if len(steps) > 1 else ''}{steps[-1]}: "
            f"{corpus['articles']:,} articles, {corpus['claims']:,} claims, {corpus['facts']:,} facts, "
            f"{corpus['sources']:,} sources, built by bench/synthetic.py{built}."
        )
    return " ".join(sentences) + " The other steps build what they measure."


def write_results(args, started: dt.datetime, statuses: dict[str, str], corpus: dict | None) -> None:
    """The results file from the sections in results/ beside it, in the order of STEPS."""
    folder = common.sections_dir(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    corpora = _corpora(folder, corpus, [step for step in args.steps if step in ON_CORPUS])
    sections = {}
    for step in STEPS:
        if (folder / f"{step}.json").exists():
            sections[step] = json.loads((folder / f"{step}.json").read_text(encoding="utf-8"))
            statuses.setdefault(step, "earlier")  # a step this run did not repeat keeps its last section
    lines = [
        "# Benchmark results",
        "",
        f"Written {started:%Y-%m-%d %H:%M} UTC by `{common.command()}`. Each section says when, on what machine, at "
        "which commit and by which command it was measured: a run of some steps keeps the others' last sections.",
        "",
        "Each row compares ours with a baseline measured in the same run: medians, with min–max over the "
        "repetitions in brackets. The ratio is ours / baseline.",
        "",
    ]
    if corpora:
        lines += [_corpora_line(corpora), ""]
    lines += ["## Summary", "", *summary(sections, statuses), ""]
    findings = common.HERE / "FINDINGS.md"  # what the full run's figures mean, written by hand
    if args.output == common.RESULTS_FILE and findings.exists():
        lines += [findings.read_text(encoding="utf-8"), ""]
    for section in sections.values():
        lines += [*common.render(section), "", section.get("notes", ""), ""]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    base_url = database(args)
    os.environ.update(BENCH_COMMAND=common.command(MAKE_TARGETS), BENCH_COMMIT=common.COMMIT)
    started, statuses, corpus = dt.datetime.now(dt.UTC), {}, None
    for step in args.steps:
        (common.sections_dir(args.output) / f"{step}.json").unlink(missing_ok=True)
        if step in ("export", *SCRIPTS) and common.vendor_of(base_url) != "postgresql":
            statuses[step] = "skipped: needs PostgreSQL"
    if steps := [s for s in args.steps if s in ON_CORPUS and s not in statuses]:
        corpus = on_corpus(args, base_url, steps, statuses)
    for step in [s for s in args.steps if s in SCRIPTS and s not in statuses]:
        statuses[step] = run_script(step, base_url, args)
    write_results(args, started, statuses, corpus)
    common.log(f"\nwrote {common.rel(args.output)}")
    failed = {step: status for step, status in statuses.items() if status not in ("ok", "earlier")}
    for step, status in failed.items():
        common.log(f"  {step}: {status}")
    # The targets are set for the full sizes on PostgreSQL: a quick run reports a missed one without failing.
    ignored = ("skipped", "a target missed") if args.quick else ("skipped",)
    return 1 if any(not status.startswith(ignored) for status in failed.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
