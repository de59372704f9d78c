"""Sessions end when they should (sign-out, password, role, deactivation, timeouts); sign-in is throttled and
costs the same for known and unknown accounts; passwords are long and uncommon; admins manage accounts."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import PASSWORD, make_user
from workbench.errors import InputError
from workbench.models import AuditEvent, Role, User
from workbench.services.users import authenticate, check_password, create_user
from workbench.throttle import LoginThrottle


def _copy_cookie(app, client):
    """A second client holding a copy of the first one's session cookie (what a thief would replay)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(who) -> bool:
    return who.get("/articles").status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_reads_or_writes(app, client, db):
    user = make_user(db)
    login(client, user.email)
    thief = _copy_cookie(app, client)
    token = csrf_token(thief)
    assert _signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert not _signed_in(client)
    assert thief.get("/articles").status_code == 302
    response = thief.post("/articles", data={"csrf_token": token, "text": "The council said 40 roads closed."})
    assert response.status_code in {302, 400}  # sent to sign in (or refused), never ingested
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "ingest")).first() is None


def test_sign_out_ends_every_session_of_the_account(app, client, db):
    user = make_user(db)
    login(client, user.email)
    laptop = app.test_client()
    login(laptop, user.email)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert not _signed_in(laptop)


@pytest.mark.parametrize(
    ("action", "data"),
    [("role", {"role": "editor"}), ("deactivate", {}), ("password", {"password": "a fresh long passphrase"})],
)
def test_admin_changes_end_the_users_sessions_and_are_audited(app, client, db, action, data):
    admin, user = make_user(db, Role.admin), make_user(db, Role.checker)
    victim = app.test_client()
    login(victim, user.email)
    login(client, admin.email)
    response = client.post(f"/admin/users/{user.id}", data={"csrf_token": csrf_token(client), "action": action, **data})
    assert response.status_code == 303
    assert not _signed_in(victim)
    db.expire_all()
    event = db.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert event.action == action and event.actor == admin.email and "password_hash" not in event.after


def test_deactivated_account_cannot_sign_in_until_reactivated_and_new_password_works(app, client, db):
    admin, user = make_user(db, Role.admin), make_user(db)
    login(client, admin.email)
    for action, data in (("deactivate", {}), ("password", {"password": "another long passphrase"})):
        client.post(f"/admin/users/{user.id}", data={"csrf_token": csrf_token(client), "action": action, **data})
    other = app.test_client()
    refused = other.post(
        "/login", data={"csrf_token": csrf_token(other), "email": user.email, "password": "another long passphrase"}
    )
    assert refused.status_code == 401
    client.post(f"/admin/users/{user.id}", data={"csrf_token": csrf_token(client), "action": "reactivate"})
    login(other, user.email, "another long passphrase")
    page = parse(client.get("/admin/users"))
    assert page.select_one(f"#user-{user.id} .last-login").get_text() != "never"
    assert page.select_one(f"#user-{admin.id} .last-login").get_text() != "never"


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("password", {"password": "password1234"}, "common"),
        ("password", {"password": "short"}, "12 characters"),
        ("role", {"role": "owner"}, "Unknown role"),
        ("fly", {}, "Choose what to change"),
    ],
)
def test_admin_user_changes_are_validated(client, db, action, data, message):
    admin, user = make_user(db, Role.admin), make_user(db)
    login(client, admin.email)
    before = db.exec(select(AuditEvent)).all()
    response = client.post(f"/admin/users/{user.id}", data={"csrf_token": csrf_token(client), "action": action, **data})
    assert response.status_code == 422 and message in parse(response).find(role="alert").get_text()
    assert len(db.exec(select(AuditEvent)).all()) == len(before)


def test_an_admin_cannot_lock_themselves_out(client, db):
    admin = make_user(db, Role.admin)
    login(client, admin.email)
    for action, data in (("deactivate", {}), ("role", {"role": "checker"})):
        response = client.post(
            f"/admin/users/{admin.id}", data={"csrf_token": csrf_token(client), "action": action, **data}
        )
        assert response.status_code == 422
    db.expire_all()
    assert db.get(User, admin.id).active and db.get(User, admin.id).role == Role.admin


def test_checker_cannot_manage_accounts(client, db):
    checker, other = make_user(db), make_user(db)
    login(client, checker.email)
    response = client.post(f"/admin/users/{other.id}", data={"csrf_token": csrf_token(client), "action": "deactivate"})
    assert response.status_code == 403


@pytest.mark.parametrize(("key", "age"), [("seen_at", 61 * 60), ("signed_in_at", 12 * 3600 + 60)])
def test_idle_and_absolute_timeouts_end_the_session(client, db, key, age):
    user = make_user(db)
    login(client, user.email)
    assert _signed_in(client)
    with client.session_transaction() as session:
        session[key] = session[key] - age
    assert not _signed_in(client)


def test_activity_keeps_an_idle_session_alive(client, db):
    user = make_user(db)
    login(client, user.email)
    with client.session_transaction() as session:
        session["seen_at"] -= 59 * 60
    assert _signed_in(client)
    with client.session_transaction() as session:
        assert session["seen_at"] >= time.time() - 5


def test_the_csrf_token_changes_at_sign_in(client, db):
    user = make_user(db)
    before = csrf_token(client)
    login(client, user.email)
    after = parse(client.get("/articles")).find("meta", {"name": "csrf-token"})["content"]
    assert before != after
    stale = client.post("/logout", data={"csrf_token": before})
    assert stale.status_code == 400 and _signed_in(client)


def test_failed_sign_ins_per_account_are_throttled_with_retry_after(app, client, db):
    user = make_user(db)
    app.extensions["workbench.login_throttle"] = LoginThrottle("memory://", "5 per 15 minutes", "100 per 15 minutes")
    token = csrf_token(client)
    statuses = [
        client.post("/login", data={"csrf_token": token, "email": user.email, "password": f"guess {i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5
    blocked = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 800 <= int(blocked.headers["Retry-After"]) <= 900
    assert "Too many failed sign-ins" in parse(blocked).find(role="alert").get_text()
    assert not _signed_in(client)
    # Another account from the same address is not locked by this one's failures.
    other = make_user(db)
    login(client, other.email)


def test_failed_sign_ins_per_address_are_throttled_across_accounts(app, client, db):
    app.extensions["workbench.login_throttle"] = LoginThrottle("memory://", "100 per 15 minutes", "4 per 15 minutes")
    user = make_user(db)
    token = csrf_token(client)
    for i in range(4):
        client.post("/login", data={"csrf_token": token, "email": f"nobody{i}@test.example", "password": "x"})
    blocked = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    login(elsewhere, user.email)  # the account itself is fine from another address


def test_success_forgets_the_accounts_failures(app, client, db):
    app.extensions["workbench.login_throttle"] = LoginThrottle("memory://", "3 per 15 minutes", "100 per 15 minutes")
    user = make_user(db)
    token = csrf_token(client)
    for _ in range(2):
        client.post("/login", data={"csrf_token": token, "email": user.email, "password": "wrong one"})
    login(client, user.email)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    token = csrf_token(client)
    for _ in range(2):
        assert (
            client.post("/login", data={"csrf_token": token, "email": user.email, "password": "wrong"}).status_code
            == 401
        )
    login(client, user.email)


def test_redis_storage_is_used_when_configured():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    key = f"probe-{time.time_ns()}@test.example"
    first = LoginThrottle("redis://127.0.0.1:6379/0", "2 per 1 minute", "100 per 1 minute")
    second = LoginThrottle("redis://127.0.0.1:6379/0", "2 per 1 minute", "100 per 1 minute")  # another instance
    first.failed(account=key, address="192.0.2.1")
    second.failed(account=key, address="192.0.2.1")
    assert first.retry_after(account=key, address="192.0.2.9") is not None
    first.succeeded(account=key)


def test_unknown_and_known_accounts_take_the_same_time(db):
    user = make_user(db)

    def timed(email):
        start = time.perf_counter()
        assert authenticate(session=db, email=email, password="not the password") is None
        return time.perf_counter() - start

    timed(user.email), timed("warm-up@test.example")
    pairs = [(timed(user.email), timed("nobody@test.example")) for _ in range(7)]  # interleaved: same machine load
    known, unknown = min(k for k, _ in pairs), min(u for _, u in pairs)  # the least disturbed run of each
    assert abs(known - unknown) / known < 0.20, (known, unknown, statistics.median(k for k, _ in pairs))


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "12345678",
        "short pass",
        "password1234",
        "Password123!",
        "qwertyuiop123",
        "aaaaaaaaaaaaaaaa",
        "1q2w3e4r5t6y",
    ],
)
def test_short_or_common_passwords_are_refused(db, password):
    with pytest.raises(InputError):
        check_password(password)
    with pytest.raises(InputError):
        create_user(session=db, email="new@test.example", name="New", role="checker", password=password, actor=None)


def test_the_password_may_not_be_the_email(db):
    with pytest.raises(InputError):
        create_user(
            session=db,
            email="longname@test.example",
            name="New",
            role="checker",
            password="longname@test.example",
            actor=None,
        )
    check_password("iloveyou1234 but longer")


def test_cli_updates_accounts_through_the_same_service(app, runner, db):
    user = make_user(db)
    victim = app.test_client()
    login(victim, user.email)
    result = runner.invoke(
        args=["users", "update", user.email, "--role", "editor", "--password-stdin"], input="a brand new passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert not _signed_in(victim)
    login(victim, user.email, "a brand new passphrase")
    assert runner.invoke(args=["users", "update", user.email, "--deactivate"]).exit_code == 0
    assert not _signed_in(victim)
    weak = runner.invoke(args=["users", "update", user.email, "--password-stdin"], input="password1234\n")
    assert weak.exit_code == 1 and "common" in weak.output
    listing = runner.invoke(args=["users", "list"]).output
    assert f"{user.email}\t" in listing and "inactive" in listing
    assert runner.invoke(args=["users", "update", "nobody@x.example", "--reactivate"]).exit_code == 1


def test_changing_ones_own_password_ends_the_other_sessions_but_keeps_this_one(app, client, db):
    user = make_user(db)
    login(client, user.email)
    laptop = app.test_client()
    login(laptop, user.email)
    wrong = client.post(
        "/account", data={"csrf_token": csrf_token(client), "current": "not it", "password": "a brand new passphrase"}
    )
    assert wrong.status_code == 422 and "not right" in parse(wrong).find(role="alert").get_text()
    weak = client.post(
        "/account", data={"csrf_token": csrf_token(client), "current": PASSWORD, "password": "password1234"}
    )
    assert weak.status_code == 422 and _signed_in(laptop)
    done = client.post(
        "/account", data={"csrf_token": csrf_token(client), "current": PASSWORD, "password": "a brand new passphrase"}
    )
    assert done.status_code == 303 and _signed_in(client) and not _signed_in(laptop)
    login(laptop, user.email, "a brand new passphrase")
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "user").order_by(AuditEvent.seq.desc())).first()
    assert event.action == "password" and event.actor == user.email


def test_guessing_the_current_password_on_the_account_page_is_throttled(app, client, db):
    app.extensions["workbench.login_throttle"] = LoginThrottle("memory://", "3 per 15 minutes", "100 per 15 minutes")
    user = make_user(db)
    login(client, user.email)
    statuses = [
        client.post(
            "/account",
            data={"csrf_token": csrf_token(client), "current": f"guess {i}", "password": "a brand new passphrase"},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [422] * 3
    blocked = client.post(
        "/account", data={"csrf_token": csrf_token(client), "current": PASSWORD, "password": "a brand new passphrase"}
    )
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    db.expire_all()
    assert db.get(User, user.id).session_version == user.session_version


def test_behind_a_proxy_the_forwarded_address_is_throttled_and_not_otherwise(database_url, tmp_path):
    from workbench import create_app

    for hops, expect_blocked_elsewhere in ((1, False), (0, True)):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "t",
                "DATABASE_URL": database_url,
                "SESSION_COOKIE_SECURE": False,
                "TRUSTED_PROXIES": hops,
            }
        )
        app.extensions["workbench.login_throttle"] = LoginThrottle(
            "memory://", "100 per 15 minutes", "2 per 15 minutes"
        )
        client = app.test_client()
        token = csrf_token(client)
        for _ in range(2):
            client.post(
                "/login",
                data={"csrf_token": token, "email": "x@x.example", "password": "x"},
                headers={"X-Forwarded-For": "198.51.100.1"},
            )
        other = client.post(
            "/login",
            data={"csrf_token": token, "email": "y@x.example", "password": "y"},
            headers={"X-Forwarded-For": "198.51.100.2"},
        )
        assert (other.status_code == 429) is expect_blocked_elsewhere
        from workbench.db import get_engine

        get_engine(app).dispose()
