"""The editor dashboard and clearing articles."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role
from ..rendering import render
from ..services import dashboard as board
from ..services.articles import get_article
from ..services.review import STATUS_LABELS

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@require_role(Role.editor)
def index():
    """Per-article progress, counts by status, source and checker, and what waits for approval."""
    session = get_session()
    require_approval = current_app.config["REQUIRE_APPROVAL"]
    tally = board.claim_tally(session=session)
    statuses = board.status_counts(tally)
    sources = board.source_counts(session=session, tally=tally)
    return render("dashboard.html", "partials/_dashboard.html", "dashboard", labels=STATUS_LABELS,
                  articles=board.article_rows(session=session, require_approval=require_approval),
                  statuses=statuses, status_chart=board.bar_chart([(STATUS_LABELS[s], n) for s, n in statuses]),
                  status_bar_classes=[f"status-{s}" for s, _ in statuses], sources=sources,
                  source_chart=board.bar_chart([(name, n) for name, n, _ in sources]),
                  checkers=board.checker_counts(session=session, tally=tally),
                  waiting=board.awaiting_approval(session=session) if require_approval else [],
                  require_approval=require_approval)


@bp.post("/articles/<int:article_id>/clear")
@require_role(Role.editor)
def clear(article_id: int):
    """Clear an article for publication once nothing blocks it."""
    session = get_session()
    article = get_article(session=session, article_id=article_id)
    if article is None:
        abort(404)
    try:
        board.clear_article(session=session, article=article, actor=acting_user(),
                            require_approval=current_app.config["REQUIRE_APPROVAL"])
    except InputError as error:
        flash(f"“{article.title}”: {error}", "error")
    else:
        flash(f"“{article.title}” is cleared.", "success")
    return redirect(url_for("dashboard.index"), code=303)
