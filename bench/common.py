"""What the benchmark steps share: options, a scratch database, Django, accounts, timing, result sections.

Each script imports this module (`import common`: the script's own folder is on sys.path). A step writes
its section of RESULTS.md as results/<step>.json beside the results file (bench/RESULTS.md unless
--output says otherwise), stamped with the date, the machine, the commit and the command that made it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = ROOT / "corpus" / "seed"
RESULTS_FILE = HERE / "RESULTS.md"
SCRATCH_FILE = HERE / "out" / "RESULTS.md"  # where runs with other options than the defaults write
PASSWORD = "bench-password"  # every bench account's; they live only in scratch databases
DATABASE_URL = os.environ.get("DATABASE_URL")  # as given: the steps point the variable at scratch databases

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- options --------------------------------------------------------------------------------------


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser described by the script's docstring, with --output."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(
        "--output",
        type=Path,
        help="the results file whose results/ folder gets this run's sections (default bench/RESULTS.md; "
        "bench/out/RESULTS.md when an option differs from its default)",
    )
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None, neutral=("output",)) -> argparse.Namespace:
    """Parse; RESULTS.md keeps only runs with the default sizes, so other runs write to bench/out/."""
    args = parser.parse_args(argv)
    changed = [k for k, v in vars(args).items() if k not in neutral and v != parser.get_default(k)]
    if args.output is None:
        args.output = SCRATCH_FILE if changed else RESULTS_FILE
        if changed:
            log(f"bench: {', '.join(changed)} changed from the defaults: results go to {rel(args.output)}")
    args.output = args.output.resolve()
    return args


def sections_dir(output: Path) -> Path:
    """Where the sections of a results file live: results/ beside a RESULTS.md, <name>-results/ beside another."""
    return output.parent / ("results" if output.name == "RESULTS.md" else f"{output.stem}-results")


def rel(path: Path) -> str:
    return os.path.relpath(path, Path.cwd())


# ---- the database and Django -----------------------------------------------------------------------


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


def vendor_of(url: str | None) -> str:
    """The database vendor of `url`: postgresql, or sqlite when unset; anything else is refused."""
    scheme = urlsplit(url).scheme if url else "sqlite"
    if scheme in {"postgres", "postgresql"}:
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    raise SystemExit(f"bench: unsupported database {scheme!r}; use PostgreSQL or SQLite")


def postgres_url(script: str, why: str) -> str:
    """DATABASE_URL when it points at PostgreSQL; otherwise the script stops with exit status 2."""
    if vendor_of(DATABASE_URL) != "postgresql":
        log(f"bench/{script} needs PostgreSQL ({why}): set DATABASE_URL=postgres://...")
        raise SystemExit(2)
    return DATABASE_URL


def admin_sql(url: str, *statements: str) -> None:
    """Statements outside a transaction (CREATE DATABASE, VACUUM) on the server of `url`."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        for statement in statements:
            connection.execute(statement)


class ScratchDatabase:
    """A fresh database for one run: `bench_<pid>_<random>` on DATABASE_URL's PostgreSQL, or a temporary SQLite
    file. Dropped or deleted afterwards; the URL's own database is only used to connect."""

    def __init__(self, base_url: str | None):
        self.base_url = base_url
        self.name = self.path = None
        if vendor_of(base_url) == "postgresql":
            self.name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        else:
            fd, path = tempfile.mkstemp(prefix="bench-", suffix=".sqlite3")
            os.close(fd)
            self.path = Path(path)

    @property
    def url(self) -> str:
        if self.name is None:
            return f"sqlite:///{self.path}"
        return urlunsplit(urlsplit(self.base_url)._replace(path=f"/{self.name}"))

    def __enter__(self) -> str:
        if self.name is not None:
            admin_sql(self.base_url, f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc_info):
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if self.name is not None:
            admin_sql(self.base_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def production_settings(url: str, static_root: Path) -> dict[str, str]:
    """What production sets (DEBUG off, a secret key), for this machine: no TLS redirect, local hosts."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


def app_env(url: str, static_root: Path) -> dict[str, str]:
    """The environment of a production process of the app (gunicorn, manage.py); the caller's own settings never
    leak in."""
    own = {"CSRF_TRUSTED_ORIGINS", "SECURE_HSTS_SECONDS", "CONN_MAX_AGE", "REVIEW_SELF_ACCEPT", "WEB_CONCURRENCY"}
    env = {k: v for k, v in os.environ.items() if k not in own and not k.startswith("DJANGO_")}
    return env | production_settings(url, static_root)


def manage(env: dict[str, str], *args: str) -> None:
    """`manage.py ARGS` in a process of its own; stops the run if it fails."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def setup_django(url: str, static_root: Path | None = None):
    """Point this process at `url` with production settings, set Django up and migrate; the django module."""
    os.environ.update(production_settings(url, static_root or HERE / ".static"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return django


def generate(articles: int, claims_per_article: int, **options) -> float:
    """The synthetic corpus (bench/synthetic.py) in this process's database, fresh statistics; seconds taken."""
    import synthetic
    from django.db import connection

    started = time.perf_counter()
    synthetic.generate(articles=articles, claims_per_article=claims_per_article, force=True, **options)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


def tool_venv(folder: Path, requirement: str, log_to: Path) -> Path:
    """folder/bin with `requirement` (name==version) installed, on first use: tools kept out of the app's own."""
    python, (name, version) = folder / "bin" / "python", requirement.split("==")
    probe = [str(python), "-c", f"import importlib.metadata as m; print(m.version({name!r}))"]
    if python.exists() and subprocess.run(probe, capture_output=True, text=True).stdout.strip() == version:
        return folder / "bin"
    log(f"installing {requirement} into {rel(folder)} (a few minutes the first time)")
    with log_to.open("wb") as out:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(folder)], stdout=out, stderr=out, check=True)
        install = [str(python), "-m", "pip", "install", "--disable-pip-version-check", requirement]
        subprocess.run(install, stdout=out, stderr=out, check=True, timeout=3600)
    return folder / "bin"


def make_users(prefix: str, count: int, role: str, *, tokens: bool = False) -> list:
    """`prefix-1..count` in the role's group, password PASSWORD (hashed once), each with an API token if asked."""
    import io

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    password, group = make_password(PASSWORD), Group.objects.get(name=role)
    users = []
    for i in range(1, count + 1):
        user = get_user_model().objects.create(username=f"{prefix}-{i}", password=password)
        user.groups.add(group)
        user = get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions
        if tokens:
            out = io.StringIO()
            call_command("create_api_token", user.username, name="bench", stdout=out, stderr=io.StringIO())
            user.token = out.getvalue().strip()
        users.append(user)
    return users


def client_for(user):
    """A django.test.Client signed in as `user`, sending a Host header the settings allow."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(user)
    return client


# ---- timing ----------------------------------------------------------------------------------------


def timed(function, runs: int, warmup: int = 2) -> list[float]:
    """Seconds of each of `runs` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stats(values: list[float], unit: str, label: str = "") -> dict:
    """Median, min and max of repeated measurements, as a RESULTS.md cell reads them."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {"label": label, "median": median, "min": ordered[0], "max": ordered[-1], "n": len(ordered), "unit": unit}


def ms(seconds: list[float], label: str = "") -> dict:
    return stats([s * 1000 for s in seconds], "ms", label)


def comparison(
    name: str, ours: dict, baseline: dict | None, *, target: str, higher_is_better: bool = False, limit=None
) -> dict:
    """Ours against a baseline measured in the same run: ratio = ours / baseline of the medians.

    `limit` is the target ratio: at most `limit` when lower is better (times), at least when higher is
    better (throughputs). `met` is None when there is no target.
    """
    ratio = ours["median"] / baseline["median"] if baseline and baseline["median"] else None
    met = None
    if limit is not None and ratio is not None:
        met = ratio >= limit if higher_is_better else ratio <= limit
    return {"name": name, "ours": ours, "baseline": baseline, "ratio": ratio, "target": target, "met": met}


def must(name: str, count: int, unit: str, target: str = "0") -> dict:
    """A count that must be zero (errors, cards handed out twice): met only when it is."""
    item = comparison(name, stats([count], unit), None, target=target)
    item["met"] = count == 0
    return item


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; columns after the first are right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|---" + "|--:" * (len(header) - 1) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# ---- sections of RESULTS.md ------------------------------------------------------------------------


def machine() -> str:
    memory = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores{memory}, {platform.machine()}, {platform.system()} {platform.release()}"


def commit() -> str:
    """The commit measured, `+ uncommitted changes` when the tree differs from it (results files aside)."""
    if os.environ.get("BENCH_COMMIT"):  # the suite's, taken when it started
        return os.environ["BENCH_COMMIT"]
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", ".", ":!bench/results", ":!bench/RESULTS.md"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" + uncommitted changes" if status.stdout.strip() else "")


COMMIT = commit()  # when the step starts, which is when it imports the app's code


def command(make_targets: dict[tuple[str, ...], str] | None = None) -> str:
    """The command that reproduces this run: the suite's when it runs the step, `make ...` when make ran it."""
    if os.environ.get("BENCH_COMMAND"):
        return os.environ["BENCH_COMMAND"]
    words = [rel(Path(sys.executable)), rel(Path(sys.argv[0]).resolve()), *sys.argv[1:]]
    if os.environ.get("MAKELEVEL") and tuple(sys.argv[1:]) in (make_targets or {}):
        words = ["make", make_targets[tuple(sys.argv[1:])]]
    prefix = f"DATABASE_URL={shlex.quote(redact(DATABASE_URL))} " if DATABASE_URL else ""
    return prefix + shlex.join(words)


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def stamp() -> dict:
    """When, where, on what and how a section was measured."""
    software = f"Python {platform.python_version()}"
    if "django.db" in sys.modules:
        import django

        software += f", Django {django.get_version()}, {database_version()}"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{machine()}, load average {os.getloadavg()[0]:.1f} at the end",
        "software": software,
        "commit": COMMIT,
        "command": command(),
    }


def cell(stat: dict | None) -> str:
    if not stat:
        return "–"
    body = f"{stat['median']:,.1f} {stat['unit']}"
    if stat["n"] > 1:
        body += f" ({stat['min']:,.1f}–{stat['max']:,.1f})"
    return body + (f"<br>{stat['label']}" if stat.get("label") else "")


def comparison_row(row: dict) -> str:
    ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "–"
    met = {True: "yes", False: "**no**", None: "–"}[row["met"]]
    return f"| {cell(row['ours'])} | {cell(row['baseline'])} | {ratio} | {row['target']} | {met} |"


def render(section: dict) -> list[str]:
    """A section as RESULTS.md shows it: stamp, set-up, comparisons, notes."""
    s = section.get("stamp")
    stamped = (
        f"Measured {s['date']} on {s['machine']}; {s['software']}; commit {s['commit']}.\n\nCommand: `{s['command']}`"
        if s
        else f"Not stamped: measured before sections recorded their commit (command: `{section.get('command')}`)."
    )
    rows = [f"| {row['name']} " + comparison_row(row) for row in section["comparisons"]]
    head = ["| comparison | ours | baseline | ratio | target | met |", "|---|--:|--:|--:|---|---|"]
    return [f"## {section['title']}", "", stamped, "", section["setup"], "", *(head + rows if rows else [])]


def write_section(name: str, output: Path, *, title: str, setup: str, comparisons: list[dict], notes="") -> int:
    """Print this step's section and write it to results/<name>.json beside `output`; the exit status (1 when
    a target was missed)."""
    notes = "\n".join(notes) if isinstance(notes, list) else notes
    section = {"title": title, "stamp": stamp(), "setup": setup, "comparisons": comparisons, "notes": notes}
    print("\n".join([*render(section), "", notes]))
    folder = sections_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(section, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"written to {rel(path)}")
    return 1 if any(row["met"] is False for row in comparisons) else 0
