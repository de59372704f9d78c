"""What one change to a claim costs the database: a status change through a queue row, statement by statement.

The write reads what it needs along with its UPDATE (the article's clearance, followers, whether any webhook
endpoint is active, the audit chain's head) and the answer is one row with its markers; on PostgreSQL the answer
is read outside a transaction. These tests pin each of those so that a later change cannot add a round trip unseen.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, update
from sqlmodel import Session, select

from tests.benchmarks.write_costs import kind_of
from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.audit import record_event, verify_chain
from workbench.db import get_engine, read_without_transaction
from workbench.models import AuditEvent, Claim, Role
from workbench.models_matching import ClaimMatch
from workbench.models_webhooks import WebhookEvent
from workbench.services import review, webhooks
from workbench.services.claim_writes import write_claim
from workbench.services.matching import STRONG


def _claims(db, user) -> list[Claim]:
    article = make_article(db, actor=user).article
    return list(db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.id)))


@pytest.fixture
def checker(db):
    return make_user(db, Role.checker)


def _change_status(app, user, claim, statements: list[tuple[str, bool]]):
    web = app.test_client()
    login(web, user.email)
    token = csrf_token(web)
    engine = get_engine(app)

    def record(conn, _cursor, statement, *_args):
        dbapi = conn.connection.dbapi_connection
        statements.append((statement, bool(getattr(dbapi, "autocommit", False))))

    event.listen(engine, "before_cursor_execute", record)
    try:
        return web.post(
            f"/claims/{claim.id}/status",
            data={"csrf_token": token, "status": "in_progress", "version": claim.version},
            headers={"HX-Request": "true", "HX-Target": f"c{claim.id}"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_status_change_through_a_queue_row_spends_one_statement_on_each_thing(app, db, checker):
    claim, other = _claims(db, checker)[:2]
    db.add(ClaimMatch(claim_id=claim.id, kind="claim", target_id=other.id, score=STRONG + 0.1))  # a row marker
    db.commit()
    head = db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    statements: list[tuple[str, bool]] = []

    response = _change_status(app, checker, claim, statements)

    assert response.status_code == 200
    kinds = [kind_of(statement) for statement, _ in statements]
    postgres = get_engine(app).dialect.name == "postgresql"
    expected = [
        "user read",
        "claim read",
        *(["chain lock"] if postgres else []),
        "claim UPDATE (+ triggers)",
        "audit INSERT (+ trigger)",
        "queue row",
    ]
    assert kinds == expected, kinds
    # PostgreSQL reads the answer outside a transaction (no BEGIN, no ROLLBACK); everything before it is in one.
    assert [autocommit for _, autocommit in statements] == [False] * (len(expected) - 1) + [postgres]
    row = parse(response).select_one(f"#c{claim.id}")
    assert row is not None and "In progress" in row.get_text()
    assert row.select_one('a[href$="#checked-before"]') is not None, row
    assert row.select_one(".same-marker") is None
    # The event chains on from the head the UPDATE read, and the whole chain still verifies.
    db.expire_all()
    written = db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (written.seq, written.prev_hash, written.entity_id) == (head.seq + 1, head.hash, claim.id)
    assert verify_chain(session=db).ok


def test_a_leads_row_still_counts_its_followers_after_a_change(app, db, checker):
    lead, follower = _claims(db, checker)[:2]
    db.execute(update(Claim).where(Claim.id == follower.id).values(lead_id=lead.id))
    db.commit()

    response = _change_status(app, checker, lead, [])

    assert response.status_code == 200
    row = parse(response).select_one(f"#c{lead.id}")
    assert row.select_one(".same-marker").get_text() == "+1 same", row
    assert row.select_one('a[href$="#checked-before"]') is None
    db.expire_all()
    assert db.get(Claim, follower.id).status == db.get(Claim, lead.id).status  # the follower followed


def test_with_an_active_webhook_endpoint_the_change_still_queues_its_event(app, db, checker):
    admin = make_user(db, Role.admin)
    webhooks.create_endpoint(session=db, url="https://cms.example.org/h", events=list(webhooks.EVENTS), actor=admin)
    claim = _claims(db, checker)[0]
    before = len(db.exec(select(WebhookEvent)).all())
    statements: list[tuple[str, bool]] = []

    assert _change_status(app, checker, claim, statements).status_code == 200

    assert "webhook endpoints" in [kind_of(statement) for statement, _ in statements]
    db.expire_all()
    [changed] = db.exec(select(WebhookEvent)).all()[before:]
    assert changed.type == "claim.status_changed"


def test_the_connection_an_answer_was_read_on_goes_back_transactional(app, db, checker):
    """After reading outside a transaction, the pooled connection must not stay in autocommit for the next write."""
    if get_engine(app).dialect.name != "postgresql":
        pytest.skip("only PostgreSQL reads an answer outside a transaction")
    claim = _claims(db, checker)[0]
    used: list = []
    engine = get_engine(app)

    def record(conn, *_args):
        used.append(conn.connection.dbapi_connection)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert _change_status(app, checker, claim, []).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    answered_on = used[-1]
    assert answered_on.autocommit is False  # reset when the request gave the connection back
    with Session(engine) as session:
        session.execute(update(Claim).where(Claim.id == claim.id).values(text="Not kept."))
        assert session.connection().connection.dbapi_connection is answered_on  # the same pooled connection
        session.rollback()
    db.expire_all()
    assert db.get(Claim, claim.id).text != "Not kept."


def test_the_audit_chain_is_never_appended_to_in_autocommit(app, db, checker):
    """A write slipped in after read_without_transaction would append unlocked: it is refused instead."""
    if get_engine(app).dialect.name != "postgresql":
        pytest.skip("only PostgreSQL reads an answer outside a transaction")
    claim = _claims(db, checker)[0]
    count = len(db.exec(select(AuditEvent)).all())
    with Session(get_engine(app), expire_on_commit=False) as session:
        read_without_transaction(session)
        with pytest.raises(RuntimeError, match="inside a transaction"):
            record_event(session=session, actor=None, entity_type="claim", entity_id=claim.id, action="note")
    assert len(db.exec(select(AuditEvent)).all()) == count


def test_events_after_a_rolled_back_savepoint_chain_on_from_the_stored_head(db, checker):
    """The head a transaction keeps is dropped with a savepoint's events that were rolled back."""
    claim = _claims(db, checker)[0]
    review.assign(session=db, claim=claim, assignee=checker, actor=checker, expected_version=claim.version)
    db.refresh(claim)
    write_claim(session=db, claim=claim, values={"status": "in_progress"}, actor=checker)  # keeps the head it read
    record_event(session=db, actor=checker, entity_type="claim", entity_id=claim.id, action="status")
    nested = db.begin_nested()
    record_event(session=db, actor=checker, entity_type="claim", entity_id=claim.id, action="note")
    nested.rollback()
    record_event(session=db, actor=checker, entity_type="claim", entity_id=claim.id, action="status")
    db.commit()
    assert verify_chain(session=db).ok
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2))]
    assert actions == ["status", "status"]
