"""Editorial workflow: who gave a verdict and when, approval date, send back, dismissal, withdrawn evidence

Revision ID: 0008e
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008e"
down_revision = "0007"
branch_labels = None
depends_on = None

VERDICTS = "('verified', 'mostly_accurate', 'misleading', 'false', 'unverifiable', 'not_checkable')"


CLAIM_COLUMNS = [("verdict_by_id", "user"), ("verdict_at", sqlmodel.sql.sqltypes.UTCDateTime()),
                 ("approved_at", sqlmodel.sql.sqltypes.UTCDateTime()), ("sent_back_by_id", "user"),
                 ("sent_back_at", sqlmodel.sql.sqltypes.UTCDateTime()), ("sent_back_comment", sa.Text()),
                 ("dismissed_reason", sa.Text())]
EVIDENCE_COLUMNS = [("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime()), ("withdrawn_by_id", "user"),
                    ("withdrawn_reason", sa.Text())]


def _add(table: str, name: str, kind) -> None:
    """Add a nullable column in place: batch mode would rebuild the claim table and drop its search triggers."""
    if kind != "user":
        op.add_column(table, sa.Column(name, kind, nullable=True))
    elif op.get_bind().dialect.name == "sqlite":
        op.execute(f'ALTER TABLE {table} ADD COLUMN {name} INTEGER REFERENCES "user" (id)')
    else:
        op.add_column(table, sa.Column(name, sa.Integer(), sa.ForeignKey("user.id", name=f"fk_{table}_{name}"),
                                       nullable=True))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE status ADD VALUE IF NOT EXISTS 'dismissed'")
    for name, kind in CLAIM_COLUMNS:
        _add("claim", name, kind)
    for name, kind in EVIDENCE_COLUMNS:
        _add("evidence", name, kind)
    op.create_index("ix_claim_approval", "claim", ["approved_by_id", "sent_back_at", "verdict_at"])
    op.create_index("ix_claim_verdict_by", "claim", ["verdict_by_id", "sent_back_at"])
    # Existing verdicts: their author is whoever last set the status (from the audit chain), their date the last change.
    op.execute(f"""
        UPDATE claim SET verdict_at = updated_at,
          verdict_by_id = (SELECT e.actor_id FROM audit_event e WHERE e.entity_type = 'claim'
                           AND e.entity_id = claim.id AND e.action IN ('status', 'bulk')
                           ORDER BY e.seq DESC LIMIT 1)
        WHERE status IN {VERDICTS}""")
    op.execute("UPDATE claim SET approved_at = updated_at WHERE approved_by_id IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE claim SET status = 'unverified' WHERE status = 'dismissed'")
    op.drop_index("ix_claim_verdict_by", table_name="claim")
    op.drop_index("ix_claim_approval", table_name="claim")
    for table, columns in (("evidence", EVIDENCE_COLUMNS), ("claim", CLAIM_COLUMNS)):
        for name, kind in reversed(columns):
            if kind == "user" and op.get_bind().dialect.name == "postgresql":
                op.drop_constraint(f"fk_{table}_{name}", table, type_="foreignkey")
            op.drop_column(table, name)  # SQLite 3.35+ drops a column in place, keeping the search triggers
