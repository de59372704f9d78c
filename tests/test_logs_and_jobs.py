"""Request and job logs with a request id (plain or JSON); RQ jobs taken once, and reclaimed when abandoned."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import pytest
from sqlmodel import select

from tests.conftest import login
from tests.factories import make_article, make_user
from tests.redis_service import redis_or_skip
from workbench import worker
from workbench.logs import JsonFormatter, PlainFormatter
from workbench.models import Claim, Evidence, Role, utcnow
from workbench.services.evidence_fetch import abandoned_fetches, take_job

REDIS = "redis://127.0.0.1:6379/11"  # this branch's own Redis database: nobody else's worker takes our jobs


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "workbench.request"]


def test_each_request_is_logged_with_its_id_and_user(client, db, caplog):
    user = make_user(db, Role.checker)
    caplog.set_level(logging.INFO, logger="workbench")
    response = client.get("/login")
    record = _request_records(caplog)[-1]
    assert (record.method, record.path, record.status, record.user_id) == ("GET", "/login", 200, None)
    assert record.request_id == response.headers["X-Request-ID"] and len(record.request_id) == 32
    assert record.duration_ms >= 0
    login(client, user.email)
    client.get("/healthz")
    assert _request_records(caplog)[-1].user_id == user.id


@pytest.mark.parametrize(
    "incoming, kept", [("proxy-1234abcd", True), ("short", False), ("a b c=injected", False), ("x" * 65, False)]
)
def test_a_proxys_request_id_is_kept_only_when_harmless(client, caplog, incoming, kept):
    caplog.set_level(logging.INFO, logger="workbench")
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is kept
    assert _request_records(caplog)[-1].request_id == response.headers["X-Request-ID"]


def _record(**extra):
    record = logging.LogRecord("workbench.request", logging.INFO, __file__, 1, "%s %s %s", ("GET", "/x", 200), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_carry_every_field():
    line = JsonFormatter().format(_record(method="GET", status=200, request_id="abc", user_id=None))
    data = json.loads(line)
    assert data["message"] == "GET /x 200" and data["level"] == "INFO" and data["logger"] == "workbench.request"
    assert data["request_id"] == "abc" and data["status"] == 200 and data["user_id"] is None and "\n" not in line


def test_plain_lines_read_as_key_value():
    line = PlainFormatter().format(_record(status=200, request_id="abc"))
    assert line.endswith("INFO workbench.request GET /x 200 status=200 request_id=abc")


def test_the_log_format_follows_the_setting(database_url):
    from workbench import create_app
    from workbench.db import get_engine

    get_engine(
        create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database_url, "LOG_FORMAT": "json"})
    ).dispose()
    handlers = [h for h in logging.getLogger("workbench").handlers if getattr(h, "workbench_handler", False)]
    try:
        assert len(handlers) == 1 and isinstance(handlers[0].formatter, JsonFormatter)
    finally:
        get_engine(
            create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database_url, "LOG_FORMAT": "plain"})
        ).dispose()
    assert isinstance(handlers[0].formatter, PlainFormatter)


@pytest.fixture
def evidence_id(db):
    admin = make_user(db, Role.admin)
    article = make_article(db, actor=admin).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id)).first()
    evidence = Evidence(claim_id=claim.id, url="http://127.0.0.1:9/never", fetch_state="pending")
    db.add(evidence)
    db.commit()
    return evidence.id


def test_a_fetch_is_taken_once(db, evidence_id):
    assert take_job(session=db, evidence_id=evidence_id) is True
    assert take_job(session=db, evidence_id=evidence_id) is False  # a second worker, or the same job twice
    evidence = db.get(Evidence, evidence_id)
    db.refresh(evidence)
    assert evidence.fetch_state == "fetching" and evidence.fetch_started_at is not None and evidence.fetch_attempts == 1


def test_an_abandoned_fetch_is_reclaimed(db, evidence_id):
    evidence = db.get(Evidence, evidence_id)
    evidence.fetch_state, evidence.fetch_started_at = "fetching", None  # what RQ jobs left before: no start time
    db.add(evidence)
    db.commit()
    assert abandoned_fetches(session=db) == [evidence_id]
    assert take_job(session=db, evidence_id=evidence_id) is True
    assert abandoned_fetches(session=db) == []  # taken again, with a start time: not abandoned while it runs
    evidence = db.get(Evidence, evidence_id)
    db.refresh(evidence)
    evidence.fetch_started_at = utcnow() - dt.timedelta(minutes=6)  # its worker died long ago
    db.add(evidence)
    db.commit()
    assert abandoned_fetches(session=db) == [evidence_id]


def test_the_rq_job_runs_once_and_logs_its_request(app, db, evidence_id, monkeypatch, caplog):
    monkeypatch.setattr(worker, "_job_app", app)
    caplog.set_level(logging.INFO, logger="workbench")
    assert worker.fetch_job(evidence_id) == "failed"  # 127.0.0.1 is refused: the job still ends, saying why
    assert worker.fetch_job(evidence_id) == "skipped"  # queued twice (two instances): fetched once
    jobs = [r for r in caplog.records if r.name == "workbench.job"]
    assert [(r.job, r.evidence_id, r.state) for r in jobs] == [
        ("fetch", evidence_id, "failed"),
        ("fetch", evidence_id, "skipped"),
    ]


def test_queued_jobs_carry_the_request_id_and_abandoned_ones_are_queued_again(app, db, evidence_id, monkeypatch):
    from rq import Queue

    connection = redis_or_skip(REDIS)
    queue_name = f"wb-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(worker, "QUEUE_NAME", queue_name)
    app.config["REDIS_URL"] = REDIS
    queue = Queue(queue_name, connection=connection)
    try:
        with app.test_request_context("/"):
            from flask import g

            g.request_id = "req-12345678"
            worker.queue_fetches(app, [evidence_id])
        job = queue.jobs[0]
        assert job.meta["request_id"] == "req-12345678" and job.args == (evidence_id,)
        queue.empty()
        assert worker.reclaim_abandoned(app) == 0
        evidence = db.get(Evidence, evidence_id)
        evidence.fetch_state, evidence.fetch_started_at = "fetching", utcnow() - dt.timedelta(minutes=10)
        db.add(evidence)
        db.commit()
        assert worker.reclaim_abandoned(app) == 1
        assert [j.args for j in queue.jobs] == [(evidence_id,)]
    finally:
        queue.delete(delete_jobs=True)
