"""The SQL of the triggers that keep the dashboard's summary (`ClaimCount`) in the transaction of every claim
write, for PostgreSQL and SQLite, and the check that they are in place.

Both dialects upsert on the summary's unique key (`claimcount_key`: a missing fact, source or owner is 0)
and delete a row when its count reaches 0. SQLite drops a table's triggers when a migration rebuilds the
table (it does for most changes of `annotate_claim`), so after every `migrate` `ensure()` puts back what
is missing and refills the summary from the claims: a summary is never left without its triggers.
"""

from django.db import transaction

KEY = "article_id, kind_id, status, COALESCE(fact_id, 0), COALESCE(source_id, 0), COALESCE(owner_id, 0)"
COLUMNS = "article_id, kind_id, status, fact_id, source_id, owner_id"


def owner(row: str) -> str:
    """The summary's owner of a claim row: its annotator until it is accepted."""
    return f"CASE WHEN {row}.status = 'accepted' THEN NULL ELSE {row}.annotator_id END"


def values(row: str) -> str:
    return f"{row}.article_id, {row}.kind_id, {row}.status, {row}.fact_id, {row}.source_id, {owner(row)}"


def add(row: str) -> str:
    return (
        f"INSERT INTO dashboard_claimcount ({COLUMNS}, claims) VALUES ({values(row)}, 1) "  # noqa: S608 (constants only)
        f"ON CONFLICT ({KEY}) DO UPDATE SET claims = dashboard_claimcount.claims + 1;"
    )


def remove(row: str) -> str:
    match = (
        f"article_id = {row}.article_id AND kind_id = {row}.kind_id AND status = {row}.status "
        f"AND COALESCE(fact_id, 0) = COALESCE({row}.fact_id, 0) "
        f"AND COALESCE(source_id, 0) = COALESCE({row}.source_id, 0) "
        f"AND COALESCE(owner_id, 0) = COALESCE({owner(row)}, 0)"
    )
    return (
        f"DELETE FROM dashboard_claimcount WHERE {match} AND claims = 1; "  # noqa: S608 (constants only)
        f"UPDATE dashboard_claimcount SET claims = claims - 1 WHERE {match};"
    )


# The columns of the key; an update that changes none of them leaves the summary alone.
WATCHED = ["article_id", "kind_id", "status", "fact_id", "source_id", "annotator_id"]

POSTGRESQL = [
    f"""CREATE FUNCTION dashboard_claimcount_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {remove("OLD")} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {add("NEW")} END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER dashboard_claimcount_write AFTER INSERT OR DELETE ON annotate_claim "
    "FOR EACH ROW EXECUTE FUNCTION dashboard_claimcount_apply()",
    f"CREATE TRIGGER dashboard_claimcount_change AFTER UPDATE OF {', '.join(WATCHED)} ON annotate_claim FOR EACH ROW "
    f"WHEN (({', '.join('OLD.' + c for c in WATCHED)}) IS DISTINCT FROM ({', '.join('NEW.' + c for c in WATCHED)})) "
    "EXECUTE FUNCTION dashboard_claimcount_apply()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS dashboard_claimcount_change ON annotate_claim",
    "DROP TRIGGER IF EXISTS dashboard_claimcount_write ON annotate_claim",
    "DROP FUNCTION IF EXISTS dashboard_claimcount_apply()",
]

SQLITE = [
    f"CREATE TRIGGER dashboard_claimcount_insert AFTER INSERT ON annotate_claim BEGIN {add('NEW')} END",
    f"CREATE TRIGGER dashboard_claimcount_delete AFTER DELETE ON annotate_claim BEGIN {remove('OLD')} END",
    f"CREATE TRIGGER dashboard_claimcount_change AFTER UPDATE OF {', '.join(WATCHED)} ON annotate_claim "
    f"WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in WATCHED)} BEGIN {remove('OLD')} {add('NEW')} END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS dashboard_claimcount_{name}" for name in ("insert", "delete", "change")]

FILL = (
    f"INSERT INTO dashboard_claimcount ({COLUMNS}, claims) "  # noqa: S608 (constants only)
    f"SELECT article_id, kind_id, status, fact_id, source_id, {owner('annotate_claim')}, COUNT(*) FROM annotate_claim "
    f"GROUP BY article_id, kind_id, status, fact_id, source_id, {owner('annotate_claim')}"
)


def _statements(connection, install_: bool) -> list[str]:
    vendor = connection.vendor
    if vendor == "postgresql":
        return POSTGRESQL + [FILL] if install_ else POSTGRESQL_DROP
    if vendor == "sqlite":
        return SQLITE + [FILL] if install_ else SQLITE_DROP
    raise NotImplementedError(f"The claim summary's triggers are written for PostgreSQL and SQLite, not {vendor}.")


def install(apps, schema_editor):
    """The migration's forward step: the triggers, then the summary filled from the claims stored."""
    for statement in _statements(schema_editor.connection, True):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    """The migration's backward step."""
    for statement in _statements(schema_editor.connection, False):
        schema_editor.execute(statement, params=None)


EXPECTED = {"postgresql": 2, "sqlite": 3}


def present(connection) -> bool:
    """Whether every trigger of the summary is installed on the claims table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'dashboard_claimcount_%%' AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboard_claimcount_%'"
            )
        return cursor.fetchone()[0] == EXPECTED.get(connection.vendor, 0)


def ensure(connection) -> bool:
    """Install the triggers and refill the summary if any trigger is missing; whether it had to."""
    if connection.vendor not in EXPECTED or "dashboard_claimcount" not in connection.introspection.table_names():
        return False
    if present(connection):
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _statements(connection, False):
            cursor.execute(statement)
        cursor.execute("DELETE FROM dashboard_claimcount")
        for statement in _statements(connection, True):
            cursor.execute(statement)
    return True
