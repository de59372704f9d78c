"""Changing the set of claims by hand: split, merge, create from a selection; evidence and notes."""

from __future__ import annotations

from typing import Literal, get_args

from sqlmodel import Session, col, select

import claims as claims_lib

from ..audit import record_events
from ..errors import InputError
from ..models import Article, Claim, ClaimNote, Evidence, User, saved_id, utcnow
from ..urls import validate_url
from .articles import article_of
from .claim_writes import claim_state, write_claim

Stance = Literal["supports", "refutes", "context"]
STANCES: tuple[str, ...] = get_args(Stance)  # the one vocabulary: forms, services and the API's schema


def _span_state(claim: Claim) -> dict:
    return {"start": claim.start, "end": claim.end, "quote": claim.quote, "text": claim.text, "version": claim.version}


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _commit(session: Session, actor: User | None, events: list) -> None:
    try:
        record_events(session=session, actor=actor, events=events)
        session.commit()
    except Exception:
        session.rollback()
        raise


def split_claim(
    *, session: Session, claim: Claim, at: int, actor: User | None, expected_version: int | None
) -> tuple[Claim, Claim]:
    """Cut a claim in two at a character offset inside its quote; both halves keep their original spans."""
    article = article_of(session, claim)
    cut = claim.start + at
    first = _trimmed(article.text, claim.start, cut)
    second = _trimmed(article.text, cut, claim.end)
    if not 0 < at < claim.end - claim.start or first[0] >= first[1] or second[0] >= second[1]:
        raise InputError("Split inside the claim's wording, so that both parts keep some text.")
    before = _span_state(claim)
    dates = list(claim.dates)
    write_claim(
        session=session,
        claim=claim,
        actor=actor,
        expected_version=expected_version,
        attempted={"at": at},
        values={
            "start": first[0],
            "end": first[1],
            "quote": article.text[first[0] : first[1]],
            "text": " ".join(article.text[first[0] : first[1]].split()),
            "dates": [d for d in dates if d["end"] <= first[1]],
        },
    )
    new = Claim(
        article_id=claim.article_id,
        text=" ".join(article.text[second[0] : second[1]].split()),
        quote=article.text[second[0] : second[1]],
        start=second[0],
        end=second[1],
        sentence_start=claim.sentence_start,
        sentence_end=claim.sentence_end,
        source_id=claim.source_id,
        speaker=claim.speaker,
        attribution=claim.attribution,
        kind=claim.kind,
        checkworthiness=claim.checkworthiness,
        dates=[d for d in dates if d["start"] >= second[0]],
        assignee_id=claim.assignee_id,
    )
    session.add(new)
    session.flush()
    _commit(
        session,
        actor,
        [
            ("claim", claim.id, "split", {"before": before, "after": _span_state(claim), "new_claim_id": new.id}),
            ("claim", new.id, "create", {"split_from": claim.id, **_span_state(new)}),
        ],
    )
    return claim, new


def adjacent_claim(*, session: Session, claim: Claim, direction: str) -> Claim | None:
    """Return the claim just before or just after this one in its article (by position), if any."""
    query = select(Claim).where(Claim.article_id == claim.article_id, Claim.id != claim.id, Claim.status != "dismissed")
    if direction == "previous":
        query = query.where(Claim.end <= claim.start).order_by(col(Claim.end).desc(), col(Claim.id).desc())
    else:
        query = query.where(col(Claim.start) >= claim.end).order_by(col(Claim.start), col(Claim.id))
    return session.exec(query.limit(1)).first()


def merge_claims(
    *,
    session: Session,
    claim: Claim,
    direction: str,
    actor: User | None,
    expected_version: int | None,
    other_version: int | None = None,
) -> Claim:
    """Merge a claim with the claim before or after it, keeping the text between them; evidence and notes move."""
    if direction not in {"previous", "next"}:
        raise InputError("Merge with the previous or the next claim.")
    other = adjacent_claim(session=session, claim=claim, direction=direction)
    if other is None:
        where = "before" if direction == "previous" else "after"
        raise InputError(f"There is no claim {where} this one in the article to merge with.")
    first, second = (other, claim) if direction == "previous" else (claim, other)
    article = article_of(session, claim)
    between = article.text[first.end : second.start]
    before = _span_state(claim)
    removed = {**claim_state(other), **_span_state(other)}
    values = {
        "start": first.start,
        "end": second.end,
        "quote": article.text[first.start : second.end],
        "text": " ".join(f"{first.text}{between}{second.text}".split()),
        "sentence_start": min(first.sentence_start, second.sentence_start),
        "sentence_end": max(first.sentence_end, second.sentence_end),
        "dates": [*first.dates, *second.dates],
        "checkworthiness": max(first.checkworthiness, second.checkworthiness),
    }
    # The claim that goes away is written through the same versioned update too, so a concurrent edit of it makes
    # this merge a conflict instead of vanishing with the row; rows are written in text order, as every merge does.
    for target in (first, second):
        if target is other:
            write_claim(
                session=session,
                claim=other,
                values={},
                actor=actor,
                expected_version=other_version,
                attempted={"direction": direction},
            )
        else:
            write_claim(
                session=session,
                claim=claim,
                values=values,
                actor=actor,
                expected_version=expected_version,
                attempted={"direction": direction},
            )
    for model in (Evidence, ClaimNote):
        for row in session.exec(select(model).where(model.claim_id == other.id)):
            row.claim_id = claim.id
            session.add(row)
    session.flush()
    session.delete(other)
    session.flush()
    _commit(
        session,
        actor,
        [
            ("claim", claim.id, "merge", {"before": before, "after": _span_state(claim), "merged_claim_id": other.id}),
            ("claim", other.id, "merged_into", {"into": claim.id, "was": removed}),
        ],
    )
    return claim


def merge_with_next(*, session: Session, claim: Claim, actor: User | None, expected_version: int | None) -> Claim:
    """Merge a claim with the claim that follows it in the same article."""
    return merge_claims(session=session, claim=claim, direction="next", actor=actor, expected_version=expected_version)


def create_from_selection(*, session: Session, article: Article, start: int, end: int, actor: User | None) -> Claim:
    """Make a claim of a stretch of the article that the checker selected; the span is kept exactly."""
    if not (0 <= start < end <= len(article.text)):
        raise InputError("The selection is outside the article's text; select words in the article.")
    start, end = _trimmed(article.text, start, end)
    if start >= end:
        raise InputError("The selection is empty; select some words of the article.")
    if end - start > 5000:
        raise InputError("Select at most 5,000 characters for one claim.")
    quote = article.text[start:end]
    sentence = next((s for s in claims_lib.split_sentences(article.text) if s.start <= start < s.end), None)
    sentence_start = min(start, sentence.start) if sentence else start
    sentence_end = max(end, sentence.end) if sentence else end
    dates = [
        d for d in claims_lib.find_dates(article.text, published=article.published) if start <= d.start and d.end <= end
    ]
    claim = Claim(
        article_id=saved_id(article),
        text=" ".join(quote.split()),
        quote=quote,
        start=start,
        end=end,
        sentence_start=sentence_start,
        sentence_end=sentence_end,
        kind="manual",
        checkworthiness=0.5,
        dates=[{"text": d.text, "start": d.start, "end": d.end, "value": d.value} for d in dates],
    )
    session.add(claim)
    session.flush()
    _commit(session, actor, [("claim", claim.id, "create", {"by_hand": True, **_span_state(claim)})])
    return claim


def add_evidence(
    *,
    session: Session,
    claim: Claim,
    url: str,
    stance: str,
    note: str,
    actor: User | None,
    expected_version: int | None = None,
) -> Evidence:
    """Attach a URL (with its stance and a note) to a claim; fetching it is a separate step."""
    url = validate_url(url, label="The evidence address")
    if stance not in STANCES:
        raise InputError(f"Stance must be one of: {', '.join(STANCES)}.")
    _check_note(note)
    write_claim(
        session=session,
        claim=claim,
        values={},
        actor=actor,
        expected_version=expected_version,
        attempted={"url": url, "stance": stance, "note": note or ""},
    )
    evidence = Evidence(
        claim_id=saved_id(claim),
        url=url,
        stance=stance,
        note=(note or "").strip(),
        added_by_id=saved_id(actor) if actor else None,
    )
    session.add(evidence)
    session.flush()
    _commit(
        session,
        actor,
        [
            (
                "evidence",
                evidence.id,
                "create",
                {
                    "claim_id": claim.id,
                    "url": url,
                    "stance": stance,
                    "note": evidence.note,
                    "claim_version": claim.version,
                },
            )
        ],
    )
    return evidence


def _check_note(note: str | None) -> None:
    if len(note or "") > 10_000:
        raise InputError("An evidence note is limited to 10,000 characters.")


def _evidence_state(evidence: Evidence) -> dict:
    return {
        "claim_id": evidence.claim_id,
        "url": evidence.url,
        "stance": evidence.stance,
        "note": evidence.note,
        "sha256": evidence.sha256,
        "withdrawn": evidence.withdrawn_at is not None,
    }


def edit_evidence(
    *,
    session: Session,
    claim: Claim,
    evidence: Evidence,
    stance: str,
    note: str,
    actor: User | None,
    expected_version: int | None = None,
) -> Evidence:
    """Change an evidence item's relevance (supports, refutes, context) or its note; the URL and archive stay."""
    if evidence.claim_id != claim.id:
        raise InputError("That evidence belongs to another claim.")
    if stance not in STANCES:
        raise InputError(f"Relevance must be one of: {', '.join(STANCES)}.")
    _check_note(note)
    before = _evidence_state(evidence)
    write_claim(
        session=session,
        claim=claim,
        values={},
        actor=actor,
        expected_version=expected_version,
        attempted={"evidence_id": evidence.id, "stance": stance, "note": note or ""},
        material=True,
    )
    session.refresh(evidence)
    evidence.stance, evidence.note = stance, (note or "").strip()
    session.add(evidence)
    _commit(
        session,
        actor,
        [
            (
                "evidence",
                evidence.id,
                "edit",
                {"before": before, "after": _evidence_state(evidence), "claim_version": claim.version},
            )
        ],
    )
    return evidence


def withdraw_evidence(
    *,
    session: Session,
    claim: Claim,
    evidence: Evidence,
    reason: str,
    actor: User | None,
    expected_version: int | None = None,
) -> Evidence:
    """Withdraw an evidence item: it stays on record with its archive and hash, but no longer backs a verdict."""
    if evidence.claim_id != claim.id:
        raise InputError("That evidence belongs to another claim.")
    if evidence.withdrawn_at is not None:
        raise InputError("This evidence is already withdrawn.")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("Say why the evidence is withdrawn; the record keeps the reason.")
    before = _evidence_state(evidence)
    write_claim(
        session=session,
        claim=claim,
        values={},
        actor=actor,
        expected_version=expected_version,
        attempted={"evidence_id": evidence.id, "reason": reason},
        material=True,
    )
    session.refresh(evidence)
    evidence.withdrawn_at, evidence.withdrawn_by_id, evidence.withdrawn_reason = (
        utcnow(),
        actor.id if actor else None,
        reason,
    )
    session.add(evidence)
    _commit(
        session,
        actor,
        [
            (
                "evidence",
                evidence.id,
                "withdraw",
                {
                    "before": before,
                    "after": _evidence_state(evidence),
                    "reason": reason,
                    "claim_version": claim.version,
                },
            )
        ],
    )
    return evidence


def add_note(*, session: Session, claim: Claim, body: str, actor: User | None) -> ClaimNote:
    """Add a working note to a claim."""
    body = (body or "").strip()
    if not body:
        raise InputError("The note is empty; write something first.")
    if len(body) > 10_000:
        raise InputError("Notes are limited to 10,000 characters.")
    note = ClaimNote(claim_id=saved_id(claim), author_id=saved_id(actor) if actor else None, body=body)
    session.add(note)
    session.flush()
    _commit(session, actor, [("claim", claim.id, "note", {"note_id": note.id, "body": body})])
    return note
