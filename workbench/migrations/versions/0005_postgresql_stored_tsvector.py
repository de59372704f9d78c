"""PostgreSQL: search a stored tsvector column, so that common words can be checked row by row cheaply

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite searches its FTS5 table
    op.execute("ALTER TABLE claim ADD COLUMN text_tsv tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED")
    op.execute("CREATE INDEX ix_claim_text_tsv ON claim USING gin (text_tsv)")
    op.execute("DROP INDEX IF EXISTS ix_claim_text_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_claim_text_fts ON claim USING gin (to_tsvector('simple', text))")
    op.execute("DROP INDEX IF EXISTS ix_claim_text_tsv")
    op.execute("ALTER TABLE claim DROP COLUMN text_tsv")
