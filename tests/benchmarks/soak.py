"""Soak: two `workbench serve` instances and one RQ worker on PostgreSQL and Redis, 20 checkers for 10 minutes.

Run: .venv/bin/python -m tests.benchmarks.soak [--claims 1000000] [--checkers 20] [--minutes 10] [--think 1]
     [--database NAME]   (default: a fresh wb_soak_<random>; created here and dropped at the end either way)
     [--url URL]         (instead: a PostgreSQL database filled earlier; kept, with the soak's changes in it)
Each simulated checker signs in on one instance, then loops: the queue, a claim, a status change with the
version it saw (a 409 is an honest refusal, not an error), now and then a piece of evidence (fetched by the
worker from a local page). Reports requests/s, p50/p95/p99 per route, errors (5xx, refused connections,
anything unexpected), lost updates (a claim's version must have grown by exactly the number of changes that
were answered 200, and each such change must be in the audit chain) and the RSS of each process at start and
end. Not run in CI; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from http.server import ThreadingHTTPServer
from pathlib import Path

import requests
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from tests.instances.test_several_instances import Pages, Processes, _free_port, _wait_for
from workbench.audit import register_key
from workbench.db import make_engine, upgrade_schema
from workbench.services.generate import generate
from workbench.services.users import create_user

PG_URL = os.environ.get("WORKBENCH_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("WORKBENCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
PASSWORD = "soak-benchmark-password"
AUDIT_KEY = "soak-" + "k" * 40
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Checker(threading.Thread):
    """One simulated checker: queue, claim, status change, sometimes evidence; think time between pages."""

    def __init__(
        self,
        index: int,
        base: str,
        email: str,
        claim_ids: list[int],
        pages: str,
        stop_at: float,
        think: float,
        results: dict,
    ):
        super().__init__(daemon=True)
        self.index, self.base, self.email, self.claim_ids = index, base, email, claim_ids
        self.pages, self.stop_at, self.think, self.results = pages, stop_at, think, results
        self.rng = random.Random(index)

    def _timed(self, route: str, method: str, url: str, **kwargs) -> requests.Response | None:
        start = time.perf_counter()
        try:
            response = self.session.request(method, self.base + url, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            self.results["errors"].append(f"{route}: {type(error).__name__}")
            return None
        self.results["latency"][route].append(time.perf_counter() - start)
        if response.status_code >= 500 or response.status_code not in self.expected(route):
            self.results["errors"].append(f"{route}: HTTP {response.status_code}")
        return response

    @staticmethod
    def expected(route: str) -> set[int]:
        return {200, 303, 409} if route.startswith("POST") else {200}  # a plain form POST answers 303 (PRG)

    def run(self) -> None:
        self.session = requests.Session()
        page = self.session.get(self.base + "/login", timeout=60).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.session.post(
            self.base + "/login", data={"email": self.email, "password": PASSWORD, "csrf_token": token}, timeout=60
        )
        statuses = ["in_progress", "unverified"]
        while time.time() < self.stop_at:
            self._timed(
                "GET /claims",
                "GET",
                self.rng.choice(["/claims", "/claims?status=unverified", "/claims?sort=newest", "/claims?q=grain"]),
            )
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))
            claim_id = self.rng.choice(self.claim_ids)
            page = self._timed("GET /claims/<id>", "GET", f"/claims/{claim_id}")
            if page is None or page.status_code != 200:
                continue
            version, csrf = _VERSION.search(page.text), _TOKEN.search(page.text)
            if not version or not csrf:
                continue
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))
            answer = self._timed(
                "POST /claims/<id>/status",
                "POST",
                f"/claims/{claim_id}/status",
                data={
                    "csrf_token": csrf.group(1),
                    "version": version.group(1),
                    "status": self.rng.choice(statuses),
                    "rationale": "",
                },
            )
            if answer is not None and answer.status_code in (200, 303):
                self.results["writes"][claim_id] += 1
                self.results["status_saves"] += 1
            elif answer is not None and answer.status_code == 409:
                self.results["conflicts"] += 1
            if self.rng.random() < 0.05:  # evidence is a versioned write of its claim too (no version sent: it adds)
                added = self._timed(
                    "POST /claims/<id>/evidence",
                    "POST",
                    f"/claims/{claim_id}/evidence",
                    data={
                        "csrf_token": csrf.group(1),
                        "stance": "context",
                        "note": "",
                        "url": f"{self.pages}/soak-{uuid.uuid4().hex[:8]}",
                    },
                )
                if added is not None and added.status_code in (200, 303):
                    self.results["writes"][claim_id] += 1
            time.sleep(self.think * self.rng.uniform(0.5, 1.5))


def main() -> None:
    """Build the database, start the processes, run the checkers, print the report, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--checkers", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--database", default="", help="name of the database to create (must not exist)")
    parser.add_argument("--url", default="", help="a PostgreSQL database filled earlier (`workbench generate`); kept")
    args = parser.parse_args()

    name = make_url(args.url).database if args.url else args.database or f"wb_soak_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    if not args.url:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.url or make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    pages = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    pages.daemon_threads = True
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    folder = Path(f"/tmp/{name}")
    folder.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "FLASK_"))}
    env.update(
        WORKBENCH_DATABASE_URL=url,
        WORKBENCH_REDIS_URL=REDIS_URL,
        WORKBENCH_SECRET_KEY="s" * 40,
        WORKBENCH_AUDIT_KEY=AUDIT_KEY,
        WORKBENCH_COOKIE_SECURE="0",
        WORKBENCH_FETCH_ALLOW_PRIVATE="1",
        WORKBENCH_THROTTLE_LOGIN_PER_ADDRESS="1000 per minute",
    )
    processes = Processes(env, folder)
    try:
        engine = make_engine(url)
        register_key(engine, AUDIT_KEY)
        upgrade_schema(engine)
        run_id = uuid.uuid4().hex[:6]  # a reused database keeps the users of earlier runs
        emails = [f"checker{i}-{name}-{run_id}@soak.example" for i in range(args.checkers)]
        with Session(engine) as session:
            for email in emails:
                create_user(
                    session=session, email=email, name=email.split("@")[0], role="editor", password=PASSWORD, actor=None
                )
        started = time.perf_counter()
        if args.url:
            with engine.connect() as connection:
                summary = {"claims": connection.execute(text("SELECT count(*) FROM claim")).scalar()}
            print(f"reusing {name}: {summary['claims']:,} claims", flush=True)
        else:
            summary = generate(engine=engine, articles=max(1, args.claims // 50), claims_per_article=50)
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            print(f"generated {summary['claims']:,} claims in {time.perf_counter() - started:.0f} s", flush=True)
        with engine.connect() as connection:
            claim_ids = [
                row[0]
                for row in connection.execute(
                    text("SELECT id FROM claim WHERE status IN ('unverified', 'in_progress') ORDER BY id LIMIT 2000")
                )
            ]
            before = dict(
                connection.execute(text("SELECT id, version FROM claim WHERE id = ANY(:ids)"), {"ids": claim_ids}).all()
            )
            events_before = connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar()
        ports = [_free_port(), _free_port()]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        procs = {
            f"serve{i}": processes.start(f"serve{i}", "serve", "--port", str(port), "--threads", "8")
            for i, port in enumerate(ports)
        }
        procs["worker"] = processes.start("worker", "worker")
        for base in bases:
            _wait_for(
                lambda b=base: requests.get(b + "/readyz", timeout=5).status_code == 200 if _up(b) else False,
                120,
                base + "/readyz",
            )
        rss_start = {label: rss_kib(p.pid) for label, p in procs.items()}
        results = {"latency": defaultdict(list), "errors": [], "writes": Counter(), "conflicts": 0, "status_saves": 0}
        stop_at = time.time() + args.minutes * 60
        base_url = f"http://127.0.0.1:{pages.server_address[1]}"
        checkers = [
            Checker(i, bases[i % 2], emails[i], claim_ids, base_url, stop_at, args.think, results)
            for i in range(args.checkers)
        ]
        wall = time.perf_counter()
        for checker in checkers:
            checker.start()
        time.sleep(args.minutes * 6)  # a tenth of the run: caches and thread stacks are warm by then
        rss_warm = {label: rss_kib(p.pid) for label, p in procs.items()}
        for checker in checkers:
            checker.join(timeout=args.minutes * 60 + 120)
        wall = time.perf_counter() - wall
        rss_end = {label: rss_kib(p.pid) for label, p in procs.items()}
        report(args, summary, results, wall, rss_start, rss_warm, rss_end, engine, before, events_before)
        engine.dispose()
    finally:
        processes.stop_all()
        pages.shutdown()
        pages.server_close()
        if not args.url:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _up(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def report(args, summary, results, wall, rss_start, rss_warm, rss_end, engine, before, events_before) -> None:
    """Print the figures and the lost-update check."""
    total = sum(len(v) for v in results["latency"].values())
    print(
        f"\n{summary['claims']:,} claims, {args.checkers} checkers (think {args.think:g} s), {wall:.0f} s: "
        f"{total:,} requests, {total / wall:.1f} requests/s"
    )
    for route, samples in sorted(results["latency"].items()):
        print(
            f"  {route:28} n={len(samples):6}  p50 {statistics.median(samples) * 1000:7.1f} ms  "
            f"p95 {_pct(samples, 0.95):7.1f} ms  p99 {_pct(samples, 0.99):7.1f} ms"
        )
    print(f"errors: {len(results['errors'])} {Counter(results['errors']).most_common(5)}")
    print(
        f"status changes: {results['status_saves']} saved, {results['conflicts']} refused with 409; "
        f"claim writes in all (evidence included): {sum(results['writes'].values())}"
    )
    with engine.connect() as connection:
        after = dict(
            connection.execute(text("SELECT id, version FROM claim WHERE id = ANY(:ids)"), {"ids": list(before)}).all()
        )
        status_events = connection.execute(
            text(
                "SELECT count(*) FROM audit_event WHERE entity_type = 'claim' AND action IN ('status', 'reopen') "
                "AND id > :before"
            ),
            {"before": events_before},
        ).scalar()
        events_after = connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar()
    lost = [cid for cid in before if after[cid] - before[cid] != results["writes"][cid]]
    print(f"lost updates: {len(lost)} (claims whose version grew by other than their saved changes)")
    print(
        f"audit events: {events_after - events_before} new; status changes in the chain: {status_events} "
        f"(saved: {results['status_saves']})"
    )
    for label in rss_start:
        growth = (rss_end[label] - rss_start[label]) / max(1, rss_start[label]) * 100
        warm = (rss_end[label] - rss_warm[label]) / max(1, rss_warm[label]) * 100
        print(
            f"RSS {label:7} start {rss_start[label] / 1024:7.1f} MiB  after a tenth {rss_warm[label] / 1024:7.1f} "
            f"MiB  end {rss_end[label] / 1024:7.1f} MiB  ({growth:+.1f} % from start, {warm:+.1f} % from warm)"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
