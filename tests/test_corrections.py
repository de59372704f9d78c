"""Correcting what extraction got wrong: dismiss and restore, evidence edit and withdrawal, merge either way."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import AuditEvent, Claim, Evidence, Role, Status


@pytest.fixture
def work(client, db):
    checker = make_user(db, Role.checker)
    article = make_article(db, actor=checker).article
    login(client, checker.email)
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    return {"checker": checker, "article": article, "claims": claims, "token": csrf_token(client)}


def _post(client, work, path, fragment="claim-panel", **data):
    headers = {"HX-Request": "true", "HX-Target": fragment} if fragment else {}
    return client.post(path, data={"csrf_token": work["token"], **data}, headers=headers)


def _fresh(db, model, id_):
    db.expire_all()
    return db.get(model, id_)


def _events(db, entity_type, entity_id):
    db.expire_all()
    return db.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.seq)
    ).all()


def _queue_ids(client):
    return [tr["id"][1:] for tr in parse(client.get("/claims")).select("#queue-results tr[data-v]")]


def test_dismiss_needs_a_reason_leaves_the_queue_and_can_be_restored(client, db, work):
    claim = work["claims"][2]
    refused = _post(client, work, f"/claims/{claim.id}/dismiss", reason="  ", version=1)
    assert refused.status_code == 422 and "Say why" in parse(refused).find(id="claim-error").get_text()
    assert _fresh(db, Claim, claim.id).status == Status.unverified and len(_events(db, "claim", claim.id)) == 1

    response = _post(client, work, f"/claims/{claim.id}/dismiss", reason="An opinion line, not a claim", version=1)
    assert response.status_code == 200
    panel = parse(response)
    assert "Not a claim" in panel.select_one("#claim-status .badge").get_text()
    assert "An opinion line, not a claim" in panel.select_one(".dismissed-reason").get_text()
    assert panel.find("button", string="Restore to the queue") is not None
    dismissed = _fresh(db, Claim, claim.id)
    assert dismissed.status == Status.dismissed and dismissed.dismissed_reason == "An opinion line, not a claim"
    event = _events(db, "claim", claim.id)[-1]
    assert event.action == "dismiss" and event.reason == "An opinion line, not a claim"
    assert str(claim.id) not in _queue_ids(client)
    assert str(claim.id) in [
        tr["id"][1:] for tr in parse(client.get("/claims?status=dismissed")).select("#queue-results tr[data-v]")
    ]

    response = _post(client, work, f"/claims/{claim.id}/restore", version=2)
    assert response.status_code == 200
    restored = _fresh(db, Claim, claim.id)
    assert restored.status == Status.unverified and restored.dismissed_reason is None
    assert _events(db, "claim", claim.id)[-1].action == "restore" and str(claim.id) in _queue_ids(client)


def test_dismissed_claims_leave_the_counts(app, client, db, work):
    editor = make_user(db, Role.editor)
    claim = work["claims"][0]
    total = len(work["claims"])
    _post(client, work, f"/claims/{claim.id}/dismiss", reason="Headline furniture", version=1)
    other = app.test_client()
    login(other, editor.email)
    chart = parse(other.get("/dashboard")).select_one("#status-chart-title").find_parent("svg")
    bars = {
        g.select_one("text.chart-label title").get_text(): int(g.select_one("text.chart-value").get_text())
        for g in chart.select("g")
    }
    assert "Not a claim" not in bars and sum(bars.values()) == total - 1
    row = parse(client.get("/articles")).select_one("#article-list tbody tr")
    assert row.select_one("td.num").get_text() == str(total - 1)


def test_the_status_menu_cannot_dismiss_without_a_reason(client, db, work):
    claim = work["claims"][0]
    response = _post(client, work, f"/claims/{claim.id}/status", status="dismissed", version=1)
    assert response.status_code == 422 and "dismiss it and give a reason" in response.get_data(as_text=True)
    assert _fresh(db, Claim, claim.id).status == Status.unverified
    options = [o["value"] for o in parse(client.get(f"/claims/{claim.id}")).select("#status option")]
    assert "dismissed" not in options


def test_evidence_edit_and_withdraw_keep_the_record(client, db, work):
    claim = work["claims"][1]
    _post(
        client,
        work,
        f"/claims/{claim.id}/evidence",
        url="https://transport.example/budget",
        stance="context",
        note="Budget page",
        version=1,
    )
    evidence = db.exec(select(Evidence).where(Evidence.claim_id == claim.id)).one()
    evidence.sha256, evidence.archived_text, evidence.fetch_state = "cd" * 32, "38 million euros", "done"
    db.add(evidence)
    db.commit()

    bad = _post(client, work, f"/claims/{claim.id}/evidence/{evidence.id}", stance="proves", note="", version=2)
    assert bad.status_code == 422 and "Relevance must be one of" in parse(bad).find(id="claim-error").get_text()
    response = _post(
        client,
        work,
        f"/claims/{claim.id}/evidence/{evidence.id}",
        stance="supports",
        note="Line 4 of the budget",
        version=2,
    )
    assert response.status_code == 200
    item = parse(response).select_one(f"#evidence-{evidence.id}")
    assert "supports" in item.select_one(".stance").get_text() and "Line 4 of the budget" in item.get_text()
    edited = _fresh(db, Evidence, evidence.id)
    assert (edited.stance, edited.note) == ("supports", "Line 4 of the budget")
    event = _events(db, "evidence", evidence.id)[-1]
    after = json.loads(event.after)
    assert event.action == "edit" and after["before"]["stance"] == "context" and after["after"]["stance"] == "supports"

    _post(client, work, f"/claims/{claim.id}/status", status="verified", rationale="Budget line", version=3)
    assert _fresh(db, Claim, claim.id).status == Status.verified
    missing = _post(client, work, f"/claims/{claim.id}/evidence/{evidence.id}/withdraw", reason="", version=4)
    assert missing.status_code == 422 and "Say why" in parse(missing).find(id="claim-error").get_text()
    response = _post(
        client, work, f"/claims/{claim.id}/evidence/{evidence.id}/withdraw", reason="Superseded budget", version=4
    )
    assert response.status_code == 200
    assert "withdrawn: Superseded budget" in parse(response).select_one(f"#evidence-{evidence.id}").get_text()
    withdrawn = _fresh(db, Evidence, evidence.id)
    assert withdrawn.withdrawn_at is not None and withdrawn.sha256 == "cd" * 32
    assert withdrawn.archived_text == "38 million euros"
    assert _events(db, "evidence", evidence.id)[-1].action == "withdraw"
    # A verdict given again must stand on evidence that was not withdrawn.
    again = _post(client, work, f"/claims/{claim.id}/status", status="verified", rationale="Again", version=5)
    assert again.status_code == 422
    assert "not withdrawn" in parse(again).find(id="claim-error").get_text()


def test_evidence_of_another_claim_is_not_found(client, db, work):
    first, second = work["claims"][:2]
    _post(client, work, f"/claims/{first.id}/evidence", url="https://a.example/", stance="context", version=1)
    evidence = db.exec(select(Evidence)).one()
    response = _post(client, work, f"/claims/{second.id}/evidence/{evidence.id}/withdraw", reason="x", version=1)
    assert response.status_code == 404 and _fresh(db, Evidence, evidence.id).withdrawn_at is None


def test_merge_with_the_previous_claim_keeps_the_text_between(client, db, work):
    article = work["article"]
    first, second = work["claims"][:2]
    start, end, first_id = first.start, second.end, first.id
    expected = " ".join(f"{first.text}{article.text[first.end : second.start]}{second.text}".split())
    response = _post(client, work, f"/claims/{second.id}/merge", direction="previous", version=1)
    assert response.status_code == 200
    merged = _fresh(db, Claim, second.id)
    assert _fresh(db, Claim, first_id) is None
    assert (merged.start, merged.end) == (start, end)
    assert merged.quote == article.text[start:end]
    assert merged.text == expected  # each claim's wording, and the text between them as it stands
    assert _events(db, "claim", second.id)[-1].action == "merge"


def test_merge_keeps_punctuation_between_split_parts(client, db, work):
    claim = work["claims"][0]
    cut = claim.quote.index(",") + 1  # split just after the comma: the comma stays with the first part
    _post(client, work, f"/claims/{claim.id}/split", at=cut - 1, version=1)
    parts = [c for c in db.exec(select(Claim).where(Claim.article_id == work["article"].id).order_by(Claim.start))]
    first = _fresh(db, Claim, claim.id)
    response = _post(client, work, f"/claims/{first.id}/merge", direction="next", version=first.version)
    assert response.status_code == 200
    merged = _fresh(db, Claim, claim.id)
    assert merged.text == " ".join(claim.quote.split()) and "," in merged.text
    assert len(parts) == len(work["claims"]) + 1


def _correct(client, work, claim, **data):
    return _post(
        client, work, f"/claims/{claim.id}/correct", version=_fresh(db_holder["db"], Claim, claim.id).version, **data
    )


db_holder: dict = {}


@pytest.fixture
def corrector(db, work):
    db_holder["db"] = db
    return work


def _last_correction(db, claim_id):
    event = _events(db, "claim", claim_id)[-1]
    assert event.action == "correct"
    return json.loads(event.before), json.loads(event.after)


def test_correct_source_from_the_registry_new_or_none(client, db, corrector):
    claim = corrector["claims"][1]  # "according to the regional transport agency"
    response = _correct(client, corrector, claim, field="source", new_source="Reuters")
    assert response.status_code == 200
    panel = parse(response)
    assert panel.select_one(".facts dd").get_text(strip=True).startswith("Reuters")
    before, after = _last_correction(db, claim.id)
    assert before["field"] == "source" and after["value"] == "Reuters" and before["value"] != "Reuters"
    new = _correct(client, corrector, claim, field="source", new_source="Harbour Authority")
    assert new.status_code == 200
    created = db.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "source", AuditEvent.action == "create")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert json.loads(created.after)["name"] == "Harbour Authority"
    none = _correct(client, corrector, claim, field="source", new_source="")
    assert none.status_code == 200 and _fresh(db, Claim, claim.id).source_id is None
    same = _correct(client, corrector, claim, field="source", new_source="")
    assert same.status_code == 422 and "Nothing changed" in parse(same).find(id="claim-error").get_text()


def test_a_typed_source_in_another_case_or_an_alias_is_the_registered_source(client, db, corrector):
    from workbench.models import Source, SourceAlias

    reuters = Source(name="Reuters")
    db.add(reuters)
    db.commit()
    db.add(SourceAlias(source_id=reuters.id, alias="Thomson Reuters"))
    db.commit()
    sources = len(db.exec(select(Source)).all())
    claim = corrector["claims"][1]
    assert _correct(client, corrector, claim, field="source", new_source="reuters").status_code == 200
    assert _fresh(db, Claim, claim.id).source_id == reuters.id
    _correct(client, corrector, claim, field="source", new_source="")
    assert _correct(client, corrector, claim, field="source", new_source="thomson reuters").status_code == 200
    assert _fresh(db, Claim, claim.id).source_id == reuters.id
    assert len(db.exec(select(Source)).all()) == sources  # no duplicate "reuters" made


def test_correct_speaker_and_kind(client, db, corrector):
    claim = corrector["claims"][0]
    assert _correct(client, corrector, claim, field="speaker", speaker="  Mayor   Ana Ruiz ").status_code == 200
    assert _fresh(db, Claim, claim.id).speaker == "Mayor Ana Ruiz"
    assert _last_correction(db, claim.id)[1] == {
        "field": "speaker",
        "value": "Mayor Ana Ruiz",
        "version": _fresh(db, Claim, claim.id).version,
    }
    bad = _correct(client, corrector, claim, field="kind", kind="rumour")
    assert bad.status_code == 422 and "Kind must be one of" in parse(bad).find(id="claim-error").get_text()
    assert _correct(client, corrector, claim, field="kind", kind="opinion").status_code == 200
    assert _fresh(db, Claim, claim.id).kind == "opinion"
    selected = parse(client.get(f"/claims/{claim.id}")).select_one("#correct-kind option[selected]")
    assert selected["value"] == "opinion"


def test_correct_dates_change_remove_and_add(client, db, corrector):
    claim = corrector["claims"][0]  # "... reopened on Monday after 14 months ..."
    original = _fresh(db, Claim, claim.id).dates
    assert original, "the sample claim has a date"
    response = _correct(
        client,
        corrector,
        claim,
        field="dates",
        date_text=[original[0]["text"], "14 months"],
        date_value=["2024-05-07", "2023-03"],
        date_start=[str(original[0]["start"]), ""],
        date_end=[str(original[0]["end"]), ""],
    )
    assert response.status_code == 200
    dates = _fresh(db, Claim, claim.id).dates
    assert [(d["text"], d["value"]) for d in dates] == [(original[0]["text"], "2024-05-07"), ("14 months", "2023-03")]
    article = corrector["article"]
    assert article.text[dates[1]["start"] : dates[1]["end"]] == "14 months"
    before, after = _last_correction(db, claim.id)
    assert before["value"][0]["value"] == original[0]["value"] and after["value"][1] == {
        "text": "14 months",
        "value": "2023-03",
    }
    bad = _correct(client, corrector, claim, field="dates", date_text=["Monday"], date_value=["last week"])
    assert bad.status_code == 422 and "not a date value" in parse(bad).find(id="claim-error").get_text()
    removed = _correct(
        client,
        corrector,
        claim,
        field="dates",
        date_text=[d["text"] for d in dates],
        date_value=[d["value"] for d in dates],
        date_remove="0",
        date_start=[str(d["start"]) for d in dates],
        date_end=[str(d["end"]) for d in dates],
    )
    assert removed.status_code == 200
    assert [d["text"] for d in _fresh(db, Claim, claim.id).dates] == ["14 months"]


def test_correct_span_by_selection(client, db, corrector):
    article = corrector["article"]
    claim = corrector["claims"][1]
    start = article.text.index("38 million euros")
    response = _correct(
        client, corrector, claim, field="span", start=str(start - 1), end=str(start + len("38 million euros"))
    )
    assert response.status_code == 200
    moved = _fresh(db, Claim, claim.id)
    assert moved.quote == "38 million euros" and article.text[moved.start : moved.end] == moved.quote
    assert moved.text == "38 million euros"  # not reworded before: the wording follows the span
    assert "38 million euros" == parse(response).select_one("#claim-quote").get_text()
    before, after = _last_correction(db, claim.id)
    assert before["value"]["quote"] != after["value"]["quote"] and after["value"]["start"] == start
    outside = _correct(client, corrector, claim, field="span", start="5", end="999999")
    assert outside.status_code == 422 and _fresh(db, Claim, claim.id).start == start


def test_a_correction_on_a_stale_version_is_a_conflict_that_changes_nothing(client, db, corrector):
    claim = corrector["claims"][0]
    response = _post(client, corrector, f"/claims/{claim.id}/correct", field="speaker", speaker="A", version=1)
    assert response.status_code == 200
    stale = _post(client, corrector, f"/claims/{claim.id}/correct", field="speaker", speaker="B", version=1)
    assert stale.status_code == 409
    form = parse(stale).find("form")
    assert form.find("input", {"name": "speaker"})["value"] == "B"
    assert _fresh(db, Claim, claim.id).speaker == "A"


def test_withdrawing_evidence_reopens_a_cleared_article(app, client, db, work):
    from workbench.models import Article

    claims = work["claims"]
    _post(client, work, f"/claims/{claims[0].id}/evidence", url="https://c.example/", stance="supports", version=1)
    for claim in claims:
        current = _fresh(db, Claim, claim.id)
        assert (
            _post(
                client,
                work,
                f"/claims/{claim.id}/status",
                status="not_checkable",
                rationale="Opinion",
                version=current.version,
            ).status_code
            == 200
        )
    editor = make_user(db, Role.editor)
    other = app.test_client()
    login(other, editor.email)
    assert (
        other.post(f"/articles/{work['article'].id}/clear", data={"csrf_token": csrf_token(other)}).status_code == 303
    )
    assert _fresh(db, Article, work["article"].id).cleared_at is not None
    evidence = db.exec(select(Evidence)).one()
    response = _post(
        client,
        work,
        f"/claims/{claims[0].id}/evidence/{evidence.id}/withdraw",
        reason="Wrong page",
        version=_fresh(db, Claim, claims[0].id).version,
    )
    assert response.status_code == 200
    assert _fresh(db, Article, work["article"].id).cleared_at is None
    assert _events(db, "article", work["article"].id)[-1].action == "unclear"


def test_stale_split_and_edits_of_a_merged_away_claim_are_conflicts(client, db, work):
    first, second, third = work["claims"][:3]
    assert _post(client, work, f"/claims/{first.id}/split", at=20, version=1).status_code == 200
    again = _post(client, work, f"/claims/{first.id}/split", at=40, version=1)  # a 422 once: judged on the new span
    assert again.status_code == 409 and "Someone else saved this claim first" in parse(again).find("h2").get_text()
    third_id = third.id
    assert _post(client, work, f"/claims/{second.id}/merge", direction="next", version=1).status_code == 200
    db.expire_all()
    assert db.get(Claim, third_id) is None
    gone = _post(client, work, f"/claims/{third_id}/text", text="Too late", version=1)  # a 404 once
    assert gone.status_code == 409 and "no longer exists" in parse(gone).find("h2").get_text()
    assert client.post("/claims/999999/text", data={"csrf_token": work["token"], "text": "x"}).status_code == 404
