"""The review queue: filtered, searched, sorted claims, paged by keyset so that page 1,000 is as fast as page 1."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, column, func, or_, table, text
from sqlalchemy.orm import Mapped, aliased
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlmodel import Session, col, select

from ..models import Article, Claim, Evidence, Source, Status, User
from .matching import checked_before_clause
from .review import VERDICT_VALUES, counting_evidence
from .sources import source_id_named, source_name

SORTS = {
    "score": "Most check-worthy first",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "updated": "Recently changed",
}
PAGE_SIZE = 50
# Review stages as seen by the person asking: verdicts of theirs an editor sent back, and verdicts they may approve.
REVIEW_STAGES = {"sent_back": "Sent back to me", "to_approve": "Awaiting my approval"}
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; every field round-trips through the URL."""

    status: tuple[str, ...] = ()
    source: int | None = None
    article: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    min_score: float | None = None
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    q: str = ""
    checked_before: bool = False
    review: str = ""  # "", or one of REVIEW_STAGES
    sort: str = "score"
    after: str = ""
    before: str = ""
    problems: tuple[str, ...] = field(default=(), compare=False)

    def to_args(self, **changes) -> dict:
        """Return the filters as URL query arguments (empty ones left out)."""
        values = replace(self, **changes) if changes else self
        args = {
            "status": list(values.status),
            "source": values.source,
            "article": values.article,
            "assignee": values.assignee,
            "min_score": values.min_score,
            "published_from": values.published_from,
            "published_to": values.published_to,
            "q": values.q,
            "checked_before": "1" if values.checked_before else "",
            "review": values.review,
            "sort": values.sort if values.sort != "score" else "",
            "after": values.after,
            "before": values.before,
        }
        return {k: v for k, v in args.items() if v not in (None, "", [])}


def parse_filters(args) -> QueueFilters:
    """Read filters from query arguments; a bad value is dropped and reported, never fatal."""
    problems = []

    def number(name, kind):
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return kind(raw)
        except ValueError:
            problems.append(f"Ignored {name}={raw[:20]!r}: not a number.")
            return None

    def date(name):
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            problems.append(f"Ignored {name}={raw[:20]!r}: use YYYY-MM-DD.")
            return None

    statuses = tuple(s for s in args.getlist("status") if s)
    for bad in [s for s in statuses if s not in Status.__members__]:
        problems.append(f"Ignored unknown status {bad[:20]!r}.")
    sort = args.get("sort") or "score"
    if sort not in SORTS:
        problems.append(f"Ignored unknown sort {sort[:20]!r}.")
        sort = "score"
    min_score = number("min_score", float)
    assignee = (args.get("assignee") or "").strip()
    if assignee not in {"", "me", "none"} and not assignee.isdigit():
        problems.append(f"Ignored assignee={assignee[:20]!r}.")
        assignee = ""
    review = (args.get("review") or "").strip()
    if review and review not in REVIEW_STAGES:
        problems.append(f"Ignored review={review[:20]!r}.")
        review = ""
    return QueueFilters(
        status=tuple(s for s in statuses if s in Status.__members__),
        source=number("source", int),
        article=number("article", int),
        assignee=assignee,
        min_score=None if min_score is None else max(0.0, min(1.0, min_score)),
        published_from=date("published_from"),
        published_to=date("published_to"),
        q=(args.get("q") or "").strip()[:200],
        checked_before=args.get("checked_before") == "1",
        review=review,
        sort=sort,
        after=(args.get("after") or "")[:64],
        before="" if args.get("after") else (args.get("before") or "")[:64],
        problems=tuple(problems),
    )


def with_typed_source(*, session: Session, filters: QueueFilters, args) -> QueueFilters:
    """Apply the filter form's typed source (`source_name`, a name or alias) as the source id the URL keeps.

    Present and empty clears the source filter; a name no source has is ignored with a problem the page shows.
    Without `source_name` (a link, a saved view), or with the name of the `source` id sent along, the id stands.
    """
    if "source_name" not in args:
        return filters
    typed = " ".join((args.get("source_name") or "").split())
    if not typed:
        return replace(filters, source=None)
    if filters.source is not None and source_name(session=session, source_id=filters.source) == typed:
        return filters  # the form sends the id it shows along with its name: kept as it is
    found = source_id_named(session=session, name=typed)
    if found is None:
        return replace(
            filters, source=None, problems=(*filters.problems, f"No source is called {typed[:60]!r}; ignored.")
        )
    return replace(filters, source=found)


@dataclass(frozen=True)
class QueueRow:
    """A claim as the queue shows it, with the names it needs (fetched in the same query)."""

    claim: Claim
    article_title: str
    source_name: str | None
    assignee_name: str | None
    evidence_count: int = 0


# Up to this many matches, the queue fetches the matching claims and sorts them; beyond it (a common word), it
# walks the sort order and keeps the claims that match, which stops as soon as a page is full.
SELECTIVE_MATCHES = 2000
_FTS = table("claim_fts", column("rowid"))
# Only words this short are looked up claim by claim when very common (DENSE_MATCHES): prefixes up to this length
# have FTS5 indexes of their own (migrations 0020p, 0022f, 0024p: 1 to 12 characters), so each lookup reads one
# list. A longer prefix is merged from the lists of every word that starts with it, again for every claim looked up
# ("according" before 0024p: 1.5 s for a page at a million claims, 14 ms with its index).
DENSE_WORD_CHARS = 12
# Above this share of claims matching, at both ends of the claims (the newest and the oldest matches: a word can
# crowd one period and be rare along the sort order, which the lookup would then walk far), a one-word indexed
# prefix is looked up claim by claim along the sort order rather than listed first (at a million claims: "in", 61 %
# of claims, 5 ms against 79; "ministry", 61 %, 7 against 83; "gd", 7 %, 43 against 9).
DENSE_MATCHES = 0.15
# Sorted by id (newest or oldest first), a common word's page is read from the full-text index itself, which lists
# its matches in id order: the page stops when full, whatever the share ("according" 34 ms listed first, 64 looked up
# claim by claim, 0.2 read in the index's order).
ID_ORDER_SORTS = ("newest", "oldest")


def _few_claims(session: Session, conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """A condition that is usually met by few claims, as the list of their ids when it is (up to SELECTIVE_MATCHES).

    Given the condition itself, SQLite walks the sort order's index and tests every claim, because it cannot know
    that one person has only a handful of verdicts sent back (2.4 s at 200,000 claims); given the ids, it fetches
    them and sorts them. Beyond the cap, the condition is returned as it is.
    """
    found = session.exec(select(Claim.id).where(*conditions).limit(SELECTIVE_MATCHES + 1)).all()
    if len(found) > SELECTIVE_MATCHES:
        return and_(*conditions)
    return col(Claim.id).in_(found) if found else col(Claim.id).is_(None)


def narrowed(filters: QueueFilters) -> bool:
    """Whether an indexed filter (one article, source or assignee, a review stage, dates, claims checked before) can
    find the claims before the search does. Then a common word is neither read in the full-text index's order nor
    looked up claim by claim along the sort order, which both assume the word as common among those claims as among
    all: for one article's claims, walking the index of "ministry" took 2.5 s at a million claims, and looking up
    each of one source's claims, none of which said it, 0.5 s; listing its matches first, about 0.1 s."""
    return (
        filters.article is not None
        or filters.source is not None
        or bool(filters.assignee)
        or bool(filters.review)
        or bool(filters.published_from or filters.published_to)
        or bool(filters.checked_before)
    )


@dataclass(frozen=True)
class Search:
    """The words of a search as the database takes them, and whether they match many claims (see SELECTIVE_MATCHES)."""

    dialect: str
    match: str  # an FTS5 MATCH expression (SQLite) or a tsquery (PostgreSQL); every word is a prefix
    common: bool
    empty: bool = False
    dense: bool = False  # SQLite: one word, short enough for a prefix index, in more than DENSE_MATCHES of claims

    def reads_index_order(self, filters: QueueFilters) -> bool:
        """SQLite, a common search sorted by id and not narrowed (narrowed()): the page joins the full-text index and
        follows its order."""
        return (
            self.dialect == "sqlite"
            and self.common
            and not self.empty
            and filters.sort in ID_ORDER_SORTS
            and not narrowed(filters)
        )

    def condition(self, *, index_order: bool = False, narrowed: bool = False):
        """The condition the page query filters by, in the form that gives the right plan (index_order: the page
        joins claim_fts and follows its order, see reads_index_order; narrowed: see narrowed())."""
        if self.empty:
            return col(Claim.id).is_(None)
        if self.dialect == "sqlite":
            if index_order:  # claim_fts is joined (queue_page): its matches come out in order
                return text("claim_fts MATCH :match").bindparams(match=self.match)
            if self.dense and not narrowed:
                # Very common short words ("in", "the"): their one list each is searched for the claim at hand while
                # the sort order's index is walked, so the page stops when full (listing the 600,000 claims with
                # "in" first took 85 ms at a million, this 5). A longer prefix would be merged again for every claim.
                return text(
                    "EXISTS (SELECT 1 FROM claim_fts WHERE claim_fts MATCH :match AND claim_fts.rowid = claim.id)"
                ).bindparams(match=self.match)
            if self.common:
                # The unary + keeps SQLite from driving the query by the (huge) match list: it walks the sort order's
                # index and checks each claim against the matches, stopping when the page is full. (A lookup of each
                # claim in the FTS index instead costs a full prefix merge per claim: 40 ms each for "grain*".)
                return text("+claim.id IN (SELECT rowid FROM claim_fts WHERE claim_fts MATCH :match)").bindparams(
                    match=self.match
                )
            return text("claim.id IN (SELECT rowid FROM claim_fts WHERE claim_fts MATCH :match)").bindparams(
                match=self.match
            )
        if self.common:  # the planner walks the sort order's index and checks each claim's stored tsvector
            return text("claim.text_tsv @@ to_tsquery('simple', :tsquery)").bindparams(tsquery=self.match)
        # The matches first (one GIN lookup), then the claims by primary key: never a walk through the sort order.
        return text(
            "claim.id = ANY(ARRAY(SELECT inner_claim.id FROM claim AS inner_claim "
            "WHERE inner_claim.text_tsv @@ to_tsquery('simple', :tsquery)))"
        ).bindparams(tsquery=self.match)

    def count_condition(self):
        """The condition for counting (up to COUNT_CAP): for a common word, a plan that stops at the cap."""
        if self.dialect == "postgresql" and self.common and not self.empty:
            # Not indexable on purpose: a GIN lookup of a common word builds a bitmap of every match before the
            # count can stop; scanning the table stops after COUNT_CAP matches, a few thousand rows in.
            return text("(claim.text_tsv @@ to_tsquery('simple', :tsquery)) IS TRUE").bindparams(tsquery=self.match)
        return self.condition()


def _share_of_claims(session: Session, match: str, *, newest_first: bool) -> tuple[int, float]:
    """SQLite: the newest (or oldest) matches up to the cap, and the share of the claims they spread over that match.

    FTS5 reads its lists from either end as cheaply; with a prefix index (up to DENSE_WORD_CHARS) this is 0.2 ms at a
    million claims, however common the word.
    """
    direction, far, bound = ("DESC", "min", "max") if newest_first else ("ASC", "max", "min")
    found, last, end = session.execute(
        text(
            f"SELECT count(*), {far}(rowid), (SELECT {bound}(id) FROM claim) FROM (SELECT rowid FROM claim_fts "
            f"WHERE claim_fts MATCH :match ORDER BY rowid {direction} LIMIT :cap)"
        ),
        {"match": match, "cap": SELECTIVE_MATCHES + 1},
    ).one()
    return found, found / max(1, abs(end - last) + 1) if found else 0.0


def plan_search(session: Session, q: str) -> Search | None:
    """Turn the search box into a Search: words become prefixes (as typed), and common words are told apart."""
    words = _WORD.findall(q)[:8]
    if not words:
        return None
    if session.get_bind().dialect.name == "sqlite":
        match = " AND ".join('"' + word.replace('"', "") + '"*' for word in words)
        # The newest matches up to the cap: how many there are, and over how many claims they spread (the share of
        # claims that match, from the newest ones: FTS5 reads its lists backwards as cheaply as forwards).
        found, share = _share_of_claims(session, match, newest_first=True)
        common = found > SELECTIVE_MATCHES
        if common and len(words) == 1 and len(words[0]) <= DENSE_WORD_CHARS and share > DENSE_MATCHES:
            share = min(share, _share_of_claims(session, match, newest_first=False)[1])
        else:
            share = 0.0
        return Search("sqlite", match, common=common, empty=found == 0, dense=share > DENSE_MATCHES)
    tsquery = " & ".join(f"{word}:*" for word in words)
    # The planner's estimate (from ANALYZE's statistics of the words) is enough to choose, and costs no lookup.
    plan = session.execute(
        text("EXPLAIN (FORMAT JSON) SELECT 1 FROM claim WHERE text_tsv @@ to_tsquery('simple', :tsquery)"),
        {"tsquery": tsquery},
    ).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return Search("postgresql", tsquery, common=plan[0]["Plan"]["Plan Rows"] > SELECTIVE_MATCHES)


def _order_and_cursor(sort: str, after: str, *, backwards: bool = False):
    """Return the ORDER BY columns and the keyset condition for the rows after the cursor (before it, backwards)."""
    if backwards:
        return _order_before(sort, after)
    order: list[UnaryExpression[Any]]
    condition: ColumnElement[bool] | None
    if sort == "newest":
        order = [col(Claim.id).desc()]
        condition = col(Claim.id) < int(after) if after.isdigit() else None
    elif sort == "oldest":
        order = [col(Claim.id).asc()]
        condition = col(Claim.id) > int(after) if after.isdigit() else None
    elif sort == "updated":
        order = [col(Claim.updated_at).desc(), col(Claim.id).desc()]
        condition = None
        if "|" in after:
            stamp, _, last_id = after.partition("|")
            try:
                when = dt.datetime.fromisoformat(stamp)
            except ValueError:
                when = None
            if when and last_id.isdigit():
                condition = and_(
                    col(Claim.updated_at) <= when, or_(col(Claim.updated_at) < when, col(Claim.id) < int(last_id))
                )
    else:
        order = [col(Claim.checkworthiness).desc(), col(Claim.id).desc()]
        condition = None
        if "|" in after:
            score, _, last_id = after.partition("|")
            try:
                value = float(score)
            except ValueError:
                value = None
            if value is not None and last_id.isdigit():
                condition = and_(
                    col(Claim.checkworthiness) <= value,
                    or_(col(Claim.checkworthiness) < value, col(Claim.id) < int(last_id)),
                )
    return order, condition


def _order_before(sort: str, before: str):
    """The reversed ORDER BY and the keyset condition for the rows just before the cursor (the previous page)."""
    if sort in {"newest", "oldest"}:
        newest = sort == "newest"
        order = [col(Claim.id).asc() if newest else col(Claim.id).desc()]
        condition = None
        if before.isdigit():
            condition = col(Claim.id) > int(before) if newest else col(Claim.id) < int(before)
        return order, condition
    column: Mapped[Any] = col(Claim.updated_at) if sort == "updated" else col(Claim.checkworthiness)
    order = [column.asc(), col(Claim.id).asc()]
    condition = None
    if "|" in before:
        raw, _, last_id = before.partition("|")
        value: dt.datetime | float | None
        try:
            value = dt.datetime.fromisoformat(raw) if sort == "updated" else float(raw)
        except ValueError:
            value = None
        if value is not None and last_id.isdigit():
            condition = and_(column >= value, or_(column > value, col(Claim.id) > int(last_id)))
    return order, condition


def _index_order_and_cursor(sort: str, cursor: str, *, backwards: bool):
    """Newest or oldest first, in the full-text index's rowids (the claims' ids): FTS5 then gives the matches in
    order and takes the cursor as a bound, so the page reads only its own rows of the index."""
    rowid = _FTS.c.rowid
    descending = (sort == "newest") != backwards
    order = [rowid.desc() if descending else rowid.asc()]
    if not cursor.isdigit():
        return order, None
    return order, (rowid < int(cursor)) if descending else (rowid > int(cursor))


def cursor_for(sort: str, claim: Claim) -> str:
    """Return the cursor that continues the queue after this claim."""
    if sort in {"newest", "oldest"}:
        return str(claim.id)
    if sort == "updated":
        return f"{claim.updated_at.isoformat()}|{claim.id}"
    return f"{claim.checkworthiness!r}|{claim.id}"


@functools.cache
def rows_select():
    """Claims with the names a queue row shows, fetched in the same query (built once: statements are immutable)."""
    assignee = aliased(User)
    evidence = (
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.claim_id == Claim.id, counting_evidence())
        .correlate(Claim)
        .scalar_subquery()
    )
    return (
        select(Claim, Article.title, Source.name, assignee.name, evidence)
        .join(Article, Article.id == Claim.article_id)
        .join(Source, Source.id == Claim.source_id, isouter=True)
        .join(assignee, assignee.id == Claim.assignee_id, isouter=True)
    )


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue: its rows, the cursors of the pages around it, and how many claims match."""

    rows: list[QueueRow]
    next_cursor: str | None
    previous_cursor: str | None
    total: int | None  # None when the count was left for a request of its own (defer_count)
    more: bool  # True when more than COUNT_CAP claims match (total is then the cap)


# The result count is exact up to this many claims, then "more than": counting a million rows on every
# keystroke would break the queue's latency budget.
COUNT_CAP = 1000


def _conditions(session: Session, filters: QueueFilters, user_id: int | None) -> list:
    """Every filter but the search, as conditions on Claim (and Article, for the publication dates)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(col(Claim.status).in_(filters.status))
    else:  # dismissed claims ("not a claim") leave the queue unless asked for by their status
        conditions.append(col(Claim.status) != Status.dismissed)
    if filters.source is not None:
        conditions.append(col(Claim.source_id) == filters.source)
    if filters.article is not None:
        conditions.append(col(Claim.article_id) == filters.article)
    if filters.assignee == "me":
        conditions.append(col(Claim.assignee_id) == user_id)
    elif filters.assignee == "none":
        conditions.append(col(Claim.assignee_id).is_(None))
    elif filters.assignee.isdigit():
        conditions.append(col(Claim.assignee_id) == int(filters.assignee))
    if filters.min_score is not None:
        conditions.append(col(Claim.checkworthiness) >= filters.min_score)
    if filters.published_from:
        conditions.append(col(Article.published) >= filters.published_from)
    if filters.published_to:
        conditions.append(col(Article.published) <= filters.published_to)
    if filters.checked_before:
        conditions.append(checked_before_clause())
    if filters.review == "sent_back":  # as "My work" has it: my verdicts sent back, not approved since
        sent_back = [
            col(Claim.verdict_by_id) == user_id,
            col(Claim.sent_back_at).is_not(None),
            col(Claim.approved_by_id).is_(None),
        ]
        conditions.append(_few_claims(session, sent_back))
    elif filters.review == "to_approve":  # awaiting approval, and not my own verdict (a second person approves)
        conditions += [
            col(Claim.status).in_(VERDICT_VALUES),
            col(Claim.approved_by_id).is_(None),
            col(Claim.sent_back_at).is_(None),
            or_(col(Claim.verdict_by_id).is_(None), col(Claim.verdict_by_id) != user_id),
        ]
    return conditions


def count_matches(
    *, session: Session, filters: QueueFilters, user_id: int | None, search: Search | None = None
) -> tuple[int, bool]:
    """Return how many claims match the filters, capped at COUNT_CAP, and whether there are more."""
    search = search if search is not None else plan_search(session, filters.q)
    conditions = _conditions(session, filters, user_id)
    inner = select(Claim.id)
    if search is not None and search.dialect == "sqlite" and search.common and not search.empty:
        # Driven by the full-text index: its matches stream out and each is looked up once, stopping at the cap.
        inner = inner.select_from(_FTS).join(Claim, col(Claim.id) == _FTS.c.rowid)
        conditions.append(text("claim_fts MATCH :match").bindparams(match=search.match))
    elif search is not None:
        conditions.append(search.count_condition())
    if filters.published_from or filters.published_to:  # the article is joined only when a filter needs it
        inner = inner.join(Article, col(Article.id) == Claim.article_id)
    counted = inner.where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = session.exec(select(func.count()).select_from(counted)).one()
    return min(total, COUNT_CAP), total > COUNT_CAP


def queue_page(
    *,
    session: Session,
    filters: QueueFilters,
    user_id: int | None,
    limit: int | None = None,
    count: bool = True,
    defer_count: bool = False,
) -> QueuePage:
    """Return one page of the queue, the cursors of the next and previous pages, and the result count.

    defer_count: when the count needs a query of its own (the page does not hold every match), leave it out
    (total None) for the caller to fetch apart with count_matches; a search's rows then come without waiting for
    it (counting two moderately common words reads a tenth of the claims at a million).
    """
    limit = limit or PAGE_SIZE  # read at call time, so a test (or a setting) can change the page size
    search = plan_search(session, filters.q)
    index_order = search is not None and search.reads_index_order(filters)
    conditions = _conditions(session, filters, user_id)
    if search is not None:
        conditions.append(search.condition(index_order=index_order, narrowed=narrowed(filters)))
    backwards = bool(filters.before) and not filters.after
    cursor = filters.before if backwards else filters.after
    query = rows_select()
    if index_order:
        query = query.join(_FTS, _FTS.c.rowid == Claim.id)
        order, keyset = _index_order_and_cursor(filters.sort, cursor, backwards=backwards)
    else:
        order, keyset = _order_and_cursor(filters.sort, cursor, backwards=backwards)
    if keyset is not None:
        conditions.append(keyset)
    rows = session.exec(query.where(*conditions).order_by(*order).limit(limit + 1)).all()
    more_beyond = len(rows) > limit
    rows = list(rows[:limit])
    if backwards:
        rows.reverse()
    page = [QueueRow(*row) for row in rows]
    if backwards:
        next_cursor = cursor_for(filters.sort, page[-1].claim) if page else None
        previous_cursor = cursor_for(filters.sort, page[0].claim) if page and more_beyond else None
    else:
        next_cursor = cursor_for(filters.sort, page[-1].claim) if more_beyond else None
        previous_cursor = cursor_for(filters.sort, page[0].claim) if page and filters.after else None
    total: int | None
    if not count or (not filters.after and not filters.before and not more_beyond):
        total, more = min(len(page), COUNT_CAP), len(page) > COUNT_CAP  # the first page holds every match
    elif defer_count:
        total, more = None, True
    else:
        total, more = count_matches(session=session, filters=filters, user_id=user_id, search=search)
    return QueuePage(page, next_cursor, previous_cursor, total, more)


def queue_neighbours(
    *, session: Session, filters: QueueFilters, user_id: int | None, claim: Claim
) -> tuple[int | None, int | None]:
    """Return the ids of the claims before and after this one in the queue these filters make (None at an end)."""
    here = cursor_for(filters.sort, claim)
    before = queue_page(
        session=session, filters=replace(filters, after="", before=here), user_id=user_id, limit=1, count=False
    ).rows
    after = queue_page(
        session=session, filters=replace(filters, after=here, before=""), user_id=user_id, limit=1, count=False
    ).rows
    return (before[0].claim.id if before else None), (after[0].claim.id if after else None)


def queue_row(*, session: Session, claim_id: int) -> QueueRow | None:
    """Return one claim as a queue row (after an inline change)."""
    row = session.exec(rows_select().where(Claim.id == claim_id)).first()
    return QueueRow(*row) if row else None


def filter_choices(*, session: Session) -> dict:
    """Return the people the assignee menus offer (sources are typed, with suggestions: there can be thousands)."""
    users = session.exec(select(User.id, User.name).where(User.active).order_by(User.name)).all()
    return {"users": users}
