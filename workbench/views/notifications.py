"""Notifications: the unread count in the nav (polled), its menu, the full list, marking read."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for

from ..auth import acting_user, signed_in_user
from ..db import get_session
from ..models import saved_id
from ..rendering import render, wants_fragment
from ..services.notifications import get_notification, list_notifications, mark_read, unread_count

bp = Blueprint("notifications", __name__)
MENU_SIZE = 8


def _user_id() -> int:
    return saved_id(signed_in_user())


def unread_for_current_user() -> int:
    """The signed-in user's unread count, for the nav of every page (0 when signed out)."""
    user = acting_user()
    return unread_count(session=get_session(), user_id=saved_id(user)) if user is not None else 0


@bp.get("/notifications/count")
def count():
    """The unread count alone: the nav polls it every 30 seconds (without extending an idle session)."""
    response = make_response(
        render_template(
            "partials/_notification_count.html", unread=unread_count(session=get_session(), user_id=_user_id())
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/notifications/menu")
def menu():
    """The notifications menu of the nav: the newest unread ones, or a word that there are none."""
    return render_template(
        "partials/_notification_menu.html",
        rows=list_notifications(session=get_session(), user_id=_user_id(), limit=MENU_SIZE, unread_only=True),
        unread=unread_count(session=get_session(), user_id=_user_id()),
        oob=True,
    )


@bp.get("/notifications")
def index():
    """Every notification of the signed-in user, unread first."""
    return _list()


def _list(status: int = 200):
    rows = list_notifications(session=get_session(), user_id=_user_id(), limit=100)
    fragment = wants_fragment("notification-list")
    return render(
        "notifications.html",
        "partials/_notification_list.html",
        "notification-list",
        status=status,
        rows=rows,
        unread=unread_count(session=get_session(), user_id=_user_id()),
        oob=fragment,
    )


def _after_marking(message: str):
    """Answer a mark-read: the fragment htmx asked for (with the nav's count swapped out of band), else a redirect."""
    if wants_fragment("notification-menu"):
        return menu()
    if wants_fragment("notification-list"):
        return _list()
    flash(message, "success")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for("notifications.index"), 303)


@bp.post("/notifications/<int:notification_id>/read")
def read(notification_id: int):
    """Mark one notification read."""
    if get_notification(session=get_session(), user_id=_user_id(), notification_id=notification_id) is None:
        abort(404)
    mark_read(session=get_session(), user_id=_user_id(), notification_ids=[notification_id])
    return _after_marking("Marked read.")


@bp.post("/notifications/<int:notification_id>/open")
def open_claim(notification_id: int):
    """Mark one notification read and go to the note on its claim."""
    found = get_notification(session=get_session(), user_id=_user_id(), notification_id=notification_id)
    if found is None:
        abort(404)
    claim_id, note_id = found.claim_id, found.note_id
    mark_read(session=get_session(), user_id=_user_id(), notification_ids=[notification_id])
    anchor = f"#note-{note_id}" if note_id else "#notes-h"
    return redirect(url_for("claims.show", claim_id=claim_id) + anchor, code=303)


@bp.post("/notifications/read-all")
def read_all():
    """Mark every notification of the signed-in user read."""
    changed = mark_read(session=get_session(), user_id=_user_id())
    return _after_marking(f"Marked {changed} notification{'s' if changed != 1 else ''} read.")


def init_app(app) -> None:
    """Register the blueprint and give every page's nav the unread count."""
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_notifications"] = unread_for_current_user
