"""Keep the body a speaker speaks for ("a CDC spokesperson told CNN": the CDC), as extraction now finds it

Revision ID: 0011a
Revises: 0010e
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011a"
down_revision = "0010e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases: rebuilding the claim table would drop its full-text triggers
    op.add_column("claim", sa.Column("speaker_affiliation", sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column("claim", "speaker_affiliation")  # SQLite 3.35+ drops a column in place, keeping the triggers
