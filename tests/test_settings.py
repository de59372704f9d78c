"""Typed settings: typos and bad values refused with one line; `workbench config`; the three ways in agree; ProxyFix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import create_app
from workbench.config import SettingsError, read_settings
from workbench.db import get_engine

BIN = Path(sys.executable).parent


def test_defaults_are_typed():
    values = read_settings({})
    assert values["COOKIE_SECURE"] is True and values["TRUSTED_PROXIES"] == 0
    assert values["FETCH_DEADLINE"] == 30.0 and values["DATABASE_URL"] is None


@pytest.mark.parametrize("word, expected", [("false", False), ("OFF", False), ("0", False), ("yes", True), ("1", True)])
def test_booleans_are_read(word, expected):
    assert read_settings({"WORKBENCH_COOKIE_SECURE": word})["COOKIE_SECURE"] is expected


@pytest.mark.parametrize(
    "environ, variable",
    [
        ({"WORKBENCH_COOKIE_SECURE": "flase"}, "WORKBENCH_COOKIE_SECURE"),
        ({"WORKBENCH_REQUIRE_APPROVAL": "maybe"}, "WORKBENCH_REQUIRE_APPROVAL"),
        ({"WORKBENCH_DATABASE_URL": "postgress://db/x"}, "WORKBENCH_DATABASE_URL"),
        ({"WORKBENCH_DATABASE_URL": "sqlite:relative.db"}, "WORKBENCH_DATABASE_URL"),
        ({"WORKBENCH_REDIS_URL": "127.0.0.1:6379"}, "WORKBENCH_REDIS_URL"),
        ({"WORKBENCH_FETCH_DEADLINE": "thirty"}, "WORKBENCH_FETCH_DEADLINE"),
        ({"WORKBENCH_FETCH_DEADLINE": "-1"}, "WORKBENCH_FETCH_DEADLINE"),
        ({"WORKBENCH_MAX_ARTICLE_BYTES": "5MB"}, "WORKBENCH_MAX_ARTICLE_BYTES"),
        ({"WORKBENCH_TRUSTED_PROXIES": "-1"}, "WORKBENCH_TRUSTED_PROXIES"),
        ({"WORKBENCH_THROTTLE_LOGIN_PER_ACCOUNT": "ten a day"}, "WORKBENCH_THROTTLE_LOGIN_PER_ACCOUNT"),
        ({"WORKBENCH_LOG_FORMAT": "xml"}, "WORKBENCH_LOG_FORMAT"),
        ({"WORKBENCH_FETCH_STALE_SECONDS": "20"}, "WORKBENCH_FETCH_STALE_SECONDS"),  # not above the 30 s deadline
    ],
)
def test_bad_values_are_refused_naming_the_variable(environ, variable):
    with pytest.raises(SettingsError) as refused:
        read_settings(environ)
    message = refused.value.format_message()
    assert message.startswith(variable + "=") and "\n" not in message


def test_the_earlier_name_of_trusted_proxies_is_still_read():
    assert read_settings({"WORKBENCH_PROXY_HOPS": "2"})["TRUSTED_PROXIES"] == 2
    assert read_settings({"WORKBENCH_PROXY_HOPS": "2", "WORKBENCH_TRUSTED_PROXIES": "1"})["TRUSTED_PROXIES"] == 1
    with pytest.raises(SettingsError, match="^WORKBENCH_PROXY_HOPS='x' is not valid"):
        read_settings({"WORKBENCH_PROXY_HOPS": "x"})


def test_a_misspelt_variable_is_refused_with_a_suggestion():
    with pytest.raises(
        SettingsError, match="WORKBENCH_COOKIE_SECUR is not a setting; did you mean WORKBENCH_COOKIE_SECURE"
    ):
        read_settings({"WORKBENCH_COOKIE_SECUR": "false"})
    read_settings({"WORKBENCH_SOMETHING_ELSE_ENTIRELY": "x"})  # unrelated names are someone else's business


def test_a_secret_is_never_echoed_when_refused(monkeypatch):
    with pytest.raises(SettingsError) as refused:
        read_settings({"WORKBENCH_SECRET_KEY": "s3cr3t", "WORKBENCH_COOKIE_SECURE": "flase"})
    assert "s3cr3t" not in refused.value.format_message()


def test_an_app_served_by_wsgi_refuses_the_development_keys(monkeypatch, tmp_path):
    monkeypatch.delenv("WORKBENCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("WORKBENCH_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(SettingsError, match="^WORKBENCH_SECRET_KEY is not set"):
        create_app()
    monkeypatch.setenv("WORKBENCH_SECRET_KEY", "a-real-secret")
    monkeypatch.delenv("WORKBENCH_AUDIT_KEY", raising=False)
    with pytest.raises(SettingsError, match="^WORKBENCH_AUDIT_KEY is not set"):
        create_app()


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_") and not k.startswith("FLASK_")}
    env.update(
        WORKBENCH_INSTANCE_PATH=str(tmp_path),
        WORKBENCH_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
        WORKBENCH_REDIS_URL="redis://:hunter2@127.0.0.1:6399/5",
        **extra,
    )
    return env


def test_workbench_flask_and_python_m_agree_and_mask_secrets(tmp_path):
    env = _env(tmp_path, WORKBENCH_SECRET_KEY="top-secret-value", WORKBENCH_TRUSTED_PROXIES="2")
    outputs = []
    for command in (
        [str(BIN / "workbench"), "config"],
        [str(BIN / "flask"), "--app", "workbench", "config"],
        [sys.executable, "-m", "workbench", "config"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    lines = outputs[0].splitlines()
    assert "WORKBENCH_SECRET_KEY=********" in lines and "WORKBENCH_TRUSTED_PROXIES=2" in lines
    assert "WORKBENCH_AUDIT_KEY=(development default: set it)" in lines
    assert "WORKBENCH_REDIS_URL=redis://:***@127.0.0.1:6399/5" in lines
    assert "top-secret-value" not in outputs[0] and "hunter2" not in outputs[0]


def test_flask_app_commands_run_without_the_secret(tmp_path):
    """The README calls `flask --app workbench …` equivalent: it no longer crashes for want of a secret key."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "workbench", "init"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0 and "Database ready" in done.stdout, done.stderr


@pytest.mark.parametrize("command", [["workbench"], ["flask", "--app", "workbench"]])
def test_a_bad_setting_is_one_line_on_every_command_line(tmp_path, command):
    done = subprocess.run(
        [str(BIN / command[0]), *command[1:], "config"],
        env=_env(tmp_path, WORKBENCH_COOKIE_SECURE="flase"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith("Error: WORKBENCH_COOKIE_SECURE='flase' is not valid")
    assert "Traceback" not in done.stderr


def test_serve_refuses_the_development_audit_key(tmp_path):
    done = subprocess.run(
        [str(BIN / "workbench"), "serve", "--port", "1"],
        env=_env(tmp_path, WORKBENCH_SECRET_KEY="x" * 32),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode != 0 and "Error: WORKBENCH_AUDIT_KEY is not set" in done.stderr


def _remote(app):
    @app.get("/_echo_remote")
    def _echo_remote():
        from flask import request

        return f"{request.remote_addr} {request.scheme} {request.host}"

    return app


@pytest.mark.parametrize("hops, expected", [(0, "127.0.0.1 http localhost"), (1, "203.0.113.9 https news.example")])
def test_trusted_proxies_apply_proxyfix(database_url, tmp_path, hops, expected):
    from workbench.auth import PUBLIC_ENDPOINTS

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database_url, "TRUSTED_PROXIES": hops})
    _remote(app)
    PUBLIC_ENDPOINTS.add("_echo_remote")
    try:
        body = app.test_client().get(
            "/_echo_remote",
            headers={
                "X-Forwarded-For": "203.0.113.9",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "news.example",
            },
        )
    finally:
        PUBLIC_ENDPOINTS.discard("_echo_remote")
        get_engine(app).dispose()
    assert body.get_data(as_text=True) == expected


@pytest.mark.parametrize(
    "command",
    [
        ["worker", "--burst"],
        ["users", "create", "a@example.org", "--name", "A", "--password-stdin"],
        ["tokens", "revoke", "1"],
        ["audit", "anchor"],
        ["generate", "--articles", "1"],
        ["import-claimreview", "reviews.jsonl"],
        ["ingest", "article.txt", "--published", "2024-05-08"],
        ["export", "--format", "json", "-o", "out.json"],
    ],
)
def test_commands_that_write_audit_events_refuse_the_development_audit_key(tmp_path, command):
    """Events signed with the development key would not verify under the real one: one line, nothing written."""
    env = _env(tmp_path, WORKBENCH_SECRET_KEY="x" * 32)
    (tmp_path / "reviews.jsonl").write_text("")
    (tmp_path / "article.txt").write_text("Bridge\n\nThe bridge reopened on Monday, the council said.\n")
    init = subprocess.run(
        [str(BIN / "workbench"), "init"], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert init.returncode == 0, init.stderr
    done = subprocess.run(
        [str(BIN / "workbench"), *command],
        env=env,
        input="a-long-enough-password-for-this\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "Error: WORKBENCH_AUDIT_KEY is not set: refusing to write audit events with the development audit key. "
        "Set it to the key the server uses (every process that writes events needs the same key)."
    ]
    import sqlite3

    with sqlite3.connect(tmp_path / "x.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM audit_event").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM user").fetchone() == (0,)


def test_a_command_with_the_real_audit_key_writes_its_event(tmp_path):
    env = _env(tmp_path, WORKBENCH_SECRET_KEY="x" * 32, WORKBENCH_AUDIT_KEY="a" * 40)
    for command in (["init"], ["users", "create", "a@example.org", "--name", "A", "--password-stdin"]):
        done = subprocess.run(
            [str(BIN / "workbench"), *command],
            env=env,
            input="a-long-enough-password-for-this\n",
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "x.sqlite3") as connection:
        assert connection.execute("SELECT entity_type, action FROM audit_event").fetchall() == [("user", "create")]
