"""Turn stored rows into the API's response schemas."""

from __future__ import annotations

import re

from flask import current_app

from ..models import Article, Claim, saved_id
from ..services.claim_detail import ClaimDetail
from ..services.queue import QueueRow
from ..services.review import review_state
from . import schemas
from .problems import ApiProblem

# A compressed response carries the same version with its coding appended ("claim-7-v3:br", Flask-Compress keeps
# strong tags distinct per encoding); it names the same version of the claim.
_ETAG = re.compile(r'^(?:W/)?"claim-(\d+)-v(\d+)(?::(?:br|gzip))?"$')


def etag_of(claim: Claim) -> str:
    """Return a claim's entity tag: it changes exactly when the claim's version does."""
    return f'"claim-{claim.id}-v{claim.version}"'


def expected_version(claim_id: int, header: str | None) -> int:
    """Read the version a write was made on from If-Match: 428 without one, 412 when it names another claim."""
    if not header:
        raise ApiProblem(
            428,
            "Send If-Match with the ETag of the claim as you last read it, so that a change made "
            "meanwhile by someone else is not overwritten.",
        )
    tags = [tag.strip() for tag in header.split(",")]
    for tag in tags:
        match = _ETAG.match(tag)
        if match and int(match.group(1)) == claim_id:
            return int(match.group(2))
    raise ApiProblem(
        412 if any(_ETAG.match(tag) for tag in tags) else 428,
        "If-Match does not name a version of this claim; read the claim again and use its ETag.",
    )


def claim_out(
    claim: Claim, *, article_title: str | None = None, source: str | None = None, assignee: str | None = None
) -> schemas.ClaimOut:
    """Return a claim as the API shows it in lists."""
    return schemas.ClaimOut(
        id=saved_id(claim),
        article_id=claim.article_id,
        article_title=article_title,
        text=claim.text,
        quote=claim.quote,
        start=claim.start,
        end=claim.end,
        source_id=claim.source_id,
        source=source,
        speaker=claim.speaker,
        speaker_affiliation=claim.speaker_affiliation,
        attribution=claim.attribution,
        kind=claim.kind,
        checkworthiness=claim.checkworthiness,
        dates=claim.dates or [],
        status=claim.status,
        rationale=claim.rationale,
        assignee_id=claim.assignee_id,
        assignee=assignee,
        approved_by_id=claim.approved_by_id,
        dismissed_reason=claim.dismissed_reason,
        review_state=review_state(claim, require_approval=current_app.config["REQUIRE_APPROVAL"]),
        version=claim.version,
        updated_at=claim.updated_at,
    )


def row_out(row: QueueRow) -> schemas.ClaimOut:
    """Return a queue row (a claim with its article's title, source and assignee names) as the API lists it."""
    return claim_out(row.claim, article_title=row.article_title, source=row.source_name, assignee=row.assignee_name)


def claim_detail_out(detail: ClaimDetail) -> schemas.ClaimDetailOut:
    """Return a claim with its sentence, evidence, notes and history."""
    base = claim_out(
        detail.claim,
        article_title=detail.article.title,
        source=detail.source.name if detail.source else None,
        assignee=detail.assignee.name if detail.assignee else None,
    )
    return schemas.ClaimDetailOut(
        **base.model_dump(),
        sentence=detail.sentence_before + detail.quote + detail.sentence_after,
        evidence=[schemas.EvidenceOut.model_validate(e, from_attributes=True) for e in detail.evidence],
        notes=[
            schemas.NoteOut(id=saved_id(note), author=author, body=note.body, created_at=note.created_at)
            for note, author in detail.notes
        ],
        history=[schemas.EventOut.model_validate(event, from_attributes=True) for event in detail.history],
    )


def article_out(article: Article) -> schemas.ArticleOut:
    """Return an article without its text."""
    return schemas.ArticleOut.model_validate(article, from_attributes=True)
