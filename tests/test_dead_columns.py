"""Migration 0015r drops the article versioning columns nothing used; the rebuild on SQLite keeps every row,
index and foreign key."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import PG_URL
from tests.factories import make_article, make_user
from workbench.db import get_engine, make_engine, migrations_config


def test_articles_have_no_versioning_columns(app, db):
    columns = {c["name"] for c in inspect(get_engine(app)).get_columns("article")}
    assert "version" not in columns and "previous_version_id" not in columns
    assert make_article(db, actor=make_user(db)).article.id  # ingest still writes articles


@pytest.mark.skipif(bool(PG_URL), reason="builds a SQLite database at the old revision")
def test_the_sqlite_rebuild_keeps_rows_indexes_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = migrations_config(engine)
    command.upgrade(config, "0014r")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (id, title, language, text, content_hash, version, previous_version_id, "
                "ingested_at, published) VALUES (1, 'One', 'en', 'Text one.', 'h1', 1, NULL, '2024-07-09 10:00:00', "
                "'2024-07-09'), (2, 'Two', 'en', 'Text two.', 'h2', 1, 1, '2024-07-10 10:00:00', NULL)"
            )
        )
        connection.execute(
            text(
                'INSERT INTO claim (id, article_id, text, quote, start, "end", sentence_start, sentence_end, kind, '
                "checkworthiness, dates, status, rationale, version, created_at, updated_at) VALUES "
                "(1, 2, 'Text two.', 'Text two.', 0, 9, 0, 9, 'manual', 0.5, '[]', 'unverified', '', 1, "
                "'2024-07-09 10:00:00', '2024-07-09 10:00:00')"
            )
        )
    command.upgrade(config, "head")
    inspector = inspect(engine)
    assert {c["name"] for c in inspector.get_columns("article")} >= {"id", "title", "text", "published"}
    assert not {"version", "previous_version_id"} & {c["name"] for c in inspector.get_columns("article")}
    assert {i["name"] for i in inspector.get_indexes("article")} >= {"ix_article_published", "ix_article_ingested_at"}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT id, title, published FROM article ORDER BY id")).all() == [
            (1, "One", "2024-07-09"),
            (2, "Two", None),
        ]
        assert connection.execute(text("SELECT article_id FROM claim")).scalar() == 2
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    with pytest.raises(IntegrityError), engine.begin() as connection:  # claims still point at real articles only
        connection.execute(text("UPDATE claim SET article_id = 99"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (title, language, text, content_hash, ingested_at) VALUES "
                "('Dup', 'en', 'x', 'h1', '2024-07-09 10:00:00')"
            )
        )  # the unique hash is kept
    engine.dispose()
