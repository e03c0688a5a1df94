"""Importing articles: 10,000 text files through `manage.py import_articles`, against PostgreSQL's COPY.

It writes synthetic news reports (English, Korean, emoji; some with a byte-order mark, Windows line endings
or decomposed Hangul) in 100 folders with a manifest.toml, imports them into a scratch database on
DATABASE_URL's PostgreSQL, imports them again (all unchanged), checks that every file was stored as it
is, and COPYs the same rows into the same table. No target is set for the ratio: it is reported, and the
script exits non-zero only when an import fails or stores something other than what the files hold.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import common

FILES = 10_000
PER_FOLDER = 100
OUTLETS = 25
COPY_RUNS = 3

PLACES = ["Pyongyang", "Kaesong", "Hyesan", "Nampo", "Sinuiju", "Chongjin", "Wonsan", "Hamhung", "Rason"]
WHO = [
    "The central election committee",
    "KCNA",
    "A resident of {place}",
    "Analysts at the institute",
    "South Korea's unification ministry",
    "A defector who left in {year}",
    "Officials in {place}",
    "The outlet's correspondent",
    "A trader in {place}",
    "Yonhap, citing a government source,",
]
SAID = ["said", "reported", "claimed", "told reporters", "wrote", "denied", "confirmed"]
WHAT = [
    "that turnout was {pct}% in {place}",
    "that {n} candidates stood unopposed",
    "that the vote had been moved up by {n} days",
    "that the price of rice rose {pct}% in a month",
    "that {n:,} people attended the rally in {place}",
    'that "nobody dared to use the red box"',
    "that the figures were meant for an audience abroad",
    "that the broadcast showed no contested count",
]
HANGUL = [
    "조선중앙통신은 투표율이 {pct}%라고 보도했다.",
    "{n}명의 주민들은 반대표를 던지는 것은 불가능하다고 말했다.",
    "전문가들은 이번 선거 결과가 대외 선전용이라고 분석했다.",
    "쌀값이 한 달 사이 {pct}% 올랐다고 소식통이 전했다.",
    "통일부는 보도된 수치에 대해 언급을 거부했다.",
]
EMOJI = ["🗳️", "📈", "😐", "📻", "🇰🇵", "🧾"]


def seed_sentences() -> list[str]:
    sentences = []
    for path in sorted(common.SEED.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            sentences += [s.strip() + "." for s in line.split(". ") if len(s.strip()) > 30]
    return sentences


def report_text(number: int, rng: random.Random, seeds: list[str], korean: bool) -> tuple[str, str]:
    """(title, text) of one synthetic report; the number makes both unique."""
    place = rng.choice(PLACES)
    title = (
        f"{place} 선거 보도 {number:05d}: 투표율 {rng.randint(90, 99)}.{rng.randint(10, 99)}%"
        if korean
        else f"Report {number:05d}: {rng.choice(WHO).format(place=place, year=rng.randint(2010, 2023))} on {place}"
    )
    date = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
    parts = [title, "", f"{place}, {date:%d %B %Y}", ""]
    length, target = sum(len(p) + 1 for p in parts), rng.randint(2_000, 4_000)
    paragraph: list[str] = []
    while length < target:
        values = {"place": rng.choice(PLACES), "year": rng.randint(2010, 2023), "pct": rng.randint(1, 99)}
        values["n"] = rng.randint(2, 40_000)
        roll = rng.random()
        if (korean and roll < 0.7) or roll < 0.08:
            sentence = rng.choice(HANGUL).format(**values)
        elif roll < 0.5:
            sentence = rng.choice(seeds)
        else:
            sentence = f"{rng.choice(WHO)} {rng.choice(SAID)} {rng.choice(WHAT)}.".format(**values)
        if rng.random() < 0.04:
            sentence += f" {rng.choice(EMOJI)}"
        paragraph.append(sentence)
        length += len(sentence) + 1
        if len(paragraph) >= rng.randint(3, 6):
            parts += [" ".join(paragraph), ""]
            paragraph = []
    if paragraph:
        parts.append(" ".join(paragraph))
    return title, "\n".join(parts).rstrip() + "\n"


def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_files(folder: Path, count: int, seed: int) -> list[dict]:
    """The files and their manifest; what each should become, as the import will store it."""
    rng = random.Random(seed)
    seeds = seed_sentences()
    outlets = [f"Bench Outlet {i:02d}" for i in range(OUTLETS)]
    entries, manifest = [], ["# Written by bench/imports.py: one table per file.", ""]
    for number in range(1, count + 1):
        korean = rng.random() < 0.15
        title, text = report_text(number, rng, seeds, korean)
        name = f"{(number - 1) // PER_FOLDER:03d}/report-{number:05d}.txt"
        raw = text
        roll = rng.random()
        if roll < 0.03:
            raw = "\ufeff" + raw  # a byte-order mark
        elif roll < 0.10:
            raw = raw.replace("\n", "\r\n")  # Windows line endings
        elif roll < 0.13:
            raw = unicodedata.normalize("NFD", raw)  # Hangul as jamo, accents apart
        path = folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw.encode("utf-8"))
        meta = {
            "title": title,
            "outlet": outlets[int(OUTLETS * rng.random() ** 1.5)],
            "published": dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700)),
            "language": "ko" if korean else "en",
        }
        if rng.random() < 0.5:
            meta["author"] = f"Reporter {rng.randint(1, 300)}"
        if rng.random() < 0.5:
            meta["source_url"] = f"https://news.example/{number:05d}"
        manifest.append(f'[files."{name}"]')
        manifest += [f"{k} = {v.isoformat() if isinstance(v, dt.date) else toml_string(v)}" for k, v in meta.items()]
        manifest.append("")
        entries.append({"path": path, "name": name, **meta})
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    return entries


def expected_rows(entries: list[dict]) -> list[dict]:
    """What the import should store for each file: the normalised text, its hash and slug, the manifest's fields."""
    from django.utils.text import slugify

    from corpus.importing import SLUG_MAX, decode, sha256

    rows = []
    for entry in entries:
        text = decode(entry["path"].read_bytes())
        base = slugify(entry["title"])[:SLUG_MAX].rstrip("-") or "article"
        if len(base) == SLUG_MAX and "-" in base:
            base = base.rsplit("-", 1)[0]
        rows.append(
            {
                "slug": base,
                "title": entry["title"],
                "outlet": entry["outlet"],
                "author": entry.get("author", ""),
                "published": entry["published"],
                "source_url": entry.get("source_url", ""),
                "language": entry["language"],
                "text": text,
                "text_sha256": sha256(text),
                "source_file": entry["path"].name,
            }
        )
    slugs = [row["slug"] for row in rows]
    assert len(set(slugs)) == len(slugs), "the synthetic titles give unique slugs"
    return rows


def run_import(folder: Path, env: dict[str, str], log: Path) -> tuple[float, str, int]:
    """(seconds, summary line, exit status) of one `manage.py import_articles FOLDER --no-progress`."""
    command = [sys.executable, "manage.py", "import_articles", str(folder), "--no-progress"]
    with log.open("w") as out:
        started = time.perf_counter()
        result = subprocess.run(command, cwd=common.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return seconds, lines[-1] if lines else "", result.returncode


def check_stored(rows: list[dict]) -> list[str]:
    """Differences between what the import stored and what the files hold."""
    from corpus.models import Article

    stored = {
        a["text_sha256"]: a
        for a in Article.objects.values(
            "slug",
            "title",
            "outlet__name",
            "author",
            "published",
            "source_url",
            "language",
            "text",
            "text_sha256",
            "source_file",
        )
    }
    problems = []
    if len(stored) != len(rows):
        problems.append(f"{len(stored):,} articles stored for {len(rows):,} files")
    for row in rows:
        got = stored.get(row["text_sha256"])
        if got is None:
            problems.append(f"{row['source_file']}: not stored")
            continue
        got["outlet"] = got.pop("outlet__name")
        differing = [key for key, value in row.items() if got[key] != value]
        if differing:
            problems.append(f"{row['source_file']}: {', '.join(differing)} differ")
    return problems


def copy_rows(rows: list[dict]) -> float:
    """Empty corpus_article, then COPY the rows into it in one transaction; the seconds that took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from corpus.models import Article, Outlet

    outlets = dict(Outlet.objects.values_list("name", "pk"))
    now = timezone.now()
    columns = ["slug", "title", "outlet_id", "author", "published", "source_url", "language", "text"]
    columns += ["text_sha256", "source_file", "independent", "created", "updated"]
    values = [
        [row["slug"], row["title"], outlets[row["outlet"]], row["author"], row["published"], row["source_url"]]
        + [row["language"], row["text"], row["text_sha256"], row["source_file"], False, now, now]
        for row in rows
    ]
    table = Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
        cursor.execute("CHECKPOINT")  # the runs start alike: no dirty pages left over from the one before
    connection.ensure_connection()
    started = time.perf_counter()
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with transaction.atomic(), connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)
    seconds = time.perf_counter() - started
    assert Article.objects.count() == len(rows)
    return seconds


def measure(args, url: str, tmp: Path) -> dict:
    """Write the files, import them twice, check what was stored, then COPY the same rows."""
    from django.db import connection

    folder, empty = tmp / "articles", tmp / "empty"
    folder.mkdir()
    empty.mkdir()
    entries = write_files(folder, args.files, args.seed)
    rows = expected_rows(entries)
    m = {"files": len(entries), "bytes": sum(e["path"].stat().st_size for e in entries)}
    m["characters"] = sum(len(row["text"]) for row in rows)
    common.log(f"{m['files']:,} files ({m['bytes'] / 1e6:.1f} MB) written")
    env = common.app_env(url, tmp / "static")
    m["startup"] = run_import(empty, env, tmp / "startup.log")[0]
    connection.close()
    for run in ("first", "second"):
        m[run] = run_import(folder, env, tmp / f"{run}.log")
        common.log(f"import ({run}): {m[run][1]} in {m[run][0]:.1f} s")
    m["problems"] = check_stored(rows)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        m["synchronous_commit"] = cursor.fetchone()[0]
    m["copies"] = [copy_rows(rows) for _ in range(args.copy_runs)]
    m["logs"] = {run: (tmp / f"{run}.log").read_text(errors="replace") for run in ("first", "second")}
    return m


def failures(m: dict) -> list[str]:
    n, found = m["files"], []
    expect = {"first": f"{n} created, 0 unchanged, 0 failed", "second": f"0 created, {n} unchanged, 0 failed"}
    for run in ("first", "second"):
        _, summary, code = m[run]
        if code or summary != expect[run]:
            found.append(f"{run} import: exit status {code}, {summary!r} (expected {expect[run]!r})")
            common.log(f"--- {run} import, last lines ---\n" + "\n".join(m["logs"][run].splitlines()[-20:]))
    if m["problems"]:
        found.append(f"{len(m['problems'])} files not stored as they are: " + "; ".join(m["problems"][:5]))
    return found


def report(args, m: dict) -> int:
    n, (first, second), copies = m["files"], (m["first"][0], m["second"][0]), m["copies"]
    copy_median = common.stats(copies, "s")["median"]
    problems = failures(m)
    baseline = common.stats([n / s for s in copies], "articles/s", "COPY corpus_article FROM STDIN")
    comparisons = [
        common.comparison(
            f"import_articles of {n:,} new files against COPY of the same rows",
            common.stats([n / first], "articles/s", "import_articles, all new"),
            baseline,
            target="none given (reported)",
            higher_is_better=True,
        ),
        common.comparison(
            f"import_articles of the same {n:,} files again (all unchanged) against COPY",
            common.stats([n / second], "articles/s", "import_articles, all unchanged"),
            baseline,
            target="none given (reported)",
            higher_is_better=True,
        ),
        common.must("Imports that failed or stored something other than the files", len(problems), "problems"),
    ]
    setup = (
        f"- Data: {n:,} synthetic reports of 2,000–4,000 characters ({m['characters'] / n:,.0f} on average, "
        f"{m['bytes'] / 1e6:.1f} MB), in {n // PER_FOLDER} folders of {PER_FOLDER} with a manifest.toml naming every "
        f"file (title, one of {OUTLETS} outlets, date, language; half with an author and a source address). About "
        "one in seven is mostly Korean, some carry emoji; 3% start with a byte-order mark, 7% have Windows line "
        "endings, 3% Hangul in decomposed form.\n"
        "- Ours: `manage.py import_articles <folder> --no-progress` as a subprocess with production settings, timed "
        f"from start to exit (its {m['startup']:.1f} s of start-up included), into an empty scratch database; then "
        "the same command again. PostgreSQL's default configuration "
        f"(`synchronous_commit` {m['synchronous_commit']}).\n"
        "- Baseline: `COPY corpus_article (...) FROM STDIN` through psycopg of the same rows (normalised text, "
        "slugs and hashes computed beforehand, outlets already there) into the same table emptied with TRUNCATE "
        f"and a CHECKPOINT, in one transaction; {len(copies)} times."
    )
    rows = [
        ["import_articles, all new", f"{first:.2f}", f"{n / first:,.0f}", f"{copy_median / first:.3f}"],
        ["import_articles again, all unchanged", f"{second:.2f}", f"{n / second:,.0f}", f"{copy_median / second:.3f}"],
        [f"COPY (median of {len(copies)})", f"{copy_median:.2f}", f"{n / copy_median:,.0f}", "1"],
    ]
    notes = [
        "FAILED: " + "; ".join(problems)
        if problems
        else "The import stored every file as it is (text normalised, slug, hash, manifest fields checked against "
        f"the files) and the second run reported all {n:,} unchanged.",
        "",
        common.table(["run", "seconds", "articles/s", "× COPY"], rows),
        "",
        "The import commits each file on its own (a file that fails leaves the others in), and for each it "
        "reads the file, normalises it, looks its hash up, finds a free slug, finds or creates the outlet and "
        "inserts the article; COPY sends every row in one statement and one commit.",
    ]
    return common.write_section(
        "imports", args.output, title="Importing articles", setup=setup, comparisons=comparisons, notes=notes
    )


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--files", type=int, default=FILES, help=f"files to import (default {FILES:,})")
    parser.add_argument("--copy-runs", type=int, default=COPY_RUNS, help=f"COPY repetitions (default {COPY_RUNS})")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the files")
    args = common.parse(parser, argv)
    base_url = common.postgres_url("imports.py", "its baseline is COPY")
    with common.ScratchDatabase(base_url) as url, tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        common.setup_django(url)
        return report(args, measure(args, url, Path(tmp)))


if __name__ == "__main__":
    sys.exit(main())
