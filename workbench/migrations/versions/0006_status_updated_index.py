"""The queue's "recently changed" sort within a status, without sorting every claim of that status

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claim_status_updated", "claim", ["status", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_claim_status_updated", table_name="claim")
