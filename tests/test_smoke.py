from tests.conftest import login, parse
from tests.factories import make_article, make_user


def test_login_and_see_article(app, client, db):
    user = make_user(db)
    result = make_article(db, actor=user)
    login(client, user.email)
    page = parse(client.get(f"/articles/{result.article.id}"))
    assert page.find("h1").get_text() == "Harbour Bridge Reopens"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from sqlalchemy import text

    from workbench.db import get_engine

    engine = get_engine(app)
    if engine.dialect.name != "sqlite":
        import pytest

        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    from workbench.db import get_engine, include_name

    with get_engine(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
