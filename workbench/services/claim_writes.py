"""The one way a claim is changed: a conditional, versioned UPDATE, and what any change to a claim implies.

Every service that changes a claim (status, verdict, approval, wording, span, split, merge, source, speaker,
dates, kind, dismissal, assignment, evidence, a group's lead) calls write_claim inside its transaction. The UPDATE only
lands when the row is still at the version the user saw; otherwise the whole transaction is rolled back and
ConflictError carries the claim as it now stands (or None when it no longer exists).
"""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import Update, bindparam, exists, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from ..audit import head_columns, lock_chain, record_event, remember_head
from ..models import Article, Claim, Status, User, saved_id, table_of, utcnow
from .webhooks import any_active_endpoint, claim_finality, emit_claim_changes

# A change to any of these voids an approval: the editor approved other words.
WORDING_FIELDS = frozenset({"text", "quote", "start", "end"})
# Changes that say nothing about what a claim states or how it was judged: they leave a cleared article cleared.
BOOKKEEPING_FIELDS = frozenset({"assignee_id", "lead_id"})
_CLAIMS = table_of(Claim)
# Every attribute of the row, in the order RETURNING gives the table's columns back.
_KEYS = tuple(inspect(Claim).get_property_by_column(column).key for column in _CLAIMS.columns)


def counted_follower(status) -> ColumnElement[bool]:
    """The followers that follow a lead's verdict and count in its "+n same" marker: those not dismissed."""
    return status != Status.dismissed


def _also_returned() -> tuple:
    """What a write needs besides the row, read by its UPDATE (no round trip of its own): whether the claim's
    article was cleared, whether the claim leads followers to pass its verdict to, whether any webhook endpoint is
    active (else no event is written), and the audit chain's head (its event follows on without a lookup).

    The subqueries name the claim and its article by value, not by correlation: SQLite writes RETURNING's columns without
    their table, so a correlated `id` inside a subquery would mean the subquery's own table.
    """
    articles, follower = table_of(Article), _CLAIMS.alias("follower")
    cleared_at = select(articles.c.cleared_at).where(articles.c.id == bindparam("w_article_id")).scalar_subquery()
    has_followers = exists().where(follower.c.lead_id == bindparam("w_claim_id"), counted_follower(follower.c.status))
    return cleared_at, has_followers, any_active_endpoint(), *head_columns()


@functools.cache
def _versioned_update(keys: frozenset[str]) -> Update:
    """The conditional UPDATE of these columns, built once per set of columns (a handful: one per kind of change).

    A Core statement on the table with bound values: the ORM's UPDATE would rebuild and re-key it on every write.
    """
    return (
        update(_CLAIMS)
        .where(_CLAIMS.c.id == bindparam("w_claim_id"), _CLAIMS.c.version == bindparam("w_version"))
        .values({key: bindparam(f"v_{key}", type_=_CLAIMS.c[key].type) for key in sorted(keys)})
        .values(version=_CLAIMS.c.version + 1, updated_at=bindparam("w_updated_at"))
        .returning(*_CLAIMS.columns, *_also_returned())
    )


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
    # desk_groups builds on this module, so it is imported here, when a claim is first written.
    from .desk_groups import after_write, final_now

    version = claim.version if expected_version is None else expected_version
    values = dict(values)
    was_final = final_now(claim)
    rewording = any(values[key] != getattr(claim, key) for key in WORDING_FIELDS & values.keys())
    if rewording and claim.approved_by_id is not None:
        values.update(approved_by_id=None, approved_at=None)
    # Every claim write appends to the audit chain; taking the chain's lock before any row lock keeps the order
    # of locks the same in every transaction, so two writers never deadlock.
    lock_chain(session=session)
    before = claim_finality(claim)
    # The row as written comes back with the UPDATE (RETURNING): no second round trip to re-read the claim.
    row = session.execute(
        _versioned_update(frozenset(values)),
        {
            **{f"v_{key}": value for key, value in values.items()},
            "w_claim_id": claim.id,
            "w_version": version,
            "w_article_id": claim.article_id,
            "w_updated_at": utcnow(),
        },
    ).first()
    if row is None:
        claim_id = claim.id
        session.rollback()
        current = session.get(Claim, claim_id, populate_existing=True)
        raise ConflictError(
            current, {**(attempted if attempted is not None else values), "version": version}, claim_id=claim_id
        )
    *fields, cleared_at, has_followers, has_endpoints, head_seq, head_hash = row
    remember_head(session=session, seq=head_seq, hash_=head_hash)  # read under the chain lock, taken above
    for key, value in zip(_KEYS, fields):
        set_committed_value(claim, key, value)
    if has_endpoints:  # webhooks' outbox, same transaction
        emit_claim_changes(session=session, claim=claim, before=before, actor=actor)
    material = material if material is not None else bool(values.keys() - BOOKKEEPING_FIELDS)
    if material and cleared_at is not None:
        _reopen_cleared_article(
            session=session, article_id=claim.article_id, claim_id=saved_id(claim), cleared_at=cleared_at, actor=actor
        )
    # Followers take a lead's verdict; a verdict that became final marks the open claims like it "checked before".
    after_write(
        session=session, claim=claim, values=values, actor=actor, was_final=was_final, has_followers=bool(has_followers)
    )
    return claim


def _reopen_cleared_article(
    *, session: Session, article_id: int, claim_id: int, cleared_at: dt.datetime, actor: User | None
) -> None:
    """Undo an article's clearance because one of its claims changed after it was cleared."""
    article = session.get(Article, article_id)
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
