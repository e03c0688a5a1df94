"""The SQL of the triggers that keep the dashboard's summaries (`ClaimCount`, `ArticleCount`) in the
transaction of every claim write, for PostgreSQL and SQLite, and the check that they are in place.

Each summary counts claims by some of their columns and, until a claim is accepted, its annotator (the
`owner`, which the visibility rule needs). Both dialects upsert on the summary's unique key (a missing
fact, source or owner is 0) and delete a row when its count reaches 0. SQLite drops a table's triggers when
a migration rebuilds the table (it does for most changes of `annotate_claim`), so after every `migrate`
`ensure()` puts back what is missing and refills the summaries from the claims: a summary is never left
without its triggers. The triggers of a summary are installed once its table exists (a fresh database
migrates the first summary before the second is created).

Triggers on the relay table keep two columns of the claim the same way (`Chains`): the length and the far
end of its relay chain, which the origins count (`dashboard.origins.far_ends`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class Summary:
    """A table of claim counts keyed by `columns` of the claim (those in `nullable` may be NULL) and the owner."""

    table: str
    columns: tuple[str, ...]
    nullable: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """The expressions of the table's unique key, as the upsert names its conflict target."""
        return ", ".join(
            [f"COALESCE({c}, 0)" if c in self.nullable else c for c in self.columns] + ["COALESCE(owner_id, 0)"]
        )

    @property
    def watched(self) -> list[str]:
        """The claim columns an update must change for the summary to change."""
        return [*self.columns, "annotator_id"]

    def values(self, row: str) -> str:
        return ", ".join([f"{row}.{c}" for c in self.columns] + [owner(row)])

    def add(self, row: str) -> str:
        return (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}, owner_id, claims) VALUES ({self.values(row)}, 1) "  # noqa: S608 (constants only)
            f"ON CONFLICT ({self.key}) DO UPDATE SET claims = {self.table}.claims + 1;"
        )

    def remove(self, row: str) -> str:
        match = " AND ".join(
            [
                f"COALESCE({c}, 0) = COALESCE({row}.{c}, 0)" if c in self.nullable else f"{c} = {row}.{c}"
                for c in self.columns
            ]
            + [f"COALESCE(owner_id, 0) = COALESCE({owner(row)}, 0)"]
        )
        return (
            f"DELETE FROM {self.table} WHERE {match} AND claims = 1; "  # noqa: S608 (constants only)
            f"UPDATE {self.table} SET claims = claims - 1 WHERE {match};"
        )

    @property
    def fill(self) -> str:
        grouped = ", ".join([*self.columns, owner("annotate_claim")])
        return (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}, owner_id, claims) "  # noqa: S608 (constants only)
            f"SELECT {grouped}, COUNT(*) FROM annotate_claim GROUP BY {grouped}"
        )

    @property
    def clear(self) -> str:
        return f"DELETE FROM {self.table}"  # noqa: S608 (constants only)

    def postgresql(self) -> list[str]:
        old, new = ", ".join(f"OLD.{c}" for c in self.watched), ", ".join(f"NEW.{c}" for c in self.watched)
        return [
            f"""CREATE FUNCTION {self.table}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN {self.remove("OLD")} END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {self.add("NEW")} END IF;
                RETURN NULL;
            END $$""",
            f"CREATE TRIGGER {self.table}_write AFTER INSERT OR DELETE ON annotate_claim "
            f"FOR EACH ROW EXECUTE FUNCTION {self.table}_apply()",
            f"CREATE TRIGGER {self.table}_change AFTER UPDATE OF {', '.join(self.watched)} ON annotate_claim "
            f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) EXECUTE FUNCTION {self.table}_apply()",
        ]

    def postgresql_drop(self) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {self.table}_change ON annotate_claim",
            f"DROP TRIGGER IF EXISTS {self.table}_write ON annotate_claim",
            f"DROP FUNCTION IF EXISTS {self.table}_apply()",
        ]

    def sqlite(self) -> list[str]:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in self.watched)
        return [
            f"CREATE TRIGGER {self.table}_insert AFTER INSERT ON annotate_claim BEGIN {self.add('NEW')} END",
            f"CREATE TRIGGER {self.table}_delete AFTER DELETE ON annotate_claim BEGIN {self.remove('OLD')} END",
            f"CREATE TRIGGER {self.table}_change AFTER UPDATE OF {', '.join(self.watched)} ON annotate_claim "
            f"WHEN {changed} BEGIN {self.remove('OLD')} {self.add('NEW')} END",
        ]

    def sqlite_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.table}_{name}" for name in ("insert", "delete", "change")]


def owner(row: str) -> str:
    """The summary's owner of a claim row: its annotator until it is accepted."""
    return f"CASE WHEN {row}.status = 'accepted' THEN NULL ELSE {row}.annotator_id END"


def _chain_of(claim: str) -> str:
    """The SET list that gives a claim the length and far end of its relay chain, read from the relays."""
    relays = f"FROM annotate_claimrelay r WHERE r.claim_id = {claim}"  # noqa: S608 (constants only)
    return (
        f"chain_length = (SELECT COUNT(*) {relays}), "
        f"chain_end_id = (SELECT r.source_id {relays} ORDER BY r.position DESC LIMIT 1)"
    )


class Chains:
    """The claim's `chain_length` and `chain_end`, kept by triggers on the relay table: every write of a
    relay (a chain set or replaced, a proposed name registered, a source merged into another) sets them
    again for the claims it touched. Updating those columns fires none of the summaries' triggers, which
    watch other columns."""

    table = "annotate_claimrelay"  # its triggers are installed once the claim has the columns (`exists`)

    @staticmethod
    def exists(connection) -> bool:
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, "annotate_claim")
        return any(column.name == "chain_length" for column in columns)

    @staticmethod
    def apply(row: str) -> str:
        return f"UPDATE annotate_claim SET {_chain_of(f'{row}.claim_id')} WHERE id = {row}.claim_id;"  # noqa: S608

    fill = (
        "UPDATE annotate_claim SET "  # noqa: S608 (constants only)
        f"{_chain_of('annotate_claim.id')} WHERE id IN (SELECT claim_id FROM annotate_claimrelay)"
    )
    clear = "UPDATE annotate_claim SET chain_length = 0, chain_end_id = NULL WHERE chain_length <> 0"

    def postgresql(self) -> list[str]:
        return [
            f"""CREATE FUNCTION dashboard_chain_apply() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'UPDATE') THEN {self.apply("OLD")} END IF;
                IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.claim_id <> OLD.claim_id) THEN
                    {self.apply("NEW")}
                END IF;
                RETURN NULL;
            END $$""",
            "CREATE TRIGGER dashboard_chain_write AFTER INSERT OR UPDATE OR DELETE ON annotate_claimrelay "
            "FOR EACH ROW EXECUTE FUNCTION dashboard_chain_apply()",
        ]

    def postgresql_drop(self) -> list[str]:
        return [
            "DROP TRIGGER IF EXISTS dashboard_chain_write ON annotate_claimrelay",
            "DROP FUNCTION IF EXISTS dashboard_chain_apply()",
        ]

    def sqlite(self) -> list[str]:
        return [
            f"CREATE TRIGGER dashboard_chain_insert AFTER INSERT ON annotate_claimrelay BEGIN {self.apply('NEW')} END",
            f"CREATE TRIGGER dashboard_chain_delete AFTER DELETE ON annotate_claimrelay BEGIN {self.apply('OLD')} END",
            "CREATE TRIGGER dashboard_chain_update AFTER UPDATE ON annotate_claimrelay "
            f"BEGIN {self.apply('OLD')} {self.apply('NEW')} END",
        ]

    def sqlite_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS dashboard_chain_{name}" for name in ("insert", "delete", "update")]


CLAIMS = Summary(
    "dashboard_claimcount",
    ("article_id", "kind_id", "status", "fact_id", "source_id"),
    nullable=frozenset({"fact_id", "source_id"}),
)
ARTICLES = Summary("dashboard_articlecount", ("article_id", "kind_id", "status"))
CHAINS = Chains()
KEPT = (CLAIMS, ARTICLES, CHAINS)

# Triggers per summary or chain set; each trigger's name starts with "dashboard_".
EXPECTED = {"postgresql": {Summary: 2, Chains: 1}, "sqlite": {Summary: 3, Chains: 3}}


def _statements(connection, install_: bool, kept=KEPT) -> list[str]:
    vendor = connection.vendor
    if vendor not in EXPECTED:
        raise NotImplementedError(f"The claim summaries' triggers are written for PostgreSQL and SQLite, not {vendor}.")
    statements = []
    for item in kept:
        if vendor == "postgresql":
            statements += item.postgresql() + [item.fill] if install_ else item.postgresql_drop()
        else:
            statements += item.sqlite() + [item.fill] if install_ else item.sqlite_drop()
    return statements


def _existing(connection) -> list:
    tables = set(connection.introspection.table_names())
    return [item for item in KEPT if (item.exists(connection) if isinstance(item, Chains) else item.table in tables)]


def installer(*kept):
    """A migration's forward and backward steps for these summaries or chains: their triggers, then each
    filled from the claims and relays stored; and their removal."""

    def install(apps, schema_editor):
        for statement in _statements(schema_editor.connection, True, kept):
            schema_editor.execute(statement, params=None)

    def uninstall(apps, schema_editor):
        for statement in _statements(schema_editor.connection, False, kept):
            schema_editor.execute(statement, params=None)

    return install, uninstall


install, uninstall = installer(CLAIMS)  # the first migration's; later ones install their own


def present(connection) -> bool:
    """Whether every trigger of every summary and chain set that can have them is installed."""
    expected = sum(EXPECTED[connection.vendor][type(item)] for item in _existing(connection))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'dashboard\\_%%' AND NOT tgisinternal")
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dashboard\\_%' ESCAPE '\\'"
            )
        return cursor.fetchone()[0] == expected


def ensure(connection) -> bool:
    """Install the triggers and refill the summaries and chains if any trigger is missing; whether it had to."""
    if connection.vendor not in EXPECTED:
        return False
    kept = _existing(connection)
    if not kept or present(connection):
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _statements(connection, False, kept):
            cursor.execute(statement)
        for item in kept:
            cursor.execute(item.clear)
        for statement in _statements(connection, True, kept):
            cursor.execute(statement)
    return True
