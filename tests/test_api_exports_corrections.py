"""The API's exports (same stream, trailer and audit event as the web) and corrections (same services as the UI)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from tests.conftest import login, parse
from tests.factories import make_article, make_user
from tests.test_api import bearer, first_claim
from workbench.models import Article, AuditEvent, Claim, Role, Source
from workbench.services.exports import verify_report


@pytest.fixture
def checker(db):
    return make_user(db, Role.checker)


def _export(client, headers, **body):
    return client.post("/api/v1/exports", json=body, headers=headers)


@pytest.mark.parametrize("fmt", ["csv", "json", "html", "claimreview"])
def test_each_format_streams_with_its_trailer_and_audit_event_like_the_web(app, client, db, checker, fmt):
    app.config["PUBLIC_URL"] = "https://factcheck.example/"
    article = make_article(db, actor=checker).article
    response = _export(client, bearer(db, checker), format=fmt, article=article.id)
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="article-')
    content = response.get_data()
    assert verify_report(session=db, content=content).ok  # the trailer's digest is in the chain
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert json.loads(event.after)["format"] == fmt and event.actor_id == checker.id
    web = make_user(db, Role.checker)
    login(client, web.email)
    offer = parse(client.get("/exports", query_string={"article": article.id, "format": fmt}))
    form = offer.find("form", id="export-form")
    html = client.post(form["action"], data={i["name"]: i["value"] for i in form.find_all("input")})
    assert html.mimetype == response.mimetype  # the same service answers both
    assert verify_report(session=db, content=html.get_data()).ok  # read to the end: the stream's transaction ends
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()) == 2


def test_csv_rows_match_the_claims(app, client, db, checker):
    article = make_article(db, actor=checker).article
    rows = list(
        csv.reader(
            io.StringIO(_export(client, bearer(db, checker), format="csv", article=article.id).get_data(as_text=True))
        )
    )
    count = len(db.exec(select(Claim).where(Claim.article_id == article.id)).all())
    assert len(rows) == 1 + count + 1  # header, claims, integrity row


@pytest.mark.parametrize(
    "body,message",
    [
        ({"format": "json", "article": 999999}, "article"),
        ({"format": "claimreview"}, "PUBLIC_URL"),
    ],
)
def test_a_bad_export_is_a_problem_and_records_nothing(app, client, db, checker, body, message):
    make_article(db, actor=checker)
    app.config["PUBLIC_URL"] = None
    response = _export(client, bearer(db, checker), **body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert message.lower() in response.json["detail"].lower()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "export")).first() is None


def test_an_unknown_format_names_the_field(app, client, db, checker):
    response = _export(client, bearer(db, checker), format="xlsx")
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "format"


def test_a_read_token_cannot_export_because_an_export_is_recorded(app, client, db, checker):
    make_article(db, actor=checker)
    response = _export(client, bearer(db, checker, "read"), format="json")
    assert response.status_code == 403 and "read scope" in response.json["detail"]


def _correct(client, headers, claim_id, body):
    etag = client.get(f"/api/v1/claims/{claim_id}", headers=headers).headers["ETag"]
    return client.post(f"/api/v1/claims/{claim_id}/correct", json=body, headers={**headers, "If-Match": etag})


def test_kind_dates_and_span_are_corrected_through_the_ui_services(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)
    article = db.get(Article, claim.article_id)

    kind = _correct(
        client, headers, claim.id, {"field": "kind", "kind": "quantity" if claim.kind != "quantity" else "event"}
    )
    assert kind.status_code == 200 and kind.json["kind"] in ("quantity", "event")
    bad_kind = _correct(client, headers, claim.id, {"field": "kind", "kind": "rumour"})
    assert bad_kind.status_code == 422 and "Kind must be one of" in bad_kind.json["detail"]

    words = article.text[claim.start : claim.end].split()[0]
    dates = _correct(client, headers, claim.id, {"field": "dates", "dates": [{"text": words, "value": "2024-05"}]})
    assert dates.status_code == 200 and [(d["text"], d["value"]) for d in dates.json["dates"]] == [(words, "2024-05")]
    bad_value = _correct(client, headers, claim.id, {"field": "dates", "dates": [{"text": words, "value": "May"}]})
    assert bad_value.status_code == 422 and "YYYY-MM-DD" in bad_value.json["detail"]
    cleared = _correct(client, headers, claim.id, {"field": "dates", "dates": []})
    assert cleared.status_code == 200 and cleared.json["dates"] == []

    start, end = claim.start, claim.start + 20
    span = _correct(client, headers, claim.id, {"field": "span", "start": start, "end": end})
    assert span.status_code == 200 and span.json["quote"] == article.text[start:end].strip()
    outside = _correct(client, headers, claim.id, {"field": "span", "start": 0, "end": len(article.text) + 5})
    assert outside.status_code == 422 and "outside the article" in outside.json["detail"]
    assert _correct(client, headers, claim.id, {"field": "span", "start": 3}).status_code == 422

    actions = [
        json.loads(e.after)["field"]
        for e in db.exec(select(AuditEvent).where(AuditEvent.entity_id == claim.id, AuditEvent.action == "correct"))
    ]
    assert actions == ["kind", "dates", "dates", "span"]  # each accepted correction audited, refused ones not


def test_a_stale_correction_is_412_and_changes_nothing(app, client, db, checker):
    make_article(db, actor=checker)
    claim = first_claim(db)
    response = client.post(
        f"/api/v1/claims/{claim.id}/correct",
        json={"field": "kind", "kind": "event"},
        headers={**bearer(db, checker), "If-Match": f'"claim-{claim.id}-v{claim.version + 3}"'},
    )
    assert response.status_code == 412
    missing = client.post(
        f"/api/v1/claims/{claim.id}/correct", json={"field": "kind", "kind": "event"}, headers=bearer(db, checker)
    )
    assert missing.status_code == 428
    db.refresh(claim)
    assert claim.version == 1


def test_editors_create_sources_checkers_cannot(app, client, db, checker):
    editor = make_user(db, Role.editor)
    refused = client.post("/api/v1/sources", json={"name": "Port Authority"}, headers=bearer(db, checker))
    assert refused.status_code == 403 and db.exec(select(Source).where(Source.name == "Port Authority")).first() is None
    created = client.post(
        "/api/v1/sources",
        json={"name": "  Port   Authority ", "kind": "government", "domain": "port.example"},
        headers=bearer(db, editor),
    )
    assert (
        created.status_code == 201 and created.json["name"] == "Port Authority" and created.json["kind"] == "government"
    )
    assert created.headers["Location"].endswith(f"/api/v1/sources/{created.json['id']}")
    event = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "source", AuditEvent.action == "create")).one()
    assert event.entity_id == created.json["id"] and event.actor_id == editor.id
    clash = client.post("/api/v1/sources", json={"name": "Port Authority"}, headers=bearer(db, editor))
    assert clash.status_code == 422 and "already called" in clash.json["detail"]
    bad_kind = client.post("/api/v1/sources", json={"name": "X", "kind": "cabal"}, headers=bearer(db, editor))
    assert bad_kind.status_code == 422 and bad_kind.json["errors"][0]["field"] == "kind"


def test_editors_add_a_source_from_the_sources_page(app, client, db):
    editor = make_user(db, Role.editor)
    login(client, editor.email)
    page = parse(client.get("/sources"))
    form = page.find("form", id="source-form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")} | {
        "name": "Harbour Board",
        "kind": "official",
    }
    response = client.post(form["action"], data=data)
    assert response.status_code == 303
    source = db.exec(select(Source).where(Source.name == "Harbour Board")).one()
    assert response.headers["Location"].endswith(f"/sources/{source.id}")
    again = client.post(form["action"], data=data)
    assert again.status_code == 422 and "already called" in parse(again).find(class_="error").get_text()
    assert len(db.exec(select(Source).where(Source.name == "Harbour Board")).all()) == 1
