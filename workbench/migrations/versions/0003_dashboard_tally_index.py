"""An index the editor dashboard counts claims with, in one covering scan

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claim_tally", "claim", ["status", "source_id", "assignee_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_tally", table_name="claim")
