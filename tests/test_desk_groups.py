"""Duplicates inside the desk (grouped at ingest, verdicts followed, separation) and re-matching on a final verdict."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.audit import verify_chain
from workbench.db import get_engine
from workbench.errors import InputError
from workbench.models import AuditEvent, Claim, Role, Status
from workbench.models_matching import ClaimMatch, ClaimRematch
from workbench.services import desk_groups
from workbench.services.claim_edits import add_evidence
from workbench.services.desk_groups import group_of, rematch_pending, separate
from workbench.services.review import approve, set_status
from workbench.worker import run_embedded, start_background_worker

FIRST = (
    "Harbour Bridge Reopens\n\n"
    "The harbour bridge reopened on Monday after 14 months of repairs, the city council said in a statement.\n\n"
    "Repairs cost 38 million euros, according to the regional transport agency.\n"
)
# The same claim in another outlet's words, and a claim that only looks alike (another figure).
SECOND = (
    "Toll Row Grows\n\n"
    "The harbour bridge repairs cost 38 million euros, according to the regional transport agency.\n\n"
    "Drivers queued for an hour at the new toll gates on Wednesday.\n"
)
UNRELATED = "Library Hours\n\nThe central library will open on Sundays from March, the mayor said.\n"


def _claim(db, article, words: str) -> Claim:
    return db.exec(select(Claim).where(Claim.article_id == article.id, Claim.text.contains(words))).one()


def _events(db, claim_id: int, action: str) -> list[AuditEvent]:
    return db.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "claim", AuditEvent.entity_id == claim_id, AuditEvent.action == action
        )
    ).all()


def _group(db):
    lead = _claim(db, make_article(db, text=FIRST).article, "38 million")
    follower = _claim(db, make_article(db, text=SECOND).article, "38 million")
    return lead, follower


def _give_verdict(db, claim, actor, status=Status.false):
    add_evidence(
        session=db, claim=claim, url="https://council.example/accounts", stance="refutes", note="", actor=actor
    )
    return set_status(
        session=db,
        claim=claim,
        status=status,
        rationale="The accounts say 12 million.",
        actor=actor,
        expected_version=None,
    )


def test_ingest_groups_the_same_claim_across_articles_with_an_audit_event(db):
    lead, follower = _group(db)
    assert lead.lead_id is None and follower.lead_id == lead.id
    other = _claim(db, make_article(db, text=UNRELATED).article, "library")
    assert other.lead_id is None
    toll = db.exec(select(Claim).where(Claim.article_id == follower.article_id, Claim.text.contains("toll"))).one()
    assert toll.lead_id is None  # only the claim that says the same thing joins
    [event] = _events(db, follower.id, "create")  # the claim is created as a follower, and audited so
    after = json.loads(event.after)
    assert after["lead_id"] == lead.id and after["strength"] >= 0.6
    assert "lead_id" not in json.loads(_events(db, lead.id, "create")[0].after)
    assert [member.claim.id for member in group_of(session=db, claim=follower)] == [lead.id, follower.id]
    assert verify_chain(session=db).ok


def test_a_third_copy_joins_the_lead_not_the_follower(db):
    lead, follower = _group(db)
    third = make_article(
        db, text="Bridge Bill\n\nRepairs to the harbour bridge cost 38 million euros, the transport agency said.\n"
    ).article
    copy = db.exec(select(Claim).where(Claim.article_id == third.id)).first()
    assert copy.lead_id == lead.id
    assert [m.claim.id for m in group_of(session=db, claim=lead)] == [lead.id, follower.id, copy.id]


def test_a_verdict_on_the_lead_is_followed_and_each_follower_change_is_audited(db):
    lead, follower = _group(db)
    checker = make_user(db)
    version = follower.version
    _give_verdict(db, lead, checker)
    db.refresh(follower)
    assert follower.status is Status.false and follower.version > version
    assert "12 million" in follower.rationale and f"claim #{lead.id}" in follower.rationale
    assert follower.verdict_by_id == checker.id
    [event] = _events(db, follower.id, "follow_lead")
    assert event.actor == checker.email and f"#{lead.id}" in event.reason
    assert json.loads(event.after)["lead_id"] == lead.id and json.loads(event.before)["status"] == "unverified"
    # Reopening the lead reopens its followers, again audited.
    set_status(session=db, claim=lead, status=Status.in_progress, rationale="", actor=checker, expected_version=None)
    db.refresh(follower)
    assert follower.status is Status.in_progress and len(_events(db, follower.id, "follow_lead")) == 2
    assert verify_chain(session=db).ok


def test_an_approval_on_the_lead_is_followed(db, app):
    app.config["REQUIRE_APPROVAL"] = True
    lead, follower = _group(db)
    checker, editor = make_user(db), make_user(db, Role.editor)
    _give_verdict(db, lead, checker)
    db.refresh(follower)
    assert follower.status is Status.false and follower.approved_by_id is None
    approve(session=db, claim=lead, actor=editor, expected_version=None)
    db.refresh(follower)
    assert follower.approved_by_id == editor.id and len(_events(db, follower.id, "follow_lead")) == 2


def test_a_separated_claim_keeps_its_status_and_stops_following(db):
    lead, follower = _group(db)
    checker = make_user(db)
    separate(session=db, claim=follower, actor=checker, expected_version=follower.version)
    assert follower.lead_id is None and follower.status is Status.unverified
    [event] = _events(db, follower.id, "separate")
    assert json.loads(event.before)["lead_id"] == lead.id and json.loads(event.after)["lead_id"] is None
    assert event.actor == checker.email
    _give_verdict(db, lead, checker)
    db.refresh(follower)
    assert follower.status is Status.unverified and _events(db, follower.id, "follow_lead") == []
    assert group_of(session=db, claim=lead) == []


@pytest.mark.parametrize("which, message", [("lead", "leads its group"), ("alone", "in no group")])
def test_separating_a_claim_that_follows_nobody_is_refused_and_changes_nothing(db, which, message):
    lead, _ = _group(db)
    claim = lead if which == "lead" else _claim(db, make_article(db, text=UNRELATED).article, "library")
    version, count = claim.version, len(db.exec(select(AuditEvent)).all())
    with pytest.raises(InputError, match=message):
        separate(session=db, claim=claim, actor=None, expected_version=claim.version)
    db.rollback()
    assert db.get(Claim, claim.id).version == version and len(db.exec(select(AuditEvent)).all()) == count


def _queued(db) -> list[int]:
    return list(db.exec(select(ClaimRematch.claim_id).order_by(ClaimRematch.claim_id)))


def _matches(db, claim_id: int) -> list[ClaimMatch]:
    return list(db.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim_id)))


def _separated_pair(db, checker):
    """A claim and an open claim of another article saying the same, separated so that it does not simply follow."""
    cost = _claim(db, make_article(db, text=FIRST).article, "38 million")
    later = _claim(db, make_article(db, text=SECOND).article, "38 million")
    separate(session=db, claim=later, actor=checker, expected_version=None)
    return cost, later


def test_a_final_verdict_queues_rematching_and_the_worker_marks_strongly_matching_open_claims(db, monkeypatch):
    """Re-matching: the open claim existed before the verdict; it is marked once the verdict is final, by the worker."""
    checker = make_user(db)
    cost, later = _separated_pair(db, checker)
    assert _matches(db, later.id) == [] and _queued(db) == []

    def no_search(**_):
        raise AssertionError("the verdict's write searched the open claims")

    monkeypatch.setattr("workbench.services.desk_groups.search_desk", no_search)
    _give_verdict(db, cost, checker)  # the write only queues the search, in its own transaction
    assert _queued(db) == [cost.id] and _matches(db, later.id) == []
    monkeypatch.undo()
    assert rematch_pending(session=db) == 1
    [match] = _matches(db, later.id)
    assert (match.kind, match.target_id, match.state) == ("claim", cost.id, "proposed") and match.score >= 0.4
    assert _queued(db) == [] and rematch_pending(session=db) == 0
    # A claim that only looks alike is not marked.
    toll = db.exec(select(Claim).where(Claim.article_id == later.article_id, Claim.text.contains("toll"))).one()
    assert _matches(db, toll.id) == []


def test_rematching_is_queued_once_skips_what_is_no_longer_final_and_survives_a_failed_pass(db, monkeypatch):
    checker = make_user(db)
    cost, later = _separated_pair(db, checker)
    _give_verdict(db, cost, checker)
    set_status(session=db, claim=cost, status=Status.in_progress, rationale="", actor=checker, expected_version=None)
    assert _queued(db) == [cost.id]  # reopened before the worker came: still queued, and passed over
    assert rematch_pending(session=db) == 1 and _queued(db) == [] and _matches(db, later.id) == []
    set_status(session=db, claim=cost, status=Status.false, rationale="Refuted.", actor=checker, expected_version=None)
    set_status(session=db, claim=cost, status=Status.in_progress, rationale="", actor=checker, expected_version=None)
    set_status(session=db, claim=cost, status=Status.false, rationale="Refuted.", actor=checker, expected_version=None)
    assert _queued(db) == [cost.id]  # final twice before the worker came: queued once

    def broken(**_):
        raise RuntimeError("the worker stopped midway")

    monkeypatch.setattr("workbench.services.desk_groups.store_marks", broken)
    with pytest.raises(RuntimeError):
        rematch_pending(session=db)
    db.rollback()
    assert _queued(db) == [cost.id] and _matches(db, later.id) == []  # its transaction rolled back: still queued
    monkeypatch.undo()
    assert rematch_pending(session=db) == 0  # leased by the worker that stopped, until its lease ends
    monkeypatch.setattr("workbench.services.desk_groups.REMATCH_LEASE", dt.timedelta(0))
    assert rematch_pending(session=db) == 1 and [m.target_id for m in _matches(db, later.id)] == [cost.id]


def test_a_verdict_queued_again_while_searched_is_searched_again(app, db, monkeypatch):
    """Reopened and given again while a worker searched: what it found may be stale, so it stores nothing and the
    next pass searches again."""
    checker = make_user(db)
    cost, later = _separated_pair(db, checker)
    _give_verdict(db, cost, checker)
    search = desk_groups.search_desk
    searches = []

    def search_while_queued_again(**arguments):
        searches.append(1)
        if len(searches) == 1:
            with Session(get_engine(app)) as other:
                desk_groups.queue_rematch(session=other, claim_id=cost.id)
                other.commit()
        return search(**arguments)

    monkeypatch.setattr(desk_groups, "search_desk", search_while_queued_again)
    assert rematch_pending(session=db) == 0 and _matches(db, later.id) == [] and _queued(db) == [cost.id]
    assert rematch_pending(session=db) == 1 and len(searches) == 2
    assert [m.target_id for m in _matches(db, later.id)] == [cost.id] and _queued(db) == []


def test_a_queued_claim_merged_away_is_passed_over(db):
    checker = make_user(db)
    cost, later = _separated_pair(db, checker)
    _give_verdict(db, cost, checker)
    db.add(ClaimRematch(claim_id=10**9))  # as left by a claim that a merge deleted
    db.commit()
    assert rematch_pending(session=db) == 2 and _queued(db) == []
    assert [m.target_id for m in _matches(db, later.id)] == [cost.id]


def test_the_serving_process_rematches_new_verdicts_in_a_thread_beside_the_embedded_worker(app, db):
    """Not in the embedded worker's loop: a first rematch builds the index of open claims (about 80 s at a million
    claims), which must hold up neither evidence fetches and webhooks nor the heartbeat /readyz reads."""
    checker = make_user(db)
    cost, later = _separated_pair(db, checker)
    _give_verdict(db, cost, checker)
    run_embedded(app, threading.Event(), burst=True)  # the evidence's fetch runs; the rematch is not its job
    assert _queued(db) == [cost.id]
    stop = start_background_worker(app)
    try:
        names = {thread.name for thread in threading.enumerate()}
        assert {"workbench-rematcher", "workbench-worker"} <= names
        deadline = time.monotonic() + 20
        while _queued(db) and time.monotonic() < deadline:
            time.sleep(0.1)
            db.rollback()
    finally:
        assert stop is not None
        stop.set()
    db.expire_all()
    assert _queued(db) == [] and [m.target_id for m in _matches(db, later.id)] == [cost.id]


def test_rematching_waits_for_approval_where_the_newsroom_requires_it(db, app):
    app.config["REQUIRE_APPROVAL"] = True
    with app.app_context():  # as in a request: the services read the approval rule from the app
        checker, editor = make_user(db), make_user(db, Role.editor)
        cost = _claim(db, make_article(db, text=FIRST).article, "38 million")
        later = _claim(db, make_article(db, text=SECOND).article, "38 million")
        separate(session=db, claim=later, actor=checker, expected_version=None)
        _give_verdict(db, cost, checker)
        assert _queued(db) == [] and rematch_pending(session=db) == 0  # not final yet: nothing to search for
        approve(session=db, claim=cost, actor=editor, expected_version=None)
        assert _queued(db) == [cost.id] and rematch_pending(session=db) == 1
        assert [m.target_id for m in _matches(db, later.id)] == [cost.id]


def test_queue_marks_the_lead_and_its_followers_page_and_fragment(client, db):
    lead, follower = _group(db)
    user = make_user(db)
    login(client, user.email)
    for headers in ({}, {"HX-Request": "true", "HX-Target": "queue-results"}):
        page = parse(client.get("/claims", headers=headers))
        lead_row = page.select_one(f"#c{lead.id}")
        follower_row = page.select_one(f"#c{follower.id}")
        assert lead_row.select_one(".same-marker").get_text(strip=True) == "+1 same"
        assert "follower" in follower_row["class"]
        assert follower_row.select_one(".follows a")["href"].endswith(f"/claims/{lead.id}")


def test_claim_view_lists_the_group_and_separates_page_and_fragment(client, db):
    lead, follower = _group(db)
    user = make_user(db)
    login(client, user.email)
    page = parse(client.get(f"/claims/{lead.id}"))
    items = page.select("#claim-group li")
    assert [li["data-claim-id"] for li in items] == [str(lead.id), str(follower.id)]
    assert "lead" in items[0].get_text()
    form = items[1].select_one("form")
    assert form["action"] == f"/claims/{follower.id}/separate"
    # The follower's own page shows the same group (it is in one through its lead, not through followers).
    from_follower = parse(client.get(f"/claims/{follower.id}")).select("#claim-group li")
    assert [li["data-claim-id"] for li in from_follower] == [str(lead.id), str(follower.id)]
    answer = client.post(
        f"/claims/{follower.id}/separate",
        data={"csrf_token": csrf_token(client), "version": str(follower.version)},
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
    )
    assert answer.status_code == 200
    fragment = parse(answer)
    assert fragment.select_one("#claim-panel") is not None and fragment.select("#claim-group li") == []
    assert f"Separated from claim #{lead.id}" in fragment.get_text()
    db.refresh(follower)
    assert follower.lead_id is None and len(_events(db, follower.id, "separate")) == 1


def test_separate_route_refuses_a_claim_in_no_group_with_its_message(client, db):
    claim = _claim(db, make_article(db, text=UNRELATED).article, "library")
    user = make_user(db)
    login(client, user.email)
    answer = client.post(
        f"/claims/{claim.id}/separate",
        data={"csrf_token": csrf_token(client), "version": str(claim.version)},
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
    )
    assert answer.status_code == 422 and "in no group" in answer.get_data(as_text=True)
    assert _events(db, claim.id, "separate") == []


def test_separate_as_a_plain_form_redirects_to_the_claim(client, db):
    lead, follower = _group(db)
    user = make_user(db)
    login(client, user.email)
    assert f"says the same as claim #{lead.id}" in parse(client.get(f"/claims/{follower.id}")).get_text()
    answer = client.post(
        f"/claims/{follower.id}/separate", data={"csrf_token": csrf_token(client), "version": str(follower.version)}
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/claims/{follower.id}")
    db.refresh(follower)
    assert follower.lead_id is None


def test_separate_on_a_stale_version_is_a_conflict_and_changes_nothing(client, db):
    lead, follower = _group(db)
    user = make_user(db)
    login(client, user.email)
    answer = client.post(
        f"/claims/{follower.id}/separate",
        data={"csrf_token": csrf_token(client), "version": str(follower.version - 1)},
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
    )
    assert answer.status_code == 409
    db.refresh(follower)
    assert follower.lead_id == lead.id and _events(db, follower.id, "separate") == []


def test_the_followers_index_holds_followers_only_and_is_used(app, db):
    """A lead's followers are found through ix_claim_lead (partial: lead_id IS NOT NULL), on both databases."""
    from sqlalchemy import text

    from workbench.db import refresh_statistics
    from workbench.services.generate import generate

    engine = get_engine(app)
    generate(engine=engine, articles=20, claims_per_article=25)  # 500 claims, none following another
    refresh_statistics(engine)  # statistics that count the NULLs: what misled SQLite's planner before 0021l
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_claim_lead'")).scalar_one()
            plan = " ".join(
                str(row[-1])
                for row in connection.execute(
                    text("EXPLAIN QUERY PLAN SELECT 1 FROM claim WHERE lead_id = 7 AND status != 'dismissed'")
                )
            )
            assert "ix_claim_lead" in plan, plan
        else:
            sql = connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_claim_lead'")
            ).scalar_one()
    assert "lead_id IS NOT NULL" in sql.replace("(", "").replace(")", ""), sql


def test_the_worker_holds_no_lock_while_it_searches_so_writers_are_never_held_up(app, db, monkeypatch):
    """The search (on a fresh process, the build of the index: over a minute at a million claims) holds no lock: while it
    runs, another connection can still write, here to the very row the worker has leased and will delete after."""
    checker = make_user(db)
    cost, later = _separated_pair(db, checker)
    _give_verdict(db, cost, checker)
    search = desk_groups.search_desk
    wrote = []

    def search_while_someone_writes(**arguments):
        engine = get_engine(app)
        if engine.dialect.name == "sqlite":
            other = create_engine(engine.url, connect_args={"timeout": 1})
        else:
            other = create_engine(engine.url, connect_args={"options": "-c lock_timeout=1000"})
        with other.begin() as connection:
            wrote.append(
                connection.execute(
                    text("UPDATE claim_rematch SET queued_at = queued_at WHERE claim_id = :id"), {"id": cost.id}
                ).rowcount
            )
        other.dispose()
        return search(**arguments)

    monkeypatch.setattr(desk_groups, "search_desk", search_while_someone_writes)
    assert rematch_pending(session=db) == 1
    assert wrote == [1] and [m.target_id for m in _matches(db, later.id)] == [cost.id]
