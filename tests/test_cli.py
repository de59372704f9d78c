"""The command line: init, users, extract, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from tests.conftest import SHARED
from workbench.models import User

ROOT = Path(__file__).resolve().parents[1]


def test_init_reports_the_migration(runner):
    from alembic.script import ScriptDirectory

    from workbench.db import migrations_config

    head = ScriptDirectory.from_config(migrations_config(None)).get_current_head()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0 and f"migration {head}" in result.output


def test_users_create_with_password_stdin_and_list(runner, db):
    result = runner.invoke(
        args=["users", "create", "Ed@Test.example", "--name", "Ed Itor", "--role", "editor", "--password-stdin"],
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.exec(select(User)).one().email == "ed@test.example"
    listing = runner.invoke(args=["users", "list"])
    assert "ed@test.example\tEd Itor\teditor\tactive" in listing.output


def test_users_create_prompts_for_the_password(runner, db):
    result = runner.invoke(
        args=["users", "create", "c@test.example", "--name", "C"], input="a long password\na long password\n"
    )
    assert result.exit_code == 0, result.output


def test_users_create_bad_input_is_explained(runner, db):
    cases = [
        (["bad-email", "--name", "X"], "is not an email address"),
        (["x@test.example", "--name", "X", "--role", "boss"], "Invalid value for '--role'"),
        (["x@test.example", "--name", "X"], "too short"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["users", "create", *args, "--password-stdin"], input="short\n")
        assert result.exit_code != 0 and message in result.output, result.output
    assert db.exec(select(User)).all() == []


def test_extract_prints_json_with_article_and_claims(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Dam Report\n\nThe dam released 40 cubic metres a second on Monday, the water agency said.\n")
    result = runner.invoke(args=["extract", str(path), "--published", "2024-07-09"])
    payload = json.loads(result.output)
    assert payload["article"]["published"] == "2024-07-09" and payload["article"]["title"] == "Dam Report"
    claim = payload["claims"][0]
    assert {
        "text",
        "quote",
        "start",
        "end",
        "source",
        "speaker",
        "attribution",
        "dates",
        "checkworthiness",
        "kind",
    } <= set(claim)
    assert payload["article"]["text"][claim["start"] : claim["end"]] == claim["quote"]
    assert claim["dates"][0]["value"] == "2024-07-08"
    table = runner.invoke(args=["extract", str(path), "--published", "2024-07-09", "--format", "table"])
    assert "Dam Report" in table.output and "water agency" in table.output


def test_extract_on_the_example_article_when_shared_is_present(runner):
    corpus = SHARED / "corpus" / "china-belarus-drills.txt"
    if not corpus.exists():
        import pytest

        pytest.skip("../shared/corpus is not present")
    result = runner.invoke(args=["extract", str(corpus), "--published", "2024-07-09"])
    claims = json.loads(result.output)["claims"]
    assert any(c["source"] == "Reuters" for c in claims)


def test_demo_builds_its_database_and_prints_credentials(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "demo", "--instance", str(tmp_path / "demo"), "--no-serve"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "In the database: 5 articles" in result.stdout and "checker@demo.example" in result.stdout
    again = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "demo", "--instance", str(tmp_path / "demo"), "--no-serve"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert again.returncode == 0 and "In the database: 5 articles" in again.stdout


def test_an_unusable_database_is_reported_in_one_line(tmp_path):
    env = {"WORKBENCH_DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "users", "list"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "run `workbench init`" in result.stderr and "no such table" in result.stderr


def test_generate_fills_realistic_data_with_an_intact_history(runner, db):
    from workbench.models import Article, Claim

    result = runner.invoke(args=["generate", "--articles", "4", "--claims-per-article", "5"])
    assert result.exit_code == 0 and "Generated 4 articles with 20 claims" in result.output
    claims = db.exec(select(Claim)).all()
    articles = {a.id: a for a in db.exec(select(Article))}
    assert len(claims) == 20 and all(articles[c.article_id].text[c.start : c.end] == c.quote for c in claims)
    assert len({c.status for c in claims}) > 1 and all(c.source_id for c in claims)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_every_command_is_documented_in_the_readme():
    from workbench.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        if name in {"run", "shell", "routes"}:  # Flask's own
            continue
        assert f"workbench {name}" in readme, name
        for sub in getattr(command, "commands", {}):
            assert f"workbench {name} {sub}" in readme, f"{name} {sub}"
