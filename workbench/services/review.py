"""The verification workflow: statuses, verdicts, assignment, approval, with optimistic locking."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from ..audit import EventSpec, record_event, record_events
from ..errors import InputError
from ..models import Claim, Evidence, Status, User, saved_id, utcnow
from .claim_writes import ConflictError, claim_state, write_claim  # noqa: F401  (ConflictError: part of this API)

EVIDENCE_VERDICTS = {Status.verified, Status.mostly_accurate, Status.misleading, Status.false}
VERDICTS = EVIDENCE_VERDICTS | {Status.unverifiable, Status.not_checkable}
OPEN = {Status.unverified, Status.in_progress}
# The same as the database stores them, for queries and kept counts.
VERDICT_VALUES = sorted(s.value for s in VERDICTS)
OPEN_VALUES = sorted(s.value for s in OPEN)
STATUS_LABELS = {
    Status.unverified: "Unverified",
    Status.in_progress: "In progress",
    Status.verified: "Verified",
    Status.mostly_accurate: "Mostly accurate",
    Status.misleading: "Misleading",
    Status.false: "False",
    Status.unverifiable: "Unverifiable",
    Status.not_checkable: "Not checkable",
    Status.dismissed: "Not a claim",
}
# What a checker may choose in a status menu; dismissal has its own action, with a reason.
CHOOSABLE = [s for s in Status if s is not Status.dismissed]
# What counts, tallies and progress count: every status but "not a claim".
COUNTED = CHOOSABLE


def parse_status(value: str) -> Status:
    """Read a status name from a form; InputError when it is not one."""
    try:
        return Status(value)
    except ValueError:
        raise InputError(f"“{value}” is not a status; choose one of: {', '.join(s.value for s in Status)}.") from None


def counting_evidence():
    """The condition for evidence that can back a verdict: not withdrawn, and not a failed fetch."""
    return col(Evidence.withdrawn_at).is_(None) & (Evidence.fetch_state != "failed")


def backs_verdict(evidence: Evidence) -> bool:
    """The same rule for an evidence item in hand (exports): not withdrawn, and not a failed fetch."""
    return evidence.withdrawn_at is None and evidence.fetch_state != "failed"


def evidence_count(*, session: Session, claim_id: int) -> int:
    """Return how many evidence items can back a verdict on a claim."""
    return session.exec(
        select(func.count()).select_from(Evidence).where(Evidence.claim_id == claim_id, counting_evidence())
    ).one()


def check_verdict(*, session: Session, claim: Claim, status: Status, rationale: str) -> None:
    """Raise InputError unless the status may be set with this rationale and the claim's evidence."""
    if status is Status.dismissed:
        raise InputError("To take a claim out as “not a claim”, dismiss it and give a reason.")
    if status in VERDICTS and not rationale.strip():
        raise InputError(f"A verdict of “{STATUS_LABELS[status]}” needs a written rationale: say why.")
    if status in EVIDENCE_VERDICTS and evidence_count(session=session, claim_id=saved_id(claim)) == 0:
        raise InputError(
            f"“{STATUS_LABELS[status]}” needs at least one evidence item that was not withdrawn and "
            "did not fail to fetch; add the URL you checked first."
        )


def _save(
    *,
    session: Session,
    claim: Claim,
    expected_version: int | None,
    values: dict,
    actor: User | None,
    action: str,
    reason: str = "",
    attempted: dict | None = None,
) -> Claim:
    """Apply values through the one versioned update, with its audit event, and commit."""
    before = claim_state(claim)
    write_claim(
        session=session, claim=claim, values=values, actor=actor, expected_version=expected_version, attempted=attempted
    )
    record_event(
        session=session,
        actor=actor,
        entity_type="claim",
        entity_id=saved_id(claim),
        action=action,
        before=before,
        after=claim_state(claim),
        reason=reason,
    )
    session.commit()
    return claim


def status_values(claim: Claim, status: Status, rationale: str, actor: User | None) -> dict:
    """Return what setting a status writes: a new verdict has a new author and date and needs a new approval."""
    values: dict[str, Any] = {
        "status": status,
        "approved_by_id": None,
        "approved_at": None,
        "sent_back_by_id": None,
        "sent_back_at": None,
        "sent_back_comment": None,
    }
    if status in VERDICTS:
        values.update(rationale=rationale.strip(), verdict_by_id=actor.id if actor else None, verdict_at=utcnow())
    else:
        values.update(verdict_by_id=None, verdict_at=None)
    return values


def set_status(
    *,
    session: Session,
    claim: Claim,
    status: Status,
    rationale: str,
    actor: User | None,
    expected_version: int | None,
    require_approval: bool = False,
) -> Claim:
    """Move a claim to a status; verdicts need a rationale, and four need evidence."""
    rationale = (rationale or "").strip()
    check_verdict(session=session, claim=claim, status=status, rationale=rationale)
    values = status_values(claim, status, rationale, actor)
    action = "reopen" if claim.status in VERDICTS and status in OPEN else "status"
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        values=values,
        actor=actor,
        action=action,
        reason=rationale,
        attempted={"status": status.value, "rationale": rationale},
    )


def check_approval(*, claim: Claim, actor: User, allow_self_approval: bool = False) -> None:
    """Raise InputError unless this editor may approve this claim's verdict (four eyes)."""
    if claim.status not in VERDICTS:
        raise InputError(f"Claim #{claim.id} has no verdict to approve.")
    if claim.approved_by_id is not None:
        raise InputError(f"The verdict on claim #{claim.id} is already approved.")
    if claim.verdict_by_id == actor.id and not allow_self_approval:
        raise InputError(f"You gave the verdict on claim #{claim.id}; a second person must approve it (four eyes).")


def approve(
    *, session: Session, claim: Claim, actor: User, expected_version: int | None, allow_self_approval: bool = False
) -> Claim:
    """An editor other than the verdict's author approves it; it then counts as final."""
    check_approval(claim=claim, actor=actor, allow_self_approval=allow_self_approval)
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        values={
            "approved_by_id": actor.id,
            "approved_at": utcnow(),
            "sent_back_by_id": None,
            "sent_back_at": None,
            "sent_back_comment": None,
        },
        actor=actor,
        action="approve",
        attempted={"approve": "1"},
    )


def approve_many(
    *, session: Session, versions: dict[int, int | None], actor: User, allow_self_approval: bool = False
) -> int:
    """Approve several verdicts at once, each at the version the editor saw: all of them or none."""
    if not versions:
        raise InputError("Select at least one verdict to approve.")
    claims = list(session.exec(select(Claim).where(col(Claim.id).in_(list(versions))).order_by(col(Claim.id))))
    if len(claims) != len(versions):
        raise InputError("Some selected claims no longer exist; reload the page. Nothing was approved.")
    events: list[EventSpec] = []
    for claim in claims:
        try:
            check_approval(claim=claim, actor=actor, allow_self_approval=allow_self_approval)
        except InputError as error:
            session.rollback()
            raise InputError(f"{error} Nothing was approved.") from None
        before = claim_state(claim)
        write_claim(
            session=session,
            claim=claim,
            actor=actor,
            expected_version=versions[saved_id(claim)],
            values={"approved_by_id": actor.id, "approved_at": utcnow()},
        )
        events.append(("claim", saved_id(claim), "approve", {"before": before, "after": claim_state(claim)}))
    record_events(session=session, actor=actor, events=events)
    session.commit()
    return len(claims)


def send_back(*, session: Session, claim: Claim, actor: User, comment: str, expected_version: int | None) -> Claim:
    """An editor returns a verdict to its checker with a comment; it is not final until given again and approved."""
    comment = (comment or "").strip()
    if claim.status not in VERDICTS or claim.approved_by_id is not None:
        raise InputError("Only a verdict awaiting approval can be sent back.")
    if not comment:
        raise InputError("Say what needs another look: sending back needs a comment for the checker.")
    if len(comment) > 5000:
        raise InputError("A comment is limited to 5,000 characters.")
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        actor=actor,
        action="send_back",
        values={"sent_back_by_id": actor.id, "sent_back_at": utcnow(), "sent_back_comment": comment},
        reason=comment,
        attempted={"comment": comment},
    )


def assign(
    *, session: Session, claim: Claim, assignee: User | None, actor: User | None, expected_version: int | None = None
) -> Claim:
    """Give a claim to a checker (or to nobody)."""
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        values={"assignee_id": assignee.id if assignee else None},
        actor=actor,
        action="assign",
    )


def edit_text(*, session: Session, claim: Claim, text: str, actor: User | None, expected_version: int | None) -> Claim:
    """Reword a claim; its span in the original text stays as it was."""
    text = " ".join((text or "").split())
    if not text:
        raise InputError("A claim cannot be empty; write what is being checked.")
    if len(text) > 5000:
        raise InputError("A claim is limited to 5,000 characters; split it instead.")
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        values={"text": text},
        actor=actor,
        action="edit",
        attempted={"text": text},
    )


def dismiss(*, session: Session, claim: Claim, reason: str, actor: User | None, expected_version: int | None) -> Claim:
    """Take a claim out as "not a claim" (extraction noise): out of the queue, counts and publication; restorable."""
    reason = " ".join((reason or "").split())
    if claim.status is Status.dismissed:
        raise InputError("This claim is already dismissed; restore it first.")
    if not reason:
        raise InputError("Say why this is not a claim (page furniture, a heading, a duplicate…).")
    if len(reason) > 2000:
        raise InputError("A reason is limited to 2,000 characters.")
    values = {**status_values(claim, Status.dismissed, "", actor), "dismissed_reason": reason}
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        values=values,
        actor=actor,
        action="dismiss",
        reason=reason,
        attempted={"reason": reason},
    )


def restore(*, session: Session, claim: Claim, actor: User | None, expected_version: int | None) -> Claim:
    """Bring a dismissed claim back into the queue, unverified."""
    if claim.status is not Status.dismissed:
        raise InputError("Only a dismissed claim can be restored.")
    values = {**status_values(claim, Status.unverified, "", actor), "dismissed_reason": None}
    return _save(
        session=session,
        claim=claim,
        expected_version=expected_version,
        values=values,
        actor=actor,
        action="restore",
        attempted={"restore": "1"},
    )


def bulk_update(
    *,
    session: Session,
    claim_ids: list[int],
    actor: User | None,
    status: Status | None = None,
    rationale: str = "",
    assignee: User | None = None,
    unassign: bool = False,
) -> int:
    """Set the status or the assignee of several claims at once: all of them or, on any refusal, none."""
    if not claim_ids:
        raise InputError("Select at least one claim first.")
    claims = list(session.exec(select(Claim).where(col(Claim.id).in_(claim_ids)).order_by(col(Claim.id))))
    if len(claims) != len(set(claim_ids)):
        raise InputError("Some selected claims no longer exist; reload the queue.")
    events: list[EventSpec] = []
    for claim in claims:
        before = claim_state(claim)
        values = {}
        if status is not None:
            try:
                check_verdict(session=session, claim=claim, status=status, rationale=rationale)
            except InputError as error:
                session.rollback()
                raise InputError(f"Claim #{claim.id}: {error} Nothing was changed.") from None
            values.update(status_values(claim, status, rationale, actor))
        if assignee is not None or unassign:
            values["assignee_id"] = assignee.id if assignee else None
        write_claim(
            session=session,
            claim=claim,
            values=values,
            actor=actor,
            attempted={"status": status.value if status else None},
        )
        events.append(("claim", saved_id(claim), "bulk", {"before": before, "after": claim_state(claim)}))
    record_events(session=session, actor=actor, events=events, reason=rationale)
    session.commit()
    return len(claims)


class HasVerdict(Protocol):
    """A claim, or a row of its status and approver columns."""

    @property
    def status(self) -> str: ...
    @property
    def approved_by_id(self) -> int | None: ...


def is_final(claim: HasVerdict, *, require_approval: bool) -> bool:
    """A verdict counts as final once given (and approved, where the newsroom requires approval)."""
    return claim.status in VERDICTS and (claim.approved_by_id is not None or not require_approval)


class HasVerdictTimes(HasVerdict, Protocol):
    """A claim, or a row of the columns that say when its verdict became final."""

    @property
    def approved_at(self) -> dt.datetime | None: ...
    @property
    def verdict_at(self) -> dt.datetime | None: ...
    @property
    def updated_at(self) -> dt.datetime: ...


def final_at(claim: HasVerdictTimes, *, require_approval: bool):
    """Return when the verdict became final (its approval, or the verdict itself), or None when it is not final."""
    if not is_final(claim, require_approval=require_approval):
        return None
    return (claim.approved_at if require_approval else claim.verdict_at) or claim.verdict_at or claim.updated_at


def final_in_sql(*, require_approval: bool) -> tuple[ColumnElement[bool], ColumnElement[dt.datetime]]:
    """is_final and final_at as SQL over Claim's columns (the same rule, for queries that aggregate many claims)."""
    verdict = col(Claim.status).in_(VERDICT_VALUES)
    if require_approval:
        return verdict & col(Claim.approved_by_id).is_not(None), func.coalesce(
            Claim.approved_at, Claim.verdict_at, Claim.updated_at
        )
    return verdict, func.coalesce(Claim.verdict_at, Claim.updated_at)


def review_state(claim: Claim, *, require_approval: bool) -> str:
    """Say where a claim stands for publication: open, dismissed, sent_back, awaiting_approval or final."""
    if claim.status is Status.dismissed:
        return "dismissed"
    if claim.status not in VERDICTS:
        return "open"
    if is_final(claim, require_approval=require_approval):
        return "final"
    return "sent_back" if claim.sent_back_at is not None else "awaiting_approval"


REVIEW_STATE_LABELS = {
    "open": "Open",
    "dismissed": "Dismissed (not a claim)",
    "sent_back": "Sent back",
    "awaiting_approval": "Awaiting approval",
    "final": "Final",
}
