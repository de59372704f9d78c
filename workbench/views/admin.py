"""Administration: user accounts (admins) and the audit chain's state (editors)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..audit import verify_chain
from ..audit_anchor import last_anchor
from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role
from ..rendering import render
from ..services.users import create_user, get_user, list_users, update_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@require_role(Role.admin)
def users():
    """List user accounts with a form to add one."""
    return render(
        "admin/users.html",
        "partials/_user_table.html",
        "user-table",
        users=list_users(session=get_session()),
        roles=list(Role),
        form={},
        error=None,
    )


@bp.post("/users")
@require_role(Role.admin)
def create_user_view():
    """Create a user account from the form."""
    form = request.form
    session = get_session()
    try:
        user = create_user(
            session=session,
            email=form.get("email", ""),
            name=form.get("name", ""),
            role=form.get("role", ""),
            password=form.get("password", ""),
            actor=acting_user(),
        )
    except InputError as error:
        return render(
            "admin/users.html",
            "partials/_user_table.html",
            "user-table",
            status=422,
            users=list_users(session=session),
            roles=list(Role),
            form=form,
            error=str(error),
        )
    flash(f"Created {user.email} ({user.role}).", "success")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>")
@require_role(Role.admin)
def update_user_view(user_id: int):
    """Change a user's role, deactivate or reactivate the account, or set a new password; their sessions end."""
    session = get_session()
    user = get_user(session=session, user_id=user_id)
    if user is None:
        abort(404)
    form = request.form
    action = form.get("action", "")
    changes: dict[str, dict[str, Any]] = {
        "role": {"role": form.get("role", "")},
        "deactivate": {"active": False},
        "reactivate": {"active": True},
        "password": {"password": form.get("password", "")},
    }
    try:
        if action not in changes:
            raise InputError("Choose what to change: the role, the password, or whether the account is active.")
        update_user(session=session, user=user, actor=acting_user(), **changes[action])
    except InputError as error:
        return render(
            "admin/users.html",
            "partials/_user_table.html",
            "user-table",
            status=422,
            users=list_users(session=session),
            roles=list(Role),
            form={},
            error=f"{user.email}: {error}",
        )
    flash(f"Updated {user.email}; their sessions have ended.", "success")
    return redirect(url_for("admin.users"), code=303)


@bp.get("/audit")
@require_role(Role.editor)
def audit():
    """Check the audit chain and show its head."""
    session = get_session()
    report = verify_chain(session=session)
    return render(
        "admin/audit.html",
        "partials/_audit_status.html",
        "audit-status",
        report=report,
        anchor=last_anchor(session=session),
    )
