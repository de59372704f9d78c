"""The editor dashboard and clearing articles."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for

from ..auth import require_role, signed_in_user
from ..db import get_session
from ..errors import InputError
from ..models import Role
from ..rendering import render, wants_fragment
from ..services import dashboard as board
from ..services.activity import verdicts_given
from ..services.articles import get_article
from ..services.review import STATUS_LABELS

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@require_role(Role.editor)
def index():
    """Per-article progress, counts by status, every source, verdicts per person, and what waits for approval."""
    session = get_session()
    require_approval = current_app.config["REQUIRE_APPROVAL"]
    tally = board.claim_tally(session=session)
    page = request.args.get("sources_page", "1")
    sources = board.source_page(
        session=session,
        tally=tally,
        sort=request.args.get("sources_sort", "claims"),
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )
    if wants_fragment("dashboard-sources"):
        return render(
            "dashboard.html",
            "partials/_dashboard_sources.html",
            "dashboard-sources",
            sources=sources,
            sorts=board.SOURCE_SORTS,
        )
    statuses = board.status_counts(tally)
    top = board.source_counts(session=session, tally=tally)
    median, sample = board.median_days_to_final(session=session, require_approval=require_approval)
    return render(
        "dashboard.html",
        "partials/_dashboard.html",
        "dashboard",
        labels=STATUS_LABELS,
        articles=board.article_rows(session=session, require_approval=require_approval),
        article_limit=board.ARTICLE_LIMIT,
        statuses=statuses,
        status_chart=board.bar_chart([(STATUS_LABELS[s], n) for s, n in statuses]),
        status_bar_classes=[f"status-{s}" for s, _ in statuses],
        sources=top,
        source_chart=board.bar_chart([(name, n) for name, n, _ in top]),
        all_sources=sources,
        sorts=board.SOURCE_SORTS,
        checkers=board.checker_counts(session=session, tally=tally),
        verdicts_given=verdicts_given(session=session),
        median_days=median,
        median_sample=sample,
        waiting=board.awaiting_approval(session=session) if require_approval else [],
        require_approval=require_approval,
    )


@bp.post("/articles/<int:article_id>/clear")
@require_role(Role.editor)
def clear(article_id: int):
    """Clear an article for publication once nothing blocks it."""
    session = get_session()
    article = get_article(session=session, article_id=article_id)
    if article is None:
        abort(404)
    try:
        board.clear_article(
            session=session,
            article=article,
            actor=signed_in_user(),
            require_approval=current_app.config["REQUIRE_APPROVAL"],
        )
    except InputError as error:
        flash(f"“{article.title}”: {error}", "error")
    else:
        flash(f"“{article.title}” is cleared.", "success")
    return redirect(url_for("dashboard.index"), code=303)
