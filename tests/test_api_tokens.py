"""API tokens: stored hashed, shown once, scoped, expiring, revocable; the UI pages and the CLI commands."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_user
from workbench.errors import InputError
from workbench.models import ApiToken, AuditEvent, Role
from workbench.services.tokens import authenticate_token, create_token, hash_token, revoke_token


def test_a_token_is_stored_only_as_its_hash_and_authenticates_its_user(app, db):
    user = make_user(db)
    token, secret = create_token(session=db, user=user, name="CMS sync", scope="write", actor=user)
    stored = db.get(ApiToken, token.id)
    assert secret.startswith("wbt_") and secret not in stored.token_hash and stored.token_hash == hash_token(secret)
    found_user, found = authenticate_token(session=db, secret=secret)
    assert found_user.id == user.id and found.scope == "write" and found.last_used_at is not None
    assert authenticate_token(session=db, secret=secret + "x") is None
    assert [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.entity_type == "api_token"))] == ["create"]


def test_revoked_expired_and_deactivated_tokens_do_not_authenticate(app, db):
    user = make_user(db)
    _, revoked = create_token(session=db, user=user, name="a", scope="read", actor=user)
    revoke_token(session=db, token_id=1, actor=user)
    token, expiring = create_token(
        session=db,
        user=user,
        name="b",
        scope="read",
        actor=user,
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.add(token)
    db.commit()
    assert authenticate_token(session=db, secret=revoked) is None
    assert authenticate_token(session=db, secret=expiring) is None


@pytest.mark.parametrize("name,scope,message", [("", "read", "name"), ("x", "admin", "scope")])
def test_bad_token_input_is_refused(app, db, name, scope, message):
    user = make_user(db)
    with pytest.raises(InputError, match=message):
        create_token(session=db, user=user, name=name, scope=scope, actor=user)
    assert db.exec(select(ApiToken)).first() is None


def test_the_tokens_page_shows_a_new_token_once_and_revokes_it(app, client, db):
    user = make_user(db, Role.checker)
    login(client, user.email)
    assert parse(client.get("/account")).select_one("#api-tokens-link")["href"] == "/account/tokens"
    token = csrf_token(client)
    response = client.post("/account/tokens", data={"name": "CMS", "scope": "write", "csrf_token": token})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = parse(response).select_one("#new-token code.secret").get_text()
    assert authenticate_token(session=db, secret=secret) is not None
    again = parse(client.get("/account/tokens"))
    assert again.select_one("#new-token") is None and secret not in again.get_text()
    stored = db.exec(select(ApiToken)).one()
    assert again.select_one(f"#token-{stored.id}").find_all("td")[5].get_text() == "active"
    response = client.post(f"/account/tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 303
    assert authenticate_token(session=db, secret=secret) is None
    assert "revoked" in parse(client.get("/account/tokens")).select_one(f"#token-{stored.id}").get_text()


def test_a_user_cannot_revoke_someone_elses_token(app, client, db):
    owner, other = make_user(db), make_user(db)
    token, secret = create_token(session=db, user=owner, name="mine", scope="read", actor=owner)
    login(client, other.email)
    client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client)})
    assert authenticate_token(session=db, secret=secret) is not None


def test_the_cli_creates_lists_and_revokes_tokens(app, runner, db):
    user = make_user(db)
    result = runner.invoke(args=["tokens", "create", user.email, "--name", "CI", "--scope", "write"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert authenticate_token(session=db, secret=secret)[1].scope == "write"
    listing = runner.invoke(args=["tokens", "list"])
    assert "CI\twrite\tactive" in listing.output and secret not in listing.output
    token_id = db.exec(select(ApiToken.id)).one()
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    assert authenticate_token(session=db, secret=secret) is None
    assert runner.invoke(args=["tokens", "create", "nobody@x.example", "--name", "n"]).exit_code != 0
