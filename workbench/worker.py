"""Background work: the embedded worker (polls the database) or, with WORKBENCH_REDIS_URL, RQ over Redis."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from .services.evidence_fetch import work_once

log = logging.getLogger(__name__)
QUEUE_NAME = "workbench"
_last_beat: float | None = None  # time.monotonic() of the embedded worker's last loop in this process


def last_embedded_beat() -> float | None:
    """When the embedded worker of this process last looked for work (time.monotonic), or None."""
    return _last_beat


def run_embedded(app: Flask, stop: threading.Event, *, poll: float = 1.0, burst: bool = False) -> int:
    """Run pending fetches until stopped (or, with burst, until none is left); return how many ran."""
    global _last_beat
    done = 0
    while not stop.is_set():
        _last_beat = time.monotonic()
        try:
            ran = work_once(app)
        except Exception:  # one bad job must not stop the worker; the job stays visible as "fetching"
            log.exception("evidence fetch failed")
            ran = False
        done += ran
        if not ran:
            if burst:
                break
            stop.wait(poll)
    return done


def start_background_worker(app: Flask) -> threading.Event | None:
    """Start the embedded worker in a daemon thread (not when Redis carries the jobs); return its stop switch."""
    if app.config.get("REDIS_URL"):
        return None
    stop = threading.Event()
    threading.Thread(target=run_embedded, args=(app, stop), name="workbench-worker", daemon=True).start()
    return stop


def redis_queue(app: Flask):
    """Return the RQ queue the app's jobs go to."""
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))


def queue_fetches(app: Flask, evidence_ids: list[int]) -> None:
    """Tell the workers about new pending fetches: a Redis job each, or nothing (the embedded worker polls)."""
    if not app.config.get("REDIS_URL") or not evidence_ids:
        return
    queue = redis_queue(app)
    for evidence_id in evidence_ids:
        queue.enqueue(fetch_job, evidence_id, job_timeout=120, result_ttl=0)


_job_app: Flask | None = None


def fetch_job(evidence_id: int) -> str:
    """The RQ job: fetch one evidence item (the worker process builds its app from the environment once)."""
    global _job_app
    from sqlmodel import Session

    from . import create_app
    from .db import get_engine
    from .services.evidence_fetch import fetch_policy, run_fetch
    from .models import Evidence

    if _job_app is None:
        _job_app = create_app({"ALLOW_DEV_SECRET": True})
    with _job_app.app_context(), Session(get_engine(_job_app), expire_on_commit=False) as session:
        evidence = session.get(Evidence, evidence_id)
        if evidence is None or evidence.fetch_state not in {"pending", "failed"}:
            return "skipped"
        evidence.fetch_state = "fetching"
        session.add(evidence)
        session.commit()
        return run_fetch(session=session, evidence_id=evidence_id, policy=fetch_policy(_job_app.config)).fetch_state
