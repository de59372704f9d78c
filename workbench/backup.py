"""Backup and restore: SQLite through its online backup API, PostgreSQL through pg_dump and pg_restore.

A restore first loads the backup into a scratch copy and checks its audit chain under the audit key; a backup
whose chain does not verify is refused and the database is left as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from .audit import ChainReport, register_key, verify_chain


class BackupError(Exception):
    """A backup or restore that cannot be done; its message is one line saying why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools (same major version as "
            "the server, or newer) to back up or restore a PostgreSQL database."
        )
    return path


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """pg_dump/pg_restore connection options, the password passed in the environment (not on the command line)."""
    args = [
        "--host",
        url.host or "localhost",
        "--port",
        str(url.port or 5432),
        "--username",
        url.username or "postgres",
        "--no-password",
        "--dbname",
        url.database or "",
    ]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[-1] if lines else 'exit ' + str(done.returncode)}")


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to target (a SQLite file, or a pg_dump custom-format archive)."""
    url = make_url(database_url)
    target = Path(target)
    if url.get_backend_name() == "sqlite":
        partial = target.with_name(target.name + ".partial")
        source, copy = sqlite3.connect(_sqlite_path(url)), sqlite3.connect(partial)
        try:
            source.backup(copy)  # page by page, consistent even while the app writes
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
            source.close()
        partial.replace(target)
        return
    args, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)


@contextmanager
def _scratch_copy(database_url: str, backup_file: Path) -> Iterator[Engine]:
    """Load the backup into a throwaway database and yield an engine on it."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            scratch = Path(folder) / "restore-check.sqlite3"
            source, copy = sqlite3.connect(backup_file), sqlite3.connect(scratch)
            try:
                source.backup(copy)  # through the backup's own -wal, should it have one
            except sqlite3.DatabaseError as error:
                raise BackupError(f"{backup_file} is not a SQLite backup ({error}).") from None
            finally:
                copy.close()
                source.close()
            engine = create_engine(f"sqlite:///{scratch}")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    name = f"{url.database}_restore_check_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        scratch_url = url.set(database=name)
        args, env = _libpq(scratch_url)
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args, str(backup_file)], env)
        engine = create_engine(scratch_url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def check_backup(database_url: str, backup_file: Path, audit_key: str) -> ChainReport:
    """Load the backup aside and verify its audit chain under the audit key; the live database is not touched."""
    with _scratch_copy(database_url, Path(backup_file)) as engine:
        register_key(engine, audit_key)
        try:
            with Session(engine) as session:
                return verify_chain(session=session)
        except Exception as error:  # noqa: BLE001 - not a workbench database at all
            raise BackupError(f"{backup_file} holds no readable audit chain ({type(error).__name__}).") from None


def restore(database_url: str, backup_file: Path, audit_key: str) -> ChainReport:
    """Replace the database with the backup once its audit chain verifies; raise BackupError otherwise."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"{backup_file}: no such file.")
    report = check_backup(database_url, backup_file, audit_key)
    if not report.ok:
        raise BackupError(
            f"Refusing to restore {backup_file}: its audit chain does not verify ({report.error}); "
            "the database was left as it was."
        )
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source, live = sqlite3.connect(backup_file), sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(live)  # the live file takes the backup's pages in one go
        finally:
            live.close()
            source.close()
        return report
    args, env = _libpq(url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(backup_file),
        ],
        env,
    )
    return report
