"""Evidence in the API: add a URL (202, fetched in the background), list, read one (its fetch state), withdraw."""

from __future__ import annotations

from flask import current_app, url_for
from spectree import Response
from sqlmodel import col, select

from ..auth import acting_user
from ..db import get_session
from ..models import Evidence
from ..services import claim_edits
from ..services.claim_detail import get_claim
from ..worker import queue_fetches
from . import bp, json_body, schemas, spec
from .claims import ERRORS, WRITE_ERRORS, apply_change, detail_response
from .problems import ApiProblem
from .serialise import etag_of


def _evidence(claim_id: int, evidence_id: int) -> Evidence:
    evidence = get_session().get(Evidence, evidence_id)
    if evidence is None or evidence.claim_id != claim_id:
        raise ApiProblem(404, f"Claim #{claim_id} has no evidence #{evidence_id}.")
    return evidence


@bp.get("/claims/<int:claim_id>/evidence")
@spec.validate(resp=Response(HTTP_200=schemas.EvidenceList, **ERRORS), tags=["evidence"])
def list_evidence(claim_id: int):
    """List a claim's evidence with what was fetched from each URL."""
    if get_claim(session=get_session(), claim_id=claim_id) is None:
        raise ApiProblem(404, f"There is no claim #{claim_id}.")
    rows = get_session().exec(select(Evidence).where(Evidence.claim_id == claim_id).order_by(col(Evidence.id)))
    return schemas.EvidenceList(items=[schemas.EvidenceOut.model_validate(e, from_attributes=True) for e in rows])


@bp.get("/claims/<int:claim_id>/evidence/<int:evidence_id>")
@spec.validate(resp=Response(HTTP_200=schemas.EvidenceOut, **ERRORS), tags=["evidence"])
def get_evidence(claim_id: int, evidence_id: int):
    """Read one evidence item: poll it until fetch_state is no longer pending."""
    return schemas.EvidenceOut.model_validate(_evidence(claim_id, evidence_id), from_attributes=True)


@bp.post("/claims/<int:claim_id>/evidence")
@spec.validate(json=schemas.EvidenceIn, resp=Response(HTTP_202=schemas.EvidenceOut, **WRITE_ERRORS), tags=["evidence"])
def add_evidence(claim_id: int):
    """Attach an evidence URL; 202: it is fetched in the background, poll the Location for its fetch state."""
    body = json_body()
    added = {}

    def apply(claim, version):
        added["evidence"] = claim_edits.add_evidence(
            session=get_session(),
            claim=claim,
            url=body.url,
            stance=body.stance,
            note=body.note,
            actor=acting_user(),
            expected_version=version,
        )
        queue_fetches(current_app, [added["evidence"].id])  # never fetched inside this request

    apply_change(claim_id, apply)
    evidence = added["evidence"]
    claim = get_claim(session=get_session(), claim_id=claim_id)
    if claim is None:  # deleted between the write and this read: nothing to give an ETag for
        raise ApiProblem(404, f"There is no claim #{claim_id}.")
    return (
        schemas.EvidenceOut.model_validate(evidence, from_attributes=True),
        202,
        {
            "Location": url_for("api.get_evidence", claim_id=claim_id, evidence_id=evidence.id, _external=True),
            "ETag": etag_of(claim),
        },
    )


@bp.post("/claims/<int:claim_id>/evidence/<int:evidence_id>/withdraw")
@spec.validate(
    json=schemas.WithdrawIn, resp=Response(HTTP_200=schemas.ClaimDetailOut, **WRITE_ERRORS), tags=["evidence"]
)
def withdraw_evidence(claim_id: int, evidence_id: int):
    """Withdraw an evidence item with a reason; it stays on record but no longer backs a verdict."""
    reason = json_body().reason
    evidence = _evidence(claim_id, evidence_id)
    apply_change(
        claim_id,
        lambda claim, version: claim_edits.withdraw_evidence(
            session=get_session(),
            claim=claim,
            evidence=evidence,
            reason=reason,
            actor=acting_user(),
            expected_version=version,
        ),
    )
    return detail_response(claim_id)
