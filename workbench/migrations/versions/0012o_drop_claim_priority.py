"""Drop Claim.priority: nothing sets it, reads it or shows it (the queue sorts by check-worthiness and date)

Revision ID: 0012o
Revises: 0010m
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012o"
down_revision = "0010m"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain DROP COLUMN on both databases (SQLite 3.35+ drops it in place): rebuilding the claim table would drop
    # its full-text triggers
    op.drop_column("claim", "priority")


def downgrade() -> None:
    op.add_column("claim", sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
