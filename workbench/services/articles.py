"""Reading articles and their claims for display."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func
from sqlmodel import Session, select

from ..models import Article, Claim, Source, Status
from .review import VERDICTS, is_final


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


def list_articles(*, session: Session, limit: int = 200) -> list[ArticleProgress]:
    """Return the newest articles with their claim counts, in one query."""
    done = func.sum(case((Claim.status.in_([s.value for s in VERDICTS]), 1), else_=0))
    counted = func.sum(case((Claim.status != Status.dismissed.value, 1), else_=0))
    query = (select(Article, func.coalesce(counted, 0), func.coalesce(done, 0))
             .join(Claim, Claim.article_id == Article.id, isouter=True)
             .group_by(Article.id).order_by(Article.ingested_at.desc(), Article.id.desc()).limit(limit))
    return [ArticleProgress(article, int(total), int(finished)) for article, total, finished in session.exec(query)]


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
    query = (select(Claim, Source.name).join(Source, Source.id == Claim.source_id, isouter=True)
             .where(Claim.article_id == article_id).order_by(Claim.start, Claim.id))
    return list(session.exec(query))


def text_segments(text: str, claims: list[Claim]) -> list[tuple[str, Claim | None]]:
    """Cut the article text into plain runs and claim runs, in order, for highlighting in place."""
    segments: list[tuple[str, Claim | None]] = []
    cursor = 0
    for claim in sorted(claims, key=lambda c: (c.start, -c.end)):
        if claim.start < cursor:  # nested or overlapping span: its parent is already highlighted
            continue
        if claim.start > cursor:
            segments.append((text[cursor:claim.start], None))
        segments.append((text[claim.start:claim.end], claim))
        cursor = claim.end
    if cursor < len(text):
        segments.append((text[cursor:], None))
    return segments
