"""Honest exports: only final verdicts are published, with absolute URLs and the date they became final."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlmodel import func, select

from tests.conftest import csrf_token, login, parse
from tests.factories import ARTICLE_TEXT, make_article, make_user
from workbench.models import AuditEvent, Claim, Evidence, Role

TEXT = ARTICLE_TEXT + "\nThe city plans 12 new bus lines by 2026, the mayor said on Tuesday.\n"


@pytest.fixture
def newsroom(app, db):
    """Approval required; four claims: approved, awaiting approval, sent back, dismissed."""
    app.config.update(REQUIRE_APPROVAL=True, PUBLIC_URL="https://factcheck.example")
    checker, editor = make_user(db, Role.checker), make_user(db, Role.editor)
    article = make_article(db, actor=checker, text=TEXT, url="https://news.example/bridge").article
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    assert len(claims) >= 4
    c, e = app.test_client(), app.test_client()
    login(c, checker.email)
    login(e, editor.email)
    ct, et = csrf_token(c), csrf_token(e)
    for claim in claims[:3]:
        c.post(
            f"/claims/{claim.id}/evidence",
            data={"csrf_token": ct, "url": "https://council.example/minutes", "stance": "refutes", "version": 1},
        )
        assert (
            c.post(
                f"/claims/{claim.id}/status",
                data={"csrf_token": ct, "status": "false", "rationale": "Minutes say otherwise", "version": 2},
            ).status_code
            == 303
        )
    assert e.post(f"/claims/{claims[0].id}/approve", data={"csrf_token": et, "version": 3}).status_code == 303
    assert (
        e.post(
            f"/claims/{claims[2].id}/send-back", data={"csrf_token": et, "version": 3, "comment": "Which minutes?"}
        ).status_code
        == 303
    )
    assert (
        c.post(
            f"/claims/{claims[3].id}/dismiss", data={"csrf_token": ct, "version": 1, "reason": "Page furniture"}
        ).status_code
        == 303
    )
    return {"article": article, "claims": claims, "checker": c, "editor": e}


def _generate(client, article_id, fmt):
    """Ask for an export (a GET only offers it), then generate it through the offered POST form."""
    offer = client.get("/exports", query_string={"article": article_id, "format": fmt})
    assert offer.status_code == 200, offer.get_data(as_text=True)[:300]
    form = parse(offer).find("form", id="export-form")
    return client.post(form["action"], data={i["name"]: i["value"] for i in form.find_all("input")})


def _export(client, article_id, fmt):
    response = _generate(client, article_id, fmt)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def _urls(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url":
                yield item
            yield from _urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)


def test_claimreview_publishes_only_final_verdicts_with_absolute_urls(db, newsroom):
    claims = newsroom["claims"]
    body = _export(newsroom["editor"], newsroom["article"].id, "claimreview")
    graph = json.loads(body)["@graph"]
    assert [review["url"] for review in graph] == [f"https://factcheck.example/claims/{claims[0].id}"]
    urls = list(_urls(graph))
    assert urls and all(url.startswith(("https://", "http://")) for url in urls), urls
    review = graph[0]
    db.expire_all()
    approved = db.get(Claim, claims[0].id)
    assert review["datePublished"] == approved.approved_at.date().isoformat()
    assert review["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork",
        "headline": newsroom["article"].title,
        "url": "https://news.example/bridge",
        "datePublished": "2024-05-08",
    }


def test_date_published_is_the_day_the_verdict_became_final(app, db, newsroom):
    db.expire_all()
    claim = db.get(Claim, newsroom["claims"][0].id)
    claim.approved_at = dt.datetime(2025, 1, 17, 9, 30, tzinfo=dt.UTC)
    claim.verdict_at = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)
    db.add(claim)
    db.commit()
    graph = json.loads(_export(newsroom["editor"], newsroom["article"].id, "claimreview"))["@graph"]
    assert graph[0]["datePublished"] == "2025-01-17"
    app.config["REQUIRE_APPROVAL"] = False  # without approval, a verdict is final when given
    graph = json.loads(_export(newsroom["editor"], newsroom["article"].id, "claimreview"))["@graph"]
    assert {r["url"].rsplit("/", 1)[1]: r["datePublished"] for r in graph}[str(claim.id)] == "2025-01-15"


def test_claimreview_is_refused_without_a_public_url_and_records_nothing(app, runner, db, newsroom):
    app.config["PUBLIC_URL"] = None
    events = db.exec(select(func.count()).select_from(AuditEvent)).one()
    response = newsroom["editor"].get(
        "/exports", query_string={"article": newsroom["article"].id, "format": "claimreview"}
    )
    assert response.status_code == 422  # refused when offered, before anything is generated
    assert "set WORKBENCH_PUBLIC_URL" in parse(response).find(role="alert").get_text()
    posted = newsroom["editor"].post(
        "/exports",
        data={"csrf_token": csrf_token(newsroom["editor"]), "article": newsroom["article"].id, "format": "claimreview"},
    )
    assert posted.status_code == 422 and "set WORKBENCH_PUBLIC_URL" in posted.get_data(as_text=True)
    result = runner.invoke(args=["export", "--article", str(newsroom["article"].id), "--format", "claimreview"])
    assert result.exit_code != 0 and "WORKBENCH_PUBLIC_URL" in result.output and "Traceback" not in result.output
    assert db.exec(select(func.count()).select_from(AuditEvent)).one() == events


def test_reports_show_awaiting_approval_sent_back_and_dismissed_as_such(db, newsroom):
    claims, article_id = newsroom["claims"], newsroom["article"].id
    expected = {
        claims[0].id: "final",
        claims[1].id: "awaiting_approval",
        claims[2].id: "sent_back",
        claims[3].id: "dismissed",
    }
    rows = list(csv.reader(io.StringIO(_export(newsroom["editor"], article_id, "csv"))))
    header = rows[0]
    states = {int(row[0]): dict(zip(header, row)) for row in rows[1:-1]}
    assert {i: states[i]["state"] for i in expected} == expected
    assert states[claims[2].id]["sent_back_comment"] == "Which minutes?"
    assert states[claims[3].id]["dismissed_reason"] == "Page furniture"
    assert states[claims[1].id]["final_at"] == "" and states[claims[0].id]["final_at"]

    payload = json.loads(_export(newsroom["editor"], article_id, "json"))
    assert {c["claim_id"]: c["state"] for c in payload["claims"] if c["claim_id"] in expected} == expected

    page = parse(_generate(newsroom["editor"], article_id, "html"))
    sections = {int(s.find("h3").get_text().split("·")[0].strip("# ")): s for s in page.select("section.claim")}
    assert {i: sections[i]["data-state"] for i in expected} == expected
    assert "Awaiting approval" in sections[claims[1].id].find("h3").get_text()
    assert "Sent back" in sections[claims[2].id].find("h3").get_text()
    assert "Dismissed as not a claim: Page furniture" in sections[claims[3].id].get_text()
    summary = page.select_one("section.anchor").get_text(" ", strip=True)
    assert "1 with a final verdict" in summary and "1 awaiting approval" in summary and "1 sent back" in summary


def test_withdrawn_evidence_is_shown_as_withdrawn_in_the_report(db, newsroom):
    db.expire_all()
    claim = db.get(Claim, newsroom["claims"][1].id)
    evidence = db.exec(select(Evidence).where(Evidence.claim_id == claim.id)).one()
    response = newsroom["checker"].post(
        f"/claims/{claim.id}/evidence/{evidence.id}/withdraw",
        data={"csrf_token": csrf_token(newsroom["checker"]), "reason": "Wrong meeting", "version": claim.version},
    )
    assert response.status_code == 303
    page = parse(_generate(newsroom["editor"], newsroom["article"].id, "html"))
    assert "withdrawn (Wrong meeting)" in page.get_text()


def test_a_verdict_whose_evidence_failed_or_was_withdrawn_is_not_published(db, newsroom):
    claim_id = newsroom["claims"][0].id
    graph = json.loads(_export(newsroom["editor"], newsroom["article"].id, "claimreview"))["@graph"]
    assert [r["url"] for r in graph] == [f"https://factcheck.example/claims/{claim_id}"]
    evidence = db.exec(select(Evidence).where(Evidence.claim_id == claim_id)).one()
    evidence.fetch_state = "failed"
    db.add(evidence)
    db.commit()
    assert json.loads(_export(newsroom["editor"], newsroom["article"].id, "claimreview"))["@graph"] == []
