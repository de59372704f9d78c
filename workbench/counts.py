"""The dashboard's kept counts: read them, recount them from scratch, and rebuild them when they drifted.

claim_count and verdict_count are kept by triggers (migration 0017c) in the same transaction as every write to
claims and to the audit chain. This module is their independent check: the same counts computed from the claim
table and the audit chain with plain GROUP BY queries, for the tests and for `workbench recount`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, or_, text
from sqlmodel import Session, col, select

from .audit import lock_chain
from .models import AuditEvent, Claim, ClaimCount, VerdictCount
from .services.review import VERDICT_VALUES

AWAITING = "awaiting"  # a verdict without an approval, counted overall and per article
ClaimKey = tuple[str, int, str]


def _status(value) -> str:
    return str(getattr(value, "value", value))


def kept_claim_counts(*, session: Session, scopes: Iterable[str] | None = None) -> dict[ClaimKey, int]:
    """Return the kept counts, (scope, scope_id, status) -> n, leaving out zeros."""
    query = select(ClaimCount.scope, ClaimCount.scope_id, ClaimCount.status, ClaimCount.n).where(col(ClaimCount.n) != 0)
    if scopes is not None:
        query = query.where(col(ClaimCount.scope).in_(list(scopes)))
    return {(scope, scope_id, status): n for scope, scope_id, status, n in session.exec(query)}


def kept_verdict_counts(*, session: Session) -> dict[str, int]:
    """Return the kept number of verdicts given per actor, leaving out zeros."""
    return dict(session.exec(select(VerdictCount.actor, VerdictCount.n).where(col(VerdictCount.n) != 0)).all())


def recount_claims(*, session: Session) -> dict[ClaimKey, int]:
    """Count every claim from the claim table, by the same keys as the kept counts."""
    counts: dict[ClaimKey, int] = {
        ("all", 0, _status(status)): n
        for status, n in session.exec(select(Claim.status, func.count()).group_by(col(Claim.status)))
    }
    for scope, column in (
        ("article", col(Claim.article_id)),
        ("source", col(Claim.source_id)),
        ("assignee", col(Claim.assignee_id)),
    ):
        query = (
            select(column, Claim.status, func.count()).where(column.is_not(None)).group_by(column, col(Claim.status))
        )
        for scope_id, status, n in session.exec(query):
            counts[(scope, scope_id, _status(status))] = n  # type: ignore[index]
    awaiting = (
        select(Claim.article_id, func.count())
        .where(col(Claim.status).in_(VERDICT_VALUES), col(Claim.approved_by_id).is_(None))
        .group_by(col(Claim.article_id))
    )
    for article_id, n in session.exec(awaiting):
        counts[("article", article_id, AWAITING)] = n
        counts[("all", 0, AWAITING)] = counts.get(("all", 0, AWAITING), 0) + n
    return counts


def recount_verdicts(*, session: Session) -> dict[str, int]:
    """Count from the audit chain the verdicts each actor gave (single and bulk), as the kept counts do."""
    # Events are canonical JSON with sorted keys: a status event's "after" holds the new status; a bulk event's
    # "after" holds {"after": {...}, "before": {...}}, so the new status is the one before the "before" key.
    single = or_(*(col(AuditEvent.after).contains(f'"status":"{value}"') for value in VERDICT_VALUES))
    bulk = or_(
        *(col(AuditEvent.after).like(f'{{"after":{{%"status":"{value}"%}},"before":%') for value in VERDICT_VALUES)
    )
    query = (
        select(AuditEvent.actor, func.count())
        .where(
            col(AuditEvent.entity_type) == "claim",
            or_(and_(col(AuditEvent.action) == "status", single), and_(col(AuditEvent.action) == "bulk", bulk)),
        )
        .group_by(col(AuditEvent.actor))
    )
    return dict(session.exec(query).all())


@dataclass(frozen=True)
class Drift:
    """Where the kept counts differ from a recount: key -> (kept, recounted)."""

    claims: dict[ClaimKey, tuple[int, int]]
    verdicts: dict[str, tuple[int, int]]

    def __bool__(self) -> bool:
        return bool(self.claims or self.verdicts)


def _differences(kept: dict, actual: dict) -> dict:
    return {
        key: (kept.get(key, 0), actual.get(key, 0))
        for key in kept.keys() | actual.keys()
        if kept.get(key, 0) != actual.get(key, 0)
    }


def count_drift(*, session: Session) -> Drift:
    """Compare the kept counts with a full recount."""
    return Drift(
        _differences(kept_claim_counts(session=session), recount_claims(session=session)),
        _differences(kept_verdict_counts(session=session), recount_verdicts(session=session)),
    )


def rebuild_counts(*, session: Session) -> Drift:
    """Replace the kept counts with a full recount, with writes held off meanwhile; return the drift found."""
    lock_chain(session=session)  # every claim write takes the chain lock first, so none runs meanwhile
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE claim, audit_event IN SHARE MODE"))
    session.execute(delete(ClaimCount).where(col(ClaimCount.n) == 0))  # on SQLite: the write lock, taken before reading
    drift = count_drift(session=session)
    session.execute(delete(ClaimCount))
    session.execute(delete(VerdictCount))
    claims = recount_claims(session=session)
    if claims:
        session.execute(
            insert(ClaimCount),
            [{"scope": s, "scope_id": i, "status": st, "n": n} for (s, i, st), n in claims.items()],
        )
    verdicts = recount_verdicts(session=session)
    if verdicts:
        session.execute(insert(VerdictCount), [{"actor": a, "n": n} for a, n in verdicts.items()])
    session.commit()
    return drift
