"""Claims: the review queue, the claim view and every change a checker makes to a claim."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from markupsafe import Markup, escape

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role, Status, User
from ..rendering import render
from ..services import claim_edits, review
from ..services.claim_detail import claim_detail, describe_event, get_claim
from ..services.matching import matches_of, strong_claim_ids
from ..services.queue import SORTS, filter_choices, parse_filters, queue_page, queue_row
from ..worker import queue_fetches

bp = Blueprint("claims", __name__)


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def _claim_or_404(claim_id: int):
    claim = get_claim(session=get_session(), claim_id=claim_id)
    if claim is None:
        abort(404)
    return claim


@bp.get("/claims")
def queue():
    """The review queue, filtered by the URL's arguments; htmx swaps only the results while typing."""
    session = get_session()
    filters = parse_filters(request.args)
    rows, next_cursor = queue_page(session=session, filters=filters, user_id=acting_user().id)
    checked = strong_claim_ids(session=session, claim_ids=[row.claim.id for row in rows])
    return render("claims/queue.html", "partials/_queue_results.html", "queue-results",
                  rows=rows, next_cursor=next_cursor, checked_before_ids=checked, filters=filters, sorts=SORTS, statuses=list(Status),
                  labels=review.STATUS_LABELS, choices=filter_choices(session=session), **_row_context())


def _row_context() -> dict:
    """What every queue row shares, rendered once per request rather than once per row."""
    options = "".join(f'<option value="{s.value}">{n} · {escape(review.STATUS_LABELS[s])}</option>'
                      for n, s in enumerate(Status, 1))
    return {"row_status_options": Markup(options), "claims_base": url_for("claims.queue")}


@bp.post("/claims/bulk")
def bulk():
    """Change the status or assignee of the selected claims, all or none."""
    session = get_session()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    action = request.form.get("action", "")
    back = request.form.get("back") or url_for("claims.queue")
    if not back.startswith("/"):
        back = url_for("claims.queue")
    try:
        if action == "status":
            count = review.bulk_update(session=session, claim_ids=ids, actor=acting_user(),
                                       status=review.parse_status(request.form.get("status", "")),
                                       rationale=request.form.get("rationale", ""))
        elif action == "assign":
            target = request.form.get("assignee", "")
            assignee = acting_user() if target == "me" else session.get(User, int(target)) if target.isdigit() else None
            if target not in {"", "none", "me"} and assignee is None:
                raise InputError("That assignee does not exist.")
            count = review.bulk_update(session=session, claim_ids=ids, actor=acting_user(), assignee=assignee,
                                       unassign=assignee is None)
        else:
            raise InputError("Choose what to do with the selected claims: set a status or assign them.")
    except InputError as error:
        flash(str(error), "error")
    else:
        flash(f"Updated {count} claim{'s' if count != 1 else ''}.", "success")
    return redirect(back, code=303)


def _claim_response(claim_id: int, *, error: str | None = None, status: int = 200):
    """Answer a claim change: the queue row, the claim panel, or (plain forms) a redirect."""
    session = get_session()
    target = request.htmx.target or ""
    if request.htmx and target.startswith("claim-row-"):
        row = queue_row(session=session, claim_id=claim_id)
        return render("partials/_claim_row.html", "partials/_claim_row.html", target, status=status, row=row,
                      labels=review.STATUS_LABELS, statuses=list(Status), error=error, **_row_context(),
                      checked_before_ids=strong_claim_ids(session=session, claim_ids=[claim_id]))
    if request.htmx and target == "claim-panel":
        return render("claims/show.html", "partials/_claim_panel.html", "claim-panel", status=status,
                      **_detail_context(claim_id), error=error)
    if error:
        flash(error, "error")
    return redirect(url_for("claims.show", claim_id=claim_id), code=303)


def _detail_context(claim_id: int) -> dict:
    detail = claim_detail(session=get_session(), claim_id=claim_id)
    if detail is None:
        abort(404)
    return {"d": detail, "labels": review.STATUS_LABELS, "statuses": list(Status), "describe": describe_event,
            "require_approval": current_app.config["REQUIRE_APPROVAL"], "stances": claim_edits.STANCES,
            "is_final": review.is_final(detail.claim, require_approval=current_app.config["REQUIRE_APPROVAL"]),
            "matches": matches_of(session=get_session(), claim_id=claim_id)}


def _conflict(error: review.ConflictError, action: str):
    """The 409 answer: what changed, the current state, and a form that reapplies the user's change."""
    return render("partials/_conflict.html", "partials/_conflict.html", request.htmx.target or "claim-panel",
                  status=409, current=error.current, attempted=error.attempted, action=action,
                  labels=review.STATUS_LABELS, target=request.htmx.target or "claim-panel")


def _change(claim_id: int, apply, action_endpoint: str):
    """Run one change to a claim and answer with the right fragment, a 422 for bad input or a 409 on conflict."""
    claim = _claim_or_404(claim_id)
    try:
        apply(claim)
    except InputError as error:
        get_session().rollback()
        return _claim_response(claim_id, error=str(error), status=422)
    except review.ConflictError as error:
        return _conflict(error, url_for(action_endpoint, claim_id=claim_id))
    return _claim_response(claim_id)


@bp.get("/claims/<int:claim_id>")
def show(claim_id: int):
    """The claim in context, with its source, dates, evidence, notes and history."""
    return render("claims/show.html", "partials/_claim_panel.html", "claim-panel", **_detail_context(claim_id),
                  error=None)


@bp.post("/claims/<int:claim_id>/status")
def set_status(claim_id: int):
    """Change a claim's status (a verdict needs a rationale; four verdicts need evidence)."""
    def apply(claim):
        review.set_status(session=get_session(), claim=claim, status=review.parse_status(request.form.get("status", "")),
                          rationale=request.form.get("rationale", ""), actor=acting_user(),
                          expected_version=_version())
    return _change(claim_id, apply, "claims.set_status")


@bp.post("/claims/<int:claim_id>/assign")
def assign(claim_id: int):
    """Assign a claim to the current user, to someone else, or to nobody."""
    def apply(claim):
        target = request.form.get("assignee", "me")
        session = get_session()
        assignee = acting_user() if target == "me" else session.get(User, int(target)) if target.isdigit() else None
        review.assign(session=session, claim=claim, assignee=assignee, actor=acting_user(),
                      expected_version=_version())
    return _change(claim_id, apply, "claims.assign")


@bp.post("/claims/<int:claim_id>/approve")
@require_role(Role.editor)
def approve(claim_id: int):
    """An editor approves the verdict."""
    def apply(claim):
        review.approve(session=get_session(), claim=claim, actor=acting_user(), expected_version=_version())
    return _change(claim_id, apply, "claims.approve")


@bp.post("/claims/<int:claim_id>/text")
def edit_text(claim_id: int):
    """Reword a claim; the span in the original stays."""
    def apply(claim):
        review.edit_text(session=get_session(), claim=claim, text=request.form.get("text", ""), actor=acting_user(),
                         expected_version=_version())
    return _change(claim_id, apply, "claims.edit_text")


@bp.post("/claims/<int:claim_id>/split")
def split(claim_id: int):
    """Split a claim in two at an offset inside its quote."""
    def apply(claim):
        at = request.form.get("at", "")
        if not at.lstrip("-").isdigit():
            raise InputError("Say where to split: a character position inside the claim.")
        claim_edits.split_claim(session=get_session(), claim=claim, at=int(at), actor=acting_user(),
                                expected_version=_version())
    return _change(claim_id, apply, "claims.split")


@bp.post("/claims/<int:claim_id>/merge")
def merge(claim_id: int):
    """Merge a claim with the one after it."""
    def apply(claim):
        claim_edits.merge_with_next(session=get_session(), claim=claim, actor=acting_user(),
                                    expected_version=_version())
    return _change(claim_id, apply, "claims.merge")


@bp.post("/claims/<int:claim_id>/evidence")
def add_evidence(claim_id: int):
    """Attach an evidence URL with its stance and a note."""
    def apply(claim):
        evidence = claim_edits.add_evidence(session=get_session(), claim=claim, url=request.form.get("url", ""),
                                            stance=request.form.get("stance", "context"),
                                            note=request.form.get("note", ""), actor=acting_user())
        queue_fetches(current_app, [evidence.id])  # fetched in the background, never in this request
    return _change(claim_id, apply, "claims.add_evidence")


@bp.post("/claims/<int:claim_id>/notes")
def add_note(claim_id: int):
    """Add a working note."""
    def apply(claim):
        claim_edits.add_note(session=get_session(), claim=claim, body=request.form.get("body", ""), actor=acting_user())
    return _change(claim_id, apply, "claims.add_note")


