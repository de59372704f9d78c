"""Checked before: match claims against earlier final verdicts and imported fact-checks, and act on the matches."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import cast

from flask import current_app, has_app_context
from sqlalchemy import and_, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from claims.matching import Match, Matcher

from ..audit import record_event
from ..errors import InputError
from ..models import Claim, Evidence, Status, User, saved_id, table_of, utcnow
from ..models_matching import ClaimMatch, FactCheck
from .review import OPEN, VERDICTS, is_final

# Matches whose strength (claims.matching.rerank.strength, 0-1) reaches PROPOSE are stored for a checker to judge;
# from STRONG on the queue says "checked before". On CLEF-2020 dev (tweets against short claims, the hard case)
# 0.25 keeps 54% of the right top-3 answers at 65% precision, 0.4 keeps 19% at 73%.
PROPOSE = 0.25
STRONG = 0.4
PROPOSALS_PER_CLAIM = 3
# At ingest BM25's first few candidates are ordered by strength alone (no re-ranking features), and those that
# reach PROPOSE are stored, so that ingest with matching stays within twice the time of ingest without it. Three
# (as many as PROPOSALS_PER_CLAIM), not ten: on CLEF-2020's 997 train and dev tweets the proposals that reach
# PROPOSE hold the same 523 right answers among 768 against 781, and the search costs 18% less (ingest with
# matching 1.77x the time without, against 1.96x with ten).
INGEST_CANDIDATES = 3
INGEST_WALK_BUDGET = 1_500
# A claim that says the same as an open claim shares its rarest words: the open claims are searched with less.
DESK_CANDIDATES = 5
DESK_WALK_BUDGET = 500


@dataclass
class _State:
    matcher: Matcher = field(default_factory=Matcher)  # final verdicts and imported reviews
    # Open claims (duplicates inside the desk, re-matching): only ever asked for the strongest few, never re-ranked.
    desk: Matcher = field(default_factory=lambda: Matcher(rerank=False))
    last_review_id: int = 0
    claims_seen_until: dt.datetime | None = None
    # The claim rows last read at exactly claims_seen_until: read again next time (equal timestamps), and skipped
    # when unchanged (re-adding an unchanged record costs an analysis and an index update for nothing).
    rows_at_boundary: dict[int, tuple] = field(default_factory=dict)
    require_approval: bool = False


# One index per engine and approval rule, kept in memory and brought up to date on each use.
_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def approval_required(value: bool | None = None) -> bool:
    """Whether a verdict needs an editor's approval to be final: the given value, else the app's setting."""
    if value is not None:
        return value
    return bool(has_app_context() and current_app.config.get("REQUIRE_APPROVAL", False))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def search_matches(
    *,
    session: Session,
    texts: list[tuple[str, frozenset]],
    limit: int,
    require_approval: bool | None = None,
    strongest: bool = False,
) -> list[list[Match]]:
    """Bring this database's index up to date (never rebuilt), then rank matches for each (text, keys to skip).

    The index is shared by the threads of a process: it is read and changed under one lock.
    """
    with _lock:
        state = _synced_state(session, approval_required(require_approval))
        if not len(state.matcher):
            return [[] for _ in texts]
        if strongest:
            return state.matcher.strongest_many(
                texts, limit=limit, candidates=INGEST_CANDIDATES, walk_budget=INGEST_WALK_BUDGET
            )
        return [state.matcher.search(text, limit=limit, exclude=exclude) for text, exclude in texts]


def search_desk(
    *, session: Session, texts: list[tuple[str, frozenset]], limit: int, require_approval: bool | None = None
) -> list[list[Match]]:
    """Bring the index of open claims up to date, then find the open claims most surely saying each text."""
    with _lock:
        state = _synced_state(session, approval_required(require_approval))
        if not len(state.desk):
            return [[] for _ in texts]
        return state.desk.strongest_many(texts, limit=limit, candidates=DESK_CANDIDATES, walk_budget=DESK_WALK_BUDGET)


@dataclass(frozen=True)
class NewClaimMatches:
    """What one article's new claims match, found in one pass before they are stored (see search_new_claims)."""

    desk: list[list[Match]]  # per claim, the open claim that most surely says the same (for find_leads)
    checked: list[list[Match]]  # per claim, the strongest earlier verdicts and reviews (for propose_matches)


def search_new_claims(*, session: Session, texts: list[str], require_approval: bool | None = None) -> NewClaimMatches:
    """For the claims of an article about to be stored: both indexes searched under one lock after one update.

    What find_leads and propose_matches would each find on their own: new claims are stored open, so they are
    never in the index of final verdicts and leaving them out (as propose_matches does) changes nothing.
    """
    with _lock:
        state = _synced_state(session, approval_required(require_approval))
        batch: list[tuple[str, frozenset]] = [(text, frozenset()) for text in texts]
        desk = (
            state.desk.strongest_many(batch, limit=1, candidates=DESK_CANDIDATES, walk_budget=DESK_WALK_BUDGET)
            if len(state.desk)
            else [[] for _ in texts]
        )
        checked = (
            state.matcher.strongest_many(
                batch, limit=PROPOSALS_PER_CLAIM, candidates=INGEST_CANDIDATES, walk_budget=INGEST_WALK_BUDGET
            )
            if len(state.matcher)
            else [[] for _ in texts]
        )
    return NewClaimMatches(desk, checked)


def _synced_state(session: Session, require_approval: bool) -> _State:
    """This database's indexes for this approval rule, brought up to date (call under _lock)."""
    states = _states.setdefault(session.get_bind(), {})
    state = states.get(require_approval)
    if state is None:
        state = states[require_approval] = _State(require_approval=require_approval)
    _sync(session, state)
    return state


def forget_matchers() -> None:
    """Drop every in-process index (tests start from a fresh database each time)."""
    with _lock:
        _states.clear()


def _kind_and_id(key: Hashable) -> tuple[str, int]:
    """The matcher's keys here are ("review" or "claim", id) pairs; the engine only knows them as hashable."""
    kind, record_id = cast(tuple[str, int], key)
    return kind, record_id


# What _sync reads, built once (the values are bound per call).
_NEW_REVIEWS = (
    sa_select(col(FactCheck.id), col(FactCheck.claim_reviewed), col(FactCheck.title))
    .where(col(FactCheck.id) > bindparam("after"))
    .order_by(col(FactCheck.id))
)
_CLAIM_COLUMNS = sa_select(
    col(Claim.id), col(Claim.text), col(Claim.status), col(Claim.approved_by_id), col(Claim.updated_at)
)
_CLAIMS_CHANGED_SINCE = _CLAIM_COLUMNS.where(col(Claim.updated_at) >= bindparam("since"))


def _sync(session: Session, state: _State) -> None:
    for review_id, claim_reviewed, title in session.execute(_NEW_REVIEWS, {"after": state.last_review_id}):
        state.matcher.add(("review", review_id), claim_reviewed, title=title or "")
        state.last_review_id = review_id
    if state.claims_seen_until is None:
        rows = session.execute(_CLAIM_COLUMNS.where(col(Claim.status).in_([s.value for s in VERDICTS | OPEN])))
    else:
        # Equal timestamps are read again: re-adding a record is harmless, missing one is not.
        rows = session.execute(_CLAIMS_CHANGED_SINCE, {"since": state.claims_seen_until})
    boundary = state.rows_at_boundary
    for row in rows:
        if boundary.get(row.id) == tuple(row):
            continue  # read at the last boundary and unchanged since: already in the indexes as it is
        key = ("claim", row.id)
        if is_final(row, require_approval=state.require_approval):
            state.matcher.add(key, row.text)
        else:
            state.matcher.remove(key)
        if row.status in OPEN:
            state.desk.add(key, row.text)
        else:
            state.desk.remove(key)
        seen = _aware(row.updated_at)
        if state.claims_seen_until is None or seen > state.claims_seen_until:
            state.claims_seen_until = seen
            boundary.clear()
        if seen == state.claims_seen_until:
            boundary[row.id] = tuple(row)
    if state.claims_seen_until is None:
        state.claims_seen_until = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SimilarRecord:
    """One earlier verdict or imported review that may check the same thing."""

    kind: str
    id: int
    score: float
    text: str
    verdict: str
    url: str | None = None
    publisher: str | None = None
    date: str | None = None
    rationale: str = ""

    def as_dict(self) -> dict:
        """Return the record as the CLI and API print it."""
        data = {
            "kind": self.kind,
            "id": self.id,
            "score": round(self.score, 4),
            "text": self.text,
            "verdict": self.verdict,
            "date": self.date,
        }
        if self.kind == "review":
            data.update(url=self.url, publisher=self.publisher)
        return data


def find_similar(
    *,
    session: Session,
    text: str,
    limit: int = 5,
    require_approval: bool | None = None,
    exclude: frozenset = frozenset(),
) -> list[SimilarRecord]:
    """Rank earlier final verdicts and imported fact-checks by how likely they check the same thing as text."""
    if not (text or "").strip():
        raise InputError("Give the text of a claim to match.")
    if not 1 <= limit <= 100:
        raise InputError("The limit must be between 1 and 100.")
    [matches] = search_matches(session=session, texts=[(text, exclude)], limit=limit, require_approval=require_approval)
    return describe(session=session, scored=[(*_kind_and_id(m.key), m.score) for m in matches])


def describe(*, session: Session, scored: list[tuple[str, int, float]]) -> list[SimilarRecord]:
    """Load what a checker needs to see about each (kind, id, score), in the order given."""
    review_ids = [i for kind, i, _ in scored if kind == "review"]
    claim_ids = [i for kind, i, _ in scored if kind == "claim"]
    reviews = (
        {r.id: r for r in session.exec(select(FactCheck).where(col(FactCheck.id).in_(review_ids)))}
        if review_ids
        else {}
    )
    claims = {c.id: c for c in session.exec(select(Claim).where(col(Claim.id).in_(claim_ids)))} if claim_ids else {}
    out = []
    for kind, record_id, score in scored:
        if kind == "review" and record_id in reviews:
            r = reviews[record_id]
            out.append(
                SimilarRecord(
                    "review",
                    saved_id(r),
                    score,
                    r.claim_reviewed,
                    r.rating,
                    url=r.url,
                    publisher=r.publisher,
                    rationale=r.title,
                    date=r.date_published.isoformat() if r.date_published else None,
                )
            )
        elif kind == "claim" and record_id in claims:
            c = claims[record_id]
            out.append(
                SimilarRecord(
                    "claim",
                    saved_id(c),
                    score,
                    c.text,
                    str(c.status.value),
                    rationale=c.rationale,
                    date=_aware(c.updated_at).date().isoformat(),
                )
            )
    return out


def propose_matches(
    *,
    session: Session,
    claims: list[tuple[int, str]],
    require_approval: bool | None = None,
    found: list[list[Match]] | None = None,
) -> int:
    """Store the strong-enough matches of newly ingested (claim id, text) pairs, inside the caller's transaction.

    found: each claim's matches as search_new_claims found them before the claims were stored (else searched here).
    """
    if found is None:
        found = search_matches(
            session=session,
            texts=[(text, frozenset({("claim", claim_id)})) for claim_id, text in claims],
            limit=PROPOSALS_PER_CLAIM,
            require_approval=require_approval,
            strongest=True,
        )
    now = utcnow()
    rows = [
        {
            "claim_id": claim_id,
            "kind": _kind_and_id(match.key)[0],
            "target_id": _kind_and_id(match.key)[1],
            "score": round(match.strength, 4),
            "state": "proposed",
            "decided_by_id": None,
            "created_at": now,
        }
        for (claim_id, _), matches in zip(claims, found)
        for match in matches
        if match.strength >= PROPOSE
    ]
    if rows:
        # One bulk INSERT: building an ORM object per proposal cost ingest more than finding the matches.
        session.execute(table_of(ClaimMatch).insert(), rows)
    return len(rows)


def rematch_claim(*, session: Session, claim: Claim, require_approval: bool | None = None) -> int:
    """Look again for matches of one claim, keeping every decision already taken; commit."""
    decided = session.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim.id)).all()
    known = {(m.kind, m.target_id) for m in decided}
    [matches] = search_matches(
        session=session,
        texts=[(claim.text, frozenset({("claim", claim.id)}))],
        limit=PROPOSALS_PER_CLAIM + len(known),
        require_approval=require_approval,
    )
    stored = 0
    for match in matches:
        if stored >= PROPOSALS_PER_CLAIM:
            break
        if match.strength >= PROPOSE and match.key not in known:
            session.add(
                ClaimMatch(
                    claim_id=saved_id(claim),
                    kind=_kind_and_id(match.key)[0],
                    target_id=_kind_and_id(match.key)[1],
                    score=round(match.strength, 4),
                )
            )
            stored += 1
    session.commit()
    return stored


def matches_of(*, session: Session, claim_id: int) -> list[tuple[ClaimMatch, SimilarRecord]]:
    """Return a claim's open and reused matches with what they point at, best first (rejected ones are not shown)."""
    rows = session.exec(
        select(ClaimMatch)
        .where(ClaimMatch.claim_id == claim_id, ClaimMatch.state != "rejected")
        .order_by(col(ClaimMatch.score).desc(), col(ClaimMatch.id))
    ).all()
    records = {
        (r.kind, r.id): r for r in describe(session=session, scored=[(m.kind, m.target_id, m.score) for m in rows])
    }
    return [(m, records[(m.kind, m.target_id)]) for m in rows if (m.kind, m.target_id) in records]


def is_strong_match() -> ColumnElement[bool]:
    """The SQL condition on a ClaimMatch row that makes its claim "checked before": strong, and nobody rejected it."""
    return and_(col(ClaimMatch.state) != "rejected", col(ClaimMatch.score) >= STRONG)


def checked_before_clause():
    """The SQL condition "this claim has a strong match nobody has rejected", for the queue's filter."""
    strong = select(ClaimMatch.claim_id).where(is_strong_match())
    return col(Claim.id).in_(strong)


def _get_match(session: Session, claim: Claim, match_id: int) -> ClaimMatch:
    match = session.get(ClaimMatch, match_id)
    if match is None or match.claim_id != claim.id:
        raise InputError("That match does not belong to this claim.")
    return match


def reject_match(*, session: Session, claim: Claim, match_id: int, actor: User | None) -> ClaimMatch:
    """Mark a match "not the same claim"; it is remembered and never proposed again. Audited."""
    match = _get_match(session, claim, match_id)
    match.state, match.decided_by_id = "rejected", actor.id if actor else None
    session.add(match)
    record_event(
        session=session,
        actor=actor,
        entity_type="claim",
        entity_id=saved_id(claim),
        action="match_rejected",
        after={"kind": match.kind, "target_id": match.target_id, "score": match.score},
    )
    session.commit()
    return match


# ClaimReview ratings in words, as fact-checkers publish them, onto our verdicts.
RATING_WORDS = [
    ("mostly false", Status.misleading),
    ("half true", Status.misleading),
    ("mixture", Status.misleading),
    ("misleading", Status.misleading),
    ("mostly true", Status.mostly_accurate),
    ("false", Status.false),
    ("fake", Status.false),
    ("pants on fire", Status.false),
    ("incorrect", Status.false),
    ("unproven", Status.unverifiable),
    ("unverif", Status.unverifiable),
    ("true", Status.verified),
    ("correct", Status.verified),
    ("accurate", Status.verified),
]


def verdict_of_rating(rating: str) -> Status | None:
    """Map a published rating ("Mostly False", "Pants on Fire!") onto our verdicts; None when unknown."""
    lowered = (rating or "").lower()
    return next((status for words, status in RATING_WORDS if words in lowered), None)


def reuse_verdict(
    *, session: Session, claim: Claim, match_id: int, actor: User | None, require_approval: bool | None = None
) -> Claim:
    """Give the claim the matched verdict: its rationale and evidence links are copied with a reference. Audited."""
    from .claim_edits import add_evidence
    from .review import set_status

    match = _get_match(session, claim, match_id)
    if match.state == "rejected":
        raise InputError("This match was marked “not the same claim”.")
    if match.kind == "claim":
        original = session.get(Claim, match.target_id)
        if original is None or not is_final(original, require_approval=approval_required(require_approval)):
            raise InputError("The earlier claim no longer has a final verdict.")
        status = original.status
        reference = f"Verdict reused from claim #{original.id} (“{original.text[:200]}”)."
        rationale = f"{original.rationale}\n\n{reference}"
        links = [
            (e.url, e.stance, e.note)
            for e in session.exec(
                select(Evidence).where(col(Evidence.claim_id) == original.id).order_by(col(Evidence.id))
            )
        ]
    else:
        review = session.get(FactCheck, match.target_id)
        verdict = verdict_of_rating(review.rating) if review else None
        if review is None or verdict is None:
            raise InputError(
                f"The review's rating “{review.rating if review else ''}” maps to none of our verdicts; "
                "give the verdict by hand."
            )
        status = verdict
        reference = f"Verdict reused from {review.publisher or 'a published fact-check'}: {review.url}"
        rationale = f"Rated “{review.rating}” by {review.publisher or 'another fact-checker'}. {reference}"
        links = [
            (
                review.url,
                "refutes" if status in (Status.false, Status.misleading) else "supports",
                f"Published fact-check ({review.publisher})".strip(),
            )
        ]
    existing = {e.url for e in session.exec(select(Evidence).where(Evidence.claim_id == claim.id))}
    for url, stance, note in links:
        if url not in existing:
            add_evidence(
                session=session,
                claim=claim,
                url=url,
                stance=stance,
                note=f"{note} [copied: {reference}]".strip(),
                actor=actor,
            )
    claim = set_status(
        session=session,
        claim=claim,
        status=status,
        rationale=rationale,
        actor=actor,
        expected_version=None,
        require_approval=approval_required(require_approval),
    )
    match.state, match.decided_by_id = "reused", actor.id if actor else None
    session.add(match)
    record_event(
        session=session,
        actor=actor,
        entity_type="claim",
        entity_id=saved_id(claim),
        action="verdict_reused",
        after={"kind": match.kind, "target_id": match.target_id, "status": status.value},
    )
    session.commit()
    return claim
