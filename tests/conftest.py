"""Fixtures: an app on a fresh database per test (SQLite by default, PostgreSQL when asked), a client, a runner."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, inspect, make_url, text

from workbench import create_app
from workbench.db import get_engine, make_engine, upgrade_schema

PG_URL = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate one database per test run: a SQLite file to copy, or a fresh PostgreSQL database."""
    if PG_URL:
        base = make_url(PG_URL)
        name = f"wb_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        upgrade_schema(engine)
        engine.dispose()
        yield url
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade_schema(engine)
        engine.dispose()
        yield path


@functools.cache
def _tables(url: str) -> tuple[str, ...]:
    """Every table of the migrated schema but Alembic's own (a table a migration adds is emptied too, unlisted)."""
    engine = create_engine(url)
    try:
        return tuple(f'"{name}"' for name in inspect(engine).get_table_names() if name != "alembic_version")
    finally:
        engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    """A database with the schema in place and no rows."""
    if PG_URL:
        engine = create_engine(database_template)
        with engine.begin() as connection:
            # The schema refuses TRUNCATE of the audit table; the test database's superuser empties it between
            # tests with triggers off for this transaction only (replica mode skips ordinary triggers).
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {', '.join(_tables(database_template))} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return database_template
    path = tmp_path / "workbench.sqlite3"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    """The app configured for tests, on its own database."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": False,
            "WORKBENCH_INSTANCE_PATH": str(tmp_path),
        }
    )
    yield application
    get_engine(application).dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database session of the test's own, outside any app context (so requests keep theirs)."""
    from sqlmodel import Session

    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


def parse(response) -> BeautifulSoup:
    """Parse a response body as HTML."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(client) -> str:
    """Return the CSRF token of the client's session, read from the login form."""
    page = parse(client.get("/login"))
    return page.find("input", {"name": "csrf_token"})["value"]


def login(client, email: str, password: str = "correct horse battery"):
    """Sign the client in through the login form (with its CSRF token)."""
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response
