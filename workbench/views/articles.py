"""Articles: the list, the ingest form and the article view."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from htmx_flask import request  # flask's request, typed with the .htmx attribute the extension adds

from ..auth import acting_user
from ..db import get_session
from ..errors import InputError
from ..rendering import render
from ..services import articles as article_service
from ..services.claim_edits import create_from_selection
from ..services.ingest import check_article_text, decode_article_bytes
from ..services.intake import ingest_submission
from ..services.review import STATUS_LABELS

bp = Blueprint("articles", __name__)


@bp.get("/")
def home():
    """Send the user to the article list."""
    return redirect(url_for("articles.index"))


@bp.get("/articles")
def index():
    """List articles with their verification progress: searched by title or outlet, sorted, paged by keyset."""
    q = (request.args.get("q") or "").strip()[:200]
    sort = request.args.get("sort") or "ingested"
    sort = sort if sort in article_service.ARTICLE_SORTS else "ingested"
    after = (request.args.get("after") or "")[:80]
    listing = article_service.list_articles(session=get_session(), q=q, sort=sort, after=after)
    return render(
        "articles/index.html",
        "partials/_article_list.html",
        "article-list",
        rows=listing.rows,
        next_cursor=listing.next_cursor,
        q=q,
        sort=sort,
        after=after,
        sorts=article_service.ARTICLE_SORTS,
    )


@bp.get("/articles/new")
def new():
    """Show the ingest form."""
    return render("articles/new.html", "partials/_ingest_form.html", "ingest-form", form={}, error=None)


@bp.post("/articles")
def create():
    """Ingest a pasted or uploaded article; on bad input, show the form again with the reason."""
    form = request.form
    try:
        upload = request.files.get("file")
        has_file = bool(upload and upload.filename)
        only_url = not has_file and not form.get("text", "").strip() and form.get("url", "").strip()
        text = None if only_url else _article_text_from_request()  # only a URL: fetched now, the checker waits
        result = ingest_submission(
            session=get_session(),
            config=current_app.config,
            actor=acting_user(),
            text=text,
            url=form.get("url"),
            title=form.get("title"),
            outlet=form.get("outlet"),
            section=form.get("section"),
            published=form.get("published"),
            filename=upload.filename if has_file else None,
        )
    except InputError as error:
        return render(
            "articles/new.html", "partials/_ingest_form.html", "ingest-form", status=422, form=form, error=str(error)
        )
    if result.duplicate:
        flash("This exact text was already ingested; here is the stored article.", "info")
    else:
        flash(f"Ingested “{result.article.title}” with {result.claims} claims.", "success")
    return redirect(url_for("articles.show", article_id=result.article.id), code=303)


def _article_text_from_request() -> str:
    max_bytes = current_app.config["MAX_ARTICLE_BYTES"]
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return decode_article_bytes(upload.read(max_bytes + 1), max_bytes=max_bytes, name=f"“{upload.filename}”")
    pasted = request.form.get("text", "")
    if not pasted.strip():
        raise InputError("Nothing to ingest: paste the article text or choose a .txt or .html file.")
    return check_article_text(pasted, max_bytes=max_bytes)


def _workspace(article_id: int, *, error: str | None = None, status: int = 200):
    session = get_session()
    article = article_service.get_article(session=session, article_id=article_id)
    if article is None:
        abort(404)
    claims = article_service.article_claims(session=session, article_id=article_id)
    plain = [claim for claim, _ in claims]
    return render(
        "articles/show.html",
        "partials/_article_workspace.html",
        "article-workspace",
        status=status,
        article=article,
        claims=claims,
        segments=article_service.text_segments(article.text, plain),
        progress=article_service.progress_of(plain, require_approval=current_app.config["REQUIRE_APPROVAL"]),
        labels=STATUS_LABELS,
        error=error,
    )


@bp.get("/articles/<int:article_id>")
def show(article_id: int):
    """Show an article's text with its claims highlighted in place, its progress, and the claim list."""
    return _workspace(article_id)


@bp.post("/articles/<int:article_id>/claims")
def create_claim(article_id: int):
    """Make a claim by hand from text the checker selected in the article."""
    session = get_session()
    article = article_service.get_article(session=session, article_id=article_id)
    if article is None:
        abort(404)
    start, end = request.form.get("start", ""), request.form.get("end", "")
    try:
        if not (start.isdigit() and end.isdigit()):
            raise InputError("Select some words in the article first.")
        claim = create_from_selection(
            session=session, article=article, start=int(start), end=int(end), actor=acting_user()
        )
    except InputError as error:
        if request.htmx:
            return _workspace(article_id, error=str(error), status=422)
        flash(str(error), "error")
        return redirect(url_for("articles.show", article_id=article_id), code=303)
    if request.htmx:
        return _workspace(article_id)
    flash(f"Created claim #{claim.id}.", "success")
    return redirect(url_for("articles.show", article_id=article_id), code=303)
