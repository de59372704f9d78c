"""The rematch outbox: a verdict becoming final queues the search for open claims like it, done by the worker

Marking the open claims that say the same as a new final verdict searched the index of every open claim inside the
verdict's write: at a million claims (700,000 open) that was 4.5 ms at the median and 160 ms at p95, most of a
verdict's 6 ms and all of its 162 ms. The write now adds one row here; the background worker leases it (taken_at,
so two workers never search for one verdict), searches holding no lock, then deletes it in the short transaction
that stores the marks.

Revision ID: 0025r
Revises: 0024p
Create Date: 2026-12-01
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0025r"
down_revision = "0024p"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_rematch",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("claim_id"),
    )


def downgrade() -> None:
    op.drop_table("claim_rematch")
