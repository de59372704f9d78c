"""The dashboard's kept counts equal a full recount after every kind of write, alone and under concurrent writes."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from tests.conftest import login, parse
from tests.factories import make_article, make_user
from workbench.counts import AWAITING, count_drift, kept_claim_counts, kept_verdict_counts, recount_claims
from workbench.db import get_engine
from workbench.models import Article, Claim, Evidence, Role, Source, Status
from workbench.services import claim_edits, corrections, review, sources
from workbench.services.article_edits import edit_article
from workbench.services.generate import generate
from workbench.services.review import VERDICT_VALUES

SECOND_TEXT = (
    "Port Figures\n\n"
    "The port handled 4.2 million containers last year, the port authority said on Tuesday.\n\n"
    "Reuters reported that 1,200 dock workers went on strike in March.\n\n"
    "The minister said the new terminal would cost 900 million euros.\n"
)


@pytest.fixture
def desk(app, db):
    """Two ingested articles, an editor, two checkers and a claim with evidence."""
    editor = make_user(db, Role.editor)
    checker = make_user(db, Role.checker)
    other = make_user(db, Role.checker)
    first = make_article(db, actor=checker).article
    second = make_article(db, actor=checker, text=SECOND_TEXT, title="Port figures").article
    claim = _claims(db, first.id)[0]
    claim_edits.add_evidence(
        session=db, claim=claim, url="https://example.org/report", stance="supports", note="", actor=checker
    )
    return {"editor": editor, "checker": checker, "other": other, "first": first, "second": second}


def _claims(db, article_id):
    db.expire_all()
    return list(db.exec(select(Claim).where(Claim.article_id == article_id).order_by(Claim.start)))


def _verdict(db, claim, actor, status=Status.false):
    return review.set_status(
        session=db, claim=claim, status=status, rationale="Checked.", actor=actor, expected_version=claim.version
    )


def _with_source(db, desk):
    claim = _claims(db, desk["first"].id)[0]
    return corrections.correct_source(
        session=db,
        claim=claim,
        source_id=None,
        new_name="Harbour Authority",
        actor=desk["checker"],
        expected_version=None,
    )


def w_ingest(db, desk):
    make_article(db, actor=desk["checker"], text=SECOND_TEXT.replace("4.2", "5.1"), title="Port figures, again")


def w_verdict(db, desk):
    _verdict(db, _claims(db, desk["first"].id)[0], desk["checker"])


def w_open_status(db, desk):
    claim = _claims(db, desk["first"].id)[1]
    review.set_status(
        session=db, claim=claim, status=Status.in_progress, rationale="", actor=desk["checker"], expected_version=None
    )


def w_reopen(db, desk):
    claim = _verdict(db, _claims(db, desk["first"].id)[0], desk["checker"])
    review.set_status(
        session=db, claim=claim, status=Status.unverified, rationale="", actor=desk["checker"], expected_version=None
    )


def w_bulk_status(db, desk):
    ids = [c.id for c in _claims(db, desk["second"].id)]
    review.bulk_update(
        session=db, claim_ids=ids, actor=desk["checker"], status=Status.not_checkable, rationale="Opinions."
    )


def w_bulk_assign(db, desk):
    ids = [c.id for c in _claims(db, desk["second"].id)]
    review.bulk_update(session=db, claim_ids=ids, actor=desk["editor"], assignee=desk["other"])
    review.bulk_update(session=db, claim_ids=ids[:1], actor=desk["editor"], unassign=True)


def w_assign(db, desk):
    review.assign(session=db, claim=_claims(db, desk["first"].id)[0], assignee=desk["other"], actor=desk["editor"])


def w_approve_and_send_back(db, desk):
    first, second = _claims(db, desk["first"].id)[:2]
    _verdict(db, first, desk["checker"])
    review.set_status(
        session=db,
        claim=second,
        status=Status.unverifiable,
        rationale="No data.",
        actor=desk["checker"],
        expected_version=None,
    )
    review.approve(session=db, claim=first, actor=desk["editor"], expected_version=None)
    review.send_back(session=db, claim=second, actor=desk["editor"], comment="Look again.", expected_version=None)


def w_approve_many(db, desk):
    claims = _claims(db, desk["second"].id)
    for claim in claims:
        review.set_status(
            session=db,
            claim=claim,
            status=Status.not_checkable,
            rationale="Opinion.",
            actor=desk["checker"],
            expected_version=None,
        )
    review.approve_many(session=db, versions={c.id: c.version for c in claims}, actor=desk["editor"])


def w_split(db, desk):
    claim = _claims(db, desk["first"].id)[0]
    claim_edits.split_claim(session=db, claim=claim, at=10, actor=desk["checker"], expected_version=None)


def w_merge(db, desk):
    _verdict(db, _claims(db, desk["first"].id)[0], desk["checker"])
    claim = _claims(db, desk["first"].id)[1]
    claim_edits.merge_claims(
        session=db, claim=claim, direction="previous", actor=desk["checker"], expected_version=None
    )


def w_dismiss(db, desk):
    review.dismiss(
        session=db,
        claim=_claims(db, desk["first"].id)[0],
        reason="A heading.",
        actor=desk["checker"],
        expected_version=None,
    )


def w_restore(db, desk):
    claim = review.dismiss(
        session=db,
        claim=_claims(db, desk["first"].id)[0],
        reason="A heading.",
        actor=desk["checker"],
        expected_version=None,
    )
    review.restore(session=db, claim=claim, actor=desk["checker"], expected_version=None)


def w_create_from_selection(db, desk):
    article = db.get(Article, desk["first"].id)
    claim_edits.create_from_selection(session=db, article=article, start=0, end=22, actor=desk["checker"])


def w_edit_text(db, desk):
    review.edit_text(
        session=db,
        claim=_claims(db, desk["first"].id)[0],
        text="Reworded.",
        actor=desk["checker"],
        expected_version=None,
    )


def w_evidence_withdrawn(db, desk):
    claim = _claims(db, desk["first"].id)[0]
    evidence = db.exec(select(Evidence).where(Evidence.claim_id == claim.id)).first()
    claim_edits.withdraw_evidence(
        session=db, claim=claim, evidence=evidence, reason="Wrong page.", actor=desk["checker"]
    )


def w_correct_source(db, desk):
    _with_source(db, desk)


def w_correct_span(db, desk):
    claim = _claims(db, desk["first"].id)[0]
    corrections.correct_span(
        session=db, claim=claim, start=claim.start, end=claim.end - 1, actor=desk["checker"], expected_version=None
    )


def w_source_merge(db, desk):
    claim = _with_source(db, desk)
    other = Source(name="Harbour Office")
    db.add(other)
    db.commit()
    moved = _claims(db, desk["second"].id)[0]
    corrections.correct_source(
        session=db, claim=moved, source_id=other.id, actor=desk["checker"], expected_version=None
    )
    sources.merge_sources(session=db, source=other, into=db.get(Source, claim.source_id), actor=desk["editor"])


def w_article_edit(db, desk):
    article = db.get(Article, desk["first"].id)
    edit_article(
        session=db,
        article=article,
        title="Harbour Bridge",
        outlet="",
        url="",
        published=dt.date(2024, 6, 1),
        actor=desk["editor"],
    )


def w_generate(db, desk):
    generate(engine=db.get_bind(), articles=3, claims_per_article=7)


def w_raw_sql(db, desk):
    """Even a write that bypasses the services (a script, a console) keeps the counts: they live in the database."""
    db.execute(text("UPDATE claim SET status = 'verified', assignee_id = NULL WHERE id IN (1, 2)"))
    db.execute(text("DELETE FROM claim_match"))
    db.execute(text("DELETE FROM evidence"))
    db.execute(text("DELETE FROM claim_note"))
    db.execute(text("DELETE FROM claim WHERE id = 3"))
    db.commit()


WRITES = [
    w_ingest,
    w_verdict,
    w_open_status,
    w_reopen,
    w_bulk_status,
    w_bulk_assign,
    w_assign,
    w_approve_and_send_back,
    w_approve_many,
    w_split,
    w_merge,
    w_dismiss,
    w_restore,
    w_create_from_selection,
    w_edit_text,
    w_evidence_withdrawn,
    w_correct_source,
    w_correct_span,
    w_source_merge,
    w_article_edit,
    w_generate,
    w_raw_sql,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.removeprefix("w_") for w in WRITES])
def test_kept_counts_equal_a_recount_after_each_kind_of_write(app, db, desk, write):
    assert not count_drift(session=db)
    before = kept_claim_counts(session=db), kept_verdict_counts(session=db)
    write(db, desk)
    db.expire_all()
    drift = count_drift(session=db)
    assert not drift, drift
    if write not in (w_edit_text, w_evidence_withdrawn, w_correct_span, w_article_edit, w_restore):  # round trips
        assert (
            kept_claim_counts(session=db),
            kept_verdict_counts(session=db),
        ) != before  # the write changed what is counted, and it was kept


def test_counts_by_hand_match_the_claims(app, db, desk):
    """The kept numbers are the real ones, not only equal to a recount that could share a mistake."""
    first, second = _claims(db, desk["first"].id)[:2]
    _verdict(db, first, desk["checker"])
    review.dismiss(session=db, claim=second, reason="Heading.", actor=desk["checker"], expected_version=None)
    claims = list(db.exec(select(Claim)))
    kept = kept_claim_counts(session=db)
    assert kept[("all", 0, "false")] == 1 and kept[("all", 0, "dismissed")] == 1
    assert kept[("all", 0, "unverified")] == sum(c.status is Status.unverified for c in claims) == len(claims) - 2
    assert kept[("article", desk["first"].id, AWAITING)] == 1
    assert sum(n for (scope, _, status), n in kept.items() if scope == "article" and status != AWAITING) == len(claims)
    assert kept_verdict_counts(session=db) == {desk["checker"].email: 1}


def test_dashboard_shows_the_kept_counts(app, client, db, desk):
    _verdict(db, _claims(db, desk["first"].id)[0], desk["checker"])
    login(client, desk["editor"].email)
    page = parse(client.get("/dashboard"))
    bars = {
        t.find("title").get_text(): int(v.get_text())
        for t, v in zip(
            page.select("#status-chart-title ~ g text.chart-label"),
            page.select("#status-chart-title ~ g text.chart-value"),
        )
    }
    recounted = recount_claims(session=db)
    assert bars["False"] == 1 and bars["Unverified"] == recounted[("all", 0, "unverified")]
    given = {
        tr.select("td")[0].get_text(): tr.select("td")[1].get_text() for tr in page.select("#verdicts-given tbody tr")
    }
    assert given == {desk["checker"].email: "1"}


def test_recount_command_reports_and_repairs_drift(app, db, desk, runner):
    db.execute(text("UPDATE claim_count SET n = n + 5 WHERE scope = 'all' AND status = 'unverified'"))
    db.execute(text("DELETE FROM verdict_count"))
    db.commit()
    _verdict(db, _claims(db, desk["first"].id)[0], desk["checker"])
    result = runner.invoke(args=["recount", "--check"])
    assert result.exit_code == 1
    assert "drift: all 0 unverified: kept" in result.output
    assert "count" in result.output and "drifted" in result.output
    assert runner.invoke(args=["recount", "--check"]).exit_code == 1  # --check changed nothing
    result = runner.invoke(args=["recount"])
    assert result.exit_code == 0 and "Rebuilt: 1 count had drifted." in result.output
    db.expire_all()
    assert not count_drift(session=db)
    result = runner.invoke(args=["recount", "--check"])
    assert result.exit_code == 0 and "match a full recount" in result.output


def test_concurrent_writes_do_not_corrupt_the_counts(app, db, desk):
    """Eight writers at once, each on its own connection, over the same counted rows; then nothing drifted."""
    engine = get_engine(app)
    claims = _claims(db, desk["first"].id) + _claims(db, desk["second"].id)
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                for round_ in range(4):
                    claim = session.get(Claim, claims[(number + round_) % len(claims)].id, populate_existing=True)
                    status = [Status.in_progress, Status.unverified, Status.not_checkable][(number + round_) % 3]
                    try:
                        review.set_status(
                            session=session,
                            claim=claim,
                            status=status,
                            rationale="Opinion.",
                            actor=desk["checker"],
                            expected_version=claim.version,
                        )
                    except review.ConflictError:
                        pass  # lost the race for this claim: a 409 for the user, and nothing counted
        except BaseException as error:  # noqa: BLE001  (reported below)
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    db.expire_all()
    assert not count_drift(session=db)
    assert kept_claim_counts(session=db).get(("all", 0, "not_checkable"), 0) > 0


@pytest.mark.parametrize(
    "write", [w for w in WRITES if w is not w_raw_sql], ids=[w.__name__.removeprefix("w_") for w in WRITES[:-1]]
)
def test_every_verdict_has_its_date_and_every_approval_its_own_after_each_kind_of_write(app, db, desk, write):
    """The approval queue and the dashboard's median find verdicts and approvals by these dates' indexes (0023a)."""
    approved = _verdict(db, _claims(db, desk["second"].id)[-1], desk["checker"], Status.unverifiable)
    review.approve(session=db, claim=approved, actor=desk["editor"], expected_version=None)
    assert approved.verdict_at is not None and approved.approved_at is not None
    write(db, desk)
    db.expire_all()
    undated = db.execute(
        text(
            "SELECT id, status, verdict_at, approved_by_id, approved_at FROM claim WHERE "
            "(status IN :verdicts) <> (verdict_at IS NOT NULL) OR (approved_by_id IS NULL) <> (approved_at IS NULL)"
        ).bindparams(bindparam("verdicts", expanding=True)),
        {"verdicts": VERDICT_VALUES},
    ).all()
    assert undated == []
