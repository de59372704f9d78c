"""Health: /healthz (process up) and /readyz (database, migrations, Redis, a worker), JSON, no sign-in, no secrets."""

from __future__ import annotations

import os
import threading
import time
import uuid

from sqlalchemy import text

from tests.redis_service import redis_or_skip
from workbench import worker
from workbench.db import get_engine

REDIS = os.environ.get("WORKBENCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


def test_healthz_answers_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "no-store" in response.headers["Cache-Control"]


def test_readyz_wants_a_worker(client, monkeypatch):
    monkeypatch.setattr(worker, "_last_beat", None)
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is True and body["checks"]["worker"]["ok"] is False
    assert "redis" not in body["checks"]


def test_readyz_is_ready_once_the_embedded_worker_runs(app, client, monkeypatch):
    monkeypatch.setattr(worker, "_last_beat", None)
    stop = threading.Event()
    worker.run_embedded(app, stop, burst=True)
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready", body
    monkeypatch.setattr(worker, "_last_beat", time.monotonic() - 61)
    assert client.get("/readyz").status_code == 503


def test_readyz_sees_migrations_behind(app, client, monkeypatch):
    monkeypatch.setattr(worker, "_last_beat", time.monotonic())
    with get_engine(app).begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        connection.execute(text("UPDATE alembic_version SET version_num = '0001_old'"))
    try:
        body = client.get("/readyz").get_json()
    finally:  # on PostgreSQL the database outlives the test
        with get_engine(app).begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    database = body["checks"]["database"]
    assert database["ok"] is False and body["status"] == "not ready"
    assert database["detail"].startswith("migration 0001_old, expected ") and database["detail"].endswith(
        "workbench init`"
    )


def test_readyz_reports_an_unreachable_database_without_its_url(app, monkeypatch):
    from workbench import create_app

    monkeypatch.setattr(worker, "_last_beat", time.monotonic())
    broken = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": "postgresql+psycopg://wb:pw-secret@127.0.0.1:1/none"}
    )
    response = broken.test_client().get("/readyz")
    get_engine(broken).dispose()
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["detail"].startswith("unreachable")
    assert "pw-secret" not in response.get_data(as_text=True) and "127.0.0.1" not in response.get_data(as_text=True)


def test_readyz_with_redis_wants_an_rq_worker(database_url, monkeypatch):
    from rq import Worker

    from workbench import create_app

    connection = redis_or_skip(REDIS)
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database_url, "REDIS_URL": REDIS})
    client = app.test_client()
    body = client.get("/readyz").get_json()
    assert body["checks"]["redis"]["ok"] is True
    mine = Worker([worker.QUEUE_NAME], connection=connection, name=f"wb-test-{uuid.uuid4().hex[:8]}")
    others_fresh = body["checks"]["worker"]["ok"]  # another engineer's worker may share this Redis database
    mine.register_birth()
    try:
        mine.heartbeat()
        body = client.get("/readyz").get_json()
        assert body["checks"]["worker"]["ok"] is True, body
    finally:
        mine.register_death()
    if not others_fresh:
        assert client.get("/readyz").get_json()["checks"]["worker"]["ok"] is False
    get_engine(app).dispose()


def test_readyz_with_redis_unreachable(database_url, monkeypatch):
    from workbench import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE_URL": database_url,
            "REDIS_URL": "redis://:pw-secret@127.0.0.1:1/0",
        }
    )
    response = app.test_client().get("/readyz")
    get_engine(app).dispose()
    body = response.get_json()
    assert response.status_code == 503 and body["checks"]["redis"]["ok"] is False
    assert body["checks"]["worker"]["ok"] is False and "pw-secret" not in response.get_data(as_text=True)
