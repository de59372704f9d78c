"""Security headers on every route, signed in or not, pages, fragments, errors and downloads alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login
from tests.factories import make_article, make_user
from workbench.models import Claim, Evidence, EvidenceSnapshot, Role, Source

ROOT = Path(__file__).resolve().parents[2]


def _assert_secure(response, *, cacheable=False):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp or csp == "sandbox", (response.request.path, csp)
    assert "unsafe-eval" not in csp
    if csp != "sandbox" and "default-src 'none'" not in csp:
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    if not cacheable:
        assert "no-store" in headers.get("Cache-Control", ""), response.request.path


@pytest.fixture
def world(client, db):
    admin = make_user(db, Role.admin)
    article = make_article(db, actor=admin).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id)).first()
    evidence = Evidence(claim_id=claim.id, url="https://ok.example/", fetch_state="done")
    db.add(evidence)
    db.flush()
    snapshot = EvidenceSnapshot(evidence_id=evidence.id, archived_text="text", body=b"<html>", content_type="text/html")
    db.add(snapshot)
    db.commit()
    source = db.exec(select(Source)).first()
    return {
        "admin": admin,
        "article_id": article.id,
        "claim_id": claim.id,
        "evidence_id": evidence.id,
        "snapshot_id": snapshot.id,
        "source_id": source.id,
        "alias_id": 1,
    }


def _urls(app, world):
    for rule in app.url_map.iter_rules():
        values = {name: world.get(name, 1) for name in rule.arguments}
        yield rule, rule.build(values, append_unknown=False)[1]


def test_every_get_route_sends_the_headers_signed_in_and_out(app, client, world):
    anonymous = app.test_client()
    login(client, world["admin"].email)
    checked = 0
    for rule, url in _urls(app, world):
        if "GET" not in rule.methods:
            continue
        query = f"?format=html&article={world['article_id']}" if rule.endpoint == "exports.download" else ""
        cacheable = rule.endpoint in {"static", "assets.htmx"}
        for who in (client, anonymous):
            response = who.get(url + query)
            response.get_data()  # a streamed export ends (and closes its database session) once read
            assert response.status_code < 500 or rule.endpoint == "health.readyz", url  # 503: no worker in tests
            _assert_secure(response, cacheable=cacheable)
        fragment = client.get(url + query, headers={"HX-Request": "true", "HX-Target": "main"})
        fragment.get_data()
        _assert_secure(fragment, cacheable=cacheable)
        checked += 1
    assert checked >= 15


def test_every_post_route_sends_the_headers_even_when_refused(app, client, world):
    login(client, world["admin"].email)
    token = csrf_token(client)
    for rule, url in _urls(app, world):
        if "POST" not in rule.methods or rule.endpoint == "auth.logout":
            continue
        for data in ({}, {"csrf_token": token}):
            response = client.post(url, data=data)
            response.get_data()  # an export streams; reading it to the end closes its database session
            assert response.status_code < 500, url
            _assert_secure(response)


def test_error_pages_carry_the_headers(client, world):
    login(client, world["admin"].email)
    for response in (
        client.get("/nowhere"),
        client.get("/claims/99999"),
        client.put("/articles"),
        client.get("/claims?q=%00"),
    ):
        assert response.status_code in {400, 404, 405}
        _assert_secure(response)


def test_the_printable_report_may_style_itself_but_never_run_script(client, world):
    login(client, world["admin"].email)
    response = client.post(
        "/exports", data={"csrf_token": csrf_token(client), "article": world["article_id"], "format": "html"}
    )
    response.get_data()
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp


def test_no_template_or_script_needs_inline_script_or_style():
    """What a strict CSP would block: inline <script> bodies, on* handlers, style attributes, javascript: URLs."""
    problems = []
    for template in (ROOT / "templates").rglob("*.html"):
        source = template.read_text()
        if template.name == "report.html":  # standalone download with its own policy (no script at all)
            assert "<script" not in source
            continue
        problems += [f"{template.name}: inline script" for _ in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", source)]
        problems += [f"{template.name}: {m}" for m in re.findall(r"\s(on[a-z]+|style)=", source)]
        problems += [f"{template.name}: <style>" for _ in re.findall(r"<style", source)]
        problems += [f"{template.name}: javascript: URL" for _ in re.findall(r"javascript:", source, re.I)]
        problems += [f"{template.name}: hx-on" for _ in re.findall(r"hx-on", source)]
    for script in (ROOT / "workbench" / "static").glob("*.js"):
        source = script.read_text()
        problems += [
            f"{script.name}: {m}"
            for m in re.findall(r"\beval\(|new Function\(|setAttribute\(\"style\"|innerHTML", source)
        ]
    assert problems == []


def test_htmx_is_told_not_to_inject_styles_or_eval(client, world):
    import json

    from tests.conftest import parse

    login(client, world["admin"].email)
    config = json.loads(parse(client.get("/articles")).find("meta", {"name": "htmx-config"})["content"])
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
