"""Editing an article's details: title, outlet, URL and publication date (which re-resolves its claims' dates)."""

from __future__ import annotations

from flask import Blueprint, abort, request

from ..auth import acting_user
from ..db import get_session
from ..errors import InputError
from ..rendering import render
from ..services.article_edits import edit_article
from ..services.articles import get_article
from ..services.ingest import parse_published

bp = Blueprint("article_meta", __name__)


def _article_or_404(article_id: int):
    article = get_article(session=get_session(), article_id=article_id)
    if article is None:
        abort(404)
    return article


@bp.get("/articles/<int:article_id>/details")
def edit(article_id: int):
    """The form for an article's details."""
    return render(
        "articles/details.html",
        "partials/_article_details.html",
        "article-details",
        article=_article_or_404(article_id),
        changes=None,
        error=None,
        saved=False,
    )


@bp.post("/articles/<int:article_id>/details")
def save(article_id: int):
    """Save an article's details and show which claims' dates the new publication date changed."""
    session = get_session()
    article = _article_or_404(article_id)
    form = request.form
    try:
        changes = edit_article(
            session=session,
            article=article,
            title=form.get("title", ""),
            outlet=form.get("outlet", ""),
            url=form.get("url", ""),
            published=parse_published(form.get("published")),
            actor=acting_user(),
        )
    except InputError as error:
        session.rollback()
        session.refresh(article)
        return render(
            "articles/details.html",
            "partials/_article_details.html",
            "article-details",
            status=422,
            article=article,
            changes=None,
            error=str(error),
            saved=False,
            submitted=form,
        )
    return render(
        "articles/details.html",
        "partials/_article_details.html",
        "article-details",
        article=article,
        changes=changes,
        error=None,
        saved=True,
    )
