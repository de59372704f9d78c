"""The verification workflow through the web: verdicts, evidence, approval, conflicts, edits, audit events."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import AuditEvent, Claim, ClaimNote, Evidence, Role, Status


@pytest.fixture
def setup(client, db):
    checker = make_user(db, Role.checker)
    result = make_article(db, actor=checker)
    login(client, checker.email)
    claims = db.exec(select(Claim).where(Claim.article_id == result.article.id).order_by(Claim.start)).all()
    return {"checker": checker, "article": result.article, "claims": claims, "token": csrf_token(client)}


def _events(db, claim_id=None) -> list[AuditEvent]:
    db.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if claim_id:
        query = query.where(AuditEvent.entity_type == "claim", AuditEvent.entity_id == claim_id)
    return list(db.exec(query))


def _post(client, path, token, htmx_target=None, **data):
    headers = {"HX-Request": "true", "HX-Target": htmx_target} if htmx_target else {}
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


def test_verdict_needs_a_rationale_and_nothing_changes_without_one(client, db, setup):
    claim = setup["claims"][0]
    before = len(_events(db))
    response = _post(
        client,
        f"/claims/{claim.id}/status",
        setup["token"],
        "claim-panel",
        status="not_checkable",
        rationale="  ",
        version=claim.version,
    )
    assert response.status_code == 422
    assert "needs a written rationale" in parse(response).find(id="claim-error").get_text()
    db.refresh(claim)
    assert claim.status == Status.unverified and len(_events(db)) == before


def test_evidence_backed_verdict_needs_evidence_then_succeeds(client, db, setup):
    claim = setup["claims"][0]
    response = _post(
        client,
        f"/claims/{claim.id}/status",
        setup["token"],
        "claim-panel",
        status="verified",
        rationale="Council minutes confirm it.",
        version=claim.version,
    )
    assert response.status_code == 422 and "needs at least one evidence item" in response.get_data(as_text=True)

    response = _post(
        client,
        f"/claims/{claim.id}/evidence",
        setup["token"],
        "claim-panel",
        url="https://council.example/minutes",
        stance="supports",
        note="Minutes of 6 May",
    )
    assert response.status_code == 200
    assert parse(response).select_one(".evidence a")["href"] == "https://council.example/minutes"
    assert db.exec(select(Evidence)).one().stance == "supports"
    # Evidence is a change to the claim: the panel that comes back carries the next version.
    shown_version = parse(response).select_one("#claim-panel input[name=version]")["value"]
    assert shown_version == "2"

    response = _post(
        client,
        f"/claims/{claim.id}/status",
        setup["token"],
        "claim-panel",
        status="verified",
        rationale="Council minutes confirm it.",
        version=shown_version,
    )
    assert response.status_code == 200
    panel = parse(response)
    assert "Verified" in panel.select_one("#claim-status .badge").get_text()
    db.refresh(claim)
    assert claim.status == Status.verified and claim.rationale == "Council minutes confirm it." and claim.version == 3
    event = _events(db, claim.id)[-1]
    assert event.action == "status" and event.reason == "Council minutes confirm it."
    assert json.loads(event.before)["status"] == "unverified" and json.loads(event.after)["status"] == "verified"
    assert {e.entity_type for e in _events(db)} >= {"evidence"}


def test_reopen_is_recorded_as_such(client, db, setup):
    claim = setup["claims"][0]
    _post(
        client, f"/claims/{claim.id}/status", setup["token"], status="unverifiable", rationale="No record.", version=1
    )
    _post(client, f"/claims/{claim.id}/status", setup["token"], status="in_progress", rationale="New source", version=2)
    assert [e.action for e in _events(db, claim.id)][-2:] == ["status", "reopen"]


def test_bad_evidence_url_and_empty_note_are_explained(client, db, setup):
    claim = setup["claims"][0]
    response = _post(
        client,
        f"/claims/{claim.id}/evidence",
        setup["token"],
        "claim-panel",
        url="javascript:alert(1)",
        stance="supports",
    )
    assert response.status_code == 422 and "is not a web address" in parse(response).find(id="claim-error").get_text()
    response = _post(client, f"/claims/{claim.id}/notes", setup["token"], "claim-panel", body="   ")
    assert response.status_code == 422 and "The note is empty" in response.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(Evidence)).one() == 0
    assert db.exec(select(func.count()).select_from(ClaimNote)).one() == 0


def test_second_save_on_the_same_version_gets_a_409_with_the_current_state(client, app, db, setup):
    claim = setup["claims"][0]
    other = app.test_client()
    editor = make_user(db, Role.editor)
    login(other, editor.email)
    first = _post(
        other, f"/claims/{claim.id}/status", csrf_token(other), "claim-panel", status="in_progress", version=1
    )
    assert first.status_code == 200
    second = _post(
        client,
        f"/claims/{claim.id}/status",
        setup["token"],
        "claim-panel",
        status="not_checkable",
        rationale="Opinion",
        version=1,
    )
    assert second.status_code == 409
    page = parse(second)
    assert "Someone else saved this claim first" in page.find("h2").get_text()
    assert "In progress" in page.select("tbody tr")[0].select("td")[0].get_text()
    reapply = page.find("form")
    assert reapply.find("input", {"name": "version"})["value"] == "2"
    assert reapply.find("input", {"name": "status"})["value"] == "not_checkable"
    db.refresh(claim)
    assert claim.status == Status.in_progress and claim.version == 2
    again = _post(
        client,
        f"/claims/{claim.id}/status",
        setup["token"],
        "claim-panel",
        status="not_checkable",
        rationale="Opinion",
        version=2,
    )
    assert again.status_code == 200
    db.refresh(claim)
    assert claim.status == Status.not_checkable


def test_queue_row_answers_with_a_row_fragment(client, db, setup):
    claim = setup["claims"][1]
    response = _post(
        client, f"/claims/{claim.id}/status", setup["token"], f"c{claim.id}", status="in_progress", version=1
    )
    row = parse(response).find("tr")
    assert response.status_code == 200 and row["id"] == f"c{claim.id}"
    assert row["data-s"] == "in_progress" and row.select_one("td:nth-child(4) > b").get_text() == "In progress"
    assert row["data-was"] == "" and row["data-v"] == "2"  # the rationale the change replaced, for the queue's undo
    conflict = _post(
        client, f"/claims/{claim.id}/status", setup["token"], f"c{claim.id}", status="in_progress", version=1
    )
    assert conflict.status_code == 409 and parse(conflict).find("tr")["id"] == f"c{claim.id}"
    assert not parse(conflict).find("tr").has_attr("data-v")  # not a row the keyboard loop acts on


def test_a_changed_queue_row_carries_the_rationale_it_replaced_for_undo(client, db, setup):
    claim = setup["claims"][1]
    target = f"c{claim.id}"
    _post(client, f"/claims/{claim.id}/status", setup["token"], target, status="not_checkable", rationale="Opinion")
    row = parse(
        _post(client, f"/claims/{claim.id}/status", setup["token"], target, status="in_progress", version=2)
    ).find("tr")
    assert row["data-s"] == "in_progress" and row["data-was"] == "Opinion"
    # Undo (queue.js) sends the previous status with that rationale back, as a new change.
    undone = parse(
        _post(
            client,
            f"/claims/{claim.id}/status",
            setup["token"],
            target,
            status="not_checkable",
            rationale="Opinion",
            version=3,
        )
    ).find("tr")
    assert undone["data-s"] == "not_checkable" and undone["data-was"] == "Opinion"  # kept while in progress
    db.refresh(claim)
    assert claim.rationale == "Opinion" and claim.version == 4
    # The queue page itself carries no rationale on its rows: only a change's answer does.
    queue_rows = parse(client.get("/claims")).select("#queue-results tr[data-v]")
    assert queue_rows and not any(r.has_attr("data-was") or r.has_attr("data-rationale") for r in queue_rows)


def test_plain_form_post_redirects_to_the_claim(client, db, setup):
    claim = setup["claims"][0]
    response = _post(client, f"/claims/{claim.id}/status", setup["token"], status="in_progress", version=1)
    assert response.status_code == 303 and response.headers["Location"] == f"/claims/{claim.id}"


def test_approval_by_an_editor_when_the_newsroom_requires_it(app, client, db, setup):
    app.config["REQUIRE_APPROVAL"] = True
    claim = setup["claims"][0]
    _post(client, f"/claims/{claim.id}/status", setup["token"], status="unverifiable", rationale="No data", version=1)
    page = parse(client.get(f"/claims/{claim.id}"))
    assert "awaiting an editor's approval" in page.select_one("#claim-status").get_text()
    assert (
        client.post(f"/claims/{claim.id}/approve", data={"csrf_token": setup["token"], "version": 2}).status_code == 403
    )
    editor_client = app.test_client()
    editor = make_user(db, Role.editor)
    login(editor_client, editor.email)
    response = _post(editor_client, f"/claims/{claim.id}/approve", csrf_token(editor_client), "claim-panel", version=2)
    assert response.status_code == 200 and "approved by" in parse(response).select_one("#claim-status").get_text()
    db.refresh(claim)
    assert claim.approved_by_id == editor.id
    assert _events(db, claim.id)[-1].action == "approve"


def test_edit_wording_keeps_the_original_span(client, db, setup):
    claim = setup["claims"][0]
    span = (claim.start, claim.end, claim.quote)
    response = _post(
        client,
        f"/claims/{claim.id}/text",
        setup["token"],
        "claim-panel",
        text="The bridge reopened on 6 May 2024.",
        version=1,
    )
    assert response.status_code == 200
    db.refresh(claim)
    assert claim.text == "The bridge reopened on 6 May 2024." and (claim.start, claim.end, claim.quote) == span
    assert _events(db, claim.id)[-1].action == "edit"


def test_split_and_merge_keep_spans_into_the_original(client, db, setup):
    claim = setup["claims"][0]
    article = setup["article"]
    count = db.exec(select(func.count()).select_from(Claim)).one()
    response = _post(client, f"/claims/{claim.id}/split", setup["token"], "claim-panel", at=30, version=1)
    assert response.status_code == 200
    db.expire_all()
    parts = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    assert len(parts) == count + 1
    first, second = parts[0], parts[1]
    assert (
        article.text[first.start : first.end] == first.quote and article.text[second.start : second.end] == second.quote
    )
    assert first.end <= second.start and second.sentence_start == first.sentence_start
    first_id, second_id = first.id, second.id
    response = _post(client, f"/claims/{first_id}/merge", setup["token"], "claim-panel", version=first.version)
    assert response.status_code == 200
    db.expunge_all()
    merged = db.get(Claim, first_id)
    assert merged.quote == article.text[merged.start : merged.end]
    assert db.exec(select(Claim).where(Claim.id == second_id)).first() is None
    assert [e.action for e in _events(db, first_id)][-2:] == ["split", "merge"]


def test_text_selection_becomes_a_claim_with_its_exact_span(client, db, setup):
    article = setup["article"]
    start = article.text.index("38 million euros")
    response = _post(
        client,
        f"/articles/{article.id}/claims",
        setup["token"],
        "article-workspace",
        start=start - 1,
        end=start + len("38 million euros"),
    )
    assert response.status_code == 200
    claim = db.exec(select(Claim).where(Claim.kind == "manual")).one()
    assert claim.quote == "38 million euros" and article.text[claim.start : claim.end] == claim.quote
    assert (
        parse(response).select_one(f'a.hl[data-claim="{claim.id}"]') is not None
        or parse(response).select_one(f"#claim-{claim.id}") is not None
    )
    bad = _post(client, f"/articles/{article.id}/claims", setup["token"], "article-workspace", start=5, end=999999)
    assert bad.status_code == 422 and "outside the article" in parse(bad).find(role="alert").get_text()


def test_claim_page_shows_history_from_the_audit_chain(client, db, setup):
    claim = setup["claims"][0]
    _post(client, f"/claims/{claim.id}/notes", setup["token"], body="Called the council press office.")
    page = parse(client.get(f"/claims/{claim.id}"))
    history = [li.find("span").get_text() for li in page.select(".history li")]
    assert history == ["Note added", "Extracted from the article"]
    assert "Called the council press office." in page.select_one(".notes").get_text()
