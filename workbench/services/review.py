"""The verification workflow: statuses, verdicts, assignment, approval, with optimistic locking."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, select

from ..audit import record_event, record_events
from ..errors import InputError
from ..models import Claim, Evidence, Status, User, utcnow

EVIDENCE_VERDICTS = {Status.verified, Status.mostly_accurate, Status.misleading, Status.false}
VERDICTS = EVIDENCE_VERDICTS | {Status.unverifiable, Status.not_checkable}
OPEN = {Status.unverified, Status.in_progress}
STATUS_LABELS = {
    Status.unverified: "Unverified", Status.in_progress: "In progress", Status.verified: "Verified",
    Status.mostly_accurate: "Mostly accurate", Status.misleading: "Misleading", Status.false: "False",
    Status.unverifiable: "Unverifiable", Status.not_checkable: "Not checkable",
}


class ConflictError(Exception):
    """Someone else saved the claim first; carries the claim as it now stands."""

    def __init__(self, current: Claim, attempted: dict):
        super().__init__(f"claim {current.id} changed since version {attempted.get('version')}")
        self.current = current
        self.attempted = attempted


def claim_state(claim: Claim) -> dict:
    """Return the parts of a claim that the workflow changes, for audit events and conflict views."""
    return {"status": str(claim.status), "rationale": claim.rationale, "text": claim.text,
            "assignee_id": claim.assignee_id, "approved_by_id": claim.approved_by_id, "version": claim.version}


def parse_status(value: str) -> Status:
    """Read a status name from a form; InputError when it is not one."""
    try:
        return Status(value)
    except ValueError:
        raise InputError(f"“{value}” is not a status; choose one of: {', '.join(s.value for s in Status)}.") from None


def evidence_count(*, session: Session, claim_id: int) -> int:
    """Return how many evidence items a claim has."""
    return session.exec(select(func.count()).select_from(Evidence).where(Evidence.claim_id == claim_id)).one()


def check_verdict(*, session: Session, claim: Claim, status: Status, rationale: str) -> None:
    """Raise InputError unless the status may be set with this rationale and the claim's evidence."""
    if status in VERDICTS and not rationale.strip():
        raise InputError(f"A verdict of “{STATUS_LABELS[status]}” needs a written rationale: say why.")
    if status in EVIDENCE_VERDICTS and evidence_count(session=session, claim_id=claim.id) == 0:
        raise InputError(f"“{STATUS_LABELS[status]}” needs at least one evidence item; add the URL you checked first.")


def _save(*, session: Session, claim: Claim, expected_version: int | None, values: dict, actor: User | None,
          action: str, reason: str = "", attempted: dict | None = None) -> Claim:
    """Apply values to a claim if it is still at expected_version, with its audit event, and commit."""
    before = claim_state(claim)
    version = claim.version if expected_version is None else expected_version
    result = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.version == version)
        .values(**values, version=Claim.version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        current = session.get(Claim, claim.id)
        session.refresh(current)
        raise ConflictError(current, {**(attempted or values), "version": version})
    session.refresh(claim)
    record_event(session=session, actor=actor, entity_type="claim", entity_id=claim.id, action=action,
                 before=before, after=claim_state(claim), reason=reason)
    session.commit()
    return claim


def set_status(*, session: Session, claim: Claim, status: Status, rationale: str, actor: User | None,
               expected_version: int | None, require_approval: bool = False) -> Claim:
    """Move a claim to a status; verdicts need a rationale, and four need evidence."""
    rationale = (rationale or "").strip()
    check_verdict(session=session, claim=claim, status=status, rationale=rationale)
    values = {"status": status, "approved_by_id": None}
    if status in VERDICTS:
        values["rationale"] = rationale
    action = "reopen" if claim.status in VERDICTS and status in OPEN else "status"
    return _save(session=session, claim=claim, expected_version=expected_version, values=values, actor=actor,
                 action=action, reason=rationale, attempted={"status": status.value, "rationale": rationale})


def approve(*, session: Session, claim: Claim, actor: User, expected_version: int | None) -> Claim:
    """An editor approves a claim's verdict, which then counts as final."""
    if claim.status not in VERDICTS:
        raise InputError("Only a verdict can be approved; this claim has none yet.")
    if claim.approved_by_id is not None:
        raise InputError("This verdict is already approved.")
    return _save(session=session, claim=claim, expected_version=expected_version,
                 values={"approved_by_id": actor.id}, actor=actor, action="approve")


def assign(*, session: Session, claim: Claim, assignee: User | None, actor: User | None,
           expected_version: int | None = None) -> Claim:
    """Give a claim to a checker (or to nobody)."""
    return _save(session=session, claim=claim, expected_version=expected_version,
                 values={"assignee_id": assignee.id if assignee else None}, actor=actor, action="assign")


def edit_text(*, session: Session, claim: Claim, text: str, actor: User | None, expected_version: int | None) -> Claim:
    """Reword a claim; its span in the original text stays as it was."""
    text = " ".join((text or "").split())
    if not text:
        raise InputError("A claim cannot be empty; write what is being checked.")
    if len(text) > 5000:
        raise InputError("A claim is limited to 5,000 characters; split it instead.")
    return _save(session=session, claim=claim, expected_version=expected_version, values={"text": text},
                 actor=actor, action="edit", attempted={"text": text})


def bulk_update(*, session: Session, claim_ids: list[int], actor: User | None, status: Status | None = None,
                rationale: str = "", assignee: User | None = None, unassign: bool = False) -> int:
    """Set the status or the assignee of several claims at once: all of them or, on any refusal, none."""
    if not claim_ids:
        raise InputError("Select at least one claim first.")
    claims = list(session.exec(select(Claim).where(Claim.id.in_(claim_ids)).order_by(Claim.id)))
    if len(claims) != len(set(claim_ids)):
        raise InputError("Some selected claims no longer exist; reload the queue.")
    events = []
    for claim in claims:
        before = claim_state(claim)
        if status is not None:
            try:
                check_verdict(session=session, claim=claim, status=status, rationale=rationale)
            except InputError as error:
                raise InputError(f"Claim #{claim.id}: {error} Nothing was changed.") from None
            claim.status = status
            claim.approved_by_id = None
            if status in VERDICTS:
                claim.rationale = rationale.strip()
        if assignee is not None or unassign:
            claim.assignee_id = assignee.id if assignee else None
        claim.version += 1
        claim.updated_at = utcnow()
        session.add(claim)
        events.append(("claim", claim.id, "bulk", {"before": before, "after": claim_state(claim)}))
    try:
        record_events(session=session, actor=actor, events=events, reason=rationale)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(claims)


def is_final(claim: Claim, *, require_approval: bool) -> bool:
    """A verdict counts as final once given (and approved, where the newsroom requires approval)."""
    return claim.status in VERDICTS and (claim.approved_by_id is not None or not require_approval)

