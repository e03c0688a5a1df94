"""The read-replica scenario, run by tests/test_replica.py in a process of its own against `tests.replicas`.

    DATABASE_URL=... DATABASE_REPLICA_URL=... PRIMARY_LOG=... REPLICA_LOG=... STOP_REPLICA='command'
        python -m tests.replica_scenario

Prints one JSON object: what each step saw, and the statements each server logged meanwhile. The test
asserts on it; this module only drives the app through django.test.Client and reads the logs.
"""

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import django


def mark(path: str) -> int:
    return Path(path).stat().st_size


def since(path: str, offset: int) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return log.read().splitlines()


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary wrote."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    for _ in range(200):
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise RuntimeError("the replica did not catch up")


def replay(paused: bool) -> None:
    from django.db import connections

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def reads(client, with_api=True) -> dict:
    """Status and size of the dashboard, its JSON, the exports and the API's claim list."""
    seen = {}
    for url in (
        "/dashboard/",
        "/dashboard.json",
        "/export/claims.csv",
        "/export/claims.jsonl",
        "/export/claims.jsonld",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = {"status": response.status_code, "bytes": len(body), "text": body.decode()[-20000:]}
    if with_api:
        response = client.get("/api/claims?page_size=100")
        seen["/api/claims"] = {"status": response.status_code, "text": response.content.decode()}
    return seen


def main() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from config import replica
    from tests.factories import make_article, make_claim, make_user

    call_command("migrate", verbosity=0)
    primary_log, replica_log = os.environ["PRIMARY_LOG"], os.environ["REPLICA_LOG"]
    result, started = {"seconds": {}}, time.monotonic()

    def lap(name):
        result["seconds"][name] = round(time.monotonic() - started, 2)

    rita, reader = make_user("rita"), make_user("ed", role="editor")
    article = make_article("KCNA said turnout was 99.63%. A resident said nobody voted against it.")
    make_claim(article, 0, 29, source_name="KCNA", annotator=rita, note="first claim")
    caught_up()

    lap("set up")
    # 1. Reads of the dashboard, exports and API on the replica: the primary runs none of their queries.
    client = Client()
    client.force_login(reader)
    at = mark(primary_log), mark(replica_log)
    result["routed"] = reads(client)
    result["routed_primary_log"] = since(primary_log, at[0])
    result["routed_replica_log"] = since(replica_log, at[1])

    lap("routed")
    # 2. Read-your-writes: with the replica held back, Rita tags a claim and sees it at once.
    replay(paused=True)
    author = Client()
    author.force_login(rita)
    at = mark(primary_log), mark(replica_log)
    response = author.post(
        "/api/claims",
        {"article": article.slug, "start": 30, "end": 40, "exact": article.text[30:40], "kind": "in_country_informant"},
        content_type="application/json",
    )
    result["created"] = {"status": response.status_code, "body": response.content.decode()[:500]}
    response = author.get("/api/claims?page_size=100")
    result["own_read"] = {"status": response.status_code, "text": response.content.decode()}
    result["own_read_replica_log"] = since(replica_log, at[1])

    lap("own read")
    # 3. Lag beyond the bound: another reader's dashboard comes from the primary, with the new claim.
    time.sleep(float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "1")) + 0.5)
    at = mark(primary_log), mark(replica_log)
    result["lagging"] = reads(client)
    result["lagging_replica_log"] = since(replica_log, at[1])
    replay(paused=False)

    lap("lagging")
    # 4. The replica stopped: every read still answers, from the primary.
    subprocess.run(shlex.split(os.environ["STOP_REPLICA"]), check=True, capture_output=True)
    replica.forget_state()  # measure afresh: the first request finds it down, the next ones remember that
    settings.REPLICA_RETRY_SECONDS = 30
    result["down"] = reads(client)
    lap("down")
    return result


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
