"""Every XSS payload in every stored and reflected field comes back as text, never as markup (HTML parser check;
tests/browser/test_xss.py renders the same world in Chromium with a hook that fails on any script execution)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token, login, parse
from tests.security.xss_corpus import PAYLOADS, seed

ALLOWED_SCRIPTS = re.compile(r"^/(assets/htmx\.min\.js|static/[a-z]+\.js)$")
FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "base",
    "img",
    "video",
    "source",
    "math",
    "marquee",
    "x",
    "style",
    "link",
    "animate",
    "mglyph",
}


def _assert_inert(response, url):
    page = parse(response)
    for script in page.find_all("script"):
        assert ALLOWED_SCRIPTS.match(script.get("src", "")) and not script.string, (url, str(script)[:120])
    for tag in page.find_all(True):
        assert tag.name not in FORBIDDEN_TAGS or (tag.name == "link" and tag.get("rel") == ["stylesheet"]), (
            url,
            tag.name,
        )
        for name, value in tag.attrs.items():
            assert not name.startswith(("on", "hx-on")), (url, tag.name, name)
            if name in {"href", "src", "action", "formaction", "data"}:
                assert not str(value).strip().lower().startswith(("javascript:", "data:", "vbscript:")), (url, value)
            if name.startswith("hx-") and "__xss" in str(value):
                raise AssertionError((url, name, value))
        if tag.name == "meta":
            assert "http-equiv" not in tag.attrs, url
        if tag.name == "div" and tag.get("hx-get") == "/admin/users":
            raise AssertionError(url)


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 40 and len(set(PAYLOADS)) == len(PAYLOADS)


def test_no_payload_becomes_markup_anywhere(client, db):
    world = seed(db)
    login(client, world.admin_email)
    assert world.placements >= 40 * 20
    for url in world.pages + world.reflected:
        response = client.get(url)
        assert response.status_code in {200, 400, 422}, (url, response.status_code)
        _assert_inert(response, url)
        fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "claim-panel"})
        _assert_inert(fragment, url)


@pytest.mark.parametrize("payload", PAYLOADS[:12])
def test_reflected_login_email_is_inert(client, payload):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": payload, "password": "x"})
    assert response.status_code == 401
    _assert_inert(response, "/login")
    assert parse(response).find("input", {"name": "email"})["value"] == payload
