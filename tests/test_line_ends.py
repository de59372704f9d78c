"""Line ends: pasted \\r\\n text is stored with \\n, and a migration fixes articles stored before, with their offsets."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import text
from sqlmodel import select

from tests.conftest import PG_URL, csrf_token, login, parse
from tests.factories import make_user
from workbench.db import make_engine, migrations_config
from workbench.models import Article, Claim, Role

PASTED = (
    "Border Exercise\r\n\r\nTroops gathered in Belarus, just a few kilometers from the border of Poland, "
    "the ministry said on Monday.\r\n\r\nThe drills will last 11 days, according to Reuters.\r\n"
)


def test_pasted_crlf_text_is_stored_with_newlines_and_selections_land(client, db):
    user = make_user(db, Role.checker)
    login(client, user.email)
    response = client.post(
        "/articles",
        data={"csrf_token": csrf_token(client), "text": PASTED, "title": "Border", "published": "2024-07-09"},
    )
    assert response.status_code in (200, 303)
    article = db.exec(select(Article)).one()
    assert "\r" not in article.text and article.text == PASTED.replace("\r\n", "\n")
    for claim in db.exec(select(Claim).where(Claim.article_id == article.id)):
        assert article.text[claim.start : claim.end] == claim.quote
    words = "just a few kilometers from the border of Poland"
    start = article.text.index(words)  # what the browser counts: \n line ends
    made = client.post(
        f"/articles/{article.id}/claims",
        data={"csrf_token": csrf_token(client), "start": start, "end": start + len(words)},
        headers={"HX-Request": "true", "HX-Target": "article-workspace"},
    )
    assert made.status_code == 200
    assert db.exec(select(Claim).where(Claim.kind == "manual")).one().quote == words
    assert parse(made).find(id="article-workspace") is not None


def test_migration_normalises_stored_articles_and_moves_their_offsets(tmp_path):
    if PG_URL:  # the migration runs on the PostgreSQL template too; this test builds its own old-schema database
        import pytest

        pytest.skip("builds a SQLite database at the old revision")
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = migrations_config(engine)
    command.upgrade(config, "0008e")
    words = "just a few kilometers from the border of Poland"
    old_start = PASTED.index(words)
    date_start = PASTED.index("on Monday")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (id, title, language, text, content_hash, version, ingested_at) "
                "VALUES (1, 'Border', 'en', :text, 'x', 1, '2024-07-09 10:00:00')"
            ),
            {"text": PASTED},
        )
        connection.execute(
            text(
                'INSERT INTO claim (id, article_id, text, quote, start, "end", sentence_start, sentence_end, kind, '
                "checkworthiness, dates, status, rationale, priority, version, created_at, updated_at) VALUES "
                "(1, 1, :words, :words, :s, :e, :ss, :se, 'manual', 0.5, :dates, 'unverified', '', 0, 1, "
                "'2024-07-09 10:00:00', '2024-07-09 10:00:00')"
            ),
            {
                "words": words,
                "s": old_start,
                "e": old_start + len(words),
                "ss": PASTED.index("Troops"),
                "se": PASTED.index("Monday.") + 7,
                "dates": json.dumps(
                    [{"text": "on Monday", "start": date_start, "end": date_start + 9, "value": "2024-07-08"}]
                ),
            },
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT text, content_hash FROM article WHERE id = 1")).one()
        claim = connection.execute(text('SELECT start, "end", quote, sentence_start, dates FROM claim')).one()
    engine.dispose()
    normal = PASTED.replace("\r\n", "\n")
    assert stored.text == normal and stored.content_hash != "x"
    assert normal[claim.start : claim.end] == words == claim.quote
    assert normal[claim.sentence_start :].startswith("Troops")
    date = json.loads(claim.dates)[0]
    assert normal[date["start"] : date["end"]] == "on Monday"
