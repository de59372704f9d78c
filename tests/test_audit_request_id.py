"""Audit events name the request that caused them (or the request that queued the job that did); the chain of
events written before the column existed still verifies, and the request id cannot be changed unnoticed."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import text
from sqlmodel import select

from tests.conftest import csrf_token, login
from tests.factories import make_article, make_user
from workbench import worker
from workbench.audit import HASHED_FIELDS, audit_key, canonical_json, event_hash, verify_chain, verify_events
from workbench.models import AuditEvent, Claim, Evidence, Role


def _events(db, **where):
    db.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.exec(query))


def _claim(db, user):
    article = make_article(db, actor=user).article
    return db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.id)).first()


def test_a_status_change_records_the_id_of_its_request(client, db):
    user = make_user(db, Role.editor)
    claim = _claim(db, user)
    login(client, user.email)
    response = client.post(
        f"/claims/{claim.id}/status",
        data={"csrf_token": csrf_token(client), "status": "in_progress", "rationale": "", "version": claim.version},
    )
    assert response.status_code == 303
    (event,) = _events(db, entity_type="claim", entity_id=claim.id, action="status")
    assert event.request_id == response.headers["X-Request-ID"] and len(event.request_id) == 32
    assert verify_chain(session=db).ok


def test_a_proxys_request_id_is_recorded_as_given(client, db):
    user = make_user(db, Role.editor)
    claim = _claim(db, user)
    login(client, user.email)
    client.post(
        f"/claims/{claim.id}/status",
        data={"csrf_token": csrf_token(client), "status": "in_progress", "rationale": "", "version": claim.version},
        headers={"X-Request-ID": "desk-proxy-0001"},
    )
    (event,) = _events(db, entity_type="claim", entity_id=claim.id, action="status")
    assert event.request_id == "desk-proxy-0001"


def test_work_outside_a_request_records_none(db):
    user = make_user(db)
    make_article(db, actor=user)
    events = _events(db)
    assert events and {e.request_id for e in events} == {None}


def test_a_fetch_job_records_the_request_that_queued_it(app, db, monkeypatch):
    import rq

    user = make_user(db, Role.editor)
    claim = _claim(db, user)
    evidence = Evidence(claim_id=claim.id, url="http://127.0.0.1:9/never", fetch_state="pending")
    db.add(evidence)
    db.commit()

    class Job:
        meta = {"request_id": "queued-by-req-42"}

    monkeypatch.setattr(worker, "_job_app", app)
    monkeypatch.setattr(rq, "get_current_job", lambda: Job())
    assert worker.fetch_job(evidence.id) == "failed"  # 127.0.0.1 is refused: the failure is an audit event too
    events = _events(db, entity_type="evidence", entity_id=evidence.id)
    assert events and {e.request_id for e in events} == {"queued-by-req-42"}
    from workbench.logs import current_request_id

    assert current_request_id() is None  # the job's request id does not leak into what runs after it
    assert verify_chain(session=db).ok


def test_an_event_without_a_request_id_hashes_as_before_the_column(db):
    """Events written before migration 0014r have NULL there: their stored hashes must not change."""
    user = make_user(db)
    make_article(db, actor=user)
    key = audit_key(db)
    for event in _events(db):
        body = canonical_json({name: getattr(event, name) for name in HASHED_FIELDS})
        assert event.hash == hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def test_a_request_id_is_covered_by_the_hash(client, db):
    user = make_user(db, Role.editor)
    claim = _claim(db, user)
    login(client, user.email)
    client.post(
        f"/claims/{claim.id}/status",
        data={"csrf_token": csrf_token(client), "status": "in_progress", "rationale": "", "version": claim.version},
    )
    events = _events(db)
    key = audit_key(db)
    assert verify_events(events, key).ok
    for forged in ("someone-else-123", None):  # changed, or removed to hide which request it was
        tampered = _events(db)
        db.expunge_all()
        tampered[-1].request_id = forged
        report = verify_events(tampered, key)
        assert not report.ok and report.bad_event_id == tampered[-1].id and "hash mismatch" in report.error
    old = _events(db)[0]
    assert old.request_id is None
    db.expunge_all()
    old.request_id = "added-afterwards"  # an id pinned on an older event afterwards
    assert event_hash(old, key) != old.hash


def test_an_existing_chain_still_verifies_after_the_migration(tmp_path):
    """A database at 0013w with events in it is upgraded: the new column is NULL and every hash verifies."""
    from alembic import command
    from sqlmodel import Session

    from workbench.audit import GENESIS_HASH, register_key
    from workbench.db import make_engine, migrations_config, upgrade_schema

    engine = make_engine(f"sqlite:///{tmp_path}/old.sqlite3")
    register_key(engine, "the operator's audit key")
    command.upgrade(migrations_config(engine), "0013w")
    key = b"the operator's audit key"
    previous = GENESIS_HASH
    with engine.begin() as connection:
        for seq in (1, 2, 3):
            row = {
                "seq": seq,
                "at": f"2026-11-0{seq}T10:00:00.000000+00:00",
                "actor": "system",
                "actor_id": None,
                "entity_type": "article",
                "entity_id": seq,
                "action": "ingest",
                "before": "{}",
                "after": "{}",
                "reason": "",
                "prev_hash": previous,
            }
            row["hash"] = previous = hmac.new(key, canonical_json(row).encode(), hashlib.sha256).hexdigest()
            names = ", ".join(row)
            connection.execute(
                text(f"INSERT INTO audit_event ({names}) VALUES ({', '.join(':' + n for n in row)})"), row
            )
    upgrade_schema(engine)
    with Session(engine) as session:
        report = verify_chain(session=session)
        assert report.ok and report.count == 3
        assert session.exec(select(AuditEvent.request_id)).all() == [None, None, None]
    engine.dispose()
