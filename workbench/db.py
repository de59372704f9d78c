"""Database engine, per-request sessions and schema migrations."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

LIKE_ESCAPE = "\\"


def like_pattern(text: str, *, at_start: bool = False) -> str:
    """A LIKE pattern that matches `text` literally (its % and _ escaped with LIKE_ESCAPE): anywhere, or at the start."""
    literal = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return ("" if at_start else "%") + literal + "%"


def make_engine(url: str, *, busy_timeout: float = 15.0) -> Engine:
    """Create an engine; SQLite gets WAL mode, foreign keys and a busy timeout (then the request answers 503)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def get_engine(app: Flask | None = None) -> Engine:
    """Return the app's engine."""
    return (app or current_app).extensions["workbench.engine"]


def get_session() -> Session:
    """Return the session of the current request or CLI command, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def read_without_transaction(session: Session) -> None:
    """After a request's write has committed, let the reads that build its answer run outside any transaction.

    An answer read after its write needs no snapshot shared between its statements, and PostgreSQL is spared a
    transaction's BEGIN and ROLLBACK (two round trips) around them. For reads only: a write made after this would
    commit statement by statement. Does nothing while something is still uncommitted, nor on SQLite, whose driver
    opens no transaction for reads (and whose isolation switch costs more than it saves).
    """
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def close_session(_exc: BaseException | None = None) -> None:
    """Close the current request's session, rolling back anything not committed."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


# Database objects that the migrations create by hand (full-text search) and the models do not describe.
UNMODELLED = ("claim_fts", "ix_claim_text_fts", "text_tsv", "ix_claim_text_tsv")


def include_name(name, type_, parent_names) -> bool:
    """Tell Alembic's autogenerate to leave the full-text search objects alone."""
    return not (name or "").startswith(UNMODELLED)


def migrations_config(engine: Engine | None):
    """Return an Alembic config that points at our migrations and the given engine."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = engine
    if engine is not None:
        from .audit import registered_key

        cfg.attributes["audit_key"] = registered_key(engine)  # for the migration that re-keys the chain
    return cfg


def upgrade_schema(engine: Engine) -> str:
    """Create or upgrade the schema to the newest migration; return the revision now in place."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    def current() -> str:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() or ""

    before = current()
    command.upgrade(migrations_config(engine), "head")
    revision = current()
    if revision != before or not _has_statistics(engine):  # new indexes need statistics; a plain start does not
        refresh_statistics(engine)
    return revision


def _has_statistics(engine: Engine) -> bool:
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's query planner current statistics; without them it can pick an index that sorts 500,000 rows."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def init_app(app: Flask) -> None:
    """Attach the engine to the app and close sessions after each request."""
    from .audit import register_key

    app.extensions["workbench.engine"] = make_engine(
        app.config["DATABASE_URL"], busy_timeout=app.config.get("DATABASE_BUSY_TIMEOUT", 15.0)
    )
    register_key(app.extensions["workbench.engine"], app.config["AUDIT_KEY"])
    app.teardown_appcontext(close_session)
