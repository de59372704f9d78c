"""The queue's saved views (save, rename, delete) and its row density, per person."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..auth import signed_in_user
from ..db import get_session
from ..errors import InputError
from ..models import saved_id
from ..rendering import render, wants_fragment
from ..services import saved_views
from ..services.queue import REVIEW_STAGES, filter_choices, source_names
from ..services.saved_views import DENSITIES, built_in_views, describe_query, list_views

bp = Blueprint("queue_views", __name__)


def views_context(current_query: str = "") -> dict:
    """What the queue's views bar shows: the built-in views, the person's own, and the query a save would keep."""
    user = signed_in_user()
    return {
        "builtin_views": built_in_views(user),
        "saved_views": list_views(session=get_session(), user_id=saved_id(user)),
        "current_query": current_query,
        "density": user.queue_density if user.queue_density in DENSITIES else "compact",
        "densities": DENSITIES,
        "review_stages": REVIEW_STAGES,
    }


def _back() -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/") and not back.startswith("//") else url_for("claims.queue")


@bp.get("/claims/views")
def manage():
    """The person's saved views, to rename or delete."""
    return _manage()


def _manage(*, error: str | None = None, status: int = 200, editing: int | None = None):
    session = get_session()
    views = list_views(session=session, user_id=saved_id(signed_in_user()))
    named = {saved_views.filters_of(view.query).source for view in views} - {None}
    sources = source_names(session=session, ids={source for source in named if source is not None})
    users = dict(filter_choices(session=session)["users"])
    return render(
        "claims/views.html",
        "partials/_saved_view_table.html",
        "saved-view-table",
        status=status,
        error=error,
        editing=editing,
        describe=lambda query: describe_query(query, sources=sources, users=users),
        **views_context(),
    )


@bp.post("/claims/views")
def save():
    """Save the queue's current filters under a name."""
    user, query = signed_in_user(), request.form.get("query", "")
    try:
        view = saved_views.save_view(session=get_session(), user=user, name=request.form.get("name", ""), query=query)
    except InputError as error:
        if wants_fragment("queue-views"):
            return render(
                "partials/_queue_views.html",
                "partials/_queue_views.html",
                "queue-views",
                status=422,
                save_error=str(error),
                typed_name=request.form.get("name", ""),
                **views_context(query),
            )
        flash(str(error), "error")
        return redirect(url_for("claims.queue") + ("?" + query.lstrip("?") if query else ""), code=303)
    if wants_fragment("queue-views"):
        return render(
            "partials/_queue_views.html",
            "partials/_queue_views.html",
            "queue-views",
            saved_message=f"Saved “{view.name}”.",
            **views_context(view.query),
        )
    flash(f"Saved the view “{view.name}”.", "success")
    return redirect(url_for("claims.queue") + ("?" + view.query if view.query else ""), code=303)


def _own_view(view_id: int):
    view = saved_views.get_view(session=get_session(), user_id=saved_id(signed_in_user()), view_id=view_id)
    if view is None:
        abort(404)
    return view


@bp.post("/claims/views/<int:view_id>")
def rename(view_id: int):
    """Rename a saved view."""
    view = _own_view(view_id)
    try:
        saved_views.rename_view(
            session=get_session(), user=signed_in_user(), view=view, name=request.form.get("name", "")
        )
    except InputError as error:
        get_session().rollback()
        if wants_fragment("saved-view-table"):
            return _manage(error=str(error), status=422, editing=view_id)
        flash(str(error), "error")
        return redirect(url_for("queue_views.manage"), code=303)
    if wants_fragment("saved-view-table"):
        return _manage()
    flash(f"Renamed the view to “{view.name}”.", "success")
    return redirect(url_for("queue_views.manage"), code=303)


@bp.post("/claims/views/<int:view_id>/delete")
def delete(view_id: int):
    """Delete a saved view."""
    view = _own_view(view_id)
    name = view.name
    saved_views.delete_view(session=get_session(), view=view)
    if wants_fragment("saved-view-table"):
        return _manage()
    flash(f"Deleted the view “{name}”.", "success")
    return redirect(url_for("queue_views.manage"), code=303)


@bp.post("/account/queue-density")
def density():
    """Remember the queue's row layout (compact or comfortable) for the signed-in person."""
    try:
        saved_views.set_queue_density(
            session=get_session(), user=signed_in_user(), density=request.form.get("density", "")
        )
    except InputError as error:
        if wants_fragment("density-toggle"):
            return render(
                "partials/_density_toggle.html",
                "partials/_density_toggle.html",
                "density-toggle",
                status=422,
                density_error=str(error),
                **views_context(),
            )
        flash(str(error), "error")
        return redirect(_back(), code=303)
    if wants_fragment("density-toggle"):
        return render(
            "partials/_density_toggle.html", "partials/_density_toggle.html", "density-toggle", **views_context()
        )
    return redirect(_back(), code=303)
