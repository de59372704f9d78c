"""Backup and restore round-trip on the suite's database (SQLite, or PostgreSQL with pg_dump), checked by audit verify."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import make_url
from sqlmodel import Session, func, select

from tests.factories import make_article, make_user
from workbench.db import get_engine
from workbench.models import Article, AuditEvent, Role, User


@pytest.fixture
def needs_tools(database_url):
    if not database_url.startswith("sqlite") and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not on PATH")


def _counts(app):
    with Session(get_engine(app)) as session:
        return (
            session.exec(select(func.count()).select_from(User)).one(),
            session.exec(select(func.count()).select_from(Article)).one(),
            session.exec(select(func.count()).select_from(AuditEvent)).one(),
        )


def test_backup_and_restore_round_trip(app, db, runner, tmp_path, needs_tools):
    admin = make_user(db, Role.admin)
    make_article(db, actor=admin)
    db.close()
    before = _counts(app)
    result = runner.invoke(args=["backup", str(tmp_path / "wb.backup")])
    assert result.exit_code == 0, result.output
    with Session(get_engine(app)) as session:  # work done after the backup, which the restore takes back
        make_user(session, Role.checker)
        make_article(session, actor=admin, text="The council said on Monday that 40 buses would run.")
    assert _counts(app) != before
    result = runner.invoke(args=["restore", str(tmp_path / "wb.backup"), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"audit chain intact, {before[2]} events" in result.output
    assert _counts(app) == before
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and f"Audit chain intact: {before[2]} events" in verify.output


def test_restore_refuses_a_backup_signed_with_another_key(app, db, runner, tmp_path, needs_tools):
    admin = make_user(db, Role.admin)
    make_article(db, actor=admin)
    db.close()
    assert runner.invoke(args=["backup", str(tmp_path / "wb.backup")]).exit_code == 0
    before = _counts(app)
    app.config["AUDIT_KEY"] = "another desk's key"
    result = runner.invoke(args=["restore", str(tmp_path / "wb.backup"), "--yes"])
    assert result.exit_code == 1
    assert "Refusing to restore" in result.output and "contents altered or forged" in result.output
    assert _counts(app) == before


def test_restore_refuses_a_tampered_sqlite_backup(app, db, runner, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("tampering is done on the SQLite file")
    admin = make_user(db, Role.admin)
    make_article(db, actor=admin)
    db.close()
    backup = tmp_path / "wb.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    connection = sqlite3.connect(backup)  # someone with the file edits history, triggers and all
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("UPDATE audit_event SET reason = 'nothing to see' WHERE seq = 1")
    connection.commit()
    connection.close()
    with Session(get_engine(app)) as session:
        make_user(session, Role.checker)
    before = _counts(app)
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 1 and "seq=1: contents altered or forged" in result.output
    assert _counts(app) == before


def test_restore_refuses_what_is_not_a_backup(app, runner, tmp_path, database_url, needs_tools):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and len(result.output.splitlines()) == 1


def test_backup_without_pg_dump_says_so(app, runner, tmp_path, monkeypatch):
    from workbench import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    app.config["DATABASE_URL"] = make_url("postgresql+psycopg://wb@127.0.0.1:1/x").render_as_string()
    result = runner.invoke(args=["backup", str(tmp_path / "x.backup")])
    assert result.exit_code == 1 and "pg_dump was not found on PATH" in result.output
