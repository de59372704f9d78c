"""Drop Article.version and Article.previous_version_id: an article's text is never altered, so nothing ever set
a version other than 1 or linked a previous one, and nothing reads them (claims keep their own version)

Revision ID: 0015r
Revises: 0014r
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0015r"
down_revision = "0014r"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("article", "previous_version_id")  # its foreign key goes with it
        op.drop_column("article", "version")
        return
    # SQLite cannot drop a column named in a foreign key: the table is rebuilt. Dropping the old table while other
    # tables' foreign keys point at it needs foreign keys off, which SQLite only allows outside a transaction; the
    # rebuild then runs in a transaction of its own and is checked before it commits.
    with op.get_context().autocommit_block():
        connection = op.get_bind()
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            with op.batch_alter_table("article", recreate="always") as batch:
                batch.drop_column("previous_version_id")
                batch.drop_column("version")
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                connection.exec_driver_sql("ROLLBACK")
                raise RuntimeError(f"rebuilding the article table would break foreign keys: {problems[:5]}")
            connection.exec_driver_sql("COMMIT")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("article") as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            batch.add_column(sa.Column("previous_version_id", sa.Integer(), nullable=True))
        return
    op.add_column("article", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("article", sa.Column("previous_version_id", sa.Integer(), sa.ForeignKey("article.id"), nullable=True))
