"""Dashboard and history that tell the truth: verdicts from the audit chain, every source, a readable chart,
time to a final verdict, the activity page and evidence events in a claim's history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import Article, Claim, Role, Source
from workbench.services import dashboard as board


@pytest.fixture
def desk(app, db):
    checker, editor = make_user(db, Role.checker), make_user(db, Role.editor)
    article = make_article(db, actor=checker).article
    other = make_article(
        db,
        actor=checker,
        text="Other News\n\nThe port handled 2 million containers in 2023, the port authority said.\n",
    ).article
    c, e = app.test_client(), app.test_client()
    login(c, checker.email)
    login(e, editor.email)
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    return {
        "checker": checker,
        "editor": editor,
        "article": article,
        "other": other,
        "claims": claims,
        "c": c,
        "e": e,
        "ct": csrf_token(c),
        "et": csrf_token(e),
    }


def test_verdicts_per_person_come_from_the_audit_chain_not_assignments(db, desk):
    first, second, third = desk["claims"][:3]
    c, ct = desk["c"], desk["ct"]
    c.post(
        f"/claims/{first.id}/status",
        data={"csrf_token": ct, "status": "not_checkable", "rationale": "Opinion", "version": 1},
    )
    c.post(f"/claims/{second.id}/status", data={"csrf_token": ct, "status": "in_progress", "version": 1})
    c.post(
        "/claims/bulk",
        data={
            "csrf_token": ct,
            "ids": [str(second.id), str(third.id)],
            "action": "status",
            "status": "unverifiable",
            "rationale": "No public record",
        },
    )
    page = parse(desk["e"].get("/dashboard"))
    given = {
        tr.select("td")[0].get_text(): int(tr.select("td")[1].get_text())
        for tr in page.select("#verdicts-given tbody tr")
    }
    assert given == {desk["checker"].email: 3}  # none of these claims is assigned to the checker


def test_status_chart_stays_readable_when_unverified_dominates():
    chart = board.bar_chart([("Unverified", 100_000), ("Verified", 40), ("False", 10)])
    bars = {b["label"]: b for b in chart["bars"]}
    assert chart["broken"] and bars["Unverified"]["broken"] and not bars["Verified"]["broken"]
    room = chart["width"] - chart["label_width"] - 40
    assert bars["Verified"]["width"] >= 0.5 * room and bars["False"]["width"] >= 0.15 * room
    even = board.bar_chart([("Unverified", 30), ("Verified", 20)])
    assert not even["broken"] and even["bars"][0]["width"] == even["width"] - even["label_width"] - 40


def test_status_chart_on_the_page_marks_the_cut_bar(db, desk):
    page = parse(desk["e"].get("/dashboard"))
    assert page.select_one("#status-chart-title") is not None  # all unverified: one bar, nothing to cut
    for claim in desk["claims"][:1]:
        desk["c"].post(
            f"/claims/{claim.id}/status", data={"csrf_token": desk["ct"], "status": "in_progress", "version": 1}
        )
    for n in range(12):
        make_article(db, actor=desk["checker"], text=f"Story {n}\n\nThe council said {n + 3} roads closed on Monday.\n")
    page = parse(desk["e"].get("/dashboard"))
    assert page.select_one(".bar-break") is not None and page.select_one(".chart-note") is not None


def test_all_sources_are_listed_paged_and_sortable(db, desk, monkeypatch):
    monkeypatch.setattr(board, "SOURCE_PAGE", 1)
    names = {s.id: s.name for s in db.exec(select(Source))}
    with_claims = {c.source_id for c in db.exec(select(Claim)) if c.source_id}
    assert len(with_claims) >= 2
    page = parse(desk["e"].get("/dashboard?sources_sort=name"))
    section = page.select_one("#dashboard-sources")
    assert f"({len(with_claims)})" in section.find("h2").get_text()
    first = section.select_one("tbody tr td a").get_text()
    assert first == sorted((names[i] for i in with_claims), key=str.lower)[0]
    fragment = desk["e"].get(
        "/dashboard?sources_sort=name&sources_page=2", headers={"HX-Request": "true", "HX-Target": "dashboard-sources"}
    )
    soup = parse(fragment)
    assert soup.find("h1") is None and soup.select_one("#dashboard-sources")
    assert soup.select_one("tbody tr td a").get_text() == sorted((names[i] for i in with_claims), key=str.lower)[1]
    assert "Page 2 of" in soup.select_one(".pager").get_text()


def test_median_time_from_ingest_to_final_verdict(app, db, desk):
    article = db.get(Article, desk["article"].id)
    article.ingested_at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    db.add(article)
    for claim, days in zip(desk["claims"][:3], (1, 2, 10)):
        claim.status, claim.rationale = "not_checkable", "Opinion"
        claim.verdict_at = dt.datetime(2024, 5, 1 + days, tzinfo=dt.UTC)
        db.add(claim)
    db.commit()
    page = parse(desk["e"].get("/dashboard"))
    assert page.select_one("#median-days").get_text(strip=True) == "2.0days"
    app.config["REQUIRE_APPROVAL"] = True  # nothing is approved: nothing is final
    assert (
        "No final verdicts yet" in parse(desk["e"].get("/dashboard")).select_one("#median-h").find_parent().get_text()
    )
    app.config["REQUIRE_APPROVAL"] = False
    other = db.get(Article, desk["other"].id)
    other.ingested_at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    db.add(other)
    fourth = db.exec(select(Claim).where(Claim.article_id == other.id)).first()  # an even count: the middle two
    fourth.status, fourth.rationale = "not_checkable", "Opinion"
    fourth.verdict_at = dt.datetime(2024, 5, 5, tzinfo=dt.UTC)
    db.add(fourth)
    db.commit()
    page = parse(desk["e"].get("/dashboard"))
    assert page.select_one("#median-days").get_text(strip=True) == "3.0days"  # (2 + 4) / 2
    assert "over the latest 4 final verdicts" in page.select_one("#median-h").find_parent().get_text(" ", strip=True)
    app.config["REQUIRE_APPROVAL"] = True  # under approval, final when approved: two approvals, after 6 and 11 days
    for claim, days in zip(desk["claims"][:2], (6, 11)):
        claim.approved_by_id, claim.approved_at = desk["editor"].id, dt.datetime(2024, 5, 1 + days, tzinfo=dt.UTC)
        db.add(claim)
    db.commit()
    page = parse(desk["e"].get("/dashboard"))
    assert page.select_one("#median-days").get_text(strip=True) == "8.5days"
    assert "over the latest 2 final verdicts" in page.select_one("#median-h").find_parent().get_text(" ", strip=True)


def test_activity_page_filters_by_person_action_article_and_date_and_shows_evidence(db, desk):
    claim = desk["claims"][0]
    desk["c"].post(
        f"/claims/{claim.id}/evidence",
        data={"csrf_token": desk["ct"], "url": "https://a.example/", "stance": "supports", "version": 1},
    )
    desk["e"].post(f"/claims/{claim.id}/assign", data={"csrf_token": desk["et"], "assignee": "me", "version": 2})
    page = parse(desk["e"].get("/activity"))
    assert page.find("h1").get_text() == "Activity"
    rows = page.select("#activity-results tbody tr[data-seq]")
    assert rows and [int(r["data-seq"]) for r in rows] == sorted((int(r["data-seq"]) for r in rows), reverse=True)
    evidence_rows = [r for r in rows if r["data-entity"] == "evidence"]
    assert evidence_rows and "Evidence added (supports): https://a.example/" in evidence_rows[0].get_text()

    def rows_for(**args):
        response = desk["e"].get(
            "/activity", query_string=args, headers={"HX-Request": "true", "HX-Target": "activity-results"}
        )
        soup = parse(response)
        assert soup.find("h1") is None
        return soup.select("tbody tr[data-seq]")

    by_editor = rows_for(actor=desk["editor"].id)
    assert by_editor and all(r.select("td")[1].get_text() == desk["editor"].email for r in by_editor)
    assert {r["data-event"] for r in rows_for(action="assign")} == {"assign"}
    other = rows_for(article=desk["other"].id)
    assert other and all(f"#{desk['other'].id}" in r.get_text() or r["data-entity"] == "claim" for r in other)
    mine = rows_for(article=desk["article"].id)
    assert any(r["data-entity"] == "evidence" for r in mine)
    other_claims = {c.id for c in db.exec(select(Claim).where(Claim.article_id == desk["other"].id))}
    assert not any(
        r["data-entity"] == "claim" and int(r.select_one("a").get_text().split("#")[1]) in other_claims for r in mine
    )
    today = dt.datetime.now(dt.UTC).date()
    assert rows_for(since=today.isoformat()) and not rows_for(until=(today - dt.timedelta(days=1)).isoformat())
    assert desk["c"].get("/activity").status_code == 403


def test_claim_history_shows_evidence_events(db, desk):
    claim = desk["claims"][0]
    desk["c"].post(
        f"/claims/{claim.id}/evidence",
        data={"csrf_token": desk["ct"], "url": "https://b.example/", "stance": "refutes", "version": 1},
    )
    history = parse(desk["c"].get(f"/claims/{claim.id}")).select_one("ol.history").get_text()
    assert "Evidence added (refutes): https://b.example/" in history
