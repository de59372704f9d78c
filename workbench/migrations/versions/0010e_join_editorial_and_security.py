"""Join the editorial (0008e, 0009e) and security (0008s, 0009s) migration chains

Revision ID: 0010e
Revises: 0009e, 0009s
Create Date: 2026-11-30
"""

revision = "0010e"
down_revision = ("0009e", "0009s")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: the two chains touch different tables and columns."""


def downgrade() -> None:
    """Nothing to undo."""
