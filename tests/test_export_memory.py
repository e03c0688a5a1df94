"""The CSV export streams: its peak memory at 100,000 claims is that at 10,000.

Each export runs as `manage.py export_claims` in a process of its own, which reports its peak resident set
size (VmHWM) when it ends, against a database of its own (a scratch database beside DATABASE_URL's on
PostgreSQL, a temporary file otherwise) filled by the benchmarks' corpus generator, bench/synthetic.py.
"""

import csv
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")

ROOT = Path(__file__).resolve().parent.parent
ARTICLES, PER_ARTICLE = 100, 100  # 10,000 claims, then ten times as many
GROWTH_LIMIT_MB = 16  # a list of the 90,000 extra rows alone would take well over 100 MB


@pytest.fixture
def scratch_database():
    base = os.environ.get("DATABASE_URL", "")
    if urlsplit(base).scheme in {"postgres", "postgresql"}:
        import psycopg

        name = f"test_export_memory_{uuid.uuid4().hex[:10]}"
        server = urlunsplit(urlsplit(base)._replace(path="/postgres"))  # as Django does for its test database
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/export-memory.sqlite3"


def manage(database: str, *args: str) -> int:
    """Run a management command in a new process (through bench/peak.py); its peak resident set size in MB."""
    env = os.environ | {"DATABASE_URL": database, "DEBUG": "true"}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "bench/peak.py", str(report), *args, "--skip-checks"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr.decode()[-2000:]}"
        return int(report.read_text()) // 1024


def generate(database: str, articles: int, seed: int) -> None:
    """Add synthetic articles with PER_ARTICLE claims each, through bench/synthetic.py in a new process."""
    env = os.environ | {"DATABASE_URL": database, "DEBUG": "true"}
    options = ["--articles", str(articles), "--claims-per-article", str(PER_ARTICLE), "--seed", str(seed)]
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "bench/synthetic.py", *options, "--no-progress"], cwd=ROOT, env=env, capture_output=True
    )
    assert result.returncode == 0, f"bench/synthetic.py: {result.stderr.decode()[-2000:]}"


def export_rows(database: str, target: Path) -> tuple[int, int]:
    """(rows written, peak MB) of a CSV export of every claim."""
    peak = manage(database, "export_claims", "--format", "csv", "--output", str(target), "--no-progress")
    with target.open(encoding="utf-8", newline="") as exported:
        records = sum(1 for _ in csv.reader(exported))
    return records - 1, peak


def test_export_memory_does_not_grow_with_the_number_of_claims(scratch_database, tmp_path):
    target = tmp_path / "claims.csv"
    manage(scratch_database, "migrate", "--verbosity", "0")
    generate(scratch_database, ARTICLES, seed=1)
    small, small_peak = export_rows(scratch_database, target)
    generate(scratch_database, 9 * ARTICLES, seed=2)
    large, large_peak = export_rows(scratch_database, target)
    assert (small, large) == (ARTICLES * PER_ARTICLE, 10 * ARTICLES * PER_ARTICLE)
    assert large_peak - small_peak < GROWTH_LIMIT_MB, (
        f"peak RSS {small_peak} MB at {small:,} rows, {large_peak} MB at {large:,}"
    )
