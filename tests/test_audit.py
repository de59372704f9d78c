"""The audit chain: every change writes an event; verification catches alteration, deletion, reordering."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from tests.factories import make_article, make_user
from workbench.audit import GENESIS_HASH, audit_key, event_hash, verify_chain
from workbench.db import get_engine
from workbench.models import AuditEvent, Claim


def _events(db):
    db.expire_all()
    return list(db.exec(select(AuditEvent).order_by(AuditEvent.id)))


def _tamper(app, db, *statements: str) -> None:
    """Change audit rows behind the app's back, as someone with database access could."""
    engine = get_engine(app)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        for statement in statements:
            connection.execute(text(statement))
    db.expire_all()  # the test's session must read the rows as they now are


@pytest.fixture
def chain(db):
    user = make_user(db)
    make_article(db, actor=user)
    return _events(db)


def test_user_creation_and_ingest_write_chained_events(db, chain):
    actions = [(e.entity_type, e.action) for e in chain]
    assert actions[0] == ("user", "create")
    assert actions[1] == ("article", "ingest")
    claims = db.exec(select(Claim)).all()
    assert actions.count(("claim", "create")) == len(claims) > 0
    assert chain[0].prev_hash == GENESIS_HASH
    for previous, event in zip(chain, chain[1:]):
        assert event.prev_hash == previous.hash
        assert event.seq == previous.seq + 1
    assert all(event_hash(e, audit_key(db)) == e.hash for e in chain)
    assert "password" not in chain[0].after


def test_intact_chain_verifies(db, chain):
    report = verify_chain(session=db)
    assert report.ok and report.count == len(chain) and report.head == chain[-1].hash


def test_database_refuses_update_and_delete_of_audit_rows(app, db, chain):
    with get_engine(app).connect() as connection:
        for statement in ("UPDATE audit_event SET reason = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(DatabaseError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()


def test_altered_event_is_caught_and_named(app, db, chain):
    target = chain[2]
    _tamper(app, db, f'UPDATE audit_event SET after = \'{{"text":"changed"}}\' WHERE id = {target.id}')
    report = verify_chain(session=db)
    assert not report.ok and report.bad_event_id == target.id
    assert f"id={target.id}" in report.error and "altered" in report.error


def test_deleted_event_is_caught_and_named(app, db, chain):
    _tamper(app, db, f"DELETE FROM audit_event WHERE id = {chain[1].id}")
    report = verify_chain(session=db)
    assert not report.ok and report.bad_event_id == chain[2].id
    assert "missing or removed" in report.error


def test_reordered_events_are_caught(app, db, chain):
    first, second = chain[1], chain[2]
    # Swap the storage order of two events (their ids); their contents stay untouched.
    _tamper(
        app,
        db,
        f"UPDATE audit_event SET id = -1 WHERE id = {first.id}",
        f"UPDATE audit_event SET id = {first.id} WHERE id = {second.id}",
        f"UPDATE audit_event SET id = {second.id} WHERE id = -1",
    )
    report = verify_chain(session=db)
    assert not report.ok and report.bad_event_id == first.id
    assert "out of order" in report.error


def test_cli_audit_verify_exit_codes(app, runner, db, chain):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert chain[-1].hash in result.output and f"{len(chain)} events" in result.output
    _tamper(app, db, f"UPDATE audit_event SET actor = 'mallory@evil.example' WHERE id = {chain[0].id}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"id={chain[0].id}" in result.output
