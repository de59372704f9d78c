"""The editor dashboard: progress per article, counts by status, source and checker, what blocks clearance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sql_select  # more columns than sqlmodel.select is typed for
from sqlmodel import Session, col, select

from ..audit import record_event
from ..counts import AWAITING, kept_claim_counts
from ..errors import InputError
from ..models import Article, Claim, ClaimCount, Source, Status, User, saved_id, utcnow
from .desk import approval_queue
from .review import COUNTED, OPEN_VALUES, VERDICT_VALUES, final_in_sql

ARTICLE_LIMIT = 50


@dataclass(frozen=True)
class ArticleHead:
    """What the dashboard shows of an article itself (read as columns: 50 ORM objects cost more than the query)."""

    id: int
    title: str
    cleared_at: dt.datetime | None


# The statuses counted, in workflow order, read once (an enum's .value is a property call per use).
_COUNTED_VALUES = tuple(s.value for s in COUNTED)
_FLAGGED_VALUES = frozenset({Status.false.value, Status.misleading.value})


@dataclass(frozen=True)
class ArticleRow:
    """One article's verification state."""

    article: Article | ArticleHead
    counts: dict[str, int]
    total: int
    pending_approval: int
    final: int
    open: int  # claims without a verdict yet

    @property
    def percent(self) -> int:
        """Share of claims whose verdict is final."""
        return round(100 * self.final / self.total) if self.total else 0

    @property
    def blockers(self) -> list[str]:
        """What keeps the article from being cleared, in words."""
        reasons = []
        if self.open:
            reasons.append(f"{self.open} claim{'s' if self.open != 1 else ''} without a verdict")
        if self.pending_approval:
            reasons.append(
                f"{self.pending_approval} verdict{'s' if self.pending_approval != 1 else ''} awaiting approval"
            )
        return reasons


def article_rows(*, session: Session, require_approval: bool, limit: int = ARTICLE_LIMIT) -> list[ArticleRow]:
    """Return the newest articles with claim counts by status, from the kept counts (two small queries)."""
    articles = [
        ArticleHead(article_id, title, cleared_at)
        for article_id, title, cleared_at in session.exec(
            select(Article.id, Article.title, Article.cleared_at)
            .order_by(col(Article.ingested_at).desc(), col(Article.id).desc())
            .limit(limit)
        )
        if article_id is not None
    ]
    ids = [a.id for a in articles] or [-1]
    kept = session.exec(
        select(ClaimCount.scope_id, ClaimCount.status, ClaimCount.n).where(
            col(ClaimCount.scope) == "article", col(ClaimCount.scope_id).in_(ids), col(ClaimCount.n) != 0
        )
    )
    counts: dict[int, dict[str, int]] = {}
    for article_id, status, n in kept:
        counts.setdefault(article_id, {})[status] = n
    return [_row(article, counts.get(article.id, {}), require_approval) for article in articles]


def _counted_row(session: Session, article: Article, require_approval: bool) -> ArticleRow:
    """One article's row counted from its claims themselves: what clearing an article decides on."""
    by_status: dict[str, int] = {}
    for status, approved, n in session.exec(
        select(Claim.status, col(Claim.approved_by_id).is_not(None), func.count())
        .where(col(Claim.article_id) == article.id)
        .group_by(col(Claim.status), col(Claim.approved_by_id).is_not(None))
    ):
        name = str(getattr(status, "value", status))
        by_status[name] = by_status.get(name, 0) + n
        if name in VERDICT_VALUES and not approved:
            by_status[AWAITING] = by_status.get(AWAITING, 0) + n
    return _row(article, by_status, require_approval)


def _row(article: Article | ArticleHead, counts: dict[str, int], require_approval: bool) -> ArticleRow:
    """An article's row from its claims counted by status (and "awaiting": verdicts without an approval)."""
    by_status = {value: counts[value] for value in _COUNTED_VALUES if counts.get(value)}  # "not a claim": not counted
    verdicts = sum(n for value, n in by_status.items() if value in VERDICT_VALUES)
    waiting = counts.get(AWAITING, 0) if require_approval else 0
    opened = sum(n for value, n in by_status.items() if value in OPEN_VALUES)
    return ArticleRow(article, by_status, sum(by_status.values()), waiting, verdicts - waiting, opened)


class Tally:
    """Claims counted by status overall, per source and per assignee, filed by scope once when read."""

    def __init__(self, counts: dict[tuple[str, int, str], int]):
        """counts: (scope, scope_id, status) -> n; "not a claim" is left out (it is not counted)."""
        self._scopes: dict[str, list[tuple[int, str, int]]] = {}
        dismissed = Status.dismissed.value
        for (scope, scope_id, status), n in counts.items():
            if status != dismissed:
                self._scopes.setdefault(scope, []).append((scope_id, status, n))

    def scope(self, name: str) -> list[tuple[int, str, int]]:
        """(scope_id, status, n) of one scope."""
        return self._scopes.get(name, [])


def claim_tally(*, session: Session) -> Tally:
    """Read the kept counts the dashboard's three tables come from (kept current by every write, not recounted)."""
    return Tally(kept_claim_counts(session=session, scopes=("all", "source", "assignee")))


def status_counts(tally: Tally) -> list[tuple[str, int]]:
    """Return how many claims have each status, in workflow order."""
    found = {status: n for _, status, n in tally.scope("all")}
    return [(s.value, found.get(s.value, 0)) for s in COUNTED]


def _per_source(tally: Tally) -> dict[int, list[int]]:
    """Claims and claims judged false or misleading, per source id, from one pass over the tally."""
    totals: dict[int, list[int]] = {}
    for source, status, n in tally.scope("source"):
        entry = totals.setdefault(source, [0, 0])
        entry[0] += n
        entry[1] += n if status in _FLAGGED_VALUES else 0
    return totals


def source_counts(*, session: Session, tally: Tally, limit: int = 12) -> list[tuple[str, int, int]]:
    """Return the sources with the most claims: (name, claims, claims judged false or misleading)."""
    totals = _per_source(tally)
    top = sorted(totals.items(), key=lambda item: -item[1][0])[:limit]
    names = dict(
        session.exec(select(Source.id, Source.name).where(col(Source.id).in_([i for i, _ in top] or [-1]))).all()
    )
    return sorted(((names[i], total, flagged) for i, (total, flagged) in top), key=lambda r: (-r[1], r[0]))


def checker_counts(*, session: Session, tally: Tally) -> list[tuple[str, int, int]]:
    """Return each assignee's claims: (name, open, with a verdict)."""
    per_user: dict[int, list[int]] = {}
    for assignee, status, n in tally.scope("assignee"):
        entry = per_user.setdefault(assignee, [0, 0])
        entry[0 if status in OPEN_VALUES else 1] += n
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(list(per_user) or [-1]))).all())
    return sorted((names[i], opened, judged) for i, (opened, judged) in per_user.items())


def awaiting_approval(*, session: Session, limit: int = 20) -> list[tuple[Claim, str]]:
    """Return verdicts that wait for an editor (not sent back), oldest first."""
    return [(row.claim, row.article_title) for row in approval_queue(session=session, limit=limit)]


def clear_article(*, session: Session, article: Article, actor: User, require_approval: bool) -> Article:
    """An editor clears an article once every claim has a final verdict."""
    row = _counted_row(session, article, require_approval)
    if article.cleared_at is not None:
        raise InputError("This article is already cleared.")
    if row.blockers:
        raise InputError("Not cleared: " + "; ".join(row.blockers) + ".")
    article.cleared_at = utcnow()
    session.add(article)
    record_event(
        session=session,
        actor=actor,
        entity_type="article",
        entity_id=saved_id(article),
        action="clear",
        after={"cleared_at": article.cleared_at.isoformat()},
    )
    session.commit()
    return article


def bar_chart(items: list[tuple[str, int]], *, width: int = 400, bar: int = 18, gap: int = 6) -> dict:
    """Lay out a horizontal bar chart as plain numbers for an inline SVG template.

    When one bar dwarfs the rest (more than four times the next), the chart is scaled to the next largest and
    the dominant bar is drawn cut (``broken``) with its true value, so the other bars stay readable.
    """
    values = sorted((n for _, n in items), reverse=True)
    biggest = values[0] if values else 0
    runner_up = values[1] if len(values) > 1 else 0
    broken_at = biggest if biggest and runner_up and biggest > 4 * runner_up else None
    scale = (runner_up if broken_at else biggest) or 1
    label_width = 170
    room = width - label_width - 40
    bars = [
        {
            "label": label,
            "value": n,
            "y": i * (bar + gap),
            "broken": n == broken_at,
            "width": round(room if n == broken_at else room * min(n, scale) / scale * (0.8 if broken_at else 1), 1),
        }
        for i, (label, n) in enumerate(items)
    ]
    return {
        "bars": bars,
        "height": max(len(items) * (bar + gap), bar),
        "bar": bar,
        "label_width": label_width,
        "width": width,
        "broken": broken_at is not None,
    }


SOURCE_SORTS = {"claims": "Most claims", "flagged": "Most false or misleading", "name": "Name"}
SOURCE_PAGE = 25


@dataclass(frozen=True)
class SourcePage:
    """One page of every source's claims and claims judged false or misleading."""

    rows: list[tuple[int, str, int, int]]
    page: int
    pages: int
    sort: str
    total: int


def source_page(*, session: Session, tally: Tally, sort: str = "claims", page: int = 1) -> SourcePage:
    """Return one page of all sources with claims, sorted by claims, flagged claims or name."""
    sort = sort if sort in SOURCE_SORTS else "claims"
    totals = _per_source(tally)
    names = (
        dict(session.exec(select(Source.id, Source.name).where(col(Source.id).in_(list(totals) or [-1]))).all())
        if sort == "name" or len(totals) <= 5000
        else None
    )
    rows = list(totals.items())
    if sort == "name":
        assert names is not None  # read above whenever the sort is by name
        known = names
        rows.sort(key=lambda item: known.get(item[0], "").lower())
    else:
        rows.sort(key=lambda item: (-item[1][1 if sort == "flagged" else 0], -item[1][0], item[0]))
    pages = max(1, -(-len(rows) // SOURCE_PAGE))
    page = min(max(1, page), pages)
    chosen = rows[(page - 1) * SOURCE_PAGE : page * SOURCE_PAGE]
    if names is None:
        names = dict(
            session.exec(select(Source.id, Source.name).where(col(Source.id).in_([i for i, _ in chosen] or [-1]))).all()
        )
    return SourcePage(
        [(i, names.get(i, "?"), total, flagged) for i, (total, flagged) in chosen], page, pages, sort, len(rows)
    )


def median_days_to_final(*, session: Session, require_approval: bool, sample: int = 1000) -> tuple[float | None, int]:
    """Return the median time (in days) from ingest to a final verdict over the latest final verdicts, and how many.

    The latest 1,000 are a steady sample of the desk's pace (the page says how many). The database works out each
    duration (and on PostgreSQL the median itself, as percentile_cont does: the middle two averaged for an even
    count), so no timestamps come back to parse.
    """
    final, final_at = final_in_sql(require_approval=require_approval)
    # The latest final verdicts by the date that made them final: every one has it (review.status_values and the
    # approval write it), and a partial index holds just the claims that have it (0023a), so the query reads 1,000
    # index entries instead of walking claims by their last change and testing each (1.1 s at a million claims
    # under approval, when few are approved yet; 5.7 ms without).
    dated = col(Claim.approved_at) if require_approval else col(Claim.verdict_at)
    final = final & dated.is_not(None)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        days = func.julianday(final_at) - func.julianday(Article.ingested_at)
    else:
        days = func.extract("epoch", final_at - col(Article.ingested_at)) / 86400
    latest = (
        sql_select(days.label("days"))
        .select_from(Claim)
        .join(Article, col(Article.id) == col(Claim.article_id))
        .where(final, col(Article.ingested_at).is_not(None))
        .order_by(dated.desc(), col(Claim.id).desc())
        .limit(sample)
    )
    if not sqlite:  # one row back instead of 1,000 numbers to convert (about 6 ms of the dashboard at a million)
        sampled = latest.subquery()
        median, count = session.execute(
            sql_select(func.percentile_cont(0.5).within_group(sampled.c.days), func.count(sampled.c.days))
        ).one()
        return (float(median) if count else None), count
    durations = sorted(float(value) for (value,) in session.execute(latest) if value is not None)
    if not durations:
        return None, 0
    middle = len(durations) // 2
    median = durations[middle] if len(durations) % 2 else (durations[middle - 1] + durations[middle]) / 2
    return median, len(durations)
