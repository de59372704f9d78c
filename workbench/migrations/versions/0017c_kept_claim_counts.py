"""Kept counts for the dashboard: claim_count and verdict_count, maintained by triggers, backfilled once

Revision ID: 0017c
Revises: 0016h
Create Date: 2026-11-30

The dashboard counted a million claims (and half a million audit events) on every request. These tables hold
the same counts, changed by triggers in the same transaction as the write that changes them, with n = n + delta
(no read-modify-write, so concurrent writers cannot lose an update). Every path that inserts, updates or deletes
a claim or appends to the audit chain keeps them, including bulk inserts of `workbench generate`.

The SQL below is frozen here on purpose (a migration must not change when the code does); the independent
recount in workbench/counts.py checks it, in the tests and in `workbench recount`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017c"
down_revision = "0016h"
branch_labels = None
depends_on = None

VERDICTS = ("false", "misleading", "mostly_accurate", "not_checkable", "unverifiable", "verified")
_IN_VERDICTS = ", ".join(f"'{v}'" for v in VERDICTS)
# What a claim row counts towards: its status overall, per article, per source and per assignee; and, for a verdict
# not yet approved, "awaiting" overall and per article. A NULL scope_id (no source, nobody assigned) counts nowhere.
_CLAIM_COLUMNS = ("status", "article_id", "source_id", "assignee_id", "approved_by_id")


def _keys(row: str) -> list[tuple[str, str, str]]:
    awaiting = f"CASE WHEN {row}.status IN ({_IN_VERDICTS}) AND {row}.approved_by_id IS NULL THEN 'awaiting' END"
    status = f"CAST({row}.status AS VARCHAR(20))"  # on PostgreSQL the column is an enum type
    return [
        ("'all'", "0", status),
        ("'article'", f"{row}.article_id", status),
        ("'source'", f"{row}.source_id", status),
        ("'assignee'", f"{row}.assignee_id", status),
        ("'all'", "0", awaiting),
        ("'article'", f"{row}.article_id", awaiting),
    ]


def _select_keys(row: str) -> str:
    """A SELECT of (scope, scope_id, status) for one row alias, without NULL keys."""
    parts = " UNION ALL ".join(
        f"SELECT {scope} AS scope, {scope_id} AS scope_id, {status} AS status" for scope, scope_id, status in _keys(row)
    )
    return f"SELECT scope, scope_id, status FROM ({parts}) AS k WHERE k.scope_id IS NOT NULL AND k.status IS NOT NULL"


_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _CLAIM_COLUMNS)
_PG_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _CLAIM_COLUMNS)


def _is_verdict(row: str) -> str:
    """The audit events that count as a verdict given: the same test as activity.verdicts_given."""
    single = " OR ".join(f'{row}.after LIKE \'%"status":"{v}"%\'' for v in VERDICTS)
    bulk = " OR ".join(f'{row}.after LIKE \'{{"after":{{%"status":"{v}"%}},"before":%\'' for v in VERDICTS)
    return (
        f"{row}.entity_type = 'claim' AND "
        f"(({row}.action = 'status' AND ({single})) OR ({row}.action = 'bulk' AND ({bulk})))"
    )


BACKFILL_CLAIMS = (
    "INSERT INTO claim_count (scope, scope_id, status, n) SELECT scope, scope_id, status, count(*) FROM ("
    + " UNION ALL ".join(
        f"SELECT {scope} AS scope, {scope_id} AS scope_id, {status} AS status FROM claim AS c"
        for scope, scope_id, status in _keys("c")
    )
    + ") AS k WHERE k.scope_id IS NOT NULL AND k.status IS NOT NULL GROUP BY scope, scope_id, status"
)
BACKFILL_VERDICTS = (
    "INSERT INTO verdict_count (actor, n) SELECT e.actor, count(*) FROM audit_event AS e "
    f"WHERE {_is_verdict('e')} GROUP BY e.actor"
)


def _sqlite_triggers() -> list[str]:
    # One statement per key, each an equality on the primary key: a row-value IN over a UNION would scan the table.
    def plus(row: str) -> str:
        return " ".join(
            f"INSERT INTO claim_count (scope, scope_id, status, n) SELECT {scope}, {scope_id}, {status}, 1 "
            f"WHERE {scope_id} IS NOT NULL AND {status} IS NOT NULL "
            "ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = n + 1;"
            for scope, scope_id, status in _keys(row)
        )

    def minus(row: str) -> str:
        return " ".join(
            f"UPDATE claim_count SET n = n - 1 WHERE scope = {scope} AND scope_id = {scope_id} AND status = {status};"
            for scope, scope_id, status in _keys(row)
        )

    return [
        f"CREATE TRIGGER claim_count_insert AFTER INSERT ON claim BEGIN {plus('NEW')} END",
        f"CREATE TRIGGER claim_count_delete AFTER DELETE ON claim BEGIN {minus('OLD')} END",
        f"CREATE TRIGGER claim_count_update AFTER UPDATE OF {', '.join(_CLAIM_COLUMNS)} ON claim "
        f"WHEN {_CHANGED} BEGIN {minus('OLD')} {plus('NEW')} END",
        f"CREATE TRIGGER verdict_count_insert AFTER INSERT ON audit_event WHEN {_is_verdict('NEW')} BEGIN "
        "INSERT INTO verdict_count (actor, n) VALUES (NEW.actor, 1) ON CONFLICT (actor) DO UPDATE SET n = n + 1; END",
    ]


def _pg_statements() -> list[str]:
    def grouped(rows: str) -> str:
        keys = " UNION ALL ".join(
            f"SELECT {scope}::varchar AS scope, {scope_id}::integer AS scope_id, {status}::varchar AS status "
            f"FROM {rows} AS r"
            for scope, scope_id, status in _keys("r")
        )
        return (
            f"SELECT scope, scope_id, status, count(*) AS n FROM ({keys}) AS k "
            "WHERE k.scope_id IS NOT NULL AND k.status IS NOT NULL GROUP BY scope, scope_id, status"
        )

    def add(rows: str, sign: str) -> str:
        return (
            f"INSERT INTO claim_count AS c (scope, scope_id, status, n) SELECT scope, scope_id, status, {sign}n "
            f"FROM ({grouped(rows)}) AS d "
            "ON CONFLICT (scope, scope_id, status) DO UPDATE SET n = c.n + EXCLUDED.n;"
        )

    single_row = lambda row: (
        "(SELECT "  # noqa: E731
        + ", ".join(f"{row}.{column}" for column in _CLAIM_COLUMNS)
        + ")"
    )
    return [
        # Inserts and deletes (ingest, split, merge, generate) are counted once per statement from its rows.
        "CREATE FUNCTION claim_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + add("new_rows", "")
        + " RETURN NULL; END $$",
        "CREATE FUNCTION claim_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + add("old_rows", "-")
        + " RETURN NULL; END $$",
        # An update changes one row at a time (the versioned update) and only counted columns matter.
        "CREATE FUNCTION claim_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + add(single_row("OLD"), "-")
        + " "
        + add(single_row("NEW"), "")
        + " RETURN NULL; END $$",
        "CREATE TRIGGER claim_count_insert AFTER INSERT ON claim REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION claim_count_inserted()",
        "CREATE TRIGGER claim_count_delete AFTER DELETE ON claim REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION claim_count_deleted()",
        f"CREATE TRIGGER claim_count_update AFTER UPDATE OF {', '.join(_CLAIM_COLUMNS)} ON claim FOR EACH ROW "
        f"WHEN ({_PG_CHANGED}) EXECUTE FUNCTION claim_count_updated()",
        "CREATE FUNCTION verdict_count_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO verdict_count AS v (actor, n) VALUES (NEW.actor, 1) "
        "ON CONFLICT (actor) DO UPDATE SET n = v.n + 1; RETURN NULL; END $$",
        f"CREATE TRIGGER verdict_count_insert AFTER INSERT ON audit_event FOR EACH ROW WHEN ({_is_verdict('NEW')}) "
        "EXECUTE FUNCTION verdict_count_added()",
    ]


def upgrade() -> None:
    op.create_table(
        "claim_count",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("scope_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "scope_id", "status"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "verdict_count",
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("actor"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_article_ingested_id", "article", ["ingested_at", "id"])
    op.execute(BACKFILL_CLAIMS)
    op.execute(BACKFILL_VERDICTS)
    statements = _sqlite_triggers() if op.get_bind().dialect.name == "sqlite" else _pg_statements()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("claim_count_insert", "claim_count_delete", "claim_count_update", "verdict_count_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        for trigger, table in (
            ("claim_count_insert", "claim"),
            ("claim_count_delete", "claim"),
            ("claim_count_update", "claim"),
            ("verdict_count_insert", "audit_event"),
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in ("claim_count_inserted", "claim_count_deleted", "claim_count_updated", "verdict_count_added"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_index("ix_article_ingested_id", table_name="article")
    op.drop_table("verdict_count")
    op.drop_table("claim_count")
