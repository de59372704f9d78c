"""Articles in the API: ingest from text or a URL, a paged list filtered by date and outlet, one with its claims."""

from __future__ import annotations

from flask import current_app, request, url_for
from spectree import Response
from sqlmodel import select

from ..auth import acting_user
from ..db import get_session
from ..errors import InputError
from ..models import Article
from ..services import articles as article_service
from ..services.intake import ingest_submission
from . import bp, json_body, schemas, spec
from .claims import ERRORS
from .problems import ApiProblem
from .serialise import article_out, claim_out


@bp.get("/articles")
@spec.validate(query=schemas.ArticleQuery, resp=Response(HTTP_200=schemas.ArticlePage, **ERRORS), tags=["articles"])
def list_articles():
    """List articles, newest first, filtered by outlet and publication date; follow `next` for more."""
    query = request.context.query
    conditions = []
    if query.outlet:
        conditions.append(Article.outlet == query.outlet)
    if query.published_from:
        conditions.append(Article.published >= query.published_from)
    if query.published_to:
        conditions.append(Article.published <= query.published_to)
    if query.after:
        conditions.append(Article.id < query.after)
    rows = (
        get_session().exec(select(Article).where(*conditions).order_by(Article.id.desc()).limit(query.limit + 1)).all()
    )
    page = rows[: query.limit]
    following = None
    if len(rows) > query.limit:
        args = {k: v for k, v in query.model_dump(mode="json").items() if v is not None}
        following = url_for("api.list_articles", **{**args, "after": page[-1].id}, _external=True)
    return schemas.ArticlePage(items=[article_out(article) for article in page], next=following)


@bp.get("/articles/<int:article_id>")
@spec.validate(resp=Response(HTTP_200=schemas.ArticleDetailOut, **ERRORS), tags=["articles"])
def get_one_article(article_id: int):
    """Read an article with its text and its claims in text order."""
    session = get_session()
    article = article_service.get_article(session=session, article_id=article_id)
    if article is None:
        raise ApiProblem(404, f"There is no article #{article_id}.")
    claims = [
        claim_out(claim, article_title=article.title, source=source)
        for claim, source in article_service.article_claims(session=session, article_id=article_id)
    ]
    return schemas.ArticleDetailOut(**article_out(article).model_dump(), text=article.text, claims=claims)


@bp.post("/articles")
@spec.validate(
    json=schemas.ArticleIn,
    resp=Response(HTTP_200=schemas.IngestOut, HTTP_201=schemas.IngestOut, **ERRORS),
    tags=["articles"],
)
def create_article():
    """Ingest an article from its text, or from a URL fetched now with the safe fetcher; a known text is not stored twice."""
    body = json_body()
    try:
        result = ingest_submission(
            session=get_session(),
            config=current_app.config,
            actor=acting_user(),
            text=body.text,
            url=body.url,
            title=body.title,
            outlet=body.outlet,
            section=body.section,
            published=body.published,
        )
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(422, str(error)) from None
    out = schemas.IngestOut(article=article_out(result.article), claims=result.claims, duplicate=result.duplicate)
    location = url_for("api.get_one_article", article_id=result.article.id, _external=True)
    return out, 200 if result.duplicate else 201, {"Location": location}
