"""notes, queue indexes, full-text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claim_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claim_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_note_claim_id'), ['claim_id'], unique=False)

    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index('ix_claim_article_score', ['article_id', 'checkworthiness', 'id'], unique=False)
        batch_op.create_index('ix_claim_assignee_score', ['assignee_id', 'checkworthiness', 'id'], unique=False)
        batch_op.create_index('ix_claim_score', ['checkworthiness', 'id'], unique=False)
        batch_op.create_index('ix_claim_source_score', ['source_id', 'checkworthiness', 'id'], unique=False)

    _create_full_text_search()


def downgrade() -> None:
    _drop_full_text_search()
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_source_score')
        batch_op.drop_index('ix_claim_score')
        batch_op.drop_index('ix_claim_assignee_score')
        batch_op.drop_index('ix_claim_article_score')

    with op.batch_alter_table('claim_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_note_claim_id'))

    op.drop_table('claim_note')


def _create_full_text_search() -> None:
    """Index claim wording for the queue's search: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='claim', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN "
                   "INSERT INTO claim_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN "
                   "INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', old.id, old.text); END")
        op.execute("CREATE TRIGGER claim_fts_update AFTER UPDATE OF text ON claim BEGIN "
                   "INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', old.id, old.text); "
                   "INSERT INTO claim_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')")
    else:
        op.execute("CREATE INDEX ix_claim_text_fts ON claim USING gin (to_tsvector('simple', text))")


def _drop_full_text_search() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("claim_fts_insert", "claim_fts_delete", "claim_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS claim_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_claim_text_fts")
