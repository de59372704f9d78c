"""Review latency at scale: queue, search and status change p50/p95 with a million claims, under load.

Run: .venv/bin/python -m tests.benchmarks.review_latency [--claims 1000000] [--database sqlite|postgresql]
It builds a fresh database, fills it with `workbench generate`, serves it with Waitress in its own process,
keeps it busy from a second process, and measures next to a bare endpoint of the same server.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, make_url, text

from workbench.audit import register_key
from workbench.config import Config
from workbench.db import make_engine, upgrade_schema
from workbench.services.generate import generate
from workbench.services.users import create_user

PG_URL = os.environ.get("WORKBENCH_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "benchmark-password"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in(base: str, email: str) -> tuple[requests.Session, str]:
    """Return a session signed in through the login form, and its CSRF token."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = session.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.status_code
    return session, token


def background_load(base: str, email: str, stop_at: float, counter, think: float) -> None:
    """Four checkers browsing and searching the queue until stop_at, pausing `think` seconds between pages
    (bounded in time; loopback only)."""
    import threading

    def browse():
        session, _ = signed_in(base, email)
        pages = [
            "/claims",
            "/claims?status=unverified",
            "/claims?sort=newest",
            "/claims?q=grain",
            "/claims?status=in_progress&sort=updated",
        ]
        i = 0
        while time.time() < stop_at:
            try:
                session.get(base + pages[i % len(pages)], timeout=60)
            except requests.RequestException:
                return  # the server is going away: the measurement is over
            i += 1
            time.sleep(think)
            with counter.get_lock():
                counter.value += 1

    threads = [threading.Thread(target=browse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentiles(samples: list[float]) -> str:
    """Format p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def measure(session: requests.Session, method: str, url: str, runs: int, **kwargs) -> list[float]:
    """Time runs requests (after two warm-ups)."""
    for _ in range(2):
        session.request(method, url, timeout=60, **kwargs)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = session.request(method, url, timeout=60, **kwargs)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return times


def prepare_database(kind: str, claims: int, per_article: int) -> tuple[str, callable]:
    """Create a fresh database, migrate and fill it; return its URL and a clean-up function."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="wb-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"
        cleanup = lambda: subprocess.run(["rm", "-rf", folder], check=False)  # noqa: E731
    else:
        name = f"wb_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

        def cleanup():
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    engine = make_engine(url)
    register_key(engine, Config().AUDIT_KEY)  # the key the benchmark server will sign the chain with
    upgrade_schema(engine)
    from sqlmodel import Session

    with Session(engine) as session:
        create_user(
            session=session,
            email="bench@bench.example",
            name="Bench Editor",
            role="editor",
            password=PASSWORD,
            actor=None,
        )
    start = time.perf_counter()
    summary = generate(engine=engine, articles=max(1, claims // per_article), claims_per_article=per_article)
    elapsed = time.perf_counter() - start
    if kind == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    print(
        f"[{kind}] generated {summary['claims']:,} claims in {summary['articles']:,} articles in {elapsed:.0f} s "
        f"({summary['claims'] / elapsed:,.0f} claims/s)"
    )
    return url, cleanup


def existing_database(url: str) -> tuple[str, callable]:
    """Use a database filled earlier (by `workbench generate`); add the benchmark's user if it is missing."""
    engine = make_engine(url)
    register_key(engine, Config().AUDIT_KEY)
    from sqlmodel import Session, select

    from workbench.models import Claim, User

    with Session(engine) as session:
        if session.exec(select(User).where(User.email == "bench@bench.example")).first() is None:
            create_user(
                session=session,
                email="bench@bench.example",
                name="Bench Editor",
                role="editor",
                password=PASSWORD,
                actor=None,
            )
        count = session.exec(select(Claim.id).order_by(Claim.id.desc()).limit(1)).first() or 0
    engine.dispose()
    print(f"[{make_url(url).get_backend_name()}] reusing {url} (about {count:,} claims)")
    return url, lambda: None


def run(kind: str, claims: int, per_article: int, runs: int, think: float, url: str | None = None) -> None:
    """Benchmark one database kind."""
    url, cleanup = existing_database(url) if url else prepare_database(kind, claims, per_article)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bench_server", "--database", url, "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        for _ in range(100):
            try:
                requests.get(base + "/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        session, token = signed_in(base, "bench@bench.example")
        counter = multiprocessing.Value("i", 0)
        stop_at = time.time() + 600
        load = multiprocessing.Process(
            target=background_load, args=(base, "bench@bench.example", stop_at, counter, think)
        )
        load_started = time.time()
        load.start()
        time.sleep(2)
        results = {}
        results["bare endpoint"] = measure(session, "GET", base + "/_bench/bare", runs)
        results["queue, first page"] = measure(session, "GET", base + "/claims", runs)
        results["queue, unverified"] = measure(session, "GET", base + "/claims?status=unverified", runs)
        page = session.get(base + "/claims?sort=score").text
        for _ in range(20):  # walk 20 pages deep by cursor
            after = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
            page = session.get(base + after).text
        results["queue, page 21 by cursor"] = measure(session, "GET", base + after, runs)
        results["queue, source + status"] = measure(session, "GET", base + "/claims?source=1&status=false", runs)
        results["search 'grain gdansk'"] = measure(session, "GET", base + "/claims?q=grain+gdansk", runs)
        results["search as typed, fragment"] = measure(
            session, "GET", base + "/claims?q=tonn", runs, headers={"HX-Request": "true", "HX-Target": "queue-results"}
        )
        rows = re.findall(r'id="claim-row-(\d+)".*?name="version" value="(\d+)"', page, re.S)[:runs]
        versions = {int(i): int(v) for i, v in rows}
        times, statuses = [], ["in_progress", "unverified"]
        for n in range(runs):
            claim_id = list(versions)[n % len(versions)]
            start = time.perf_counter()
            response = session.post(
                f"{base}/claims/{claim_id}/status",
                timeout=60,
                data={"csrf_token": token, "status": statuses[n % 2], "version": versions[claim_id]},
                headers={"HX-Request": "true", "HX-Target": f"claim-row-{claim_id}"},
            )
            times.append(time.perf_counter() - start)
            assert response.status_code in (200, 422), response.status_code
            found = re.search(r'name="version" value="(\d+)"', response.text)
            versions[claim_id] = int(found.group(1)) if found else versions[claim_id]
        results["status change (htmx row)"] = times
        results["editor dashboard"] = measure(session, "GET", base + "/dashboard", max(5, runs // 6))
        background, elapsed = counter.value, time.time() - load_started
        load.terminate()
        load.join()
        print(
            f"[{kind}] {runs} timed requests each while 4 other clients (think time {think:g} s) "
            f"made {background:,} requests ({background / elapsed:.1f}/s)"
        )
        floor = statistics.median(results["bare endpoint"])
        for name, samples in results.items():
            print(f"  {name:28} {percentiles(samples)}   median {statistics.median(samples) / floor:5.1f}x bare")
    finally:
        server.terminate()
        server.wait(timeout=30)
        cleanup()


def main() -> None:
    """Parse arguments and run the benchmark on each database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=50)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--think", type=float, default=0.25, help="pause of each background client between pages")
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        help="measure an existing, already generated database instead (repeatable)",
    )
    args = parser.parse_args()
    if args.url:
        for url in args.url:
            run(make_url(url).get_backend_name(), args.claims, args.per_article, args.runs, args.think, url)
        return
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        run(kind, args.claims, args.per_article, args.runs, args.think)


if __name__ == "__main__":
    main()
