"""The activity page: who did what, when, filtered by person, action, article and date."""

from __future__ import annotations

from flask import Blueprint, request

from ..auth import require_role
from ..db import get_session
from ..models import Role
from ..rendering import render
from ..services.activity import activity_choices, activity_page, describe_change, parse_activity_filters
from ..services.claim_detail import describe_event

bp = Blueprint("activity", __name__)


@bp.get("/activity")
@require_role(Role.editor)
def index():
    """Recent events of the audit chain, newest first; htmx swaps only the results when a filter changes."""
    session = get_session()
    filters = parse_activity_filters(request.args)
    events, next_before = activity_page(session=session, filters=filters)
    return render(
        "activity.html",
        "partials/_activity_results.html",
        "activity-results",
        events=events,
        next_before=next_before,
        filters=filters,
        choices=activity_choices(session=session),
        describe=describe_event,
        subject=describe_change,
    )
