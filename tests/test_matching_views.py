"""Checked before in the claim view: the matches panel, "reuse verdict" and "not the same claim"."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from tests.test_matching import BRIDGE
from workbench.models import Claim, Role, Status
from workbench.models_matching import ClaimMatch
from workbench.services.claimreview_import import import_claimreviews


@pytest.fixture
def matched(client, db):
    checker = make_user(db, Role.checker)
    import_claimreviews(session=db, items=[BRIDGE], actor=None)
    article = make_article(db, actor=checker).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id, Claim.text.contains("38 million"))).one()
    match = db.exec(select(ClaimMatch).where(ClaimMatch.claim_id == claim.id)).one()
    login(client, checker.email)
    return {"claim": claim, "match": match, "token": csrf_token(client)}


def test_the_claim_view_shows_matches_with_verdict_publisher_and_link(client, matched):
    page = parse(client.get(f"/claims/{matched['claim'].id}"))
    panel = page.find(id="checked-before")
    item = panel.find(id=f"match-{matched['match'].id}")
    assert item.find(class_="match-verdict").get_text(strip=True) == "False"
    assert item.find("a", href=BRIDGE["url"]).get_text(strip=True) == BRIDGE["url"]
    assert "Full Fact" in item.get_text() and "2024-04-02" in item.get_text()
    assert [b.get_text(strip=True) for b in item.find_all("button")] == ["Reuse verdict", "Not the same claim"]
    fragment = parse(
        client.get(f"/claims/{matched['claim'].id}", headers={"HX-Request": "true", "HX-Target": "claim-panel"})
    )
    assert fragment.find("html") is None and fragment.find(id="checked-before") is not None


def test_a_claim_without_matches_says_so(client, db, matched):
    other = db.exec(
        select(Claim).where(Claim.article_id == matched["claim"].article_id, Claim.id != matched["claim"].id)
    ).first()
    panel = parse(client.get(f"/claims/{other.id}")).find(id="checked-before")
    assert panel.find(class_="empty") is not None and panel.find("li") is None


def test_reuse_verdict_through_htmx_swaps_the_panel(client, db, matched):
    claim, match = matched["claim"], matched["match"]
    response = client.post(
        f"/claims/{claim.id}/matches/{match.id}/reuse",
        data={"csrf_token": matched["token"]},
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
    )
    assert response.status_code == 200
    panel = parse(response)
    assert panel.find(id="claim-panel") is not None and "Verdict reused" in panel.find(id="checked-before").get_text()
    db.expire_all()
    assert db.get(Claim, claim.id).status == Status.false


def test_not_the_same_claim_hides_the_match_and_plain_forms_redirect(client, db, matched):
    claim, match = matched["claim"], matched["match"]
    response = client.post(f"/claims/{claim.id}/matches/{match.id}/reject", data={"csrf_token": matched["token"]})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(ClaimMatch, match.id).state == "rejected"
    panel = parse(client.get(f"/claims/{claim.id}")).find(id="checked-before")
    assert panel.find(id=f"match-{match.id}") is None


def test_a_match_of_another_claim_is_refused(client, db, matched):
    other = db.exec(
        select(Claim).where(Claim.article_id == matched["claim"].article_id, Claim.id != matched["claim"].id)
    ).first()
    response = client.post(
        f"/claims/{other.id}/matches/{matched['match'].id}/reuse",
        data={"csrf_token": matched["token"]},
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
    )
    assert response.status_code == 422 and "does not belong" in parse(response).find(id="claim-error").get_text()
    assert client.post(f"/claims/{other.id}/matches/{matched['match'].id}/reject").status_code in (400, 403)


def test_the_queue_marks_and_filters_claims_checked_before(client, db, matched):
    claim = matched["claim"]
    page = parse(client.get("/claims"))
    marked = {int(row["id"][1:]) for row in page.select("tr[data-v]") if row.select_one('a[href$="#checked-before"]')}
    assert marked == {claim.id}
    assert page.find("select", id="checked_before") is not None
    only = parse(client.get("/claims?checked_before=1", headers={"HX-Request": "true", "HX-Target": "queue-results"}))
    assert [int(row["id"][1:]) for row in only.select("tr[data-v]")] == [claim.id]
    client.post(f"/claims/{claim.id}/matches/{matched['match'].id}/reject", data={"csrf_token": matched["token"]})
    after = parse(client.get("/claims?checked_before=1"))
    assert after.select("tr[data-v]") == []


def test_the_demo_shows_claims_checked_before_against_its_sample_fact_checks(tmp_path):
    from workbench.db import get_engine, get_session
    from workbench.demo import build_demo_app, load_demo

    app = build_demo_app(tmp_path / "demo")
    with app.app_context():
        load_demo(session=get_session())
    client = app.test_client()
    login(client, "checker@demo.example", "checker-demo-desk")
    queue = parse(client.get("/claims?checked_before=1"))
    rows = queue.select("tr[id^=c]")
    texts = " ".join(row.get_text(" ") for row in rows)
    # written in other words than the articles ("two billion euros", "sixty-eight per cent"), found at ingest
    assert len(rows) >= 4 and "41,200 megawatts" in texts and "2 billion euros" in texts
    claim_id = rows[0]["id"][1:]
    view = parse(client.get(f"/claims/{claim_id}"))
    assert "Example Fact Desk" in view.get_text() and view.select('a[href^="https://factcheck.example/"]')
    get_engine(app).dispose()
