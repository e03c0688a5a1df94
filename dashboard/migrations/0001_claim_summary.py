"""The dashboard's summary of claims, and the triggers that keep it in the transaction of every claim write.

PostgreSQL and SQLite each get triggers in their own dialect; both upsert on the summary's unique key
(`claimcount_key`: a missing fact, source or owner is 0) and delete a row when its count reaches 0.
The summary is filled from the claims already stored.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

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
        f"AND COALESCE(fact_id, 0) = COALESCE({row}.fact_id, 0) AND COALESCE(source_id, 0) = COALESCE({row}.source_id, 0) "
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
    for statement in _statements(schema_editor.connection, True):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in _statements(schema_editor.connection, False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("annotate", "0010_kind_roles"),
        ("corpus", "0002_article_independent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                            ("changes_requested", "Changes requested"),
                        ],
                        max_length=20,
                    ),
                ),
                ("claims", models.PositiveIntegerField()),
                (
                    "article",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="corpus.article",
                    ),
                ),
                (
                    "fact",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="annotate.fact",
                    ),
                ),
                (
                    "kind",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="annotate.provenancekind",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        help_text="The annotator, while the claims are not accepted.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="annotate.source",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["status", "fact", "kind", "article"],
                        include=("source", "owner", "claims"),
                        name="claimcount_read",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("article"),
                        models.F("kind"),
                        models.F("status"),
                        django.db.models.functions.comparison.Coalesce("fact", 0),
                        django.db.models.functions.comparison.Coalesce("source", 0),
                        django.db.models.functions.comparison.Coalesce("owner", 0),
                        name="claimcount_key",
                    ),
                    models.CheckConstraint(condition=models.Q(("claims__gt", 0)), name="claimcount_positive"),
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
