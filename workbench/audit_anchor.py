"""Anchors: the chain's head signed with the audit key and kept outside the database.

An anchor written to a file (or printed and pasted elsewhere) lets `audit verify --anchor FILE` prove that
no event up to it was deleted or rewritten since: truncating the newest events, or rebuilding the chain from
an edited event, no longer goes unnoticed. The last anchor is also recorded as an event, for the UI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from .audit import audit_key, canonical_json, chain_head, record_event, verify_chain
from .errors import InputError
from .models import AuditEvent, User

ANCHOR_KIND = "workbench-audit-anchor"


def _signature(body: dict, key: bytes) -> str:
    return hmac.new(key, ("anchor:" + canonical_json(body)).encode("utf-8"), hashlib.sha256).hexdigest()


def make_anchor(*, session: Session, actor: User | None) -> dict:
    """Sign the current head (after checking the chain), record that it was anchored, and return the anchor."""
    report = verify_chain(session=session)
    if not report.ok:
        raise InputError(f"The chain is broken ({report.error}); an anchor would certify a damaged history.")
    seq, head = chain_head(session=session)
    body = {"kind": ANCHOR_KIND, "seq": seq, "hash": head, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    anchor = {**body, "signature": _signature(body, audit_key(session))}
    try:
        record_event(session=session, actor=actor, entity_type="audit", entity_id=seq, action="anchor", after=anchor)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return anchor


def read_anchor(content: str) -> dict:
    """Parse an anchor file; raise InputError when it is not one."""
    try:
        anchor = json.loads(content)
    except ValueError:
        raise InputError("The anchor file is not JSON; give a file written by `workbench audit anchor`.") from None
    if not isinstance(anchor, dict) or anchor.get("kind") != ANCHOR_KIND or not isinstance(anchor.get("seq"), int):
        raise InputError("The anchor file is not a workbench audit anchor.")
    return anchor


@dataclass(frozen=True)
class AnchorCheck:
    """Whether the chain still contains the anchored head, and why not."""

    ok: bool
    message: str


def check_anchor(*, session: Session, anchor: dict) -> AnchorCheck:
    """Check the anchor's signature, then that the event it names is still there with the same hash."""
    body = {k: v for k, v in anchor.items() if k != "signature"}
    if not hmac.compare_digest(_signature(body, audit_key(session)), str(anchor.get("signature", ""))):
        return AnchorCheck(False, "The anchor's signature is invalid: it was edited, or made with another audit key.")
    seq, head = chain_head(session=session)
    if anchor["seq"] == 0:
        return AnchorCheck(True, "Anchor of an empty chain: nothing to compare.")
    event = session.exec(select(AuditEvent).where(AuditEvent.seq == anchor["seq"])).first()
    if event is None or seq < anchor["seq"]:
        return AnchorCheck(
            False,
            f"Truncated: the anchor names event {anchor['seq']}, but the chain now ends at "
            f"event {seq}. Events were deleted since {anchor.get('at')}.",
        )
    if not hmac.compare_digest(event.hash, str(anchor.get("hash"))):
        return AnchorCheck(
            False, f"History rewritten: event {anchor['seq']} no longer has the hash anchored at {anchor.get('at')}."
        )
    return AnchorCheck(
        True,
        f"Anchor holds: event {anchor['seq']} ({anchor.get('at')}) is unchanged; {seq - anchor['seq']} events since.",
    )


def last_anchor(*, session: Session) -> tuple[dict, AuditEvent] | None:
    """Return the most recent anchor recorded in the chain, with its event."""
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "audit", AuditEvent.action == "anchor")
        .order_by(col(AuditEvent.seq).desc())
        .limit(1)
    ).first()
    return (json.loads(event.after), event) if event else None
