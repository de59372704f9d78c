"""Tampering with the audit chain is caught: truncation (against an anchor), re-chaining, forged events,
TRUNCATE, INSERT OR REPLACE, anything after a report's trailer; the migration re-keys an existing chain."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from tests.conftest import PG_URL, csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.audit import audit_key, canonical_json, event_hash, verify_chain
from workbench.audit_anchor import check_anchor, make_anchor
from workbench.db import get_engine
from workbench.models import AuditEvent, Role


def _events(db):
    db.expire_all()
    return list(db.exec(select(AuditEvent).order_by(AuditEvent.id)))


def _raw(app, db, *statements, params=None):
    """Run statements as someone with write access to the database, append-only triggers off."""
    engine = get_engine(app)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            for name in ("no_update", "no_delete", "no_replace"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS audit_event_{name}"))
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            connection.execute(text(statement), params or {})
    db.expire_all()


def _rechain(app, db, key: bytes, edit_id=None):
    """Rebuild every hash from the first event on, as a forger would (optionally after editing one event)."""
    events = _events(db)
    previous = "0" * 64
    updates = []
    for event in events:
        if event.id == edit_id:
            event.reason = "quietly rewritten"
        event.prev_hash = previous
        event.hash = previous = event_hash(event, key)
        updates.append({"id": event.id, "reason": event.reason, "prev_hash": event.prev_hash, "hash": event.hash})
    db.rollback()
    for row in updates:
        _raw(
            app,
            db,
            "UPDATE audit_event SET reason = :reason, prev_hash = :prev_hash, hash = :hash WHERE id = :id",
            params=row,
        )


@pytest.fixture
def chain(db):
    user = make_user(db, Role.admin)
    make_article(db, actor=user)
    return _events(db)


def test_truncating_the_newest_events_is_caught_by_the_anchor(app, db, chain):
    anchor = make_anchor(session=db, actor=None)
    assert check_anchor(session=db, anchor=anchor).ok
    _raw(app, db, f"DELETE FROM audit_event WHERE seq >= {chain[-3].seq}")
    assert verify_chain(session=db).ok  # what remains is a valid chain...
    result = check_anchor(session=db, anchor=anchor)
    assert not result.ok and "Truncated" in result.message  # ...but not the one that was anchored


def test_rechaining_from_an_edited_event_without_the_key_fails(app, db, chain):
    _rechain(app, db, b"a guessed key", edit_id=chain[3].id)
    report = verify_chain(session=db)
    assert not report.ok and report.bad_event_id == chain[0].id and "forged" in report.error


def test_rechaining_with_plain_sha256_fails(app, db, chain):
    events = _events(db)
    previous = "0" * 64
    for event in events:
        body = canonical_json(
            {
                "seq": event.seq,
                "at": event.at,
                "actor": event.actor,
                "actor_id": event.actor_id,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "action": event.action,
                "before": event.before,
                "after": event.after,
                "reason": event.reason,
                "prev_hash": previous,
            }
        )
        new = hashlib.sha256(body.encode()).hexdigest()
        _raw(
            app,
            db,
            "UPDATE audit_event SET prev_hash = :p, hash = :h WHERE id = :id",
            params={"p": previous, "h": new, "id": event.id},
        )
        previous = new
    assert not verify_chain(session=db).ok


def test_an_insider_with_the_key_who_rewrites_history_is_caught_by_the_anchor(app, db, chain):
    anchor = make_anchor(session=db, actor=None)
    _rechain(app, db, audit_key(db), edit_id=chain[2].id)
    assert verify_chain(session=db).ok
    result = check_anchor(session=db, anchor=anchor)
    assert not result.ok and "rewritten" in result.message


@pytest.mark.parametrize("key", [None, b"wrong key"])
def test_an_appended_forged_event_fails(app, db, chain, key):
    last = chain[-1]
    forged = AuditEvent(
        seq=last.seq + 1,
        at=last.at,
        actor="admin@newsroom.example",
        actor_id=None,
        entity_type="user",
        entity_id=99,
        action="create",
        before="{}",
        after='{"role":"admin"}',
        reason="",
        prev_hash=last.hash,
    )
    if key is None:  # correctly hashed the way the chain used to be (plain SHA-256)
        body = canonical_json(
            {
                k: getattr(forged, k)
                for k in (
                    "seq",
                    "at",
                    "actor",
                    "actor_id",
                    "entity_type",
                    "entity_id",
                    "action",
                    "before",
                    "after",
                    "reason",
                    "prev_hash",
                )
            }
        )
        forged.hash = hashlib.sha256(body.encode()).hexdigest()
    else:
        forged.hash = event_hash(forged, key)
    _raw(
        app,
        db,
        "INSERT INTO audit_event (seq, at, actor, actor_id, entity_type, entity_id, action, before, after, "
        "reason, prev_hash, hash) VALUES (:seq, :at, :actor, NULL, :entity_type, :entity_id, :action, "
        ":before, :after, :reason, :prev_hash, :hash)",
        params=forged.model_dump(exclude={"id", "actor_id"}),
    )
    report = verify_chain(session=db)
    assert not report.ok and f"seq={forged.seq}" in report.error


def test_an_edited_anchor_is_refused(db, chain):
    anchor = make_anchor(session=db, actor=None)
    assert not check_anchor(session=db, anchor={**anchor, "seq": anchor["seq"] - 1}).ok
    assert "signature" in check_anchor(session=db, anchor={**anchor, "hash": "0" * 64}).message


@pytest.mark.skipif(not PG_URL, reason="TRUNCATE triggers are PostgreSQL's")
def test_postgresql_refuses_truncate(app, db, chain):
    db.rollback()  # the test's own read would otherwise make TRUNCATE wait for its lock instead of failing
    with get_engine(app).connect() as connection:
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text("TRUNCATE audit_event"))
        connection.rollback()
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text("TRUNCATE audit_event CASCADE"))
    assert len(_events(db)) == len(chain)


@pytest.mark.skipif(bool(PG_URL), reason="INSERT OR REPLACE is SQLite's")
@pytest.mark.parametrize("conflict", ["id", "seq", "hash"])
def test_sqlite_refuses_insert_or_replace(app, db, chain, conflict):
    target = chain[1]
    values = {"id": 10_000, "seq": 10_000, "hash": "f" * 64, conflict: getattr(target, conflict)}
    with get_engine(app).connect() as connection:
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(
                text(
                    "INSERT OR REPLACE INTO audit_event (id, seq, at, actor, entity_type, entity_id, action, before, after, "
                    "reason, prev_hash, hash) VALUES (:id, :seq, 'x', 'x', 'x', 1, 'x', '{}', '{}', '', 'x', :hash)"
                ),
                values,
            )
        connection.rollback()
    assert [(e.id, e.hash) for e in _events(db)] == [(e.id, e.hash) for e in chain]


def test_cli_anchor_and_verify(app, runner, db, chain, tmp_path):
    anchor_file = tmp_path / "anchor.json"
    result = runner.invoke(args=["audit", "anchor", "-o", str(anchor_file)])
    assert result.exit_code == 0 and "Anchored event" in result.output
    assert json.loads(anchor_file.read_text())["seq"] == chain[-1].seq
    assert runner.invoke(args=["audit", "verify", "--anchor", str(anchor_file)]).exit_code == 0
    printed = runner.invoke(args=["audit", "anchor"])
    assert json.loads(printed.output)["kind"] == "workbench-audit-anchor"
    _raw(app, db, f"DELETE FROM audit_event WHERE seq >= {chain[-1].seq}")
    result = runner.invoke(args=["audit", "verify", "--anchor", str(anchor_file)])
    assert result.exit_code == 1 and "Truncated" in result.output
    bad = tmp_path / "not-an-anchor.json"
    bad.write_text("{nope")
    result = runner.invoke(args=["audit", "verify", "--anchor", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output and len(result.output.strip().splitlines()) == 2


def test_cli_anchor_to_an_unwritable_path_is_one_line(runner, chain, tmp_path):
    result = runner.invoke(args=["audit", "anchor", "-o", str(tmp_path / "missing-dir" / "anchor.json")])
    assert result.exit_code == 1 and result.output.strip().startswith("Error: Cannot write")
    assert len(result.output.strip().splitlines()) == 1


def test_the_audit_page_shows_the_last_anchor(client, db, chain):
    login(client, json.loads(chain[0].after)["email"])
    assert "No anchor yet" in parse(client.get("/admin/audit")).find(id="last-anchor").get_text()
    anchor = make_anchor(session=db, actor=None)
    shown = parse(client.get("/admin/audit")).find(id="last-anchor").get_text()
    assert f"event {anchor['seq']}" in shown and anchor["hash"] in shown


def test_content_after_a_reports_trailer_fails_verification(app, client, db, chain, runner, tmp_path):
    app.config["PUBLIC_URL"] = "https://factcheck.example"  # ClaimReview is refused without a public address
    login(client, json.loads(chain[0].after)["email"])
    article_id = db.exec(select(AuditEvent).where(AuditEvent.action == "ingest")).first().entity_id
    for fmt in ("csv", "json", "html", "claimreview"):
        body = client.post(
            "/exports", data={"csrf_token": csrf_token(client), "article": article_id, "format": fmt}
        ).get_data()
        path = tmp_path / f"report.{fmt}"
        path.write_bytes(body)
        assert runner.invoke(args=["audit", "verify", "--report", str(path)]).exit_code == 0
        for extra in (b"<script>alert(1)</script>", b"\n", b" "):
            path.write_bytes(body + extra)
            result = runner.invoke(args=["audit", "verify", "--report", str(path)])
            assert result.exit_code == 1 and "after its integrity trailer" in result.output, (fmt, extra)


def _old_chain_database(tmp_path, *, break_it=False):
    """A SQLite database at migration 0008s whose chain was written the old way (plain SHA-256)."""
    from alembic import command

    from workbench.db import make_engine, migrations_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    command.upgrade(migrations_config(engine), "0008s")
    previous = "0" * 64
    with engine.begin() as connection:
        for seq in (1, 2, 3):
            event = {
                "seq": seq,
                "at": f"2026-01-0{seq}T00:00:00",
                "actor": "system",
                "actor_id": None,
                "entity_type": "claim",
                "entity_id": seq,
                "action": "create",
                "before": "{}",
                "after": canonical_json({"text": f"claim {seq}"}),
                "reason": "",
                "prev_hash": previous,
            }
            event["hash"] = previous = hashlib.sha256(canonical_json(event).encode()).hexdigest()
            if break_it and seq == 2:
                event["reason"] = "edited after hashing"
            connection.execute(
                text(
                    "INSERT INTO audit_event (seq, at, actor, actor_id, entity_type, entity_id, action, "
                    "before, after, reason, prev_hash, hash) VALUES (:seq, :at, :actor, :actor_id, "
                    ":entity_type, :entity_id, :action, :before, :after, :reason, :prev_hash, :hash)"
                ),
                event,
            )
    return engine


@pytest.mark.skipif(bool(PG_URL), reason="builds its own SQLite database")
def test_the_migration_re_keys_an_existing_chain(tmp_path):
    from sqlmodel import Session

    from workbench.audit import register_key
    from workbench.db import upgrade_schema

    engine = _old_chain_database(tmp_path)
    register_key(engine, "the operator's audit key")
    upgrade_schema(engine)
    with Session(engine) as session:
        report = verify_chain(session=session)
        assert report.ok and report.count == 3
        register_key(engine, "some other key")
        assert not verify_chain(session=session).ok
    engine.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="builds its own SQLite database")
def test_the_migration_refuses_to_launder_a_broken_chain(tmp_path):
    from workbench.audit import register_key
    from workbench.db import upgrade_schema

    engine = _old_chain_database(tmp_path, break_it=True)
    register_key(engine, "the operator's audit key")
    with pytest.raises(RuntimeError, match="broken at event"):
        upgrade_schema(engine)
    engine.dispose()
