"""Claims in the API: the queue's list and cursor, one claim with its ETag, and the reviewed changes with If-Match."""

from __future__ import annotations

from flask import request, url_for
from spectree import Response
from werkzeug.datastructures import MultiDict

from ..auth import acting_user
from ..db import get_session
from ..errors import InputError
from ..models import User
from ..services import corrections, review
from ..services.claim_detail import claim_detail, get_claim
from ..services.queue import parse_filters, queue_page, queue_row
from . import bp, json_body, schemas, spec
from .problems import ApiProblem
from .serialise import claim_detail_out, claim_out, etag_of, expected_version, row_out

ERRORS = {
    "HTTP_400": schemas.Problem,
    "HTTP_401": schemas.Problem,
    "HTTP_403": schemas.Problem,
    "HTTP_404": schemas.Problem,
    "HTTP_422": schemas.Problem,
}
WRITE_ERRORS = {
    **ERRORS,
    "HTTP_409": schemas.Problem,
    "HTTP_412": schemas.Problem,
    "HTTP_415": schemas.Problem,
    "HTTP_428": schemas.Problem,
}


@bp.get("/claims")
@spec.validate(query=schemas.ClaimQuery, resp=Response(HTTP_200=schemas.ClaimPage, **ERRORS), tags=["claims"])
def list_claims():
    """List claims with the queue's filters, search and sort; follow `next` for the following page."""
    filters = parse_filters(request.args)
    if filters.problems:  # the queue drops a bad filter and says so; an integration gets a 422 instead
        raise ApiProblem(422, " ".join(filters.problems))
    limit = request.context.query.limit
    page = queue_page(session=get_session(), filters=filters, user_id=acting_user().id, limit=limit, count=False)
    rows, cursor = page.rows, page.next_cursor
    items = [row_out(row) for row in rows]
    following = None
    if cursor is not None:
        args = MultiDict(filters.to_args(after=cursor))
        following = url_for("api.list_claims", **args.to_dict(flat=False), limit=limit, _external=True)
    return schemas.ClaimPage(items=items, next=following)


def detail_response(claim_id: int, status: int = 200):
    detail = claim_detail(session=get_session(), claim_id=claim_id)
    if detail is None:
        raise ApiProblem(404, f"There is no claim #{claim_id}.")
    etag = etag_of(detail.claim)
    if status == 200 and request.method == "GET" and etag in request.headers.get("If-None-Match", ""):
        return "", 304, {"ETag": etag}
    return claim_detail_out(detail), status, {"ETag": etag, "Cache-Control": "private, no-cache"}


@bp.get("/claims/<int:claim_id>")
@spec.validate(resp=Response(HTTP_200=schemas.ClaimDetailOut, HTTP_304=None, **ERRORS), tags=["claims"])
def get_one_claim(claim_id: int):
    """Read a claim with its sentence, evidence, notes and history; its ETag goes into If-Match on writes."""
    return detail_response(claim_id)


def _summary_response(claim_id: int):
    """Answer a write with the claim as the list shows it and its new ETag (history and evidence: GET the claim)."""
    row = queue_row(session=get_session(), claim_id=claim_id)
    if row is None:
        raise ApiProblem(404, f"There is no claim #{claim_id}.")
    return row_out(row), 200, {"ETag": etag_of(row.claim), "Cache-Control": "private, no-cache"}


def change_claim(claim_id: int, apply):
    """Run one reviewed change and answer with the changed claim as the list shows it.

    One query for the answer, as the HTML route answers with one queue row; history and evidence are a GET away.
    """
    apply_change(claim_id, apply)
    return _summary_response(claim_id)


def apply_change(claim_id: int, apply) -> None:
    """Run one reviewed change at the version named by If-Match: 412 when stale, 428 when missing, 422 when refused."""
    session = get_session()
    claim = get_claim(session=session, claim_id=claim_id)
    if claim is None:
        raise ApiProblem(404, f"There is no claim #{claim_id}.")
    version = expected_version(claim_id, request.headers.get("If-Match"))
    try:
        if claim.version != version:  # stale before anything else: input is not judged against an unseen state
            raise review.ConflictError(claim, {"version": version}, claim_id=claim_id)
        apply(claim, version)
    except InputError as error:
        session.rollback()
        raise ApiProblem(422, str(error)) from None
    except review.ConflictError as error:
        current = error.current
        raise ApiProblem(
            412,
            f"Claim #{claim_id} changed since version {version} (it is now at version "
            f"{current.version if current else 'gone'}); nothing was saved. Read it again, "
            "check the change still makes sense, and retry with the new ETag.",
            headers={"ETag": etag_of(current)} if current else None,
            current=claim_out(current).model_dump(mode="json") if current else None,
        ) from None


@bp.post("/claims/<int:claim_id>/status")
@spec.validate(json=schemas.StatusIn, resp=Response(HTTP_200=schemas.ClaimOut, **WRITE_ERRORS), tags=["claims"])
def set_claim_status(claim_id: int):
    """Set a status or give a verdict (with a rationale; four verdicts need evidence)."""
    body = json_body()
    return change_claim(
        claim_id,
        lambda claim, version: review.set_status(
            session=get_session(),
            claim=claim,
            status=body.status,
            rationale=body.rationale,
            actor=acting_user(),
            expected_version=version,
        ),
    )


@bp.post("/claims/<int:claim_id>/assign")
@spec.validate(json=schemas.AssignIn, resp=Response(HTTP_200=schemas.ClaimOut, **WRITE_ERRORS), tags=["claims"])
def assign_claim(claim_id: int):
    """Give the claim to a user ("me" for yourself) or to nobody (null)."""
    target = json_body().assignee

    def apply(claim, version):
        assignee = acting_user() if target == "me" else get_session().get(User, target) if target else None
        if target not in (None, "me") and (assignee is None or not assignee.active):
            raise InputError(f"There is no active user #{target} to assign the claim to.")
        review.assign(
            session=get_session(), claim=claim, assignee=assignee, actor=acting_user(), expected_version=version
        )

    return change_claim(claim_id, apply)


@bp.post("/claims/<int:claim_id>/text")
@spec.validate(json=schemas.TextIn, resp=Response(HTTP_200=schemas.ClaimOut, **WRITE_ERRORS), tags=["claims"])
def reword_claim(claim_id: int):
    """Reword the claim; its span in the article stays, and an approval of other words is voided."""
    text = json_body().text
    return change_claim(
        claim_id,
        lambda claim, version: review.edit_text(
            session=get_session(), claim=claim, text=text, actor=acting_user(), expected_version=version
        ),
    )


@bp.post("/claims/<int:claim_id>/dismiss")
@spec.validate(json=schemas.DismissIn, resp=Response(HTTP_200=schemas.ClaimOut, **WRITE_ERRORS), tags=["claims"])
def dismiss_claim(claim_id: int):
    """Take the claim out as "not a claim" (extraction noise), with a reason; restorable."""
    reason = json_body().reason
    return change_claim(
        claim_id,
        lambda claim, version: review.dismiss(
            session=get_session(), claim=claim, reason=reason, actor=acting_user(), expected_version=version
        ),
    )


@bp.post("/claims/<int:claim_id>/restore")
@spec.validate(resp=Response(HTTP_200=schemas.ClaimOut, **WRITE_ERRORS), tags=["claims"])
def restore_claim(claim_id: int):
    """Bring a dismissed claim back into the queue, unverified."""
    return change_claim(
        claim_id,
        lambda claim, version: review.restore(
            session=get_session(), claim=claim, actor=acting_user(), expected_version=version
        ),
    )


@bp.post("/claims/<int:claim_id>/correct")
@spec.validate(json=schemas.CorrectionIn, resp=Response(HTTP_200=schemas.ClaimOut, **WRITE_ERRORS), tags=["claims"])
def correct_claim(claim_id: int):
    """Correct what extraction got wrong: the claim's source, speaker, kind, dates or span."""
    body = json_body()

    def apply(claim, version):
        common = {"session": get_session(), "claim": claim, "actor": acting_user(), "expected_version": version}
        if body.field == "source":
            corrections.correct_source(**common, source_id=body.source_id, new_name=body.new_source)
        elif body.field == "speaker":
            corrections.correct_speaker(**common, speaker=body.speaker)
        elif body.field == "kind":
            corrections.correct_kind(**common, kind=body.kind)
        elif body.field == "dates":
            if body.dates is None:
                raise InputError("Send dates: the claim's whole list of dates (an empty list removes them all).")
            known = {date.get("text"): (date.get("start"), date.get("end")) for date in claim.dates}
            dates = corrections.parse_date_rows(
                [date.text for date in body.dates],
                [date.value or "" for date in body.dates],
                set(),
                [known.get(" ".join(date.text.split())) for date in body.dates],  # a kept date keeps its place
            )
            corrections.correct_dates(**common, dates=dates)
        else:
            if body.start is None or body.end is None:
                raise InputError("Send start and end: the new span's offsets in the article's text.")
            corrections.correct_span(**common, start=body.start, end=body.end)

    return change_claim(claim_id, apply)
