"""SQLite: FTS5 prefix indexes up to 12 characters, so that a very common longer word reads one list

Without an index of its length, a prefix query makes FTS5 merge the lists of every word that starts with it before
reading any, and that merge is paid again for every lookup. At a million generated claims, "ministry" (in 61 % of
them) cost 32 ms for the search's plan alone (the newest 2,001 matches; 0.2 ms with the index) and 137 ms for the
first page; "reported" (33 %) 15 and 65 ms. With its own index such a word can also be looked up claim by claim
along the sort order (services/queue.py, DENSE_WORD_CHARS): 7 ms for that page; "according" (9 letters) 48 -> 14 ms.
Words of more than 12 letters stay merged. The whole database grew by 3.4 % there (1,192 to 1,233 MB; 8 letters
alone gave 1,229); rebuilding the index took 17 s.

Revision ID: 0024p
Revises: 0023a
Create Date: 2026-12-01
"""

from alembic import op

revision = "0024p"
down_revision = "0023a"
branch_labels = None
depends_on = None

# The triggers on claim (claim_fts_insert/_delete/_update) name the table, not its options: they keep working.
_CREATE = (
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='claim', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='{prefix}')"
)


def _rebuild(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS claim_fts")
    op.execute(_CREATE.format(prefix=prefix))
    op.execute("INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _rebuild("1 2 3 4 5 6 7 8 9 10 11 12")


def downgrade() -> None:
    _rebuild("1 2 3 4 5")
