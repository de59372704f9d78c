"""Everything the claim view shows, gathered in a fixed handful of queries."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from sqlalchemy import bindparam, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import Article, AuditEvent, Claim, ClaimNote, Evidence, Source, User, saved_id
from .activity import claim_history
from .source_trace import trace

CONTEXT_CHARS = 300


@dataclass(frozen=True)
class ClaimDetail:
    """A claim with its article, source, evidence, notes, history and the text around it."""

    claim: Claim
    article: Article
    source: Source | None
    assignee: User | None
    approver: User | None
    evidence: list[Evidence]
    notes: list[tuple[ClaimNote, str | None]]
    history: list[AuditEvent]
    before: str
    sentence_before: str
    quote: str
    sentence_after: str
    after: str
    previous_id: int | None
    next_id: int | None
    traces: dict[int, list]
    in_group: bool = False  # it follows a lead, or leads followers (else its group needs no reading)


def get_claim(*, session: Session, claim_id: int) -> Claim | None:
    """Return one claim."""
    return session.get(Claim, claim_id)


@functools.cache
def _claim_and_its_rows():
    """The claim with its article, source, assignee and approver, and whether it leads followers: one query."""
    assignee, approver, follower = aliased(User), aliased(User), aliased(Claim)
    leads = exists().where(col(follower.lead_id) == Claim.id).correlate(Claim)
    return (
        select(Claim, Article, Source, assignee, approver, leads)
        .join(Article, col(Article.id) == Claim.article_id)
        .join(Source, col(Source.id) == Claim.source_id, isouter=True)
        .join(assignee, col(assignee.id) == Claim.assignee_id, isouter=True)
        .join(approver, col(approver.id) == Claim.approved_by_id, isouter=True)
        .where(col(Claim.id) == bindparam("claim_id"))
    )


def claim_detail(*, session: Session, claim_id: int) -> ClaimDetail | None:
    """Return the claim view's data, or None when there is no such claim."""
    found = session.execute(_claim_and_its_rows(), {"claim_id": claim_id}).first()
    if found is None:
        return None
    claim, article, source, assignee, approver, leads = found
    evidence = list(session.exec(select(Evidence).where(col(Evidence.claim_id) == claim.id).order_by(col(Evidence.id))))
    notes: list[tuple[ClaimNote, str | None]] = list(
        session.exec(
            select(ClaimNote, User.name)
            .join(User, col(User.id) == col(ClaimNote.author_id), isouter=True)
            .where(ClaimNote.claim_id == claim.id)
            .order_by(col(ClaimNote.id))
        )
    )
    neighbours = session.exec(
        select(col(Claim.id), col(Claim.start))
        .where(col(Claim.article_id) == claim.article_id)
        .order_by(col(Claim.start), col(Claim.id))
    ).all()
    ids = [row[0] for row in neighbours]
    index = ids.index(claim.id)
    text = article.text
    sentence_start = min(claim.sentence_start, claim.start)
    sentence_end = max(claim.sentence_end, claim.end)
    return ClaimDetail(
        claim=claim,
        article=article,
        source=source,
        assignee=assignee,
        approver=approver,
        evidence=evidence,
        notes=notes,
        history=claim_history(session=session, claim_id=saved_id(claim), evidence_ids=[saved_id(e) for e in evidence]),
        before=text[max(0, sentence_start - CONTEXT_CHARS) : sentence_start],
        sentence_before=text[sentence_start : claim.start],
        quote=text[claim.start : claim.end],
        sentence_after=text[claim.end : sentence_end],
        after=text[sentence_end : sentence_end + CONTEXT_CHARS],
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=ids[index + 1] if index + 1 < len(ids) else None,
        traces={saved_id(e): trace(claim.text, e.archived_text) for e in evidence},
        in_group=claim.lead_id is not None or bool(leads),
    )


def _describe_evidence(action: str, after: dict) -> str:
    state = after.get("after", after)
    match action:
        case "create":
            return f"Evidence added ({state.get('stance')}): {state.get('url')}"
        case "edit":
            return f"Evidence edited: {state.get('stance')}, note “{(state.get('note') or '')[:60]}”"
        case "withdraw":
            return f"Evidence withdrawn: {after.get('reason', '')}"
        case "fetch":
            return f"Evidence fetched: {after.get('state')} (HTTP {after.get('status') or '—'})"
    return f"Evidence {action.replace('_', ' ')}"


def _short(value) -> str:
    if value in (None, "", []):
        return "none"
    if isinstance(value, dict) and "quote" in value:
        value = value["quote"]
    if isinstance(value, list):
        value = ", ".join(f"{d.get('text')}={d.get('value') or '?'}" for d in value if isinstance(d, dict))
    text = str(value)
    return f"“{text[:60]}{'…' if len(text) > 60 else ''}”"


def describe_event(event: AuditEvent) -> str:
    """Return a one-line human reading of an audit event about a claim or its evidence."""
    after = json.loads(event.after or "{}")
    before = json.loads(event.before or "{}")
    if event.entity_type == "evidence":
        return _describe_evidence(event.action, after)
    if "after" in after and isinstance(after["after"], dict):  # bulk and span events carry both sides
        before, after = after.get("before", before), after["after"]
    match event.action:
        case "create" if after.get("lead_id"):
            return f"Extracted from the article; says the same as claim #{after['lead_id']} and follows its verdict"
        case "create":
            return "Created by hand from a selection" if after.get("by_hand") else "Extracted from the article"
        case "follow_lead":
            return f"Followed claim #{after.get('lead_id')}: {before.get('status', '?')} → {after.get('status', '?')}"
        case "separate":
            return f"Separated from claim #{before.get('lead_id')}'s group"
        case "status" | "reopen" | "bulk" if before.get("status") != after.get("status"):
            verb = "Reopened" if event.action == "reopen" else "Status"
            return f"{verb}: {before.get('status', '?')} → {after.get('status', '?')}"
        case "assign" | "bulk":
            return "Assignment changed"
        case "approve":
            return "Verdict approved"
        case "edit":
            return f"Reworded: “{after.get('text', '')}”"
        case "split":
            return f"Split; the second part became claim #{json.loads(event.after).get('new_claim_id')}"
        case "merge":
            return f"Merged with claim #{json.loads(event.after).get('merged_claim_id')}"
        case "note":
            return "Note added"
        case "correct":
            return f"Corrected {after.get('field', 'a field')}: {_short(before.get('value'))} → {_short(after.get('value'))}"
        case "dismiss":
            return "Dismissed as not a claim"
        case "restore":
            return "Restored to the queue"
        case "send_back":
            return "Sent back by an editor"
        case "redate":
            return "Dates re-resolved for a new publication date"
    return event.action.replace("_", " ").capitalize()
