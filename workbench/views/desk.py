"""The approval queue (approve one or many, send back with a comment) and each person's "My work"."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Claim, Role
from ..rendering import render, wants_fragment
from ..services import desk, review

bp = Blueprint("desk", __name__)


def _approvals(*, message: str | None = None, error: str | None = None, status: int = 200):
    return render(
        "desk/approvals.html",
        "partials/_approval_list.html",
        "approval-list",
        status=status,
        rows=desk.approval_queue(session=get_session()),
        labels=review.STATUS_LABELS,
        require_approval=current_app.config["REQUIRE_APPROVAL"],
        allow_self_approval=current_app.config["ALLOW_SELF_APPROVAL"],
        message=message,
        error=error,
    )


@bp.get("/approvals")
@require_role(Role.editor)
def approvals():
    """Verdicts awaiting approval, oldest first."""
    return _approvals()


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.post("/approvals")
@require_role(Role.editor)
def decide():
    """Approve the selected verdicts (all or none), or send one back to its checker with a comment."""
    session = get_session()
    action = request.form.get("action", "")
    try:
        if action == "approve":
            ids = [i for i in (_int(raw) for raw in request.form.getlist("ids")) if i is not None]
            versions = {i: _int(request.form.get(f"version-{i}")) for i in ids}
            count = review.approve_many(
                session=session,
                versions=versions,
                actor=acting_user(),
                allow_self_approval=current_app.config["ALLOW_SELF_APPROVAL"],
            )
            message = f"Approved {count} verdict{'s' if count != 1 else ''}."
        elif action == "send_back":
            claim = session.get(Claim, _int(request.form.get("claim_id")) or 0)
            if claim is None:
                raise InputError("That claim no longer exists; reload the page.")
            review.send_back(
                session=session,
                claim=claim,
                actor=acting_user(),
                comment=request.form.get("comment", ""),
                expected_version=_int(request.form.get("version")),
            )
            message = f"Claim #{claim.id} sent back to its checker."
        else:
            raise InputError("Choose to approve the selected verdicts or to send one back.")
    except InputError as error:
        session.rollback()
        return _respond(error=str(error), status=422)
    except review.ConflictError as error:
        return _respond(
            error=f"Claim #{error.claim_id} changed while you were reviewing it; nothing was saved. "
            "The list below is current.",
            status=409,
        )
    return _respond(message=message)


def _respond(*, message: str | None = None, error: str | None = None, status: int = 200):
    if wants_fragment("approval-list"):
        return _approvals(message=message, error=error, status=status)
    if status >= 400 or message is None:
        return _approvals(error=error, status=status)
    flash(message, "success")
    return redirect(url_for("desk.approvals"), code=303)


@bp.get("/my-work")
def my_work():
    """What is assigned to me, what was sent back to me, and what waits for my approval."""
    work = desk.my_work(
        session=get_session(),
        user=acting_user(),
        require_approval=current_app.config["REQUIRE_APPROVAL"],
        allow_self_approval=current_app.config["ALLOW_SELF_APPROVAL"],
    )
    return render("desk/my_work.html", "partials/_my_work.html", "my-work", work=work, labels=review.STATUS_LABELS)
