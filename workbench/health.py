"""Health endpoints for load balancers and orchestrators: /healthz (process up) and /readyz (able to serve)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

bp = Blueprint("health", __name__)
WORKER_FRESH_SECONDS = 60


@bp.get("/healthz")
def healthz():
    """Answer 200 while the process runs; touches nothing else."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Answer 200 when the database, its migrations, Redis (when configured) and a worker are all fine, else 503."""
    checks = readiness(current_app._get_current_object())
    ready = all(check["ok"] for check in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response  # the security headers add no-store, as on every dynamic answer


def readiness(app: Flask) -> dict[str, dict[str, Any]]:
    """Run each readiness check; each answer says ok and why, never a URL, a password or a stack trace."""
    checks = {"database": _database(app)}
    if app.config.get("REDIS_URL"):
        checks["redis"] = _redis(app)
    checks["worker"] = _worker(app, redis_ok=checks.get("redis", {"ok": True})["ok"])
    return checks


def _database(app: Flask) -> dict[str, Any]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from .db import get_engine, migrations_config

    try:
        with get_engine(app).connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:  # noqa: BLE001 - any failure means not ready; only its kind is shown
        return {"ok": False, "detail": f"unreachable ({type(error).__name__})"}
    head = ScriptDirectory.from_config(migrations_config(None)).get_current_head()
    if current != head:
        return {"ok": False, "detail": f"migration {current or 'none'}, expected {head}: run `workbench init`"}
    return {"ok": True, "detail": f"migration {current}"}


def _redis_connection(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)


def _redis(app: Flask) -> dict[str, Any]:
    try:
        _redis_connection(app).ping()
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "detail": f"unreachable ({type(error).__name__})"}
    return {"ok": True, "detail": "reachable"}


def _worker(app: Flask, *, redis_ok: bool) -> dict[str, Any]:
    from .worker import QUEUE_NAME, last_embedded_beat

    if app.config.get("REDIS_URL"):
        if not redis_ok:
            return {"ok": False, "detail": "unknown: Redis unreachable"}
        from rq import Worker

        try:
            workers = Worker.all(connection=_redis_connection(app))
        except Exception as error:  # noqa: BLE001
            return {"ok": False, "detail": f"unknown ({type(error).__name__})"}
        now = time.time()
        ages = [
            now - worker.last_heartbeat.timestamp()
            for worker in workers
            if QUEUE_NAME in worker.queue_names() and worker.last_heartbeat is not None
        ]
        fresh = [age for age in ages if age <= WORKER_FRESH_SECONDS]
        if not fresh:
            return {"ok": False, "detail": f"no RQ worker on “{QUEUE_NAME}” seen in the last {WORKER_FRESH_SECONDS} s"}
        return {"ok": True, "detail": f"{len(fresh)} RQ worker(s), last seen {min(fresh):.0f} s ago"}
    beat = last_embedded_beat()
    if beat is None or time.monotonic() - beat > WORKER_FRESH_SECONDS:
        return {"ok": False, "detail": f"embedded worker not seen in the last {WORKER_FRESH_SECONDS} s"}
    return {"ok": True, "detail": f"embedded worker, last seen {time.monotonic() - beat:.0f} s ago"}
