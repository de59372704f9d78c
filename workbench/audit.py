"""The append-only, hash-chained audit trail.

Each event's hash is an HMAC-SHA256 keyed by WORKBENCH_AUDIT_KEY, a secret kept outside the database: someone
who can write to the database can delete or edit events but cannot re-chain or forge them so that they verify.
Truncation (deleting the newest events) is caught against an anchor: the signed head, kept outside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from .logs import current_request_id
from .models import AuditEvent, User, table_of

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 7_304_201  # any constant: serialises appends on PostgreSQL


def canonical_json(value: Any) -> str:
    """Serialise a value the one way the chain hashes it: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


def register_key(engine: Engine, key: str) -> None:
    """Tell the audit trail which key signs the chain stored behind this engine (done by the app factory)."""
    _KEYS[engine] = key.encode("utf-8")


def registered_key(engine: Engine) -> str | None:
    """Return the key registered for an engine as text, or None (migrations then read WORKBENCH_AUDIT_KEY)."""
    key = _KEYS.get(engine)
    return key.decode("utf-8") if key is not None else None


def audit_key(bind: Engine | Session) -> bytes:
    """Return the chain key for a session or engine; refuse to work without one."""
    engine = (bind.get_bind() if isinstance(bind, Session) else bind).engine  # a Connection knows its Engine
    try:
        return _KEYS[engine]
    except KeyError:
        raise RuntimeError("No audit key registered for this database; create the app (create_app) first.") from None


HASHED_FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_id",
    "entity_type",
    "entity_id",
    "action",
    "before",
    "after",
    "reason",
    "prev_hash",
)


# Hashed only when set: events written before it existed (NULL) keep their canonical form, hence their hash, while
# a request id written since cannot be changed, added or removed without breaking the chain.
HASHED_WHEN_SET = ("request_id",)


def event_hash(event: AuditEvent | dict[str, Any], key: bytes) -> str:
    """Return the HMAC-SHA256, under the chain key, of an event's canonical form together with the previous hash."""
    read = event.get if isinstance(event, dict) else lambda name: getattr(event, name, None)
    fields = {name: read(name) for name in HASHED_FIELDS}
    fields.update({name: read(name) for name in HASHED_WHEN_SET if read(name) is not None})
    body = canonical_json(fields)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _newest():
    """The newest event's (seq, hash): the chain's head."""
    return select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)


def _current_transaction(session: Session):
    """The connection and the (innermost) transaction an append runs in; refused outside a transaction.

    In autocommit (a request's reads after its write, see db.read_without_transaction) each statement would commit
    on its own: the chain's lock would be gone by the next one while the head kept for this "transaction" stayed.
    """
    connection = session.connection()
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        raise RuntimeError("The audit chain is appended to inside a transaction, not in autocommit.")
    return connection, connection.get_nested_transaction() or connection.get_transaction()


def lock_chain(*, session: Session) -> None:
    """Take the chain's append lock now (PostgreSQL; SQLite's write lock does it), held until commit.

    Taken once per transaction: a claim write takes it first and its audit event needs it again, and the second
    request would be one more round trip for a lock already held.
    """
    connection, transaction = _current_transaction(session)
    if session.get_bind().dialect.name != "postgresql":
        return
    if connection.info.get("chain_locked_in") is transaction:
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    connection.info["chain_locked_in"] = transaction


def head_columns() -> tuple:
    """The chain's head (seq, hash) as two scalar subqueries, for a write statement that runs after lock_chain.

    Such a statement reads the head as it stands under the lock (PostgreSQL takes each statement's snapshot after
    the statements before it, the lock among them; SQLite's write lock is held by then), so the events recorded
    next in the same transaction need no lookup of their own: give what it returns to remember_head.
    """
    newest = _newest().subquery()
    return select(newest.c.seq).scalar_subquery(), select(newest.c.hash).scalar_subquery()


def remember_head(*, session: Session, seq: int | None, hash_: str | None) -> None:
    """Keep the head read under the chain lock for the rest of this transaction (None, None: the chain is empty)."""
    connection, transaction = _current_transaction(session)
    connection.info["chain_head"] = (transaction, seq or 0, hash_ or GENESIS_HASH)


def _known_head(session: Session) -> tuple[int, str] | None:
    """The head this transaction read or wrote under the lock, if it still holds it (a savepoint rolled back does
    not: the head was kept under another transaction object, so it is read again)."""
    connection, transaction = _current_transaction(session)
    known = connection.info.get("chain_head")
    if known is None or known[0] is not transaction:
        return None
    return known[1], known[2]


def record_event(
    *,
    session: Session,
    actor: User | None,
    entity_type: str,
    entity_id: int,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> dict:
    """Append one event to the chain inside the caller's transaction (the caller commits)."""
    return record_events(
        session=session,
        actor=actor,
        reason=reason,
        events=[(entity_type, entity_id, action, after or {})],
        before=before,
    )[0]


# (entity_type, entity_id, action, after) of one event to append
EventSpec = tuple[str, int, str, dict[str, Any]]


def record_events(
    *,
    session: Session,
    actor: User | None,
    events: list[EventSpec],
    before: dict | None = None,
    reason: str = "",
) -> list[dict]:
    """Append (entity_type, entity_id, action, after) events in order, inside the caller's transaction."""
    session.flush()  # the entities' changes are written first, so their ids are known
    lock_chain(session=session)
    seq, prev_hash = _known_head(session) or chain_head(session=session)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    written, key = [], audit_key(session)
    common = {
        "at": at,
        "request_id": current_request_id(),
        "actor_id": actor.id if actor else None,
        "actor": actor.email if actor else "system",
        "before": canonical_json(before or {}),
        "reason": reason,
    }
    for entity_type, entity_id, action, after in events:
        seq += 1
        event = {
            **common,
            "seq": seq,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "action": action,
            "after": canonical_json(after),
            "prev_hash": prev_hash,
        }
        event["hash"] = prev_hash = event_hash(event, key)
        written.append(event)
    if written:  # one multi-row INSERT: a large ingest holds the write lock for seconds, not a minute
        session.execute(table_of(AuditEvent).insert(), written)
        remember_head(session=session, seq=seq, hash_=prev_hash)  # the next events of this transaction follow on
    return written


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking the chain: how many events, the head, and the first problem."""

    count: int
    head: str
    error: str | None = None
    bad_event_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when every event is intact and in order."""
        return self.error is None


def verify_events(events: Iterable[AuditEvent], key: bytes, seq_exists=None) -> ChainReport:
    """Check events in storage order: sequence, link to the previous hash, and each hash.

    seq_exists(seq) tells a reordered chain (the expected event is stored elsewhere) from a gap.
    """
    previous_hash, expected_seq, count = GENESIS_HASH, 1, 0
    for event in events:
        label = f"event id={event.id} seq={event.seq}"
        if event.seq != expected_seq:
            elsewhere = event.seq < expected_seq or (seq_exists is not None and seq_exists(expected_seq))
            problem = "out of order" if elsewhere else "missing or removed"
            return ChainReport(count, previous_hash, f"{label}: expected seq {expected_seq} ({problem})", event.id)
        if event.prev_hash != previous_hash:
            return ChainReport(
                count, previous_hash, f"{label}: does not link to the event before it (reordered or removed)", event.id
            )
        if not hmac.compare_digest(event_hash(event, key), event.hash):
            return ChainReport(
                count,
                previous_hash,
                f"{label}: contents altered or forged (hash mismatch under the audit key)",
                event.id,
            )
        previous_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    return ChainReport(count, previous_hash)


def verify_chain(*, session: Session) -> ChainReport:
    """Check the whole chain in the database, streaming it in insertion order."""
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id)).execution_options(yield_per=1000))

    def seq_exists(seq: int) -> bool:
        return session.exec(select(AuditEvent.id).where(AuditEvent.seq == seq)).first() is not None

    try:
        return verify_events(rows, audit_key(session), seq_exists)
    finally:
        rows.close()  # an early return leaves PostgreSQL's server-side cursor open otherwise


def chain_head(*, session: Session) -> tuple[int, str]:
    """Return the newest event's sequence number and hash."""
    last = session.exec(_newest()).first()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)


def history_of(*, session: Session, entity_type: str, entity_id: int) -> list[AuditEvent]:
    """Return the events about one entity, oldest first."""
    query = select(AuditEvent).where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
    return list(session.exec(query.order_by(col(AuditEvent.seq))))
