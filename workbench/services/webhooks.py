"""Webhooks: endpoints an admin registers, events written to an outbox with the change they report, signed deliveries.

An event is written in the same transaction as the change it reports (`emit`), with one delivery row per endpoint
that wants it: the change and its deliveries commit together or not at all, so no event is lost and none is sent
for a change that was rolled back. The background worker sends each endpoint's deliveries one at a time, oldest
first (a delivery waits while an earlier one to the same endpoint is still being retried), through the SSRF-safe
fetcher, and retries a failure with exponential backoff until it gives up after a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, update
from sqlmodel import Session, col, select

from ..audit import record_event
from ..errors import InputError
from ..fetching import FetchPolicy, FetchRefused, post
from ..models import User, saved_id, utcnow
from ..models_webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from ..urls import validate_url
from ..validation import max_length

EVENTS = ("article.ingested", "claim.status_changed", "verdict.final", "evidence.fetched")
SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "Workbench-Signature"
OPEN_STATES = ("pending", "sending", "retrying")  # a delivery in one of these holds its endpoint's line
SENDING_STALE = dt.timedelta(minutes=5)  # a delivery "sending" this long belonged to a worker that died
MAX_DELAY = dt.timedelta(hours=6)  # backoff doubles up to this, so the last tries of the day are not hours apart
ANSWER_BYTES = 64 * 1024  # a receiver's answer is read up to this and then dropped


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without their zone; they are stored as UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _row(session: Session, model, key):
    """A row that must exist (its foreign key points at it)."""
    row = session.get(model, key, populate_existing=True)
    if row is None:
        raise LookupError(f"{model.__name__} #{key} is gone")
    return row


# --- endpoints -------------------------------------------------------------------------------------------------


def _check_events(events: list[str]) -> list[str]:
    chosen = [event for event in EVENTS if event in set(events or [])]
    unknown = sorted(set(events or []) - set(EVENTS))
    if unknown:
        raise InputError(f"Unknown event “{unknown[0][:40]}”; choose from: {', '.join(EVENTS)}.")
    if not chosen:
        raise InputError("Choose at least one event to send to this endpoint.")
    return chosen


def _snapshot(endpoint: WebhookEndpoint) -> dict:
    """What the audit trail records of an endpoint (never its secret)."""
    return {"url": endpoint.url, "events": list(endpoint.events), "active": endpoint.active}


def create_endpoint(
    *, session: Session, url: str, events: list[str], description: str = "", actor: User | None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; return it with its signing secret, which the admin is shown this once."""
    url = validate_url(url, label="The endpoint's address")
    description = " ".join((description or "").split())
    if len(description) > max_length(WebhookEndpoint, "description"):
        raise InputError(f"A description is limited to {max_length(WebhookEndpoint, 'description')} characters.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        url=url,
        events=_check_events(events),
        description=description,
        secret=secret,
        created_by_id=actor.id if actor else None,
    )
    session.add(endpoint)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        entity_type="webhook",
        entity_id=saved_id(endpoint),
        action="create",
        after=_snapshot(endpoint),
    )
    session.commit()
    return endpoint, secret


def update_endpoint(
    *,
    session: Session,
    endpoint: WebhookEndpoint,
    actor: User | None,
    events: list[str] | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change which events an endpoint gets, or pause (active=False) and resume it; audited."""
    before = _snapshot(endpoint)
    if events is not None:
        endpoint.events = _check_events(events)
    if active is not None:
        endpoint.active = active
    if _snapshot(endpoint) == before:
        raise InputError("Nothing changed: the endpoint already has these settings.")
    session.add(endpoint)
    session.flush()
    action = "update" if events is not None else ("resume" if active else "pause")
    record_event(
        session=session,
        actor=actor,
        entity_type="webhook",
        entity_id=saved_id(endpoint),
        action=action,
        before=before,
        after=_snapshot(endpoint),
    )
    session.commit()
    return endpoint


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint, actor: User | None) -> int:
    """Delete a paused endpoint with its delivery log; return how many deliveries went with it. Audited.

    Only a paused endpoint can go, so a delete is always a second, deliberate step; and not while the worker is
    sending one of its deliveries (pausing holds the next ones, not the one under way). Events no other endpoint's
    delivery refers to leave the outbox too. Everything is done by subqueries on the endpoint, never by a list of
    ids, so an endpoint with a long log goes in the same few statements.
    """
    if endpoint.active:
        raise InputError("Pause the endpoint before deleting it: deliveries may be on their way to it.")
    endpoint_id = saved_id(endpoint)
    mine = col(WebhookDelivery.endpoint_id) == endpoint_id
    sending = session.exec(
        select(func.count())
        .select_from(WebhookDelivery)
        .where(mine, WebhookDelivery.state == "sending", col(WebhookDelivery.sending_since) > utcnow() - SENDING_STALE)
    ).one()
    if sending:
        raise InputError("A delivery to this endpoint is being sent right now; delete it once that try is over.")
    removed, first_event, last_event = session.exec(
        select(func.count(), func.min(WebhookDelivery.event_id), func.max(WebhookDelivery.event_id)).where(mine)
    ).one()
    session.execute(
        delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(select(WebhookDelivery.id).where(mine)))
    )
    session.execute(delete(WebhookDelivery).where(mine))
    if removed:  # its events that no delivery needs any more (an event is never written without one)
        session.execute(
            delete(WebhookEvent).where(
                col(WebhookEvent.id).between(first_event, last_event),
                ~exists().where(col(WebhookDelivery.event_id) == col(WebhookEvent.id)),
            )
        )
    record_event(
        session=session,
        actor=actor,
        entity_type="webhook",
        entity_id=endpoint_id,
        action="delete",
        before=_snapshot(endpoint),
        after={"deliveries_removed": removed},
    )
    session.delete(endpoint)
    session.commit()
    return removed


def list_endpoints(*, session: Session) -> list[WebhookEndpoint]:
    """Every registered endpoint, oldest first."""
    return list(session.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))))


def secret_hint(endpoint: WebhookEndpoint) -> str:
    """Enough of the secret to tell two apart, never enough to sign with."""
    return f"{SECRET_PREFIX}…{endpoint.secret[-4:]}"


# --- the outbox ----------------------------------------------------------------------------------------------


def _active():
    return col(WebhookEndpoint.active).is_(True)


def any_active_endpoint():
    """The SQL condition "some webhook endpoint is active", for a write to read along with its row (see write_claim)."""
    return exists().where(_active())


def emit(*, session: Session, event_type: str, data: dict) -> WebhookEvent | None:
    """Write an event and its deliveries inside the caller's transaction (the caller commits); None when nobody wants it."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown webhook event {event_type}")
    endpoints = [
        endpoint for endpoint in session.exec(select(WebhookEndpoint).where(_active())) if event_type in endpoint.events
    ]
    if not endpoints:
        return None
    created = utcnow()
    event = WebhookEvent(type=event_type, payload="", created_at=created)
    session.add(event)
    session.flush()
    event.payload = json.dumps(
        {"id": event.id, "type": event_type, "created": created.isoformat(timespec="seconds"), "data": data},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    session.add(event)
    session.add_all(
        WebhookDelivery(endpoint_id=saved_id(endpoint), event_id=saved_id(event), next_attempt_at=created)
        for endpoint in endpoints
    )
    session.flush()
    return event


def claim_data(claim, **extra) -> dict:
    """The part of an event that describes a claim."""
    return {
        "claim": {
            "id": claim.id,
            "article_id": claim.article_id,
            "text": claim.text,
            "status": str(claim.status),
            "rationale": claim.rationale,
            "version": claim.version,
            "approved_by_id": claim.approved_by_id,
        },
        **extra,
    }


def article_event_data(article, *, claims: int) -> dict:
    """The data of article.ingested: the stored article (without its text) and how many claims were found."""
    return {
        "article": {
            "id": article.id,
            "title": article.title,
            "outlet": article.outlet,
            "url": article.url,
            "published": article.published.isoformat() if article.published else None,
            "content_hash": article.content_hash,
        },
        "claims": claims,
    }


def evidence_event_data(evidence) -> dict:
    """The data of evidence.fetched: what the fetch found (fetch_state "done" or "failed", with the reason)."""
    return {
        "evidence": {
            "id": evidence.id,
            "claim_id": evidence.claim_id,
            "url": evidence.url,
            "fetch_state": evidence.fetch_state,
            "http_status": evidence.http_status,
            "final_url": evidence.final_url,
            "sha256": evidence.sha256,
            "flag": evidence.flag,
            "error": evidence.fetch_error,
        }
    }


def claim_finality(claim) -> tuple:
    """What emit_claim_changes compares: the claim's status and whether its verdict is final (read before a write)."""
    from .matching import approval_required
    from .review import is_final

    return claim.status, is_final(claim, require_approval=approval_required(None))


def emit_claim_changes(*, session: Session, claim, before: tuple, actor: User | None) -> None:
    """After the one versioned update of a claim: claim.status_changed when its status moved, verdict.final when it became final."""
    previous_status, was_final = before
    status, final = claim_finality(claim)
    who = {"actor": {"id": actor.id, "name": actor.name} if actor else None}
    if status != previous_status:
        emit(
            session=session,
            event_type="claim.status_changed",
            data=claim_data(claim, previous_status=str(previous_status), **who),
        )
    if final and not was_final:
        emit(session=session, event_type="verdict.final", data=claim_data(claim, **who))


# --- signing -------------------------------------------------------------------------------------------------


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" keyed by the secret>."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(*, secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """Check a signature header as a receiver should: the HMAC matches and the timestamp is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- sending -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How failed deliveries are retried: the first wait, doubling, for up to give_up after the event."""

    first_wait: dt.timedelta = dt.timedelta(seconds=30)
    give_up: dt.timedelta = dt.timedelta(hours=24)


def retry_policy(config) -> RetryPolicy:
    """Build the retry schedule from the app's configuration."""
    return RetryPolicy(
        first_wait=dt.timedelta(seconds=config.get("WEBHOOK_RETRY_SECONDS", 30.0)),
        give_up=dt.timedelta(hours=config.get("WEBHOOK_GIVE_UP_HOURS", 24.0)),
    )


def delivery_policy(fetch: FetchPolicy, config) -> FetchPolicy:
    """The fetch policy for webhooks: the same address rules, a shorter deadline, and a small answer cap."""
    deadline = config.get("WEBHOOK_DEADLINE", 10.0)
    return FetchPolicy(
        allow_private=fetch.allow_private,
        allowed_networks=fetch.allowed_networks,
        connect_timeout=min(fetch.connect_timeout, deadline),
        read_timeout=min(fetch.read_timeout, deadline),
        deadline=deadline,
        max_bytes=ANSWER_BYTES,
        max_redirects=fetch.max_redirects,
    )


def next_wait(attempts: int, retry: RetryPolicy) -> dt.timedelta:
    """The wait after the n-th failed attempt: first_wait, doubling each time, at most MAX_DELAY."""
    return min(retry.first_wait * (2 ** min(attempts - 1, 20)), MAX_DELAY)


def due_deliveries(*, session: Session, now: dt.datetime | None = None) -> list[int]:
    """The head of each active endpoint's line when it is due: one delivery per endpoint, oldest first."""
    now = now or utcnow()
    due = []
    for endpoint_id in session.exec(select(WebhookEndpoint.id).where(col(WebhookEndpoint.active).is_(True))):
        head = session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id, col(WebhookDelivery.state).in_(OPEN_STATES))
            .order_by(col(WebhookDelivery.id))
            .limit(1)
        ).first()
        if head is None:
            continue
        if head.state == "sending":
            if head.sending_since is not None and _aware(head.sending_since) > now - SENDING_STALE:
                continue  # another worker is sending it
        elif _aware(head.next_attempt_at) > now:
            continue
        due.append(saved_id(head))
    return due


def take_delivery(*, session: Session, delivery_id: int, now: dt.datetime | None = None) -> bool:
    """Mark a delivery "sending" for this worker; False when another worker took it first."""
    now = now or utcnow()
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return False
    taken = session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.state) == delivery.state,
            col(WebhookDelivery.attempts) == delivery.attempts,
        )
        .values(state="sending", sending_since=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return getattr(taken, "rowcount", 0) == 1


def send_delivery(
    *, session: Session, delivery_id: int, policy: FetchPolicy, retry: RetryPolicy, now: dt.datetime | None = None
) -> WebhookDelivery:
    """Send one delivery once (signed, through the safe fetcher), log the attempt and set what happens next."""
    delivery: WebhookDelivery = _row(session, WebhookDelivery, delivery_id)
    endpoint: WebhookEndpoint = _row(session, WebhookEndpoint, delivery.endpoint_id)
    event: WebhookEvent = _row(session, WebhookEvent, delivery.event_id)
    body = event.payload.encode("utf-8")
    started = time.perf_counter()
    status, error = None, None
    try:
        result = post(
            endpoint.url,
            body=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=int(time.time()), body=body),
                "Workbench-Event": event.type,
                "Workbench-Event-Id": str(event.id),
                "Workbench-Delivery": str(delivery.id),
            },
            policy=policy,
        )
        status = result.status
        if not 200 <= status < 300:
            error = f"The receiver answered HTTP {status}."
    except FetchRefused as refused:
        error = str(refused)[:500]
    except Exception as unexpected:  # noqa: BLE001 (a delivery never stays "sending": it is retried, saying why)
        error = f"The delivery failed unexpectedly ({type(unexpected).__name__})."
    finished = now or utcnow()
    session.add(
        WebhookAttempt(
            delivery_id=delivery_id,
            at=finished,
            http_status=status,
            error=error,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
    )
    delivery.attempts += 1
    delivery.last_status, delivery.last_error, delivery.sending_since = status, error, None
    if error is None:
        delivery.state, delivery.delivered_at = "delivered", finished
    else:
        following = finished + next_wait(delivery.attempts, retry)
        if following > _aware(delivery.created_at) + retry.give_up:
            delivery.state = "failed"
            delivery.last_error = f"Gave up after {delivery.attempts} attempts: {error}"[:500]
        else:
            delivery.state, delivery.next_attempt_at = "retrying", following
    session.add(delivery)
    session.commit()
    return delivery


def deliver_due(*, session: Session, policy: FetchPolicy, retry: RetryPolicy, now: dt.datetime | None = None) -> int:
    """Send every delivery that is due now (one per endpoint, in order); return how many were attempted."""
    sent = 0
    for delivery_id in due_deliveries(session=session, now=now):
        if take_delivery(session=session, delivery_id=delivery_id, now=now):
            send_delivery(session=session, delivery_id=delivery_id, policy=policy, retry=retry, now=now)
            sent += 1
    return sent


def redeliver(*, session: Session, delivery: WebhookDelivery, actor: User | None) -> WebhookDelivery:
    """Queue the same event to the same endpoint again (behind what already waits there); audited."""
    again = WebhookDelivery(endpoint_id=delivery.endpoint_id, event_id=delivery.event_id, redelivery_of_id=delivery.id)
    session.add(again)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        entity_type="webhook",
        entity_id=delivery.endpoint_id,
        action="redeliver",
        after={"delivery_id": again.id, "of_delivery_id": delivery.id, "event_id": delivery.event_id},
    )
    session.commit()
    return again


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery as the log shows it: with its event and its attempts, newest first."""

    delivery: WebhookDelivery
    event: WebhookEvent
    attempts: list[WebhookAttempt]


def delivery_log(*, session: Session, endpoint_id: int, limit: int = 50) -> list[DeliveryRow]:
    """An endpoint's latest deliveries, newest first, each with its event and every attempt."""
    deliveries = list(
        session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(limit)
        )
    )
    ids = [saved_id(delivery) for delivery in deliveries]
    events = {
        saved_id(event): event
        for event in session.exec(
            select(WebhookEvent).where(col(WebhookEvent.id).in_({d.event_id for d in deliveries} or {-1}))
        )
    }
    attempts: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in ids}
    for attempt in session.exec(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(ids or [-1]))
        .order_by(col(WebhookAttempt.id).desc())
    ):
        attempts[attempt.delivery_id].append(attempt)
    return [DeliveryRow(d, events[d.event_id], attempts[saved_id(d)]) for d in deliveries]


def work_once(app) -> int:
    """Send what is due for every endpoint (the background worker calls this); return how many were attempted."""
    from ..db import get_engine
    from .evidence_fetch import fetch_policy

    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        return deliver_due(
            session=session,
            policy=delivery_policy(fetch_policy(app.config), app.config),
            retry=retry_policy(app.config),
        )
