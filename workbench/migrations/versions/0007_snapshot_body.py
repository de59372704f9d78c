"""Keep the fetched bytes of each evidence snapshot (PDFs and other non-HTML bodies included)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_snapshot") as batch_op:
        batch_op.add_column(sa.Column("body", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence_snapshot") as batch_op:
        batch_op.drop_column("body")
