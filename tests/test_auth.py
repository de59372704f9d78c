"""Sign-in, roles enforced in one place, CSRF on every state change, cookie flags, secret key."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tests.conftest import csrf_token, login, parse
from tests.factories import PASSWORD, make_user
from workbench import create_app
from workbench.auth import PUBLIC_ENDPOINTS
from workbench.config import SettingsError
from workbench.models import Role, User


def _routes(app):
    """Every (endpoint, method, url) the app serves, with placeholder ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


def test_every_route_sends_anonymous_users_to_login(app, client):
    routes = _routes(app)
    assert len(routes) >= 8
    for endpoint, method, url in routes:
        response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
        if endpoint.startswith("api."):  # the JSON API answers 401 problem+json instead of a redirect to a form
            assert response.status_code == 401 and response.mimetype == "application/problem+json", endpoint
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), endpoint
            continue
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/login?next="), endpoint


def test_checker_gets_403_on_every_editor_and_admin_route(app, client, db):
    checker = make_user(db, Role.checker)
    login(client, checker.email)
    protected = [
        (e, m, u)
        for e, m, u in _routes(app)
        if getattr(app.view_functions[e], "required_role", Role.checker) != Role.checker
    ]
    assert {e for e, _, _ in protected} >= {"admin.users", "admin.create_user_view", "admin.audit"}
    token = csrf_token(client)
    for endpoint, method, url in protected:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, endpoint
        if endpoint.startswith("api."):  # the same rule, answered as problem+json
            assert response.json["detail"] == "Your role does not allow this.", endpoint
            continue
        assert "Your role does not allow this" in parse(response).find(role="alert").get_text()


def test_editor_reaches_audit_but_not_users(client, db):
    editor = make_user(db, Role.editor)
    login(client, editor.email)
    assert client.get("/admin/audit").status_code == 200
    assert client.get("/admin/users").status_code == 403


def test_login_with_wrong_password_says_so_and_signs_nobody_in(client, db):
    user = make_user(db)
    response = client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "do not match" in parse(response).find(role="alert").get_text()
    assert client.get("/articles").status_code == 302


def test_login_then_logout(client, db):
    user = make_user(db)
    login(client, user.email, PASSWORD)
    assert client.get("/articles").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert client.get("/articles").status_code == 302


def test_login_refuses_an_offsite_next_url(client, db):
    user = make_user(db)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/articles"


def test_state_change_without_csrf_token_is_refused_and_changes_nothing(client, db):
    admin = make_user(db, Role.admin)
    login(client, admin.email)
    before = db.exec(select(func.count()).select_from(User)).one()
    response = client.post(
        "/admin/users",
        data={"email": "new@test.example", "name": "New", "role": "checker", "password": "long enough password"},
    )
    assert response.status_code == 400
    assert "CSRF" in parse(response).find(role="alert").get_text()
    db.expire_all()
    assert db.exec(select(func.count()).select_from(User)).one() == before


def test_csrf_token_in_htmx_header_is_accepted(client, db):
    admin = make_user(db, Role.admin)
    login(client, admin.email)
    token = csrf_token(client)
    response = client.post(
        "/admin/users",
        headers={"X-CSRFToken": token},
        data={"email": "new@test.example", "name": "New Person", "role": "editor", "password": "long enough password"},
    )
    assert response.status_code == 303
    assert db.exec(select(User).where(User.email == "new@test.example")).one().role == Role.editor


def test_admin_user_form_reports_bad_input_and_changes_nothing(client, db):
    admin = make_user(db, Role.admin)
    login(client, admin.email)
    response = client.post(
        "/admin/users",
        data={
            "email": "not-an-email",
            "name": "X",
            "role": "checker",
            "password": "long enough password",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 422
    assert "is not an email address" in parse(response).find(role="alert").get_text()
    assert db.exec(select(func.count()).select_from(User)).one() == 1


def test_session_cookie_is_httponly_samesite_and_secure_by_default(database_url, monkeypatch):
    monkeypatch.delenv("WORKBENCH_COOKIE_SECURE", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_refuses_to_run_with_the_default_secret_outside_debug_and_tests(database_url, monkeypatch):
    monkeypatch.delenv("WORKBENCH_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="^WORKBENCH_SECRET_KEY is not set"):
        create_app({"DATABASE_URL": database_url})


def test_refuses_to_run_with_the_default_audit_key_outside_debug_and_tests(database_url, monkeypatch):
    monkeypatch.delenv("WORKBENCH_AUDIT_KEY", raising=False)
    with pytest.raises(RuntimeError, match="WORKBENCH_AUDIT_KEY is not set"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "a real secret"})
