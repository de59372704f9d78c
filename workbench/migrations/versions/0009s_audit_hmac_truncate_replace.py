"""Audit chain keyed by WORKBENCH_AUDIT_KEY (HMAC-SHA256), re-keying the existing chain; TRUNCATE refused on
PostgreSQL by a statement trigger; INSERT OR REPLACE refused on SQLite (REPLACE skips the delete trigger)

Revision ID: 0009s
Revises: 0008s
Create Date: 2026-11-30
"""

import hashlib
import hmac
import json
import os

import sqlalchemy as sa
from alembic import op

revision = "0009s"
down_revision = "0008s"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "actor_id", "entity_type", "entity_id", "action", "before", "after", "reason")


def _body(row, prev_hash: str) -> bytes:
    # The canonical form of 0001-0008 (frozen here: a migration must not change when the app's code does).
    data = {name: getattr(row, name) for name in FIELDS}
    data["prev_hash"] = prev_hash
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def _key() -> bytes:
    config = op.get_context().config
    configured = config.attributes.get("audit_key") if config is not None else None
    return (configured or os.environ.get("WORKBENCH_AUDIT_KEY") or "dev-only-insecure-audit-key").encode("utf-8")


def _rekey(connection, sqlite: bool) -> None:
    rows = connection.execute(sa.text("SELECT * FROM audit_event ORDER BY id")).fetchall()
    if not rows:
        return
    previous, expected = GENESIS, 1
    for row in rows:  # re-keying must not launder a damaged chain: it has to verify under the old scheme first
        if row.seq != expected or row.prev_hash != previous or hashlib.sha256(_body(row, previous)).hexdigest() != row.hash:
            raise RuntimeError(f"Audit chain broken at event id={row.id} seq={row.seq}; it is not re-keyed. "
                               "Investigate with `workbench audit verify` on the previous version first.")
        previous, expected = row.hash, expected + 1
    if sqlite:
        op.execute("DROP TRIGGER audit_event_no_update")
    else:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    key, previous = _key(), GENESIS
    for row in rows:
        new_hash = hmac.new(key, _body(row, previous), hashlib.sha256).hexdigest()
        connection.execute(sa.text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id"),
                           {"p": previous, "h": new_hash, "id": row.id})
        previous = new_hash
    if sqlite:
        op.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                   "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")
    else:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    _rekey(connection, sqlite)
    if sqlite:
        # A BEFORE INSERT trigger runs before REPLACE's conflict resolution, so a row cannot be swapped out.
        op.execute("CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event "
                   "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id OR seq = NEW.seq OR hash = NEW.hash) "
                   "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")
    else:
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    # The chain stays keyed: un-keying would need the key and gain nothing.
