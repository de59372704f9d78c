"""Changing the set of claims by hand: split, merge, create from a selection; evidence and notes."""

from __future__ import annotations

from sqlmodel import Session, select

import claims as claims_lib

from ..audit import record_events
from ..errors import InputError
from ..models import Article, Claim, ClaimNote, Evidence, User, utcnow
from ..urls import validate_url
from .review import ConflictError, claim_state

STANCES = ("supports", "refutes", "context")


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


def _check_version(claim: Claim, expected_version: int | None, attempted: dict) -> None:
    if expected_version is not None and claim.version != expected_version:
        raise ConflictError(claim, {**attempted, "version": expected_version})


def split_claim(*, session: Session, claim: Claim, at: int, actor: User | None,
                expected_version: int | None) -> tuple[Claim, Claim]:
    """Cut a claim in two at a character offset inside its quote; both halves keep their original spans."""
    _check_version(claim, expected_version, {"at": at})
    article = session.get(Article, claim.article_id)
    cut = claim.start + at
    first = _trimmed(article.text, claim.start, cut)
    second = _trimmed(article.text, cut, claim.end)
    if first[0] >= first[1] or second[0] >= second[1]:
        raise InputError("Split inside the claim's wording, so that both parts keep some text.")
    before = _span_state(claim)
    new = Claim(article_id=claim.article_id, text=article.text[second[0]:second[1]],
                quote=article.text[second[0]:second[1]], start=second[0], end=second[1],
                sentence_start=claim.sentence_start, sentence_end=claim.sentence_end, source_id=claim.source_id,
                speaker=claim.speaker, attribution=claim.attribution, kind=claim.kind,
                checkworthiness=claim.checkworthiness, dates=[d for d in claim.dates if d["start"] >= second[0]],
                assignee_id=claim.assignee_id, priority=claim.priority)
    claim.start, claim.end = first
    claim.quote = claim.text = article.text[first[0]:first[1]]
    claim.dates = [d for d in claim.dates if d["end"] <= first[1]]
    claim.version += 1
    claim.updated_at = utcnow()
    session.add_all([claim, new])
    session.flush()
    _commit(session, actor, [
        ("claim", claim.id, "split", {"before": before, "after": _span_state(claim), "new_claim_id": new.id}),
        ("claim", new.id, "create", {"split_from": claim.id, **_span_state(new)}),
    ])
    return claim, new


def merge_with_next(*, session: Session, claim: Claim, actor: User | None, expected_version: int | None) -> Claim:
    """Merge a claim with the claim that follows it in the same article; evidence and notes move along."""
    _check_version(claim, expected_version, {"merge": "next"})
    following = session.exec(select(Claim).where(Claim.article_id == claim.article_id, Claim.start >= claim.end,
                                                 Claim.id != claim.id).order_by(Claim.start).limit(1)).first()
    if following is None:
        raise InputError("This is the last claim of the article; there is nothing after it to merge with.")
    article = session.get(Article, claim.article_id)
    before = _span_state(claim)
    claim.end = following.end
    claim.quote = article.text[claim.start:claim.end]
    claim.text = f"{claim.text} {following.text}"
    claim.sentence_start = min(claim.sentence_start, following.sentence_start)
    claim.sentence_end = max(claim.sentence_end, following.sentence_end)
    claim.dates = [*claim.dates, *following.dates]
    claim.checkworthiness = max(claim.checkworthiness, following.checkworthiness)
    claim.version += 1
    claim.updated_at = utcnow()
    for model in (Evidence, ClaimNote):
        for row in session.exec(select(model).where(model.claim_id == following.id)):
            row.claim_id = claim.id
            session.add(row)
    session.flush()
    removed = {**claim_state(following), **_span_state(following)}
    session.delete(following)
    session.add(claim)
    session.flush()
    _commit(session, actor, [
        ("claim", claim.id, "merge", {"before": before, "after": _span_state(claim), "merged_claim_id": following.id}),
        ("claim", following.id, "merged_into", {"into": claim.id, "was": removed}),
    ])
    return claim


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
    dates = [d for d in claims_lib.find_dates(article.text, published=article.published) if start <= d.start and d.end <= end]
    claim = Claim(article_id=article.id, text=" ".join(quote.split()), quote=quote, start=start, end=end,
                  sentence_start=sentence_start, sentence_end=sentence_end, kind="manual", checkworthiness=0.5,
                  dates=[{"text": d.text, "start": d.start, "end": d.end, "value": d.value} for d in dates])
    session.add(claim)
    session.flush()
    _commit(session, actor, [("claim", claim.id, "create", {"by_hand": True, **_span_state(claim)})])
    return claim


def add_evidence(*, session: Session, claim: Claim, url: str, stance: str, note: str, actor: User | None) -> Evidence:
    """Attach a URL (with its stance and a note) to a claim; fetching it is a separate step."""
    url = validate_url(url, label="The evidence address")
    if stance not in STANCES:
        raise InputError(f"Stance must be one of: {', '.join(STANCES)}.")
    evidence = Evidence(claim_id=claim.id, url=url, stance=stance, note=(note or "").strip(),
                        added_by_id=actor.id if actor else None)
    session.add(evidence)
    session.flush()
    _commit(session, actor, [("evidence", evidence.id, "create",
                              {"claim_id": claim.id, "url": url, "stance": stance, "note": evidence.note})])
    return evidence


def add_note(*, session: Session, claim: Claim, body: str, actor: User | None) -> ClaimNote:
    """Add a working note to a claim."""
    body = (body or "").strip()
    if not body:
        raise InputError("The note is empty; write something first.")
    if len(body) > 10_000:
        raise InputError("Notes are limited to 10,000 characters.")
    note = ClaimNote(claim_id=claim.id, author_id=actor.id if actor else None, body=body)
    session.add(note)
    session.flush()
    _commit(session, actor, [("claim", claim.id, "note", {"note_id": note.id, "body": body})])
    return note
