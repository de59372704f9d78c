"""Checked before: imported fact-checks (ClaimReview) and proposed matches per claim

Revision ID: 0010m
Revises: 0011a
Create Date: 2026-11-30
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0010m"
down_revision = "0011a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(length=2000), nullable=False, unique=True),
        sa.Column("claim_reviewed", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("rating", sa.String(length=200), nullable=False),
        sa.Column("rating_value", sa.Float(), nullable=True),
        sa.Column("publisher", sa.String(length=300), nullable=False),
        sa.Column("date_published", sa.Date(), nullable=True),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "claim_match",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("claim.id"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("claim_id", "kind", "target_id", name="uq_claim_match_target"),
    )
    op.create_index("ix_claim_match_claim_state", "claim_match", ["claim_id", "state"])
    op.create_index("ix_claim_match_state_claim", "claim_match", ["state", "claim_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_match_state_claim", table_name="claim_match")
    op.drop_index("ix_claim_match_claim_state", table_name="claim_match")
    op.drop_table("claim_match")
    op.drop_table("fact_check")
