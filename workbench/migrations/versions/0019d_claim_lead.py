"""Claims get a lead: duplicates inside the desk are grouped under one claim whose verdict they follow

Revision ID: 0019d
Revises: 0018k
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0019d"
down_revision = "0018k"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a nullable column with its REFERENCES clause in place; batch mode would rebuild the table
        # and lose the full-text triggers on it.
        op.execute("ALTER TABLE claim ADD COLUMN lead_id INTEGER REFERENCES claim (id)")
    else:
        op.add_column("claim", sa.Column("lead_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_claim_lead_id_claim", "claim", "claim", ["lead_id"], ["id"])
    op.create_index("ix_claim_lead", "claim", ["lead_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_lead", table_name="claim")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_claim_lead_id_claim", "claim", type_="foreignkey")
    op.drop_column("claim", "lead_id")
