"""Queue search gives the same claims in the same order whatever plan the database takes.

The expected results come from a plain Python reading of the rule (every word of the query starts a word of the
claim; dismissed claims left out; the queue's sort), on a small generated corpus, and are compared page by page,
with the count, for one word, two words, a rare and a very common word and prefixes as typed. Both plans the
queue can choose (a short match list, or walking the sort order for a common word) must agree with it. Runs on
SQLite (FTS5) and, with WORKBENCH_TEST_DATABASE_URL, on PostgreSQL (tsvector).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import replace

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, col, select

from workbench.db import get_engine
from workbench.models import Claim, Status
from workbench.services import queue as queue_service
from workbench.services.generate import generate
from workbench.services.queue import QueueFilters, count_matches, cursor_for, queue_page

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower())
    return _WORD.findall("".join(c for c in plain if not unicodedata.combining(c)))


def _expected(claims: list[Claim], q: str, sort: str) -> list[int]:
    """The rule, read plainly: claims (not dismissed) in which each query word starts some word, in sort order."""
    wanted = _words(q)
    found = [
        c
        for c in claims
        if c.status != Status.dismissed and all(any(w.startswith(p) for w in _words(c.text)) for p in wanted)
    ]
    if sort == "newest":
        found.sort(key=lambda c: -c.id)
    elif sort == "oldest":
        found.sort(key=lambda c: c.id)
    else:
        found.sort(key=lambda c: (-c.checkworthiness, -c.id))
    return [c.id for c in found]


@pytest.fixture
def corpus(app):
    """300 generated claims (seeded), a few dismissed, and the words to search for picked from them."""
    engine = get_engine(app)
    generate(engine=engine, articles=12, claims_per_article=25, seed=7)
    with Session(engine) as session:
        claims = list(session.exec(select(Claim).order_by(Claim.id)))
        for claim in claims[::37]:
            claim.status = Status.dismissed
            session.add(claim)
        session.commit()
        claims = list(session.exec(select(Claim).order_by(Claim.id)))
        for claim in claims:
            session.expunge(claim)
    counts = Counter(w for c in claims for w in set(_words(c.text)))
    rare = min((w for w, n in counts.items() if n <= 3 and not w.isdigit()), default=None) or min(
        w for w, n in counts.items() if n <= 3
    )
    common = max(counts, key=counts.get)
    return {"claims": claims, "rare": rare, "common": common}


def _queries(corpus) -> list[str]:
    return [
        "grain",  # one word
        "grain gdansk",  # two words
        corpus["rare"],  # a rare word
        corpus["common"],  # a very common word
        "tonn",  # prefix as typed
        "gd",
        "gra gda",
        "Said REUTERS",  # case
        "grain nosuchword",  # no match
    ]


def _walk(session, filters: QueueFilters, limit: int) -> list[int]:
    """Every claim the queue shows for these filters, page after page by cursor."""
    ids: list[int] = []
    while True:
        page = queue_page(session=session, filters=filters, user_id=None, limit=limit, count=False)
        ids += [row.claim.id for row in page.rows]
        if not page.next_cursor:
            return ids
        filters = replace(filters, after=page.next_cursor)


def _walk_back(session, filters: QueueFilters, limit: int, last: Claim) -> list[int]:
    """Every claim the queue shows up to and including the last one, page before page (the "previous" links)."""
    ids = [last.id]
    cursor: str | None = cursor_for(filters.sort, last)
    while cursor:
        page = queue_page(
            session=session, filters=replace(filters, before=cursor, after=""), user_id=None, limit=limit, count=False
        )
        ids = [row.claim.id for row in page.rows] + ids
        cursor = page.previous_cursor
    return ids


@pytest.mark.parametrize(
    "selective, dense",
    [(2000, 1.0), (5, 1.0), (5, 0.0)],
    ids=["short-match-list", "walk-the-sort-order", "look-each-claim-up-along-the-sort-order"],
)
@pytest.mark.parametrize("sort", ["score", "newest", "oldest"])
def test_search_results_and_order_follow_the_rule(app, corpus, monkeypatch, selective, dense, sort):
    monkeypatch.setattr(queue_service, "SELECTIVE_MATCHES", selective)
    monkeypatch.setattr(queue_service, "DENSE_MATCHES", dense)  # SQLite: 0.0 looks up every one-word short prefix
    with Session(get_engine(app)) as session:
        for q in _queries(corpus):
            expected = _expected(corpus["claims"], q, sort)
            assert _walk(session, QueueFilters(q=q, sort=sort), limit=7) == expected, q
            if expected:
                last = session.get(Claim, expected[-1])
                assert _walk_back(session, QueueFilters(q=q, sort=sort), limit=7, last=last) == expected, q
            first = queue_page(session=session, filters=QueueFilters(q=q, sort=sort), user_id=None, limit=50)
            assert [row.claim.id for row in first.rows] == expected[:50], q
            assert (first.total, first.more) == (len(expected), False), q


def test_the_result_count_is_capped_for_a_common_word(app, corpus, monkeypatch):
    monkeypatch.setattr(queue_service, "COUNT_CAP", 40)
    with Session(get_engine(app)) as session:
        for q in _queries(corpus):
            expected = len(_expected(corpus["claims"], q, "score"))
            total, more = count_matches(session=session, filters=QueueFilters(q=q), user_id=None)
            assert (total, more) == (min(expected, 40), expected > 40), q
        assert count_matches(session=session, filters=QueueFilters(q=corpus["common"]), user_id=None)[1]


def test_search_with_other_filters_and_a_cursor_from_the_middle(app, corpus, monkeypatch):
    monkeypatch.setattr(queue_service, "SELECTIVE_MATCHES", 5)
    claims = corpus["claims"]
    with Session(get_engine(app)) as session:
        expected = [i for i in _expected(claims, "grain", "score") if session.get(Claim, i).status == Status.verified]
        filters = QueueFilters(q="grain", status=("verified",))
        assert _walk(session, filters, limit=3) == expected
        middle = session.get(Claim, expected[len(expected) // 2])
        after = QueueFilters(q="grain", status=("verified",), after=cursor_for("score", middle))
        page = queue_page(session=session, filters=after, user_id=None, limit=50, count=False)
        assert [row.claim.id for row in page.rows] == expected[len(expected) // 2 + 1 :][:50]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_search_by_id_narrowed_to_one_article_starts_from_its_claims_not_the_index(app, corpus, monkeypatch, sort):
    """Sorted by id, a common word is read in the full-text index's order, unless an indexed filter (here one
    article) narrows the claims: walking the word's whole list for them took 2.5 s at a million claims."""
    monkeypatch.setattr(queue_service, "SELECTIVE_MATCHES", 5)
    claims = corpus["claims"]
    article_id = claims[len(claims) // 2].article_id
    statements: list[str] = []
    engine = get_engine(app)

    def seen(_connection, _cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with Session(engine) as session:
            common = corpus["common"]
            in_article = [c for c in claims if c.article_id == article_id]
            filters = QueueFilters(q=common, sort=sort, article=article_id)
            assert _walk(session, filters, limit=3) == _expected(in_article, common, sort)
            narrowed = [s for s in statements if "JOIN article" in s]  # the page queries
            statements.clear()
            assert _walk(session, QueueFilters(q=common, sort=sort), limit=50) == _expected(claims, common, sort)
            whole = [s for s in statements if "JOIN article" in s]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    if engine.dialect.name == "sqlite":
        assert narrowed and not any("JOIN claim_fts" in s for s in narrowed)
        assert whole and all("JOIN claim_fts" in s for s in whole)


def test_a_very_common_short_word_is_looked_up_along_the_sort_order_on_sqlite(app, corpus, monkeypatch):
    monkeypatch.setattr(queue_service, "SELECTIVE_MATCHES", 5)
    with Session(get_engine(app)) as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("FTS5's prefix indexes are SQLite's")
        claims = corpus["claims"]
        shares = {
            word: len(_expected(claims, word, "newest")) / len(claims)
            for word in {w for c in claims for w in _words(c.text) if len(w) <= queue_service.DENSE_WORD_CHARS}
        }
        dense = max(shares, key=shares.get)
        sparse = min((w for w, share in shares.items() if share * len(claims) > 6), key=shares.get)
        assert shares[dense] > 0.5 and shares[sparse] < 0.05, (dense, sparse)
        plan = queue_service.plan_search(session, dense)  # most claims have it: looked up claim by claim
        assert plan.dense and not plan.reads_index_order(QueueFilters(q=dense, sort="score"))
        assert plan.reads_index_order(QueueFilters(q=dense, sort="newest"))  # by id: read in the index's own order
        assert (
            queue_service.plan_search(session, sparse).common and not queue_service.plan_search(session, sparse).dense
        )
        assert not queue_service.plan_search(session, f"{dense} {dense}").dense  # two words: never claim by claim
        # A word longer than any prefix index is never looked up claim by claim, however common: FTS5 would merge
        # every list of words starting with it for each claim.
        long_word = "counterbalancing"
        assert len(long_word) > queue_service.DENSE_WORD_CHARS
        for claim in session.exec(select(Claim)):
            claim.text += f" {long_word.title()}."
            session.add(claim)
        session.commit()
        assert queue_service.plan_search(session, long_word).common
        assert not queue_service.plan_search(session, long_word).dense
        assert queue_service.plan_search(session, long_word[: queue_service.DENSE_WORD_CHARS]).dense


def test_a_word_crowding_the_newest_claims_is_not_looked_up_claim_by_claim(app, corpus, monkeypatch):
    """The share is read at both ends: a word in every one of the newest claims but rare before would make the
    lookup along the sort order walk most claims, one FTS5 query each."""
    monkeypatch.setattr(queue_service, "SELECTIVE_MATCHES", 5)
    with Session(get_engine(app)) as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("FTS5's prefix indexes are SQLite's")
        claims = list(session.exec(select(Claim).order_by(col(Claim.id))))
        for claim in claims[-30:] + claims[:3] + claims[150:152]:  # the newest 30, and a few old ones
            claim.text += " Quorxa"
            session.add(claim)
        session.commit()
        plan = queue_service.plan_search(session, "quorxa")
        assert plan.common and not plan.dense
        monkeypatch.setattr(queue_service, "DENSE_MATCHES", 0.0)  # the lookup itself gives the same claims
        assert queue_service.plan_search(session, "quorxa").dense
        page = queue_page(session=session, filters=QueueFilters(q="quorxa"), user_id=None, limit=500, count=False)
        assert [row.claim.id for row in page.rows] == _expected(list(session.exec(select(Claim))), "quorxa", "score")


def test_prefixes_of_up_to_twelve_characters_have_fts5_indexes_of_their_own(app, corpus):
    """As typed, "tonn", "grain" or "according" is read as one list (migrations 0020p, 0022f, 0024p)."""
    with Session(get_engine(app)) as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("FTS5's prefix indexes are SQLite's")
        created = session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'claim_fts'")).scalar_one()
        assert "prefix='1 2 3 4 5 6 7 8 9 10 11 12'" in created
        for typed in ("tonn", "grain", "gdan", "reuters", "ministr", "accordin"):
            page = queue_page(session=session, filters=QueueFilters(q=typed), user_id=None, limit=500, count=False)
            assert [row.claim.id for row in page.rows] == _expected(corpus["claims"], typed, "score"), typed
