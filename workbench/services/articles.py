"""Reading articles and their claims for display."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Float, and_, case, cast, func, literal, or_
from sqlmodel import Session, col, select

from ..db import LIKE_ESCAPE, like_pattern
from ..models import Article, Claim, Source, Status
from .review import VERDICT_VALUES, is_final


def article_of(session: Session, claim: Claim) -> Article:
    """The article a claim belongs to (its foreign key guarantees one)."""
    article = session.get(Article, claim.article_id)
    if article is None:
        raise LookupError(f"Claim #{claim.id} points at article #{claim.article_id}, which does not exist.")
    return article


@dataclass(frozen=True)
class ArticleProgress:
    """An article with how many of its claims are done."""

    article: Article
    claims: int
    done: int

    @property
    def percent(self) -> int:
        """Share of claims with a verdict, 0–100."""
        return round(100 * self.done / self.claims) if self.claims else 0


ARTICLE_SORTS = {
    "ingested": "Newest ingested first",
    "published": "Newest published first",
    "progress": "Least verified first",
}
ARTICLE_PAGE = 50


@dataclass(frozen=True)
class ArticleListing:
    """One page of the article list and the cursor of the next page (None on the last)."""

    rows: list[ArticleProgress]
    next_cursor: str | None


def _sort_key(sort: str, counted, done):
    """The value an article is ordered by (descending, ties by id descending) for each sort."""
    if sort == "published":
        return func.coalesce(Article.published, literal(dt.date(1, 1, 1)))
    if sort == "progress":  # least verified first: order by the negated share done
        share = cast(func.coalesce(done, 0), Float) / case((func.coalesce(counted, 0) > 0, counted), else_=1)
        return cast(-share, Float)
    return Article.ingested_at


def _cursor_value(sort: str, raw: str):
    try:
        if sort == "published":
            return dt.date.fromisoformat(raw)
        if sort == "progress":
            return float(raw)
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        return None


def list_articles(
    *, session: Session, q: str = "", sort: str = "ingested", after: str = "", limit: int | None = None
) -> ArticleListing:
    """Return one page of articles (matching q in title or outlet) with their claim counts, in one query."""
    limit = limit or ARTICLE_PAGE
    sort = sort if sort in ARTICLE_SORTS else "ingested"
    done = func.sum(case((col(Claim.status).in_(VERDICT_VALUES), 1), else_=0))
    counted = func.sum(case((col(Claim.status) != Status.dismissed.value, 1), else_=0))
    key = _sort_key(sort, counted, done)
    query = (
        select(Article, func.coalesce(counted, 0), func.coalesce(done, 0), key)
        .join(Claim, col(Claim.article_id) == col(Article.id), isouter=True)
        .group_by(col(Article.id))
    )
    words = q.strip().lower()[:200]
    if words:
        pattern = like_pattern(words)
        query = query.where(
            or_(
                func.lower(Article.title).like(pattern, escape=LIKE_ESCAPE),
                func.lower(func.coalesce(Article.outlet, "")).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    raw, _, last_id = after.rpartition("|")
    value = _cursor_value(sort, raw) if raw and last_id.isdigit() else None
    if value is not None:
        keyset = or_(key < value, and_(key == value, col(Article.id) < int(last_id)))
        query = query.having(keyset) if sort == "progress" else query.where(keyset)
    rows = session.exec(query.order_by(key.desc(), col(Article.id).desc()).limit(limit + 1)).all()
    page = [ArticleProgress(article, int(total), int(finished)) for article, total, finished, _ in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last_key = rows[limit - 1][3]
        shown = last_key.isoformat() if hasattr(last_key, "isoformat") else repr(float(last_key))
        next_cursor = f"{shown}|{page[-1].article.id}"
    return ArticleListing(page, next_cursor)


@dataclass(frozen=True)
class Progress:
    """How far verification of one article has got."""

    claims: int
    done: int
    segments: list[tuple[str, int]]

    @property
    def percent(self) -> int:
        """Share of claims with a final verdict, 0–100."""
        return round(100 * self.done / self.claims) if self.claims else 0


STATUS_ORDER = [s.value for s in Status]


def progress_of(claims: list[Claim], *, require_approval: bool) -> Progress:
    """Count an article's claims by status, and those whose verdict is final."""
    counts: dict[str, int] = {}
    done = 0
    claims = [claim for claim in claims if claim.status is not Status.dismissed]  # "not a claim" is not counted
    for claim in claims:
        counts[claim.status.value] = counts.get(claim.status.value, 0) + 1
        if is_final(claim, require_approval=require_approval):
            done += 1
    segments = [(status, counts[status]) for status in STATUS_ORDER if counts.get(status)]
    return Progress(len(claims), done, segments)


def get_article(*, session: Session, article_id: int) -> Article | None:
    """Return one article."""
    return session.get(Article, article_id)


def article_claims(*, session: Session, article_id: int) -> list[tuple[Claim, str | None]]:
    """Return an article's claims in text order, each with its source's name."""
    query = (
        select(Claim, Source.name)
        .join(Source, col(Source.id) == col(Claim.source_id), isouter=True)
        .where(Claim.article_id == article_id)
        .order_by(col(Claim.start), col(Claim.id))
    )
    return list(session.exec(query))


def text_segments(text: str, claims: list[Claim]) -> list[tuple[str, Claim | None]]:
    """Cut the article text into plain runs and claim runs, in order, for highlighting in place."""
    segments: list[tuple[str, Claim | None]] = []
    cursor = 0
    for claim in sorted(claims, key=lambda c: (c.start, -c.end)):
        if claim.start < cursor:  # nested or overlapping span: its parent is already highlighted
            continue
        if claim.start > cursor:
            segments.append((text[cursor : claim.start], None))
        segments.append((text[claim.start : claim.end], claim))
        cursor = claim.end
    if cursor < len(text):
        segments.append((text[cursor:], None))
    return segments
