"""API tokens get a scope (read or write), an optional expiry and a revocation time

Revision ID: 0013w
Revises: 0012o
Create Date: 2026-11-30
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0013w"
down_revision = "0012o"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs: no table rebuild, and existing tokens (none are issued yet) default to read-only
    op.add_column("apitoken", sa.Column("scope", sa.String(length=10), nullable=False, server_default="read"))
    op.add_column("apitoken", sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("apitoken", sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("apitoken", "revoked_at")
    op.drop_column("apitoken", "expires_at")
    op.drop_column("apitoken", "scope")
