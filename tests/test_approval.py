"""Four eyes: approval queue, send back with a comment, "My work", and what voids an approval or a clearance."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import ARTICLE_TEXT, make_article, make_user
from workbench.models import Article, AuditEvent, Claim, Evidence, Role, Status


@pytest.fixture
def desk(app, db):
    """Approval required; a checker who gave two verdicts, an editor who gave one, and a second editor."""
    app.config["REQUIRE_APPROVAL"] = True
    checker, editor, second = make_user(db, Role.checker), make_user(db, Role.editor), make_user(db, Role.editor)
    text = ARTICLE_TEXT + "\nThe city plans 12 new bus lines by 2026, the mayor said on Tuesday.\n"
    article = make_article(db, actor=checker, text=text).article
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    assert len(claims) >= 4
    people = {}
    for name, user in (("checker", checker), ("editor", editor), ("second", second)):
        client = app.test_client()
        login(client, user.email)
        people[name] = (client, csrf_token(client), user)
    for claim, who in zip(claims[:3], ("checker", "checker", "editor")):
        client, token, _ = people[who]
        response = client.post(
            f"/claims/{claim.id}/status",
            data={
                "csrf_token": token,
                "status": "unverifiable",
                "rationale": f"No record ({who})",
                "version": claim.version,
            },
        )
        assert response.status_code == 303
    return {"article": article, "claims": claims, **people}


def _post(person, path, fragment=None, **data):
    client, token, _ = person
    headers = {"HX-Request": "true", "HX-Target": fragment} if fragment else {}
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


def _claim(db, claim_id) -> Claim:
    db.expire_all()
    return db.get(Claim, claim_id)


def _last_event(db, claim_id) -> AuditEvent:
    db.expire_all()
    return db.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "claim", AuditEvent.entity_id == claim_id)
        .order_by(AuditEvent.seq.desc())
    ).first()


def test_the_author_of_a_verdict_cannot_approve_it(db, desk):
    own = desk["claims"][2]  # the editor's own verdict
    response = _post(desk["editor"], f"/claims/{own.id}/approve", "claim-panel", version=2)
    assert response.status_code == 422
    assert "second person must approve it" in parse(response).find(id="claim-error").get_text()
    assert _claim(db, own.id).approved_by_id is None and _last_event(db, own.id).action == "status"
    panel = parse(desk["editor"][0].get(f"/claims/{own.id}"))
    assert panel.select_one(".four-eyes") is not None
    assert not panel.find("button", string="Approve verdict")

    response = _post(desk["second"], f"/claims/{own.id}/approve", "claim-panel", version=2)
    assert response.status_code == 200 and "approved by" in parse(response).select_one("#claim-status").get_text()
    assert _claim(db, own.id).approved_by_id == desk["second"][2].id and _last_event(db, own.id).action == "approve"


def test_a_one_person_desk_may_relax_four_eyes(app, db, desk):
    app.config["ALLOW_SELF_APPROVAL"] = True
    own = desk["claims"][2]
    response = _post(desk["editor"], f"/claims/{own.id}/approve", "claim-panel", version=2)
    assert response.status_code == 200 and _claim(db, own.id).approved_by_id == desk["editor"][2].id


def test_approval_queue_page_and_fragment_list_what_waits(db, desk):
    page = parse(desk["editor"][0].get("/approvals"))
    assert page.find("h1").get_text() == "Verdicts awaiting approval"
    assert {tr["data-claim-id"] for tr in page.select("#approval-list tr[data-claim-id]")} == {
        str(c.id) for c in desk["claims"][:3]
    }
    fragment = desk["editor"][0].get("/approvals", headers={"HX-Request": "true", "HX-Target": "approval-list"})
    soup = parse(fragment)
    assert soup.find("h1") is None and soup.find(id="approval-list") is not None
    assert desk["checker"][0].get("/approvals").status_code == 403


def test_approve_many_is_all_or_none_and_audited(db, desk):
    first, second, own = desk["claims"][:3]
    data = {
        "action": "approve",
        "ids": [str(first.id), str(second.id), str(own.id)],
        f"version-{first.id}": "2",
        f"version-{second.id}": "2",
        f"version-{own.id}": "2",
    }
    response = _post(desk["editor"], "/approvals", "approval-list", **data)
    assert response.status_code == 422
    assert "four eyes" in parse(response).find(id="approval-error").get_text()
    assert all(_claim(db, c.id).approved_by_id is None for c in (first, second, own))

    data["ids"] = [str(first.id), str(second.id)]
    response = _post(desk["editor"], "/approvals", "approval-list", **data)
    assert (
        response.status_code == 200 and "Approved 2 verdicts" in parse(response).find(id="approval-message").get_text()
    )
    assert [tr["data-claim-id"] for tr in parse(response).select("tr[data-claim-id]")] == [str(own.id)]
    for claim in (first, second):
        assert _claim(db, claim.id).approved_by_id == desk["editor"][2].id
        assert _claim(db, claim.id).approved_at is not None and _last_event(db, claim.id).action == "approve"


def test_approving_a_stale_version_is_a_conflict(db, desk):
    first = desk["claims"][0]
    assert _post(desk["checker"], f"/claims/{first.id}/text", text="Changed meanwhile", version=2).status_code == 303
    response = _post(
        desk["editor"],
        "/approvals",
        "approval-list",
        action="approve",
        ids=str(first.id),
        **{f"version-{first.id}": "2"},
    )
    assert response.status_code == 409 and "changed while you were reviewing" in response.get_data(as_text=True)
    assert _claim(db, first.id).approved_by_id is None


def test_send_back_with_a_comment_reaches_the_checkers_my_work(db, desk):
    first = desk["claims"][0]
    empty = _post(
        desk["editor"], "/approvals", "approval-list", action="send_back", claim_id=first.id, version=2, comment="  "
    )
    assert empty.status_code == 422 and "needs a comment" in parse(empty).find(id="approval-error").get_text()
    response = _post(
        desk["editor"],
        "/approvals",
        "approval-list",
        action="send_back",
        claim_id=first.id,
        version=2,
        comment="Which registry did you search?",
    )
    assert response.status_code == 200
    assert str(first.id) not in [tr["data-claim-id"] for tr in parse(response).select("tr[data-claim-id]")]
    claim = _claim(db, first.id)
    assert claim.sent_back_comment == "Which registry did you search?" and claim.status == Status.unverifiable
    event = _last_event(db, first.id)
    assert event.action == "send_back" and event.reason == "Which registry did you search?"

    work = parse(desk["checker"][0].get("/my-work"))
    sent_back = work.select("#sent-back li[data-claim-id]")
    assert [li["data-claim-id"] for li in sent_back] == [str(first.id)]
    assert "Which registry did you search?" in sent_back[0].get_text()
    panel = parse(desk["checker"][0].get(f"/claims/{first.id}"))
    assert "Which registry did you search?" in panel.select_one(".sent-back-comment").get_text()

    # The checker gives the verdict again: it leaves "sent back" and waits for approval once more.
    _post(
        desk["checker"],
        f"/claims/{first.id}/status",
        status="unverifiable",
        rationale="Searched both registries",
        version=claim.version,
    )
    assert _claim(db, first.id).sent_back_at is None
    assert not parse(desk["checker"][0].get("/my-work")).select("#sent-back li[data-claim-id]")


def test_my_work_lists_assigned_and_waiting_for_my_approval(db, desk):
    fourth = open_claim = desk["claims"][3]
    _post(desk["checker"], f"/claims/{open_claim.id}/assign", assignee="me", version=_claim(db, open_claim.id).version)
    fragment = desk["checker"][0].get("/my-work", headers={"HX-Request": "true", "HX-Target": "my-work"})
    soup = parse(fragment)
    assert soup.find("h1") is None
    assert [li["data-claim-id"] for li in soup.select("#assigned li[data-claim-id]")] == [str(fourth.id)]
    assert {li["data-claim-id"] for li in soup.select("#mine-awaiting li[data-claim-id]")} == {
        str(c.id) for c in desk["claims"][:2]
    }
    assert not soup.select("#to-approve li[data-claim-id]")  # a checker approves nothing
    editor = parse(desk["editor"][0].get("/my-work"))
    waiting = {li["data-claim-id"] for li in editor.select("#to-approve li[data-claim-id]")}
    assert str(desk["claims"][2].id) not in waiting  # not their own verdict
    assert {str(c.id) for c in desk["claims"][:2]} <= waiting


def test_rewording_voids_the_approval_and_reopens_a_cleared_article(db, desk):
    article = desk["article"]
    claims = desk["claims"]
    for claim in claims:  # finish the article: verdicts for the rest, then approvals by someone else
        current = _claim(db, claim.id)
        if current.status not in (Status.unverifiable,):
            _post(
                desk["checker"],
                f"/claims/{claim.id}/status",
                status="not_checkable",
                rationale="Opinion",
                version=current.version,
            )
    for claim in claims:
        current = _claim(db, claim.id)
        approver = desk["second"] if current.verdict_by_id == desk["editor"][2].id else desk["editor"]
        assert _post(approver, f"/claims/{claim.id}/approve", version=current.version).status_code == 303
    assert _post(desk["editor"], f"/articles/{article.id}/clear").status_code == 303
    db.expire_all()
    assert db.get(Article, article.id).cleared_at is not None

    target = _claim(db, claims[0].id)
    response = _post(
        desk["checker"],
        f"/claims/{target.id}/text",
        "claim-panel",
        text="Reworded after approval",
        version=target.version,
    )
    assert response.status_code == 200
    reworded = _claim(db, target.id)
    assert reworded.approved_by_id is None and reworded.approved_at is None
    assert "awaiting an editor's approval" in parse(response).select_one("#claim-status").get_text()
    edit = _last_event(db, target.id)
    assert edit.action == "edit" and json.loads(edit.after)["approved_by_id"] is None
    db.expire_all()
    assert db.get(Article, article.id).cleared_at is None
    unclear = db.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "article", AuditEvent.action == "unclear")
    ).one()
    assert unclear.entity_id == article.id and f"Claim #{target.id}" in unclear.reason


def test_assignment_neither_voids_approval_nor_reopens(db, desk):
    first = desk["claims"][0]
    _post(desk["editor"], f"/claims/{first.id}/approve", version=2)
    _post(desk["checker"], f"/claims/{first.id}/assign", assignee="me", version=3)
    claim = _claim(db, first.id)
    assert claim.assignee_id == desk["checker"][2].id and claim.approved_by_id == desk["editor"][2].id


def test_failed_or_withdrawn_evidence_does_not_back_a_verdict(db, desk):
    claim = _claim(db, desk["claims"][3].id)
    _post(
        desk["checker"],
        f"/claims/{claim.id}/evidence",
        url="https://dead.example/",
        stance="supports",
        version=claim.version,
    )
    evidence = db.exec(select(Evidence).where(Evidence.claim_id == claim.id)).one()
    evidence.fetch_state = "failed"
    db.add(evidence)
    db.commit()
    claim = _claim(db, claim.id)
    response = _post(
        desk["checker"],
        f"/claims/{claim.id}/status",
        "claim-panel",
        status="verified",
        rationale="It says so",
        version=claim.version,
    )
    assert response.status_code == 422 and "did not fail to fetch" in parse(response).find(id="claim-error").get_text()
    assert _claim(db, claim.id).status != Status.verified
