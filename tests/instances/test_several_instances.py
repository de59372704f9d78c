"""Two `workbench serve` processes and `workbench worker`s on one PostgreSQL database and one Redis, driven as two users.

Run by the PostgreSQL + Redis part of `.ci/run` (needs WORKBENCH_TEST_DATABASE_URL and a Redis at
WORKBENCH_TEST_REDIS_URL, default redis://127.0.0.1:6379/12); skipped otherwise. Every process is started on a
free port in its own process group and killed at the end, whatever happens.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, make_url, text

from tests.polling import wait_for

PG_URL = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("WORKBENCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
BIN = Path(sys.executable).parent / "workbench"
PASSWORD = "correct horse battery staple"
ARTICLE = (
    "Harbour Ferry Returns\n\nThe harbour ferry carried 12,400 passengers in its first week back, the port "
    "authority said on Monday. Tickets will cost 3 euros until June, the operator said in a statement.\n"
)

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs WORKBENCH_TEST_DATABASE_URL (PostgreSQL)")


class Pages(BaseHTTPRequestHandler):
    """Evidence pages that count their hits; /hang-once hangs on its first hit (a worker gets killed meanwhile)."""

    hits: Counter[str] = Counter()

    def log_message(self, *_args):
        pass

    def do_GET(self):  # noqa: N802
        """Answer a small article page; hang on the first /hang-once."""
        Pages.hits[self.path] += 1
        if self.path == "/hang-once" and Pages.hits[self.path] == 1:
            time.sleep(60)
            return
        body = (
            f"<html><head><title>Page {self.path}</title></head><body><article><p>The harbour ferry carried "
            f"12,400 passengers in its first week back, the port authority said.</p></article></body></html>"
        )
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Started processes, each in its own group, killed (the whole group) at the end."""

    def __init__(self, env: dict[str, str], folder: Path):
        self.env, self.folder, self.running = env, folder, {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(BIN), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.folder,
        )
        self.running[name] = (process, log)
        return process

    def kill(self, name: str) -> None:
        process, log = self.running.pop(name)
        # The RQ work horse runs in a session of its own (setsid): kill it first, then the process group.
        for pid in [*_children(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
        log.close()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name)


def _children(pid: int) -> list[int]:
    """The direct children of a process, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _run(env, folder, *args, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN), *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, cwd=folder
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture
def cluster(tmp_path) -> Iterator[dict]:
    from redis import Redis

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip(f"no Redis at {REDIS_URL}")
    base = make_url(PG_URL)
    name = f"wb_instances_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = base.set(database=name).render_as_string(hide_password=False)
    pages = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    pages.daemon_threads = True
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    Pages.hits.clear()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "FLASK_"))}
    env.update(
        WORKBENCH_DATABASE_URL=database_url,
        WORKBENCH_REDIS_URL=REDIS_URL,
        WORKBENCH_SECRET_KEY="s" * 40,
        WORKBENCH_AUDIT_KEY="a" * 40,
        WORKBENCH_COOKIE_SECURE="0",
        WORKBENCH_FETCH_ALLOW_PRIVATE="1",
        WORKBENCH_FETCH_DEADLINE="4",
        WORKBENCH_FETCH_READ_TIMEOUT="3",
        WORKBENCH_FETCH_STALE_SECONDS="6",
        WORKBENCH_THROTTLE_LOGIN_PER_ACCOUNT="3 per 15 minutes",
        WORKBENCH_LOG_FORMAT="json",
        WORKBENCH_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    processes = Processes(env, tmp_path)
    try:
        _run(env, tmp_path, "init")
        run = uuid.uuid4().hex[:8]  # Redis outlives the run: sign-in counts must start from nothing
        emails = {"one": f"one-{run}@desk.example", "two": f"two-{run}@desk.example"}
        for email, role in ((emails["one"], "editor"), (emails["two"], "checker")):
            _run(
                env,
                tmp_path,
                "users",
                "create",
                email,
                "--name",
                email.split("@")[0],
                "--role",
                role,
                "--password-stdin",
                stdin=PASSWORD + "\n",
            )
        (tmp_path / "ferry.txt").write_text(ARTICLE, encoding="utf-8")
        _run(env, tmp_path, "ingest", str(tmp_path / "ferry.txt"), "--published", "2024-05-06")
        ports = [_free_port(), _free_port()]
        for index, port in enumerate(ports):
            processes.start(f"serve{index}", "serve", "--port", str(port), "--threads", "4")
        processes.start("worker1", "worker")
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base_url in bases:
            wait_for(lambda b=base_url: _answers(b + "/healthz"), 60, f"{base_url}/healthz")
        engine = create_engine(database_url)
        yield {
            "bases": bases,
            "engine": engine,
            "processes": processes,
            "pages": f"http://127.0.0.1:{pages.server_address[1]}",
            "env": env,
            "folder": tmp_path,
            "emails": emails,
        }
        engine.dispose()
    finally:
        processes.stop_all()
        pages.shutdown()
        pages.server_close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _token(session: requests.Session, url: str) -> str:
    page = BeautifulSoup(session.get(url, timeout=10).text, "html.parser")
    return page.find("meta", {"name": "csrf-token"})["content"]


def _sign_in(session: requests.Session, base: str, email: str, password: str = PASSWORD) -> requests.Response:
    token = BeautifulSoup(session.get(base + "/login", timeout=10).text, "html.parser").find(
        "input", {"name": "csrf_token"}
    )["value"]
    return session.post(
        base + "/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )


def _scalar(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar()


def test_two_instances_one_worker(cluster):
    a, b = cluster["bases"]
    engine, processes = cluster["engine"], cluster["processes"]

    # Ready everywhere: database at head, Redis, and the RQ worker's heartbeat.
    for base in (a, b):
        ready = wait_for(
            lambda base=base: requests.get(base + "/readyz", timeout=5).status_code == 200, 60, f"{base}/readyz"
        )
        assert ready

    # Sign in on one instance, carry on on the other.
    one, two = requests.Session(), requests.Session()
    assert _sign_in(one, a, cluster["emails"]["one"]).status_code == 303
    assert _sign_in(two, b, cluster["emails"]["two"]).status_code == 303
    on_b = one.get(b + "/claims", allow_redirects=False, timeout=10)
    assert on_b.status_code == 200 and "X-Request-ID" in on_b.headers
    assert two.get(a + "/claims", allow_redirects=False, timeout=10).status_code == 200

    # Concurrent edits of one claim through both instances: one lands, one 409 that keeps the loser's words.
    claim_id = _scalar(engine, "SELECT min(id) FROM claim")
    version = _scalar(engine, "SELECT version FROM claim WHERE id = :id", id=claim_id)
    tokens = {"one": _token(one, f"{b}/claims/{claim_id}"), "two": _token(two, f"{a}/claims/{claim_id}")}
    barrier, answers = threading.Barrier(2), {}

    def edit(who, session, base, words):
        barrier.wait()
        answers[who] = session.post(
            f"{base}/claims/{claim_id}/text",
            timeout=20,
            data={"csrf_token": tokens[who], "version": str(version), "text": words},
        )

    threads = [
        threading.Thread(target=edit, args=("one", one, a, "Ferry carried 12,400 passengers (one)")),
        threading.Thread(target=edit, args=("two", two, b, "Ferry carried 12,400 passengers (two)")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in answers.values()) == [200, 409], {k: v.status_code for k, v in answers.items()}
    winner = next(who for who, r in answers.items() if r.status_code == 200)
    loser = "two" if winner == "one" else "one"
    assert _scalar(engine, "SELECT text FROM claim WHERE id = :id", id=claim_id).endswith(f"({winner})")
    assert _scalar(engine, "SELECT version FROM claim WHERE id = :id", id=claim_id) == version + 1
    assert f"Ferry carried 12,400 passengers ({loser})" in answers[loser].text  # offered back, not lost
    assert (
        _scalar(
            engine,
            "SELECT count(*) FROM audit_event WHERE entity_type = 'claim' AND entity_id = :id AND action = 'edit'",
            id=claim_id,
        )
        == 1
    )

    # Evidence queued from both instances (and each job queued twice more): each page fetched exactly once.
    from redis import Redis
    from rq import Queue

    urls = {f"{cluster['pages']}/a-{i}" for i in range(3)} | {f"{cluster['pages']}/b-{i}" for i in range(3)}
    for url in sorted(urls):
        session, base, who = (one, a, "one") if "/a-" in url else (two, b, "two")
        response = session.post(
            f"{base}/claims/{claim_id}/evidence",
            timeout=20,
            data={"csrf_token": tokens[who], "url": url, "stance": "supports", "note": ""},
        )
        assert response.status_code == 200, response.text[:300]
    queue = Queue("workbench", connection=Redis.from_url(REDIS_URL))
    with engine.connect() as connection:
        ids = [
            row[0] for row in connection.execute(text("SELECT id FROM evidence WHERE claim_id = :id"), {"id": claim_id})
        ]
    for evidence_id in ids:  # what two instances queueing the same item would do
        queue.enqueue("workbench.worker.fetch_job", evidence_id, result_ttl=0)
        queue.enqueue("workbench.worker.fetch_job", evidence_id, result_ttl=0)
    wait_for(
        lambda: (
            _scalar(engine, "SELECT count(*) FROM evidence WHERE fetch_state IN ('pending', 'fetching')") == 0
            and queue.count == 0
        ),
        90,
        "the fetches to finish",
    )
    assert _scalar(engine, "SELECT count(*) FROM evidence WHERE fetch_state = 'done'") == len(urls)
    assert _scalar(engine, "SELECT max(fetch_attempts) FROM evidence") == 1
    assert _scalar(engine, "SELECT count(*) FROM evidence_snapshot") == len(urls)
    assert dict(Pages.hits) == {"/" + url.rsplit("/", 1)[1]: 1 for url in urls}

    # Sign-in throttling is shared: 2 failures on A and 1 on B use up the account's 3; both instances refuse.
    for base in (a, a, b):
        assert _sign_in(requests.Session(), base, cluster["emails"]["two"], "wrong password").status_code == 401
    for base in (a, b):
        refused = _sign_in(requests.Session(), base, cluster["emails"]["two"])
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0

    # Kill the worker mid-fetch and start another: the fetch is taken again and ends, never stuck in "fetching".
    hang = f"{cluster['pages']}/hang-once"
    response = one.post(
        f"{a}/claims/{claim_id}/evidence",
        timeout=20,
        data={"csrf_token": tokens["one"], "url": hang, "stance": "context", "note": ""},
    )
    assert response.status_code == 200
    hung_id = _scalar(engine, "SELECT id FROM evidence WHERE url = :url", url=hang)
    wait_for(lambda: Pages.hits["/hang-once"] == 1, 30, "the worker to start the fetch")
    assert _scalar(engine, "SELECT fetch_state FROM evidence WHERE id = :id", id=hung_id) == "fetching"
    processes.kill("worker1")
    assert _scalar(engine, "SELECT fetch_state FROM evidence WHERE id = :id", id=hung_id) == "fetching"
    processes.start("worker2", "worker")
    wait_for(
        lambda: _scalar(engine, "SELECT fetch_state FROM evidence WHERE id = :id", id=hung_id) == "done",
        60,
        lambda: "the abandoned fetch to be taken again:\n" + processes.log("worker2")[-3000:],
    )
    assert _scalar(engine, "SELECT fetch_attempts FROM evidence WHERE id = :id", id=hung_id) == 2
    assert Pages.hits["/hang-once"] == 2

    # Logs: JSON lines with the request id, in the serving processes and in the worker's job log.
    request_lines = [line for line in processes.log("serve0").splitlines() if '"logger": "workbench.request"' in line]
    assert any('"path": "/claims"' in line and '"request_id": "' in line for line in request_lines)
    assert '"logger": "workbench.job"' in processes.log("worker2")
    assert _scalar(engine, "SELECT count(*) FROM claim") > 0
    verify = subprocess.run(
        [str(BIN), "audit", "verify"],
        env=cluster["env"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cluster["folder"],
    )
    assert verify.returncode == 0, verify.stderr
