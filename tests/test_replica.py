"""A real streaming replica: the dashboard, exports and API reads are served by it, a writer reads their own
writes at once, and a lagging or stopped replica degrades to the primary. PostgreSQL only.

The scenario (tests/replica_scenario.py) runs in a process of its own against a primary, a standby made
with pg_basebackup and PgBouncer in transaction pooling mode (tests/replicas.py), all on ports 8161-8163
in a temporary folder that is removed afterwards.
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from .replicas import Replicated, binaries

ROOT = Path(__file__).resolve().parent.parent
PORTS = (8161, 8162, 8163)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or binaries() is None, reason="needs PostgreSQL's server binaries"
)


@pytest.fixture(scope="module")
def scenario():
    servers = Replicated(*PORTS).start()
    try:
        primary, replica = servers.urls()
        stop = [str(servers.bin / "pg_ctl"), "stop", "-D", str(servers.path("replica")), "-w", "-m", "immediate"]
        if os.geteuid() == 0:
            stop = ["runuser", "-u", "postgres", "--", *stop]
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": primary,
            "DATABASE_REPLICA_URL": replica,
            "ALLOWED_HOSTS": "testserver",
            "REPLICA_MAX_LAG_SECONDS": "1",
            "REPLICA_CHECK_SECONDS": "0",
            "REPLICA_RETRY_SECONDS": "0",
            "PRIMARY_LOG": str(servers.log("primary")),
            "REPLICA_LOG": str(servers.log("replica")),
            "STOP_REPLICA": shlex.join(stop),
        }
        run = subprocess.run(
            [sys.executable, "-m", "tests.replica_scenario"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-5000:]
        yield {**json.loads(run.stdout), "bouncer": servers.bouncer is not None}
    finally:
        servers.stop()


def data_queries(lines):
    """Logged statements that read claims or articles, or copy them out."""
    return [line for line in lines if "annotate_claim" in line or "corpus_article" in line or "COPY (" in line]


def test_runs_behind_pgbouncer_in_transaction_pooling_mode(scenario):
    print("scenario times (s):", scenario["seconds"])
    assert scenario["bouncer"], "Debian's pgbouncer is not installed (.ci/run installs it)"


def test_dashboard_exports_and_api_reads_are_served_by_the_replica(scenario):
    for url, seen in scenario["routed"].items():
        assert seen["status"] == 200, (url, seen["text"][:300])
    assert "KCNA said turnout" in scenario["routed"]["/export/claims.csv"]["text"]
    assert data_queries(scenario["routed_primary_log"]) == []
    on_replica = data_queries(scenario["routed_replica_log"])
    assert any(line.startswith("provenance-replica|") and "COPY (" in line for line in on_replica)
    assert any("annotate_claim" in line for line in on_replica)


def test_a_writer_reads_their_own_new_claim_at_once(scenario):
    assert scenario["created"]["status"] == 201, scenario["created"]
    assert scenario["own_read"]["status"] == 200
    assert "A resident" in scenario["own_read"]["text"]
    assert data_queries(scenario["own_read_replica_log"]) == []  # the replica, held back, was not asked


def test_a_lagging_replica_degrades_to_the_primary(scenario):
    assert "A resident" in scenario["lagging"]["/export/claims.csv"]["text"]
    assert "A resident" in scenario["lagging"]["/api/claims"]["text"]
    assert data_queries(scenario["lagging_replica_log"]) == []


def test_a_stopped_replica_degrades_to_the_primary_not_to_an_error(scenario):
    for url, seen in scenario["down"].items():
        assert seen["status"] == 200, (url, seen["text"][:300])
    assert "A resident" in scenario["down"]["/export/claims.jsonl"]["text"]
