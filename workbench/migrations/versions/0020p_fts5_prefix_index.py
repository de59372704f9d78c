"""SQLite: FTS5 prefix indexes (1-3 characters), so that search-as-you-type reads one list per typed prefix

Without them, a short prefix ("g", "gd", "in") makes FTS5 merge the lists of every word that starts with it before
the first match comes out: hundreds of milliseconds at a million claims. PostgreSQL's GIN index answers prefixes
(`word:*`) from its sorted keys and needs nothing new.

Revision ID: 0020p
Revises: 0019d
Create Date: 2026-11-30
"""

from alembic import op

revision = "0020p"
down_revision = "0019d"
branch_labels = None
depends_on = None

# The triggers on claim (claim_fts_insert/_delete/_update) name the table, not its options: they keep working.
_CREATE = (
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='claim', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2'{prefix})"
)


def _rebuild(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS claim_fts")
    op.execute(_CREATE.format(prefix=prefix))
    op.execute("INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _rebuild(", prefix='1 2 3'")


def downgrade() -> None:
    _rebuild("")
