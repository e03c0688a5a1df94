"""What the benchmarks share: a scratch database, Django set-up, timing statistics and the results file.

Each benchmark script imports this module (`import common`: the script's own folder is on sys.path).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "seed"
RESULTS = Path(__file__).resolve().parent / "results"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


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


class ScratchDatabase:
    """A fresh database for the run: a scratch database on DATABASE_URL's PostgreSQL, or a temporary SQLite file."""

    def __init__(self, base_url: str | None):
        self.base_url = base_url
        self.name = None
        self.path = None
        if vendor_of(base_url) == "postgresql":
            self.name = f"bench_{uuid.uuid4().hex[:12]}"
        else:
            fd, path = tempfile.mkstemp(prefix="bench-", suffix=".sqlite3")
            os.close(fd)
            self.path = Path(path)

    def __enter__(self) -> str:
        if self.name is None:
            return f"sqlite:///{self.path}"
        self._admin(f'CREATE DATABASE "{self.name}"')
        return urlunsplit(urlsplit(self.base_url)._replace(path=f"/{self.name}"))

    def __exit__(self, *exc_info):
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if self.name is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(statement)


def setup_django(url: str):
    """Point Django at `url`, set it up and migrate; returns the django module."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")  # development settings, as `make bench` sets
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return django


def create_user(username: str, group: str):
    """A user in the reviewer or editor group, with a password nobody uses."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="unused-bench-password")
    user.groups.add(Group.objects.get(name=group))
    return user


def client_for(user):
    """A django.test.Client signed in as `user`, sending a Host header the settings allow."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost"))
    client.force_login(user)
    return client


def database_version(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def command_line(base_url: str | None, script: str, make_args: tuple[str, ...] = ()) -> str:
    """The command that reproduces this run: `make bench` when run by it (with the arguments it passes)."""
    python = os.path.relpath(sys.executable, Path.cwd())
    script = os.path.relpath(Path(script).resolve(), Path.cwd())
    words = [python, script, *sys.argv[1:]]
    if os.environ.get("MAKELEVEL") and tuple(sys.argv[1:]) == tuple(make_args):
        words = ["make", "bench"]
    prefix = f"DATABASE_URL={shlex.quote(redact(base_url))} " if base_url else ""
    return prefix + shlex.join(words)


def code_version() -> str:
    """The commit measured, and whether the app's code differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "annotate", "corpus", "config", "templates"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "code: unknown (not a git checkout)"
    return f"code: commit {commit}" + (" with uncommitted changes to the app" if changed else "")


CODE = code_version()  # when the benchmark starts, which is when it imports the app's code


def header(title: str, connection, details: list[str], command: str) -> list[str]:
    """The first lines of a results file: what, when, on what machine and software, and how it was run."""
    import django
    from django.conf import settings

    return [
        f"{title}, {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine: {os.cpu_count()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        f"software: Python {platform.python_version()}, Django {django.get_version()}, "
        f"{database_version(connection)}, DEBUG={settings.DEBUG}",
        CODE,
        *details,
        f"command: {command}",
    ]


def write_report(name: str, vendor: str, head: list[str], table: list[str], failures: list[str]) -> int:
    """Print the report, write it to results/<name>-<vendor>.txt; the exit status (1 if a target was missed)."""
    report = "\n".join([*head, "", *table, *(f"FAILED: {failure}" for failure in failures)]) + "\n"
    print(report)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{vendor}.txt"
    out.write_text(report, encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")
    return 1 if failures else 0


# ---- the suite (`make bench`, bench/suite.py): each step writes one JSON section of RESULTS.md ----------

SUITE_USERS = {"reviewer": 32, "editor": 4}  # bench-reviewer-1..32, bench-editor-1..4
SUITE_PASSWORD = "bench-password"


def stats(values: list[float], unit: str, label: str = "") -> dict:
    """Median, min and max of repeated measurements, as a RESULTS.md cell reads them."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {"label": label, "median": median, "min": ordered[0], "max": ordered[-1], "n": len(ordered), "unit": unit}


def comparison(
    name: str, ours: dict, baseline: dict | None, *, target: str, higher_is_better: bool, limit: float | None
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


def write_section(name: str, *, title: str, command: str, setup: str, comparisons: list[dict], notes: str = "") -> Path:
    """Write results/<name>.json, the section of RESULTS.md this step contributes."""
    import json

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    section = {"title": title, "command": command, "setup": setup, "comparisons": comparisons, "notes": notes}
    path.write_text(json.dumps(section, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def publish(
    name: str, script: str, *, title: str, setup: str, comparisons: list[dict], notes: list[str], failed: bool, elapsed
) -> int:
    """Write a step's section of RESULTS.md, say where, and give the script's exit status (1: a target missed)."""
    path = write_section(
        name,
        title=title,
        command=command_line(os.environ.get("DATABASE_URL"), script),
        setup=setup,
        comparisons=comparisons,
        notes="\n".join(notes),
    )
    print(f"written to {path.relative_to(ROOT)} in {elapsed:.0f} s")
    return 1 if failed else 0
