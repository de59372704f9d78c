"""Audit events record the id of the request (or the queued job's request) that caused them

Revision ID: 0014r
Revises: 0013w
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014r"
down_revision = "0013w"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain nullable ADD COLUMN: the append-only triggers forbid UPDATE, and none is needed, since older events
    # keep NULL, which the hash leaves out (workbench/audit.py), so every stored hash still verifies.
    op.add_column("audit_event", sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_event", "request_id")
