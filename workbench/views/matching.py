"""Checked before: reuse a matched verdict, or say a match is not the same claim; separate a duplicate."""

from __future__ import annotations

from flask import Blueprint

from ..auth import acting_user
from ..db import get_session
from ..services import desk_groups, matching
from .claims import _change, _version

bp = Blueprint("matching", __name__)


@bp.post("/claims/<int:claim_id>/matches/<int:match_id>/reuse")
def reuse(claim_id: int, match_id: int):
    """Give the claim the matched verdict, copying its rationale and evidence with a reference."""
    return _change(
        claim_id,
        lambda claim: matching.reuse_verdict(
            session=get_session(), claim=claim, match_id=match_id, actor=acting_user()
        ),
        "claims.show",
    )


@bp.post("/claims/<int:claim_id>/matches/<int:match_id>/reject")
def reject(claim_id: int, match_id: int):
    """Mark a match "not the same claim"; it is not proposed again."""
    return _change(
        claim_id,
        lambda claim: matching.reject_match(session=get_session(), claim=claim, match_id=match_id, actor=acting_user()),
        "claims.show",
    )


@bp.post("/claims/<int:claim_id>/separate")
def separate(claim_id: int):
    """Take a claim out of its group of duplicates: it no longer follows the lead's verdict."""
    return _change(
        claim_id,
        lambda claim: desk_groups.separate(
            session=get_session(), claim=claim, actor=acting_user(), expected_version=_version()
        ),
        "matching.separate",
    )
