"""Fetching and archiving evidence in the background: a job per evidence item, its state kept in the database."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any, cast

from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from ..audit import record_event
from ..fetching import FetchPolicy, FetchRefused, fetch, page_text
from ..models import Claim, Evidence, EvidenceSnapshot, User, ids_of, saved_id, utcnow
from .webhooks import emit, evidence_event_data

STALE_AFTER = dt.timedelta(minutes=5)  # by default a job "fetching" this long belonged to a worker that died


def fetch_policy(config) -> FetchPolicy:
    """Build the fetch limits from the app's configuration."""
    networks = tuple(
        ipaddress.ip_network(n.strip(), strict=False)
        for n in (config.get("FETCH_ALLOW_NETWORKS") or "").split(",")
        if n.strip()
    )
    return FetchPolicy(
        allow_private=bool(config.get("FETCH_ALLOW_PRIVATE")),
        allowed_networks=networks,
        connect_timeout=config.get("FETCH_CONNECT_TIMEOUT", 5.0),
        read_timeout=config.get("FETCH_READ_TIMEOUT", 15.0),
        deadline=config.get("FETCH_DEADLINE", 30.0),
        max_bytes=config.get("FETCH_MAX_BYTES", 5 * 1024 * 1024),
    )


def stale_after(config) -> dt.timedelta:
    """How long a fetch may stay "fetching" before it counts as abandoned (WORKBENCH_FETCH_STALE_SECONDS)."""
    return dt.timedelta(seconds=config.get("FETCH_STALE_SECONDS", STALE_AFTER.total_seconds()))


def _abandoned(stale: dt.timedelta):
    """A fetch "fetching" for longer than stale, or with no start time (an older RQ job set none)."""
    return (col(Evidence.fetch_state) == "fetching") & or_(
        col(Evidence.fetch_started_at).is_(None), col(Evidence.fetch_started_at) < utcnow() - stale
    )


def take_next_job(*, session: Session, stale: dt.timedelta = STALE_AFTER) -> int | None:
    """Mark the oldest pending (or abandoned) fetch as taken by this worker and return its evidence id."""
    candidates = session.exec(
        select(Evidence.id, Evidence.fetch_state, Evidence.fetch_started_at)
        .where(or_(col(Evidence.fetch_state) == "pending", _abandoned(stale)))
        .order_by(col(Evidence.id))
        .limit(5)
    ).all()
    for evidence_id, state, started in candidates:
        taken = session.execute(
            update(Evidence)
            .where(
                col(Evidence.id) == evidence_id,
                col(Evidence.fetch_state) == state,
                col(Evidence.fetch_started_at).is_(started)
                if started is None
                else col(Evidence.fetch_started_at) == started,
            )
            .values(fetch_state="fetching", fetch_started_at=utcnow(), fetch_attempts=Evidence.fetch_attempts + 1)
        )
        session.commit()
        if (
            cast(CursorResult[Any], taken).rowcount == 1
        ):  # another worker may have taken it between the read and the update
            return evidence_id
    return None


def take_job(*, session: Session, evidence_id: int, stale: dt.timedelta = STALE_AFTER) -> bool:
    """Take one item's fetch for this worker when it is pending or abandoned; False when another has it or it is done."""
    taken = session.execute(
        update(Evidence)
        .where(col(Evidence.id) == evidence_id, or_(col(Evidence.fetch_state) == "pending", _abandoned(stale)))
        .values(fetch_state="fetching", fetch_started_at=utcnow(), fetch_attempts=Evidence.fetch_attempts + 1)
    )
    session.commit()
    return cast(CursorResult[Any], taken).rowcount == 1


def abandoned_fetches(*, session: Session, stale: dt.timedelta = STALE_AFTER, limit: int = 100) -> list[int]:
    """Return the ids of fetches a dead worker left "fetching", for the RQ workers to queue again."""
    return ids_of(
        session.exec(select(col(Evidence.id)).where(_abandoned(stale)).order_by(col(Evidence.id)).limit(limit))
    )


def run_fetch(*, session: Session, evidence_id: int, policy: FetchPolicy) -> Evidence:
    """Fetch one evidence URL and archive it; whatever goes wrong, the job ends "failed" with the reason."""
    try:
        return _run_fetch(session=session, evidence_id=evidence_id, policy=policy)
    except Exception as error:  # noqa: BLE001 (a job never stays "fetching": it fails, saying why)
        session.rollback()
        evidence = _stored(session, evidence_id)
        evidence.fetch_state = "failed"
        evidence.fetch_error = f"The fetch failed unexpectedly ({type(error).__name__}); try again or tell an admin."
        session.add(evidence)
        record_event(
            session=session,
            actor=None,
            entity_type="evidence",
            entity_id=saved_id(evidence),
            action="fetch",
            after={"state": "failed", "error": evidence.fetch_error},
        )
        emit(session=session, event_type="evidence.fetched", data=evidence_event_data(evidence))
        session.commit()
        return evidence


def _stored(session: Session, evidence_id: int) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        raise LookupError(f"Evidence #{evidence_id} no longer exists.")
    return evidence


def _run_fetch(*, session: Session, evidence_id: int, policy: FetchPolicy) -> Evidence:
    evidence = _stored(session, evidence_id)
    previous_hash = evidence.sha256
    snapshot = EvidenceSnapshot(evidence_id=saved_id(evidence))
    try:
        result = fetch(evidence.url, policy=policy)
    except FetchRefused as refused:
        snapshot.error = str(refused)[:500]
        evidence.fetch_state, evidence.fetch_error = "failed", snapshot.error
        evidence.flag = "dead" if previous_hash else ""
    else:
        title, text = page_text(result)
        # PostgreSQL text cannot hold NUL; a page that contains one is archived without it (the bytes keep it).
        title, text = (title or "").replace("\x00", "") or None, text.replace("\x00", "") if text else text
        snapshot.final_url, snapshot.http_status = result.final_url, result.status
        snapshot.content_type, snapshot.page_title = result.content_type, (title or "")[:500] or None
        snapshot.sha256, snapshot.archived_text, snapshot.body = result.sha256, text, result.body
        evidence.final_url, evidence.http_status = result.final_url, result.status
        evidence.content_type, evidence.page_title = result.content_type, snapshot.page_title
        evidence.fetched_at = snapshot.fetched_at
        if result.status >= 400:
            evidence.fetch_state, evidence.fetch_error = "failed", f"The server answered HTTP {result.status}."
            evidence.flag = "dead" if previous_hash else ""
        else:
            evidence.fetch_state, evidence.fetch_error = "done", None
            evidence.flag = "changed" if previous_hash and previous_hash != result.sha256 else ""
            evidence.sha256, evidence.archived_text = result.sha256, text
    session.add_all([evidence, snapshot])
    session.flush()
    record_event(
        session=session,
        actor=None,
        entity_type="evidence",
        entity_id=saved_id(evidence),
        action="fetch",
        after={
            "state": evidence.fetch_state,
            "status": evidence.http_status,
            "sha256": snapshot.sha256,
            "flag": evidence.flag,
            "error": evidence.fetch_error,
            "snapshot_id": snapshot.id,
        },
    )
    emit(session=session, event_type="evidence.fetched", data=evidence_event_data(evidence))
    session.commit()
    return evidence


def request_fetch(*, session: Session, evidence_ids: list[int], actor: User | None, action: str = "recheck") -> int:
    """Queue evidence items to be fetched again (a re-check or a retry); their archives stay."""
    items = list(
        session.exec(
            select(Evidence).where(col(Evidence.id).in_(evidence_ids or [-1]), Evidence.fetch_state != "fetching")
        )
    )
    for item in items:
        item.fetch_state, item.fetch_error = "pending", None
        session.add(item)
    session.flush()
    for item in items:
        record_event(session=session, actor=actor, entity_type="evidence", entity_id=saved_id(item), action=action)
    session.commit()
    return len(items)


def evidence_ids_of_article(*, session: Session, article_id: int) -> list[int]:
    """Return the ids of every evidence item on an article's claims."""
    return ids_of(
        session.exec(
            select(col(Evidence.id))
            .join(Claim, col(Claim.id) == col(Evidence.claim_id))
            .where(col(Claim.article_id) == article_id)
        )
    )


def snapshots_of(*, session: Session, evidence_id: int) -> list[EvidenceSnapshot]:
    """Return every archived fetch of an evidence item, newest first."""
    return list(
        session.exec(
            select(EvidenceSnapshot)
            .where(EvidenceSnapshot.evidence_id == evidence_id)
            .order_by(col(EvidenceSnapshot.id).desc())
        )
    )


def work_once(app: Flask) -> bool:
    """Take and run one pending fetch; return False when there was none."""
    from ..db import get_engine

    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        evidence_id = take_next_job(session=session, stale=stale_after(app.config))
        if evidence_id is None:
            return False
        run_fetch(session=session, evidence_id=evidence_id, policy=fetch_policy(app.config))
        return True
