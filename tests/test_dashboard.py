"""The editor dashboard: counts, charts, approval queue and clearing an article."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import Article, AuditEvent, Claim, Evidence, Role, Status
from workbench.services import review


@pytest.fixture
def editor_client(app, client, db):
    editor = make_user(db, Role.editor)
    make_article(db, actor=editor)
    login(client, editor.email)
    return client


def test_dashboard_counts_by_status_source_and_checker(editor_client, db):
    claims = db.exec(select(Claim).order_by(Claim.id)).all()
    checker = make_user(db, Role.checker)
    claims[0].status, claims[0].assignee_id = Status.false, checker.id
    claims[1].assignee_id = checker.id
    db.add_all(claims[:2])
    db.commit()
    page = parse(editor_client.get("/dashboard"))
    bars = {
        t.find("title").get_text(): int(v.get_text())
        for t, v in zip(
            page.select("#status-chart-title ~ g text.chart-label"),
            page.select("#status-chart-title ~ g text.chart-value"),
        )
    }
    assert bars["False"] == 1 and bars["Unverified"] == len(claims) - 1
    assert page.select_one("#source-chart-title").get_text() == "Claims by source"
    checkers = {
        tr.select("td")[0].get_text(): (tr.select("td")[1].get_text(), tr.select("td")[2].get_text())
        for tr in page.select("section[aria-labelledby=by-checker-h] tbody tr")
    }
    assert checkers[checker.name] == ("1", "1")
    row = page.select_one("section[aria-labelledby=articles-h] tbody tr")
    assert f"{len(claims) - 1} claims without a verdict" in row.get_text()


def test_article_is_cleared_only_when_nothing_blocks_it(app, editor_client, db):
    article = db.exec(select(Article)).one()
    token = csrf_token(editor_client)
    response = editor_client.post(f"/articles/{article.id}/clear", data={"csrf_token": token})
    assert "Not cleared" in parse(editor_client.get(response.headers["Location"])).select_one(".flash-error").get_text()
    db.refresh(article)
    assert article.cleared_at is None
    for claim in db.exec(select(Claim)):
        claim.status, claim.rationale = Status.not_checkable, "Opinion"
        db.add(claim)
    db.commit()
    editor_client.post(f"/articles/{article.id}/clear", data={"csrf_token": token})
    db.refresh(article)
    assert article.cleared_at is not None
    assert db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first().action == "clear"


def test_awaiting_approval_lists_unapproved_verdicts(app, editor_client, db):
    app.config["REQUIRE_APPROVAL"] = True
    claim = db.exec(select(Claim)).first()
    db.add(Evidence(claim_id=claim.id, url="https://example.org/a"))
    db.commit()
    review.set_status(
        session=db, claim=claim, status=Status.verified, rationale="Checked", actor=None, expected_version=None
    )
    page = parse(editor_client.get("/dashboard"))
    waiting = page.select("section[aria-labelledby=waiting-h] li a")
    assert [a["href"] for a in waiting] == [f"/claims/{claim.id}"]
    assert "1 verdict awaiting approval" in page.select_one("section[aria-labelledby=articles-h] tbody").get_text()


def test_only_an_article_that_can_be_cleared_gets_a_clear_button(editor_client, db):
    article = db.exec(select(Article)).one()

    def cell():
        row = parse(editor_client.get("/dashboard")).select_one("section[aria-labelledby=articles-h] tbody tr")
        return row.select("td")[-1]

    blocked = cell()
    assert blocked.get_text(strip=True) == "not yet" and blocked.find("form") is None
    for claim in db.exec(select(Claim)):
        claim.status, claim.rationale = Status.not_checkable, "Opinion"
        db.add(claim)
    db.commit()
    ready = cell()
    assert ready.find("form")["action"] == f"/articles/{article.id}/clear" and not ready.find("button").has_attr(
        "disabled"
    )


def test_the_dashboard_lists_the_newest_articles_and_links_to_all(app, editor_client, db):
    from workbench.db import get_engine
    from workbench.services.dashboard import ARTICLE_LIMIT
    from workbench.services.generate import generate

    generate(engine=get_engine(app), articles=ARTICLE_LIMIT, claims_per_article=1)
    section = parse(editor_client.get("/dashboard")).select_one("section[aria-labelledby=articles-h]")
    titles = [a.get_text() for a in section.select("tbody tr td:first-child a")]
    newest = db.exec(select(Article.title).order_by(Article.ingested_at.desc(), Article.id.desc())).all()
    assert titles == newest[:ARTICLE_LIMIT] and len(newest) == ARTICLE_LIMIT + 1
    assert section.find("a", href="/articles").get_text().startswith("All articles")


@pytest.mark.parametrize("require_approval", [False, True], ids=["verdicts", "approvals"])
def test_the_approval_queue_and_the_median_read_only_dated_claims(app, db, require_approval):
    """Both start where the verdicts (or approvals) are in their index, not past every open claim (0023a).

    Before, SQLite walked the approval index through every open claim (their verdict date is empty and sorts first)
    and the median walked all claims by their last change: 620 ms and 1.1 s at a million claims with approval on.
    """
    from sqlalchemy import event

    from workbench.db import get_engine, refresh_statistics
    from workbench.services import dashboard, desk
    from workbench.services.generate import generate

    engine = get_engine(app)
    generate(engine=engine, articles=20, claims_per_article=25)  # 500 claims, most of them open, none approved
    refresh_statistics(engine)
    run: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        run.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        waiting = desk.approval_queue(session=db, limit=20)
        dashboard.median_days_to_final(session=db, require_approval=require_approval)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert waiting and all(row.claim.status in review.VERDICTS for row in waiting)
    assert [row.claim.verdict_at for row in waiting] == sorted(row.claim.verdict_at for row in waiting)
    if engine.dialect.name != "sqlite":
        with engine.connect() as connection:
            names = set(
                connection.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'claim'").scalars()
            )
        assert {"ix_claim_verdict_latest", "ix_claim_approved_latest"} <= names
        return
    plans = []
    with engine.connect() as connection:
        for statement, parameters in run[-2:]:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append(" ".join(str(row[-1]) for row in rows))
    queue_plan, median_plan = plans
    assert "ix_claim_approval" in queue_plan and "verdict_at>?" in queue_plan, queue_plan
    latest = "ix_claim_approved_latest" if require_approval else "ix_claim_verdict_latest"
    assert latest in median_plan and "TEMP B-TREE" not in median_plan, median_plan
