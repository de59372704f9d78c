"""The JSON API: token and session auth, the queue's filters and cursor, ETag/If-Match writes, articles, OpenAPI."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import ARTICLE_TEXT, make_article, make_user
from workbench.models import AuditEvent, Claim, Evidence, Role, Status
from workbench.services.tokens import create_token


@pytest.fixture
def checker(db):
    return make_user(db, Role.checker)


def bearer(db, user, scope="write") -> dict:
    _, secret = create_token(session=db, user=user, name=f"test {scope}", scope=scope, actor=user)
    return {"Authorization": f"Bearer {secret}"}


def first_claim(db) -> Claim:
    return db.exec(select(Claim).order_by(Claim.id)).first()


def test_requests_without_a_valid_token_get_401_problems(app, client, db, checker):
    response = client.get("/api/v1/claims")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and "Bearer" in response.json["detail"]
    response = client.get("/api/v1/claims", headers={"Authorization": "Bearer wbt_not-a-token"})
    assert response.status_code == 401 and "unknown, expired or revoked" in response.json["detail"]


def test_a_read_token_reads_but_cannot_write(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker, "read")
    claim = first_claim(db)
    read = client.get(f"/api/v1/claims/{claim.id}", headers=headers)
    assert read.status_code == 200
    response = client.post(
        f"/api/v1/claims/{claim.id}/assign",
        json={"assignee": "me"},
        headers={**headers, "If-Match": read.headers["ETag"]},
    )
    assert response.status_code == 403 and "read scope" in response.json["detail"]
    db.refresh(claim)
    assert claim.assignee_id is None


def test_a_session_alone_needs_the_csrf_token_a_bearer_token_does_not(app, client, db, checker):
    make_article(db, actor=checker)
    claim = first_claim(db)
    login(client, checker.email)
    etag = client.get(f"/api/v1/claims/{claim.id}").headers["ETag"]
    refused = client.post(f"/api/v1/claims/{claim.id}/assign", json={"assignee": "me"}, headers={"If-Match": etag})
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert "CSRF" in refused.json["detail"]
    ok = client.post(
        f"/api/v1/claims/{claim.id}/assign",
        json={"assignee": "me"},
        headers={"If-Match": etag, "X-CSRFToken": csrf_token(client)},
    )
    assert ok.status_code == 200 and ok.json["assignee_id"] == checker.id
    other = app.test_client()  # no cookie at all, only the token: no CSRF token needed
    ok = other.post(
        f"/api/v1/claims/{claim.id}/assign",
        json={"assignee": None},
        headers={**bearer(db, checker), "If-Match": ok.headers["ETag"]},
    )
    assert ok.status_code == 200 and ok.json["assignee_id"] is None


def test_claims_list_pages_with_the_queues_filters_and_a_next_link(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    everything = client.get("/api/v1/claims?sort=newest&limit=200", headers=headers).json
    ids = [item["id"] for item in everything["items"]]
    assert len(ids) >= 3 and ids == sorted(ids, reverse=True) and everything["next"] is None
    seen, url = [], "/api/v1/claims?sort=newest&limit=2"
    while url:
        page = client.get(url, headers=headers).json
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    assert seen == ids
    db.get(Claim, ids[0]).status = Status.in_progress
    db.commit()
    filtered = client.get("/api/v1/claims?status=in_progress", headers=headers).json["items"]
    assert [item["id"] for item in filtered] == [ids[0]]
    found = client.get("/api/v1/claims?q=million", headers=headers).json["items"]
    assert found and all("million" in item["text"] for item in found)


@pytest.mark.parametrize(
    "query,field",
    [
        ("sort=sideways", "sort"),
        ("limit=0", "limit"),
        ("source=abc", "source"),
        ("status=bogus", "status"),
        ("published_from=yesterday", "published_from"),
    ],
)
def test_bad_filters_are_422_problems_that_name_the_field(app, client, db, checker, query, field):
    response = client.get(f"/api/v1/claims?{query}", headers=bearer(db, checker))
    assert response.status_code in {400, 422} and response.mimetype == "application/problem+json"
    assert field in response.json["detail"]


def test_claim_reads_carry_an_etag_and_answer_304_when_unchanged(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)
    response = client.get(f"/api/v1/claims/{claim.id}", headers=headers)
    body = response.json
    assert response.headers["ETag"] == f'"claim-{claim.id}-v{claim.version}"'
    assert body["quote"] in ARTICLE_TEXT and body["quote"] in body["sentence"] and body["history"]
    assert (
        client.get(
            f"/api/v1/claims/{claim.id}", headers={**headers, "If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )
    missing = client.get("/api/v1/claims/999999", headers=headers)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_writes_need_if_match_and_a_stale_one_is_412_with_the_current_state(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)
    url = f"/api/v1/claims/{claim.id}/status"
    missing = client.post(url, json={"status": "in_progress"}, headers=headers)
    assert missing.status_code == 428 and "If-Match" in missing.json["detail"]
    etag = client.get(f"/api/v1/claims/{claim.id}", headers=headers).headers["ETag"]
    moved = client.post(url, json={"status": "in_progress"}, headers={**headers, "If-Match": etag})
    assert moved.status_code == 200 and moved.json["status"] == "in_progress"
    assert moved.headers["ETag"] != etag
    stale = client.post(url, json={"status": "unverified"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412 and stale.json["current"]["status"] == "in_progress"
    assert stale.headers["ETag"] == moved.headers["ETag"]
    db.refresh(claim)
    assert claim.status is Status.in_progress
    events = db.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "claim", AuditEvent.entity_id == claim.id, AuditEvent.action == "status"
        )
    ).all()
    assert len(events) == 1 and events[0].actor == checker.email


def test_a_write_answers_with_the_claim_as_listed_and_costs_no_more_statements_than_the_html_row(
    app, client, db, checker
):
    from sqlalchemy import event

    from workbench.db import get_engine

    make_article(db, actor=checker)
    headers = bearer(db, checker)
    api_claim, html_claim = db.exec(select(Claim).order_by(Claim.id).limit(2)).all()
    etag = client.get(f"/api/v1/claims/{api_claim.id}", headers=headers).headers["ETag"]
    listed = next(
        item for item in client.get("/api/v1/claims", headers=headers).json["items"] if item["id"] == api_claim.id
    )
    web = app.test_client()
    login(web, checker.email)
    token = csrf_token(web)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        moved = client.post(
            f"/api/v1/claims/{api_claim.id}/status",
            json={"status": "in_progress"},
            headers={**headers, "If-Match": etag},
        )
        api_statements = len(statements)
        statements.clear()
        row = web.post(
            f"/claims/{html_claim.id}/status",
            data={"csrf_token": token, "status": "in_progress", "version": html_claim.version},
            headers={"HX-Request": "true", "HX-Target": f"c{html_claim.id}"},
        )
        html_statements = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert moved.status_code == 200 and row.status_code == 200
    assert set(moved.json) == set(listed) and "history" not in moved.json  # the list's shape, not the detail's
    assert {**listed, "status": "in_progress"} == {
        **moved.json,
        "version": listed["version"],
        "updated_at": listed["updated_at"],
    }
    assert moved.json["version"] == listed["version"] + 1
    assert moved.headers["ETag"] == client.get(f"/api/v1/claims/{api_claim.id}", headers=headers).headers["ETag"]
    assert api_statements <= html_statements, (api_statements, html_statements)


def test_verdict_rules_are_the_services_rules(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)
    etag = client.get(f"/api/v1/claims/{claim.id}", headers=headers).headers["ETag"]
    url = f"/api/v1/claims/{claim.id}/status"
    no_reason = client.post(url, json={"status": "unverifiable"}, headers={**headers, "If-Match": etag})
    assert no_reason.status_code == 422 and "rationale" in no_reason.json["detail"]
    no_evidence = client.post(
        url, json={"status": "false", "rationale": "Budget says 12m."}, headers={**headers, "If-Match": etag}
    )
    assert no_evidence.status_code == 422 and "evidence" in no_evidence.json["detail"]
    unknown = client.post(url, json={"status": "maybe"}, headers={**headers, "If-Match": etag})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "status"
    extra = client.post(url, json={"status": "in_progress", "version": 1}, headers={**headers, "If-Match": etag})
    assert extra.status_code == 422 and "version" in extra.json["detail"]
    db.add(Evidence(claim_id=claim.id, url="https://example.org/budget", fetch_state="fetched"))
    db.commit()
    verdict = client.post(
        url, json={"status": "false", "rationale": "Budget says 12m."}, headers={**headers, "If-Match": etag}
    )
    assert verdict.status_code == 200 and verdict.json["review_state"] in {"final", "awaiting_approval"}


def test_reword_dismiss_and_restore_go_through_the_services(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)

    def post(action, body=None):
        etag = client.get(f"/api/v1/claims/{claim.id}", headers=headers).headers["ETag"]
        return client.post(f"/api/v1/claims/{claim.id}/{action}", json=body, headers={**headers, "If-Match": etag})

    reworded = post("text", {"text": "  The   bridge reopened on 6 May 2024. "})
    assert reworded.status_code == 200 and reworded.json["text"] == "The bridge reopened on 6 May 2024."
    assert post("text", {"text": "   "}).status_code == 422
    assert post("dismiss", {"reason": ""}).status_code == 422
    dismissed = post("dismiss", {"reason": "a heading"})
    assert dismissed.json["status"] == "dismissed" and dismissed.json["dismissed_reason"] == "a heading"
    listed = client.get("/api/v1/claims?limit=200", headers=headers).json["items"]
    assert claim.id not in [item["id"] for item in listed]
    assert post("restore").json["status"] == "unverified"
    nul = post("text", {"text": "a\x00b"})
    assert nul.status_code == 400 and "NUL" in nul.json["detail"]


def test_articles_are_ingested_listed_and_read_with_their_claims(app, client, db, checker):
    headers = bearer(db, checker)
    created = client.post(
        "/api/v1/articles",
        json={"text": ARTICLE_TEXT, "outlet": "Harbour Post", "published": "2024-05-08"},
        headers=headers,
    )
    assert created.status_code == 201 and created.json["duplicate"] is False and created.json["claims"] >= 3
    article_id = created.json["article"]["id"]
    assert created.headers["Location"].endswith(f"/api/v1/articles/{article_id}")
    again = client.post("/api/v1/articles", json={"text": ARTICLE_TEXT}, headers=headers)
    assert again.status_code == 200 and again.json["duplicate"] is True and again.json["article"]["id"] == article_id
    make_article(db, actor=checker, text="The ferry carried 400 people, the port authority said.\n", outlet="Other")
    listed = client.get("/api/v1/articles?outlet=Harbour%20Post", headers=headers).json
    assert [a["id"] for a in listed["items"]] == [article_id] and listed["next"] is None
    paged = client.get("/api/v1/articles?limit=1", headers=headers).json
    assert len(paged["items"]) == 1 and paged["next"]
    assert client.get(paged["next"], headers=headers).json["items"][0]["id"] == article_id
    one = client.get(f"/api/v1/articles/{article_id}", headers=headers).json
    assert one["text"] == ARTICLE_TEXT and len(one["claims"]) == created.json["claims"]
    empty = client.post("/api/v1/articles", json={"text": "  "}, headers=headers)
    assert empty.status_code == 422 and "Nothing to ingest" in empty.json["detail"]
    private = client.post("/api/v1/articles", json={"url": "http://127.0.0.1:9/page"}, headers=headers)
    assert private.status_code == 422 and private.mimetype == "application/problem+json"


def test_the_openapi_document_is_public_valid_3_1_and_covers_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, methods in document["paths"].items() for method in methods}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in documented, (path, method)


def test_the_reference_page_lists_every_operation(app, client, db, checker):
    login(client, checker.email)
    page = parse(client.get("/api/reference"))
    operations = [code.get_text() for code in page.select("article.operation h2 code")]
    assert "GET /api/v1/claims" in operations and "POST /api/v1/claims/{claim_id}/status" in operations
    assert not page.select("script:not([src])") and not page.select("[style]")


def test_the_reference_page_loads_nothing_from_elsewhere(app, client, db, checker):
    from urllib.parse import urlsplit

    login(client, checker.email)
    response = client.get("/api/reference")
    page = parse(response)
    assert "POST /api/v1/webhooks" in [code.get_text() for code in page.select("article.operation h2 code")]
    addresses = [tag.get(attr) for attr in ("src", "href", "action") for tag in page.find_all(attrs={attr: True})]
    assert addresses and all(not urlsplit(a).netloc or urlsplit(a).netloc == "localhost" for a in addresses), addresses
    assert all(a.startswith(("/", "#")) for a in addresses if not urlsplit(a).netloc)
    policy = response.headers["Content-Security-Policy"]
    assert "http" not in policy and "default-src 'self'" in policy
    for ref in {a for a in addresses if a.startswith("#schema-")}:  # every schema link lands on its section
        assert page.find(id=ref[1:]), ref


def test_evidence_is_added_with_202_and_a_status_url_listed_and_withdrawn(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)
    etag = client.get(f"/api/v1/claims/{claim.id}", headers=headers).headers["ETag"]
    added = client.post(
        f"/api/v1/claims/{claim.id}/evidence",
        json={"url": "https://example.org/budget", "stance": "refutes", "note": "p. 4"},
        headers={**headers, "If-Match": etag},
    )
    assert added.status_code == 202 and added.json["fetch_state"] == "pending"
    status = client.get(added.headers["Location"], headers=headers)
    assert status.status_code == 200 and status.json["url"] == "https://example.org/budget"
    assert added.headers["ETag"] != etag
    bad = client.post(
        f"/api/v1/claims/{claim.id}/evidence",
        json={"url": "javascript:alert(1)"},
        headers={**headers, "If-Match": added.headers["ETag"]},
    )
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    listed = client.get(f"/api/v1/claims/{claim.id}/evidence", headers=headers).json["items"]
    assert [e["id"] for e in listed] == [added.json["id"]]
    url = f"/api/v1/claims/{claim.id}/evidence/{added.json['id']}/withdraw"
    assert (
        client.post(url, json={"reason": ""}, headers={**headers, "If-Match": added.headers["ETag"]}).status_code == 422
    )
    withdrawn = client.post(url, json={"reason": "wrong year"}, headers={**headers, "If-Match": added.headers["ETag"]})
    assert withdrawn.status_code == 200 and withdrawn.json["evidence"][0]["withdrawn_at"]
    assert client.get(f"/api/v1/claims/{claim.id}/evidence/999", headers=headers).status_code == 404


def test_corrections_of_source_and_speaker(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)

    def correct(body):
        etag = client.get(f"/api/v1/claims/{claim.id}", headers=headers).headers["ETag"]
        return client.post(f"/api/v1/claims/{claim.id}/correct", json=body, headers={**headers, "If-Match": etag})

    renamed = correct({"field": "source", "new_source": "Harbour Authority"})
    assert renamed.status_code == 200 and renamed.json["source"] == "Harbour Authority"
    spoke = correct({"field": "speaker", "speaker": "Ana Lind"})
    assert spoke.status_code == 200 and spoke.json["speaker"] == "Ana Lind"
    same = correct({"field": "speaker", "speaker": "Ana Lind"})
    assert same.status_code == 422 and "Nothing changed" in same.json["detail"]
    assert correct({"field": "span"}).status_code == 422


# One table for the UI and the API: the same role rule, the same answer (the API's as problem+json).
ROLE_TABLE = [
    # (role, HTML route, API route, allowed)
    (Role.checker, "/admin/audit", "/api/v1/audit/verify", False),
    (Role.editor, "/admin/audit", "/api/v1/audit/verify", True),
    (Role.checker, "/claims", "/api/v1/claims", True),
    (Role.editor, "/admin/webhooks", "/api/v1/webhooks", False),
    (Role.admin, "/admin/webhooks", "/api/v1/webhooks", True),
]


@pytest.mark.parametrize("role,html,api,allowed", ROLE_TABLE)
def test_the_same_role_rules_hold_for_ui_and_api(app, client, db, role, html, api, allowed):
    user = make_user(db, role)
    login(client, user.email)
    assert client.get(html).status_code == (200 if allowed else 403)
    response = app.test_client().get(api, headers=bearer(db, user, "read"))
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert response.mimetype == "application/problem+json"


def test_audit_head_matches_the_chain_and_verify_reports_it_intact(app, client, db):
    editor = make_user(db, Role.editor)
    headers = bearer(db, editor, "read")
    head = client.get("/api/v1/audit/head", headers=headers).json
    report = client.get("/api/v1/audit/verify", headers=headers).json
    assert report["ok"] is True and report["head"] == head["hash"] and report["count"] == head["seq"]


def test_a_write_sent_as_a_form_or_without_a_body_is_415(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker)
    claim = first_claim(db)
    etag = client.get(f"/api/v1/claims/{claim.id}", headers=headers).headers["ETag"]
    form = client.post(
        f"/api/v1/claims/{claim.id}/status", data={"status": "in_progress"}, headers={**headers, "If-Match": etag}
    )
    assert form.status_code == 415 and form.mimetype == "application/problem+json"
    empty = client.post(f"/api/v1/claims/{claim.id}/status", headers={**headers, "If-Match": etag})
    assert empty.status_code in {415, 422} and empty.mimetype == "application/problem+json"
    db.refresh(claim)
    assert claim.status is Status.unverified


def test_sources_are_listed_and_read_and_editors_add_aliases_and_merge(app, client, db):
    editor, checker = make_user(db, Role.editor), make_user(db, Role.checker)
    make_article(db, actor=editor)
    headers = bearer(db, editor)
    items = client.get("/api/v1/sources", headers=headers).json["items"]
    assert len(items) >= 2 and all(item["claims"] >= 0 for item in items)
    first, second = items[0], items[1]
    record = client.get(f"/api/v1/sources/{first['id']}", headers=headers).json
    assert record["name"] == first["name"] and sum(record["by_status"].values()) == first["claims"]
    refused = client.post(f"/api/v1/sources/{first['id']}/aliases", json={"alias": "HB"}, headers=bearer(db, checker))
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    added = client.post(f"/api/v1/sources/{first['id']}/aliases", json={"alias": "HB"}, headers=headers)
    assert added.status_code == 201 and "HB" in added.json["aliases"]
    assert (
        client.post(f"/api/v1/sources/{second['id']}/aliases", json={"alias": "HB"}, headers=headers).status_code == 422
    )
    merged = client.post(f"/api/v1/sources/{second['id']}/merge", json={"into": first["id"]}, headers=headers)
    assert merged.status_code == 200 and merged.json == {"moved": second["claims"], "into": first["id"]}
    assert client.get(f"/api/v1/sources/{second['id']}", headers=headers).status_code == 404
    assert second["name"] in client.get(f"/api/v1/sources/{first['id']}", headers=headers).json["aliases"]


def test_head_gives_the_etag_without_a_body(app, client, db, checker):
    make_article(db, actor=checker)
    headers = bearer(db, checker, "read")
    claim = first_claim(db)
    response = client.head(f"/api/v1/claims/{claim.id}", headers=headers)
    assert response.status_code == 200 and response.headers["ETag"] == f'"claim-{claim.id}-v{claim.version}"'
    assert response.get_data() == b""


# Writes: one table for the UI's form and the API's JSON (a refusal changes nothing in either).
WRITE_ROLE_TABLE = [
    # (role, HTML route, form, API route, JSON, allowed)
    (
        Role.checker,
        "/sources",
        {"name": "Checker Source", "kind": "other"},
        "/api/v1/sources",
        {"name": "Checker Source"},
        False,
    ),
    (
        Role.editor,
        "/sources",
        {"name": "Editor Source", "kind": "other"},
        "/api/v1/sources",
        {"name": "Editor Source 2"},
        True,
    ),
    (
        Role.editor,
        "/admin/webhooks",
        {"url": "https://cms.example.org/a", "events": "verdict.final"},
        "/api/v1/webhooks",
        {"url": "https://cms.example.org/b", "events": ["verdict.final"]},
        False,
    ),
    (
        Role.admin,
        "/admin/webhooks",
        {"url": "https://cms.example.org/a", "events": "verdict.final"},
        "/api/v1/webhooks",
        {"url": "https://cms.example.org/b", "events": ["verdict.final"]},
        True,
    ),
]


@pytest.mark.parametrize("role,html,form,api,body,allowed", WRITE_ROLE_TABLE)
def test_the_same_role_rules_hold_for_ui_and_api_writes(app, client, db, role, html, form, api, body, allowed):
    from workbench.models import Source
    from workbench.models_webhooks import WebhookEndpoint

    user = make_user(db, role)
    login(client, user.email)
    table = Source if "sources" in api else WebhookEndpoint
    before = len(db.exec(select(table)).all())
    page = client.post(html, data={**form, "csrf_token": csrf_token(client)})
    assert page.status_code in ((201, 303) if allowed else (403,))
    response = app.test_client().post(api, json=body, headers=bearer(db, user, "write"))
    assert response.status_code == (201 if allowed else 403)
    if not allowed:
        assert response.mimetype == "application/problem+json"
    assert len(db.exec(select(table)).all()) == before + (2 if allowed else 0)
