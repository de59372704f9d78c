"""`workbench serve --processes N`: several processes on one port, a dead one replaced, all stopped together, and
refused (one line) while sign-in throttling would be counted per process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.polling import wait_for
from tests.redis_service import redis_or_skip
from tests.test_serving import _env, _free_port, _workbench
from workbench.processes import bind_address

PASSWORD = "a long and unusual passphrase 42"
REDIS = os.environ.get("WORKBENCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _two_children(pid: int, gone: int | None = None) -> set[int] | None:
    children = _children(pid)
    return children if len(children) == 2 and gone not in children else None


def _wait_for(condition, what: str = "the servers"):
    return wait_for(condition, 30.0, what)


def _answers(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def redis_url():
    redis_or_skip(REDIS).close()
    return REDIS


def test_several_processes_are_refused_while_sign_in_throttling_is_per_process(tmp_path):
    result = _workbench("serve", "--port", str(_free_port()), "--processes", "2", env=_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "Serving on" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        "Error: Several processes need a shared store for sign-in throttling: set WORKBENCH_REDIS_URL "
        "(or WORKBENCH_THROTTLE_STORAGE_URI), or serve with --processes 1"
    ]


def test_gunicorn_binds_an_ipv6_address_in_brackets():
    assert bind_address("127.0.0.1", 8000) == "127.0.0.1:8000"
    assert bind_address("::1", 8000) == "[::1]:8000"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_processes_share_one_port_a_dead_one_is_replaced_and_all_stop_together(tmp_path, redis_url):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**_env(tmp_path), "WORKBENCH_REDIS_URL": redis_url, "WORKBENCH_COOKIE_SECURE": "0"}  # plain http here
    assert _workbench("init", env=env, cwd=tmp_path).returncode == 0
    created = subprocess.run(
        [sys.executable, "-m", "workbench", "users", "create", "ana@test.example", "--name", "Ana", "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", str(port), "--processes", "2", "--threads", "2"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def warmed(count: int) -> bool:  # each process logs its warm-up when done; a slow machine may answer before
        return (tmp_path / "serve.log").read_text().count("warmed up:") >= count

    try:
        _wait_for(lambda: _answers(base))
        first = _wait_for(lambda: _two_children(server.pid))
        _wait_for(lambda: warmed(2), "both processes' warm-up")
        # A session made on one connection holds on fresh connections, whichever process takes them.
        session = requests.Session()
        page = session.get(base + "/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        signed = session.post(
            base + "/login",
            data={"email": "ana@test.example", "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        assert signed.status_code == 303
        for _ in range(6):
            mine = session.get(base + "/my-work", headers={"Connection": "close"}, allow_redirects=False, timeout=10)
            assert mine.status_code == 200 and "Ana" in mine.text
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        replaced = _wait_for(lambda: _two_children(server.pid, gone=victim))
        assert replaced - first, "a new process took the dead one's place"
        assert _answers(base)
        _wait_for(lambda: warmed(3), "the replacement's warm-up")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 0
        time.sleep(0.5)
        assert not any(Path(f"/proc/{pid}").exists() for pid in replaced | first - {victim})
        assert not _answers(base)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert f"Serving on http://127.0.0.1:{port}/ from 2 processes of 2 threads" in output
    assert output.count("warmed up:") >= 3  # two at start, one for the replacement
    assert re.search(r'"GET /healthz HTTP/1\.1" 200 ', output), "requests are logged as under Waitress"
