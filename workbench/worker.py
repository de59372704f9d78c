"""Background work: the embedded worker (polls the database) or, with WORKBENCH_REDIS_URL, RQ over Redis."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from .services import webhooks
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
        ran = send_webhooks(app) or ran
        done += ran
        if not ran:
            if burst:
                break
            stop.wait(poll)
    return done


def send_webhooks(app: Flask) -> bool:
    """Send the webhook deliveries that are due (each endpoint's oldest first); True when any was attempted."""
    try:
        return webhooks.work_once(app) > 0
    except Exception:  # a broken database or receiver must not stop the worker; the delivery is retried
        log.exception("webhook delivery failed")
        return False


def rematch_verdicts(app: Flask) -> bool:
    """Mark the open claims like the verdicts that became final since the last pass; True when any was done."""
    from sqlmodel import Session

    from .db import get_engine
    from .services.desk_groups import rematch_pending

    try:
        with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
            return rematch_pending(session=session) > 0
    except Exception:  # a broken database must not stop the worker; what was not done stays queued
        log.exception("rematching verdicts failed")
        return False


def run_rematcher(app: Flask, stop: threading.Event, *, poll: float = 1.0) -> None:
    """In each serving process, which keeps the index of open claims, rematch new verdicts until stopped.

    A thread of its own: a fresh process's first rematch builds that index (about 80 s at a million claims), which
    must hold up neither evidence fetches nor webhooks, nor the embedded worker's heartbeat that /readyz reads.
    """
    while not stop.is_set():
        if not rematch_verdicts(app):
            stop.wait(poll)


def run_webhook_sender(app: Flask, stop: threading.Event, *, poll: float = 1.0) -> None:
    """Beside an RQ worker: send due webhook deliveries from the outbox until stopped (RQ carries the fetches)."""
    while not stop.is_set():
        if not send_webhooks(app):
            stop.wait(poll)


def start_background_worker(app: Flask) -> threading.Event | None:
    """Start the embedded worker in a daemon thread (not when Redis carries the jobs); return its stop switch.

    The rematching of new verdicts starts here in either case, in a thread of its own: it searches the index of open
    claims this serving process keeps (built on first use, then kept current), which an RQ worker would build again.
    """
    stop = threading.Event()
    threading.Thread(target=run_rematcher, args=(app, stop), name="workbench-rematcher", daemon=True).start()
    if app.config.get("REDIS_URL"):
        return None
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
    from .logs import current_request_id

    queue = redis_queue(app)
    meta = {"request_id": current_request_id()}  # the job's log lines name the request that queued it
    for evidence_id in evidence_ids:
        queue.enqueue(fetch_job, evidence_id, job_timeout=120, result_ttl=0, meta=meta)


def reclaim_abandoned(app: Flask) -> int:
    """Queue again every fetch that a dead worker left "fetching"; return how many (RQ forgets a killed job)."""
    from sqlmodel import Session

    from .db import get_engine
    from .services.evidence_fetch import abandoned_fetches, stale_after

    with Session(get_engine(app)) as session:
        ids = abandoned_fetches(session=session, stale=stale_after(app.config))
    if ids:
        log.warning("reclaiming %d abandoned fetch(es)", len(ids), extra={"evidence_ids": ids})
        queue = redis_queue(app)
        for evidence_id in ids:  # a job whose fetch another worker took meanwhile just ends "skipped"
            queue.enqueue(fetch_job, evidence_id, job_timeout=120, result_ttl=0, meta={"request_id": None})
    return len(ids)


def run_reclaimer(app: Flask, stop: threading.Event) -> None:
    """Beside an RQ worker: look for abandoned fetches every 30 s (sooner with a short stale time) until stopped."""
    every = max(1.0, min(30.0, app.config.get("FETCH_STALE_SECONDS", 300) / 2))
    while not stop.wait(every):
        try:
            reclaim_abandoned(app)
        except Exception:  # the database or Redis may be away for a while; try again next time
            log.exception("reclaiming abandoned fetches failed")


_job_app: Flask | None = None


def fetch_job(evidence_id: int) -> str:
    """The RQ job: fetch one evidence item once (the worker process builds its app from the environment once)."""
    global _job_app
    from rq import get_current_job
    from sqlmodel import Session

    from . import create_app
    from .db import get_engine
    from .logs import job_log, on_behalf_of
    from .services.evidence_fetch import fetch_policy, run_fetch, stale_after, take_job

    if _job_app is None:
        _job_app = create_app({"ALLOW_DEV_SECRET": True})
    job = get_current_job()
    request_id = job.meta.get("request_id") if job is not None else None
    started = time.perf_counter()
    with (
        on_behalf_of(request_id),
        _job_app.app_context(),
        Session(get_engine(_job_app), expire_on_commit=False) as session,
    ):
        if not take_job(
            session=session, evidence_id=evidence_id, stale=stale_after(_job_app.config)
        ):  # done, or another worker has it
            state = "skipped"
        else:
            state = run_fetch(
                session=session, evidence_id=evidence_id, policy=fetch_policy(_job_app.config)
            ).fetch_state
    job_log(
        job="fetch",
        evidence_id=evidence_id,
        state=state,
        request_id=request_id,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return state
