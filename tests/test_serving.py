"""`workbench serve` and `workbench demo`: a busy port is one line with the fix, each request is logged in the
Common Log Format (--quiet silences it), and the demo's banner counts what is in the database."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from sqlmodel import Session, func, select

from workbench.logs import CommonLogFormatter

CLF = re.compile(
    r"^(?P<host>\S+) - (?P<user>\S+) \[(?P<day>\d{2})/(?P<month>[A-Z][a-z]{2})/(?P<year>\d{4}):\d{2}:\d{2}:\d{2} \+0000\] "
    r'"(?P<method>[A-Z]+) (?P<target>\S+) (?P<protocol>HTTP/1\.[01])" (?P<status>\d{3}) (?P<bytes>\d+|-)'
    r" (?P<request_id>\S+) (?P<duration_ms>[\d.]+|-)$"
)


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "FLASK_"))}
    env.update(
        WORKBENCH_DATABASE_URL=f"sqlite:///{tmp_path}/serve.sqlite3",
        WORKBENCH_SECRET_KEY="s" * 40,
        WORKBENCH_AUDIT_KEY="a" * 40,
        WORKBENCH_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    return env


def _workbench(*args, env, cwd, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )


@pytest.fixture
def busy_port():
    """A port some other program listens on."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_on_a_busy_port_says_so_in_one_line_with_the_fix(tmp_path, busy_port):
    result = _workbench("serve", "--port", str(busy_port), env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Serving on" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    suggested = int(re.fullmatch(rf"Error: Port {busy_port} is in use: try --port (\d+)", lines[0]).group(1))
    assert suggested > busy_port
    with socket.socket() as probe:  # the port it suggests is one a server could take
        probe.bind(("127.0.0.1", suggested))


def test_demo_on_a_busy_port_stops_before_any_work(tmp_path, busy_port):
    result = _workbench(
        "demo", "--port", str(busy_port), "--instance", str(tmp_path / "demo"), env=_env(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith(f"Error: Port {busy_port} is in use: try --port ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == "" and not (tmp_path / "demo").exists()  # no banner, no database built for nothing


def _serve(tmp_path, *extra):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
        cwd=tmp_path,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    pytest.fail("workbench serve did not answer: " + process.communicate(timeout=10)[1][-2000:])


def _stop(process) -> tuple[str, str]:
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


def test_serve_logs_each_request_in_the_common_log_format(tmp_path):
    process, base = _serve(tmp_path)
    try:
        page = requests.get(base + "/login?next=/claims", timeout=10)
        missing = requests.get(base + "/no/such/page", timeout=10, allow_redirects=False)
    finally:
        _, stderr = _stop(process)
    lines = [m for m in (CLF.match(line) for line in stderr.splitlines()) if m]
    by_target = {m["target"]: m for m in lines}
    login = by_target["/login?next=/claims"]
    assert (login["host"], login["user"], login["method"], login["status"]) == ("127.0.0.1", "-", "GET", "200")
    # The bytes sent: the compressed body when the client took one (requests asks for gzip), as %b logs it.
    assert int(login["bytes"]) == int(page.headers["Content-Length"])
    assert page.headers.get("Content-Encoding") in {"gzip", "br"} and int(login["bytes"]) < len(page.content)
    assert by_target["/no/such/page"]["status"] == str(missing.status_code)
    assert by_target["/healthz"]["status"] == "200"
    assert "Traceback" not in stderr


def test_quiet_serves_without_logging_requests(tmp_path):
    process, base = _serve(tmp_path, "--quiet")
    try:
        assert requests.get(base + "/login", timeout=10).status_code == 200
    finally:
        stdout, stderr = _stop(process)
    assert "requests are not logged" in stdout
    assert not [line for line in stderr.splitlines() if CLF.match(line) or "workbench.request" in line], stderr


def _record(**fields):
    record = logging.LogRecord("workbench.request", logging.INFO, __file__, 1, "%s %s %s", ("GET", "/x", 200), None)
    record.created = 1_795_000_000.0  # 18 Nov 2026, 11:06:40 UTC
    for key, value in fields.items():
        setattr(record, key, value)
    return record


def test_common_log_lines_name_the_user_and_escape_what_would_break_a_line():
    line = CommonLogFormatter().format(
        _record(
            method="POST",
            target='/claims/7/notes?q=a"b\nFAKE',
            protocol="HTTP/1.1",
            status=303,
            bytes=None,
            user_id=42,
            remote_addr="10.0.0.5",
            request_id="ab 12",
            duration_ms=3.5,
        )
    )
    assert line == (
        r'10.0.0.5 - 42 [18/Nov/2026:11:06:40 +0000] "POST /claims/7/notes?q=a\x22b\x0aFAKE HTTP/1.1" 303 - ab\x2012 3.5'
    )
    assert CLF.match(line)
    job = logging.LogRecord("workbench.job", logging.INFO, __file__, 1, "job %s", ("fetch",), None)
    assert CommonLogFormatter().format(job).endswith("INFO workbench.job job fetch")  # other lines stay plain


def _banner_counts(stdout: str) -> tuple[int, int, int, int, int]:
    found = re.search(
        r"In the database: (\d+) articles?, (\d+) claims? \((\d+) open, (\d+) with a verdict\), "
        r"(\d+) published fact-checks? to match against",
        stdout,
    )
    assert found, stdout
    return tuple(int(n) for n in found.groups())


def _database_counts(url: str) -> tuple[int, int, int, int, int]:
    from workbench.db import make_engine
    from workbench.models import Article, Claim, Status
    from workbench.models_matching import FactCheck

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            articles = session.exec(select(func.count()).select_from(Article)).one()
            statuses = session.exec(select(Claim.status).where(Claim.status != Status.dismissed)).all()
            fact_checks = session.exec(select(func.count()).select_from(FactCheck)).one()
    finally:
        engine.dispose()
    opened = sum(1 for s in statuses if s in {Status.unverified, Status.in_progress})
    return articles, len(statuses), opened, len(statuses) - opened, fact_checks


def test_the_demo_banner_counts_what_is_in_the_database_on_every_run(tmp_path):
    folder = tmp_path / "demo"
    url = f"sqlite:///{folder.resolve()}/demo.sqlite3"
    first = _workbench("demo", "--instance", str(folder), "--no-serve", env=_env(tmp_path), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Sample articles: 5 added" in first.stdout and "checker@demo.example" in first.stdout
    assert _banner_counts(first.stdout) == _database_counts(url)
    assert _banner_counts(first.stdout)[0] == 5 and _banner_counts(first.stdout)[4] == 5

    # Work done in between: a verdict, a dismissed claim, one more article.
    from workbench.db import get_session
    from workbench.demo import build_demo_app
    from workbench.models import Claim, Status, User
    from workbench.services import review
    from workbench.services.ingest import ingest_article

    app = build_demo_app(folder)
    with app.app_context():
        session = get_session()
        actor = session.exec(select(User).where(User.email == "checker@demo.example")).one()
        first_claim, second_claim = session.exec(select(Claim).order_by(Claim.id).limit(2)).all()
        review.set_status(
            session=session,
            claim=first_claim,
            status=Status.not_checkable,
            rationale="An opinion.",
            actor=actor,
            expected_version=first_claim.version,
        )
        review.dismiss(
            session=session, claim=second_claim, reason="Page furniture.", actor=actor, expected_version=None
        )
        ferry = ingest_article(
            session=session,
            actor=actor,
            text="Ferry Story\n\nThe ferry carried 900 people on Sunday, officials said.\n\n"
            "The port authority said 12 crossings were cancelled in May.\n",
        )
        ferry_claims = ferry.claims
        session.close()
    from workbench.db import get_engine

    get_engine(app).dispose()

    again = _workbench("demo", "--instance", str(folder), "--no-serve", env=_env(tmp_path), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Sample articles: all 5 already loaded" in again.stdout
    counts = _banner_counts(again.stdout)
    assert counts == _database_counts(url)
    assert counts[0] == 6 and counts[3] == 1  # not the first run's figures
    assert counts[4] == 5  # the sample fact-checks are not imported twice
    assert ferry_claims >= 2 and counts[1] == _banner_counts(first.stdout)[1] - 1 + ferry_claims
