"""Who did what, when: the audit chain read as activity, filtered by person, action, article and date."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from ..models import AuditEvent, Claim, Evidence, User
from .review import VERDICTS

PAGE_SIZE = 50


@dataclass(frozen=True)
class ActivityFilters:
    """What the activity page shows; every field round-trips through the URL."""

    actor: int | None = None
    action: str = ""
    article: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    before: int | None = None  # keyset: events with a smaller seq

    def to_args(self, **changes) -> dict:
        """Return the filters as URL query arguments (empty ones left out)."""
        values = replace(self, **changes) if changes else self
        args = {
            "actor": values.actor,
            "action": values.action,
            "article": values.article,
            "since": values.since,
            "until": values.until,
            "before": values.before,
        }
        return {k: v for k, v in args.items() if v not in (None, "")}


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip()) if raw and raw.strip() else None
    except ValueError:
        return None


def parse_activity_filters(args) -> ActivityFilters:
    """Read filters from query arguments; a bad value is dropped, never fatal."""
    return ActivityFilters(
        actor=_int(args.get("actor")),
        action=(args.get("action") or "").strip()[:40],
        article=_int(args.get("article")),
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        before=_int(args.get("before")),
    )


def _article_condition(session: Session, article_id: int):
    """Events about an article, its claims (including merged-away ones) and its claims' evidence."""
    claim_ids = list(session.exec(select(Claim.id).where(Claim.article_id == article_id)))
    evidence_ids = list(session.exec(select(Evidence.id).where(col(Evidence.claim_id).in_(claim_ids or [-1]))))
    gone = [
        event.entity_id
        for event in session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "claim",
                AuditEvent.action == "create",
                col(AuditEvent.after).contains(f'"article_id":{article_id},'),
            )
        )
    ]
    return or_(
        and_(col(AuditEvent.entity_type) == "article", col(AuditEvent.entity_id) == article_id),
        and_(
            col(AuditEvent.entity_type) == "claim", col(AuditEvent.entity_id).in_(sorted({*claim_ids, *gone}) or [-1])
        ),
        and_(col(AuditEvent.entity_type) == "evidence", col(AuditEvent.entity_id).in_(evidence_ids or [-1])),
    )


def activity_page(
    *, session: Session, filters: ActivityFilters, limit: int = PAGE_SIZE
) -> tuple[list[AuditEvent], int | None]:
    """Return one page of events, newest first, and the seq to continue from (None on the last page)."""
    conditions = []
    if filters.actor is not None:
        conditions.append(AuditEvent.actor_id == filters.actor)
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.article is not None:
        conditions.append(_article_condition(session, filters.article))
    if filters.since:
        conditions.append(AuditEvent.at >= filters.since.isoformat())
    if filters.until:
        conditions.append(AuditEvent.at < (filters.until + dt.timedelta(days=1)).isoformat())
    if filters.before is not None:
        conditions.append(AuditEvent.seq < filters.before)
    rows = list(
        session.exec(select(AuditEvent).where(*conditions).order_by(col(AuditEvent.seq).desc()).limit(limit + 1))
    )
    return rows[:limit], (rows[limit - 1].seq if len(rows) > limit else None)


def activity_choices(*, session: Session) -> dict:
    """Return the people and actions the filter menus offer."""
    people = session.exec(select(User.id, User.name).order_by(User.name)).all()
    actions = session.exec(select(AuditEvent.action).group_by(AuditEvent.action).order_by(AuditEvent.action)).all()
    return {"people": people, "actions": actions}


_VERDICT_VALUES = sorted(s.value for s in VERDICTS)


def verdicts_given(*, session: Session) -> list[tuple[str, int]]:
    """Count, from the audit chain, the verdicts each person gave (single and bulk), most first."""
    # Events are canonical JSON with sorted keys: a status event's "after" holds the new status; a bulk event's
    # "after" holds {"after": {...}, "before": {...}}, so the new status is the one before the "before" key.
    single = or_(*(col(AuditEvent.after).contains(f'"status":"{value}"') for value in _VERDICT_VALUES))
    bulk = or_(
        *(col(AuditEvent.after).like(f'{{"after":{{%"status":"{value}"%}},"before":%') for value in _VERDICT_VALUES)
    )
    query = (
        select(AuditEvent.actor, func.count())
        .where(
            AuditEvent.entity_type == "claim",
            or_(and_(col(AuditEvent.action) == "status", single), and_(col(AuditEvent.action) == "bulk", bulk)),
        )
        .group_by(AuditEvent.actor)
        .order_by(func.count().desc(), AuditEvent.actor)
    )
    return [(actor, count) for actor, count in session.exec(query)]


def claim_history(*, session: Session, claim_id: int, evidence_ids: list[int]) -> list[AuditEvent]:
    """Return the events about a claim and about its evidence, oldest first."""
    query = select(AuditEvent).where(
        or_(
            and_(col(AuditEvent.entity_type) == "claim", col(AuditEvent.entity_id) == claim_id),
            and_(col(AuditEvent.entity_type) == "evidence", col(AuditEvent.entity_id).in_(evidence_ids or [-1])),
        )
    )
    return list(session.exec(query.order_by(col(AuditEvent.seq))))


def describe_change(event: AuditEvent) -> str:
    """Return a short reading of an event's subject for the activity list."""
    after = json.loads(event.after or "{}")
    if event.entity_type == "evidence":
        return f"evidence #{event.entity_id} ({after.get('url') or after.get('after', {}).get('url') or ''})"
    return f"{event.entity_type} #{event.entity_id}"
