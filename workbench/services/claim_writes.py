"""The one way a claim is changed: a conditional, versioned UPDATE, and what any change to a claim implies.

Every service that changes a claim (status, verdict, approval, wording, span, split, merge, source, speaker,
dates, kind, dismissal, assignment, evidence) calls write_claim inside its transaction. The UPDATE only
lands when the row is still at the version the user saw; otherwise the whole transaction is rolled back and
ConflictError carries the claim as it now stands (or None when it no longer exists).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from ..audit import lock_chain, record_event
from ..models import Article, Claim, User, saved_id, utcnow
from .webhooks import claim_finality, emit_claim_changes

# A change to any of these voids an approval: the editor approved other words.
WORDING_FIELDS = frozenset({"text", "quote", "start", "end"})
# Changes that say nothing about what a claim states or how it was judged: they leave a cleared article cleared.
BOOKKEEPING_FIELDS = frozenset({"assignee_id"})


class ConflictError(Exception):
    """Someone else saved the claim first; carries the claim as it now stands (None when it is gone)."""

    def __init__(self, current: Claim | None, attempted: dict, claim_id: int | None = None):
        self.claim_id = current.id if current is not None else claim_id
        super().__init__(f"claim {self.claim_id} changed since version {attempted.get('version')}")
        self.current = current
        self.attempted = attempted


def claim_state(claim: Claim) -> dict:
    """Return the parts of a claim that the workflow changes, for audit events and conflict views."""
    return {
        "status": str(claim.status),
        "rationale": claim.rationale,
        "text": claim.text,
        "assignee_id": claim.assignee_id,
        "approved_by_id": claim.approved_by_id,
        "version": claim.version,
    }


def write_claim(
    *,
    session: Session,
    claim: Claim,
    values: dict,
    actor: User | None,
    expected_version: int | None = None,
    attempted: dict | None = None,
    material: bool | None = None,
) -> Claim:
    """Apply values to a claim only if it is still at expected_version (default: the version read), bumping it.

    Runs inside the caller's transaction and does not commit. A change of wording or span voids the approval;
    a change other than bookkeeping reopens a cleared article (audited); material=True says so for a change
    that lives outside the row (evidence withdrawn or re-judged). On a lost race the transaction is rolled back
    and ConflictError is raised.
    """
    version = claim.version if expected_version is None else expected_version
    values = dict(values)
    rewording = any(values[key] != getattr(claim, key) for key in WORDING_FIELDS & values.keys())
    if rewording and claim.approved_by_id is not None:
        values.update(approved_by_id=None, approved_at=None)
    # Every claim write appends to the audit chain; taking the chain's lock before any row lock keeps the order
    # of locks the same in every transaction, so two writers never deadlock.
    lock_chain(session=session)
    before = claim_finality(claim)
    result = session.execute(  # an UPDATE answers with a CursorResult, which knows its rowcount
        update(Claim)
        .where(col(Claim.id) == claim.id, col(Claim.version) == version)
        .values(**values, version=Claim.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        claim_id = claim.id
        session.rollback()
        current = session.get(Claim, claim_id, populate_existing=True)
        raise ConflictError(
            current, {**(attempted if attempted is not None else values), "version": version}, claim_id=claim_id
        )
    session.refresh(claim)
    emit_claim_changes(session=session, claim=claim, before=before, actor=actor)  # webhooks' outbox, same transaction
    if material if material is not None else bool(values.keys() - BOOKKEEPING_FIELDS):
        _reopen_cleared_article(session=session, article_id=claim.article_id, claim_id=saved_id(claim), actor=actor)
    return claim


def _reopen_cleared_article(*, session: Session, article_id: int, claim_id: int, actor: User | None) -> None:
    """Undo an article's clearance because one of its claims changed after it was cleared."""
    article = session.get(Article, article_id)
    if article is None or article.cleared_at is None:
        return
    cleared_at = article.cleared_at
    session.execute(
        update(Article)
        .where(col(Article.id) == article_id)
        .values(cleared_at=None)
        .execution_options(synchronize_session=False)
    )
    session.refresh(article)
    record_event(
        session=session,
        actor=actor,
        entity_type="article",
        entity_id=article_id,
        action="unclear",
        before={"cleared_at": cleared_at.isoformat()},
        after={"cleared_at": None, "claim_id": claim_id},
        reason=f"Claim #{claim_id} changed after the article was cleared.",
    )
