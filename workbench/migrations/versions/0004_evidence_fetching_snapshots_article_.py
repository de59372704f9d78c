"""evidence fetching, snapshots, article source snapshot

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('final_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('page_title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('archived_text', sa.Text(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evidence_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_snapshot_evidence_id'), ['evidence_id'], unique=False)

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_snapshot', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('source_fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fetch_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('fetch_started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('flag', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.create_index('ix_evidence_fetch_queue', ['fetch_state', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_fetch_queue')
        batch_op.drop_column('flag')
        batch_op.drop_column('fetch_started_at')
        batch_op.drop_column('fetch_attempts')

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_column('source_fetched_at')
        batch_op.drop_column('source_sha256')
        batch_op.drop_column('source_snapshot')

    with op.batch_alter_table('evidence_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_snapshot_evidence_id'))

    op.drop_table('evidence_snapshot')
