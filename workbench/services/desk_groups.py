"""Duplicates inside the desk: open claims that say the same thing across articles form a group under a lead.

A new claim that surely says what an open claim of another article says joins that claim's group at ingest;
the followers then follow every verdict given on the lead (through the one versioned update, each follower's
change audited with a reference to the lead) until a checker separates them. When a verdict becomes final,
the open claims that strongly match it are marked "checked before" at once (no rebuild).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Integer, Select, bindparam, delete, exists, func, literal, or_, union_all, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from claims.matching import Match

from ..audit import record_event
from ..errors import InputError
from ..models import Article, Claim, Status, User, saved_id, utcnow
from ..models_matching import ClaimMatch, ClaimRematch
from .claim_writes import claim_state, counted_follower, write_claim
from .matching import PROPOSALS_PER_CLAIM, STRONG, approval_required, is_strong_match, search_desk
from .queue import QueueRow, rows_select
from .review import VERDICTS, is_final

# A new claim joins an open claim's group from this strength on (claims.matching.rerank.strength, 0-1): much
# stricter than "checked before" (0.4), because a follower takes its lead's verdict without a checker's look.
GROUP = 0.6
# What a follower copies from its lead: the verdict and everything that says how final it is.
FOLLOWED_FIELDS = (
    "status",
    "rationale",
    "verdict_by_id",
    "verdict_at",
    "approved_by_id",
    "approved_at",
    "sent_back_by_id",
    "sent_back_at",
    "sent_back_comment",
)


def find_leads(
    *, session: Session, texts: list[str], found: list[list[Match]] | None = None
) -> list[tuple[int, float] | None]:
    """For each new claim's text, the lead of the open claim that surely says the same thing, and the strength.

    Called at ingest before the new claims are stored, so only claims of other articles can match. found: each
    text's best open claim as search_new_claims found it (else searched here).
    """
    if not texts:
        return []
    if found is None:
        found = search_desk(session=session, texts=[(text, frozenset()) for text in texts], limit=1)
    best = [matches[0] if matches and matches[0].strength >= GROUP else None for matches in found]
    matched_ids = {_claim_id(match.key) for match in best if match is not None}
    if not matched_ids:
        return [None] * len(texts)
    lead_of: dict[int, int] = {
        claim_id: lead_id or claim_id
        for claim_id, lead_id in session.exec(select(Claim.id, Claim.lead_id).where(col(Claim.id).in_(matched_ids)))
        if claim_id is not None
    }
    return [
        (lead_of[_claim_id(match.key)], round(match.strength, 4))
        if match is not None and _claim_id(match.key) in lead_of
        else None
        for match in best
    ]


def _claim_id(key: Hashable) -> int:
    """The claim id of a desk index key, ("claim", id)."""
    kind, claim_id = cast(tuple[str, int], key)
    return claim_id


def after_write(
    *, session: Session, claim: Claim, values: dict, actor: User | None, was_final: bool, has_followers: bool = True
) -> None:
    """What a change to a claim implies for its group and for the open claims like it (from write_claim).

    has_followers=False (write_claim read it with its UPDATE) spares looking for followers that are not there.
    """
    require_approval = approval_required()
    followed = values.keys() & set(FOLLOWED_FIELDS)
    if has_followers and claim.lead_id is None and claim.status is not Status.dismissed and followed:
        _propagate(session=session, lead=claim, actor=actor)
    if not was_final and is_final(claim, require_approval=require_approval):
        queue_rematch(session=session, claim_id=saved_id(claim))


def _propagate(*, session: Session, lead: Claim, actor: User | None) -> None:
    """Give the lead's verdict to each follower that does not have it yet, each change audited."""
    followers = session.exec(
        select(Claim).where(Claim.lead_id == lead.id, Claim.status != Status.dismissed).order_by(col(Claim.id))
    ).all()
    for follower in followers:
        values = {name: getattr(lead, name) for name in FOLLOWED_FIELDS}
        if lead.status in VERDICTS:
            values["rationale"] = (
                f"{lead.rationale}\n\nFollows the verdict on claim #{lead.id}, "
                "the lead of its group (the same claim in another article)."
            )
        else:
            del values["rationale"]
        if all(getattr(follower, name) == value for name, value in values.items()):
            continue
        before = claim_state(follower)
        write_claim(session=session, claim=follower, values=values, actor=actor)
        record_event(
            session=session,
            actor=actor,
            entity_type="claim",
            entity_id=saved_id(follower),
            action="follow_lead",
            before=before,
            after={**claim_state(follower), "lead_id": lead.id},
            reason=f"Follows claim #{lead.id}, the lead of its group.",
        )


# A worker's lease on a queued verdict: past it, the worker is taken for gone and another one searches again.
REMATCH_LEASE = dt.timedelta(minutes=10)


def queue_rematch(*, session: Session, claim_id: int) -> None:
    """A verdict just became final: queue the search for the open claims like it (an outbox row, same transaction).

    Searching every open claim costs up to a few hundred ms at a million claims, so the write only queues it and the
    background worker does it (rematch_pending). Queued again before it is done, the claim stays queued once, and a
    worker's lease on it is voided: what that worker found may be out of date, so the next pass searches again.
    """
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    now = utcnow()
    session.execute(
        insert(ClaimRematch)
        .values(claim_id=claim_id, queued_at=now, taken_at=None)
        .on_conflict_do_update(index_elements=["claim_id"], set_={"taken_at": None})
    )


def rematch_pending(*, session: Session, limit: int = 20, require_approval: bool | None = None) -> int:
    """Mark the open claims like each queued verdict, oldest first; return how many verdicts were done.

    Each is leased first (a short write), then searched holding no lock (on a fresh process the search builds the
    index of open claims: over a minute at a million claims, which inside a write would hold SQLite's lock), then
    deleted in the short transaction that stores its marks, if the lease still holds and the verdict is still final.
    So two workers never search for one verdict, and one that stops midway leaves it to another when its lease ends.
    A claim gone (merged) or no longer final is passed over.
    """
    require_approval = approval_required(require_approval)
    free = or_(col(ClaimRematch.taken_at).is_(None), col(ClaimRematch.taken_at) < bindparam("stale"))
    stale = utcnow() - REMATCH_LEASE
    queued = session.exec(
        select(ClaimRematch.claim_id).where(free).params(stale=stale).order_by(col(ClaimRematch.queued_at)).limit(limit)
    ).all()
    session.rollback()
    done = 0
    for claim_id in queued:
        lease = utcnow()
        leased = session.execute(
            update(ClaimRematch).where(col(ClaimRematch.claim_id) == claim_id, free).values(taken_at=lease),
            {"stale": lease - REMATCH_LEASE},
        )
        session.commit()
        if cast(CursorResult[Any], leased).rowcount != 1:
            continue  # another worker has it, or it was done meanwhile
        claim = session.get(Claim, claim_id, populate_existing=True)
        strong = (
            strong_matches(session=session, claim=claim, require_approval=require_approval)
            if claim is not None and is_final(claim, require_approval=require_approval)
            else {}
        )
        session.rollback()  # the reads end here: the write below is short
        deleted = session.execute(
            delete(ClaimRematch).where(col(ClaimRematch.claim_id) == claim_id, col(ClaimRematch.taken_at) == lease)
        )
        if cast(CursorResult[Any], deleted).rowcount == 1:  # still ours: not queued again, not retaken
            claim = session.get(Claim, claim_id, populate_existing=True) if strong else None
            if claim is not None and is_final(claim, require_approval=require_approval):
                store_marks(session=session, claim=claim, strong=strong)
            done += 1
        session.commit()
    return done


def strong_matches(*, session: Session, claim: Claim, require_approval: bool | None = None) -> dict[int, float]:
    """The open claims that strongly match a final verdict (claim id -> strength), its own group left out."""
    group_id = claim.lead_id or claim.id
    same_group = {group_id, claim.id}
    same_group.update(session.exec(select(Claim.id).where(Claim.lead_id == group_id)).all())
    [found] = search_desk(
        session=session,
        texts=[(claim.text, frozenset(("claim", claim_id) for claim_id in same_group))],
        limit=PROPOSALS_PER_CLAIM * 3,
        require_approval=approval_required(require_approval),
    )
    return {_claim_id(match.key): match.strength for match in found if match.strength >= STRONG}


def store_marks(*, session: Session, claim: Claim, strong: dict[int, float]) -> int:
    """Give those open claims the "checked before" marker (a proposed match), in the caller's transaction.

    A claim that already has this match, decided or not, keeps it as it is; return how many were added.
    """
    if not strong:
        return 0
    known = set(
        session.exec(
            select(ClaimMatch.claim_id).where(
                ClaimMatch.kind == "claim", ClaimMatch.target_id == claim.id, col(ClaimMatch.claim_id).in_(strong)
            )
        ).all()
    )
    for claim_id, strength in strong.items():
        if claim_id not in known:
            session.add(
                ClaimMatch(claim_id=claim_id, kind="claim", target_id=saved_id(claim), score=round(strength, 4))
            )
    session.flush()
    return len(strong.keys() - known)


def separate(*, session: Session, claim: Claim, actor: User | None, expected_version: int | None) -> Claim:
    """Take a follower out of its group: it keeps its status and no longer follows the lead. Audited."""
    if claim.lead_id is None:
        if session.exec(select(Claim.id).where(Claim.lead_id == claim.id)).first() is not None:
            raise InputError("This claim leads its group; separate the claims that follow it instead.")
        raise InputError("This claim is in no group: it follows no other claim.")
    lead_id = claim.lead_id
    write_claim(
        session=session,
        claim=claim,
        values={"lead_id": None},
        actor=actor,
        expected_version=expected_version,
        attempted={"separate": "1"},
    )
    record_event(
        session=session,
        actor=actor,
        entity_type="claim",
        entity_id=saved_id(claim),
        action="separate",
        before={"lead_id": lead_id, "version": claim.version - 1},
        after={"lead_id": None, "version": claim.version},
        reason=f"Not the same claim as #{lead_id}: separated from its group.",
    )
    session.commit()
    return claim


@dataclass(frozen=True)
class GroupMember:
    """One claim of a group as the claim view lists it."""

    claim: Claim
    article_title: str
    is_lead: bool


def group_of(*, session: Session, claim: Claim) -> list[GroupMember]:
    """The claim's group, lead first, then its followers by id; empty when the claim is in no group."""
    lead_id = claim.lead_id or claim.id
    # The lead and its followers as one list of ids, each part read by its own index: written as "id = lead OR
    # lead_id = lead", SQLite scanned every claim in id order (190 ms at a million claims).
    lead: Select[int | None] = sa_select(literal(lead_id, Integer))
    followers: Select[int | None] = sa_select(col(Claim.id)).where(col(Claim.lead_id) == lead_id)
    rows = session.exec(
        select(Claim, Article.title)
        .join(Article, col(Article.id) == Claim.article_id)
        .where(col(Claim.id).in_(union_all(lead, followers)))
        .order_by(col(Claim.id))
    ).all()
    if len(rows) < 2:
        return []
    members = [GroupMember(member, title, member.id == lead_id) for member, title in rows]
    return sorted(members, key=lambda member: not member.is_lead)


def final_now(claim: Claim) -> bool:
    """Whether the claim's verdict is final under this app's approval rule (before a write, for after_write)."""
    return is_final(claim, require_approval=approval_required())


@functools.cache
def _marked_row_select():
    """A queue row with its markers as two more columns (built once: statements are immutable)."""
    follower = aliased(Claim)
    checked = exists().where(col(ClaimMatch.claim_id) == Claim.id, is_strong_match())
    followers = (
        sa_select(func.count())
        .where(col(follower.lead_id) == Claim.id, counted_follower(col(follower.status)))
        .correlate(Claim)
        .scalar_subquery()
    )
    return rows_select().add_columns(checked, followers).where(col(Claim.id) == bindparam("claim_id"))


def marked_queue_row(*, session: Session, claim_id: int) -> tuple[QueueRow | None, set[int], dict[int, int]]:
    """One claim as a queue row (after an inline change) with what queue_markers says of it, in one query."""
    found = session.execute(_marked_row_select(), {"claim_id": claim_id}).first()
    if found is None:
        return None, set(), {}
    *row, checked, followers = found
    return QueueRow(*row), ({claim_id} if checked else set()), ({claim_id: followers} if followers else {})


def queue_markers(*, session: Session, claim_ids: list[int]) -> tuple[set[int], dict[int, int]]:
    """For a page of the queue, in one query: which claims are checked before, and how many follow each lead."""
    if not claim_ids:
        return set(), {}
    checked: Select[int | None, int] = sa_select(
        col(ClaimMatch.claim_id).label("claim_id"), literal(0, Integer).label("followers")
    ).where(col(ClaimMatch.claim_id).in_(claim_ids), is_strong_match())
    leads: Select[int | None, int] = (
        sa_select(col(Claim.lead_id).label("claim_id"), func.count().label("followers"))
        .where(col(Claim.lead_id).in_(claim_ids), counted_follower(col(Claim.status)))
        .group_by(col(Claim.lead_id))
    )
    checked_ids: set[int] = set()
    counts: dict[int, int] = {}
    for claim_id, followers in session.execute(union_all(checked, leads)).all():
        if followers:
            counts[claim_id] = followers
        else:
            checked_ids.add(claim_id)
    return checked_ids, counts
