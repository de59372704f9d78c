"""The client loop the latency benchmarks share: a filled database, the app under Waitress, signed-in clients,
background load, and repeated measurements printed as ranges next to the bare endpoint and the load average.

Every figure is measured `repeat` times; each round times the bare endpoint of the same server right before the
figure, so a slow round on a busy machine shows as a slow floor too. Asserts nothing about time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
BENCH_EMAIL = "bench@bench.example"
ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
BACKGROUND_PAGES = [
    "/claims",
    "/claims?status=unverified",
    "/claims?sort=newest",
    "/claims?q=grain",
    "/claims?status=in_progress&sort=updated",
]


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, as `uptime` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_in(base: str, email: str = BENCH_EMAIL) -> tuple[requests.Session, str]:
    """Return a session signed in through the login form, and the CSRF token of the signed-in session.

    Sign-in starts a new session with a new token: the login form's token is stale afterwards, so the token is
    read again from a page served to the signed-in session (a write with the old one would measure a refusal).
    """
    session = requests.Session()
    page = session.get(base + "/login", timeout=30).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no csrf_token on the login form"
    token = found.group(1)
    response = session.post(
        base + "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.status_code
    fresh = _CSRF.search(session.get(base + "/claims", timeout=60).text)
    assert fresh, "no csrf-token meta tag on the signed-in page"
    return session, fresh.group(1)


def percentile_pair(samples: list[float]) -> tuple[float, float]:
    """Return p50 and p95 of samples, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered) * 1000, p95 * 1000


def percentiles(samples: list[float]) -> str:
    """Format p50 and p95 in milliseconds."""
    p50, p95 = percentile_pair(samples)
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"


def measure(session: requests.Session, method: str, url: str, runs: int, **kwargs) -> list[float]:
    """Time runs requests (after two warm-ups); each must answer 200."""
    for _ in range(2):
        session.request(method, url, timeout=60, **kwargs)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = session.request(method, url, timeout=60, **kwargs)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return times


@dataclass
class Figure:
    """One operation measured over several rounds: p50/p95 per round, with the bare endpoint's and the load."""

    name: str
    rounds: list[tuple[float, float]] = field(default_factory=list)
    floors: list[tuple[float, float]] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    error: str = ""

    def line(self) -> str:
        """The figure as one line: the range of p50 and p95 over the rounds, the bare endpoint's, the load."""

        def span(values: list[float]) -> str:
            low, high = min(values), max(values)
            return f"{low:6.1f}–{high:<6.1f}" if len(values) > 1 else f"{low:6.1f}       "

        if not self.rounds:
            return f"  {self.name:34} failed: {self.error}"
        p50s, p95s = [r[0] for r in self.rounds], [r[1] for r in self.rounds]
        bare50, bare95 = [f[0] for f in self.floors], [f[1] for f in self.floors]
        return (
            f"  {self.name:34} p50 {span(p50s)} p95 {span(p95s)} ms   "
            f"bare p50 {span(bare50)} p95 {span(bare95)} ms   load {min(self.loads):.2f}–{max(self.loads):.2f}"
            + (f"   (then failed: {self.error})" if self.error else "")
        )


class Bench:
    """Repeated measurements of named operations, each round next to the bare endpoint of the same server."""

    def __init__(self, base: str, session: requests.Session, runs: int, repeat: int, only: list[str] | None = None):
        """only: measure just the figures whose name contains one of these (all when empty)."""
        self.base, self.session, self.runs, self.repeat = base, session, runs, repeat
        self.only = [word.lower() for word in only or []]
        self.figures: dict[str, Figure] = {}

    def wanted(self, name: str) -> bool:
        """Whether this figure is measured in this run (see only)."""
        return not self.only or any(word in name.lower() for word in self.only)

    def floor(self) -> list[float]:
        """Time the bare endpoint: the same server, framework and login check, and no database work."""
        return measure(self.session, "GET", self.base + "/_bench/bare", self.runs)

    def record(self, name: str, timed: Callable[[], list[float]]) -> None:
        """Measure `timed` repeat times, each round right after a round of the bare endpoint."""
        if not self.wanted(name):
            return
        figure = self.figures.setdefault(name, Figure(name))
        for _ in range(self.repeat):
            figure.floors.append(percentile_pair(self.floor()))
            figure.loads.append(os.getloadavg()[0])
            try:
                figure.rounds.append(percentile_pair(timed()))
            except (AssertionError, requests.RequestException) as error:  # report it and go on to the next figure
                figure.error = f"{type(error).__name__}: {error}"[:200]
                return

    def get(
        self, name: str, path: str, session: requests.Session | None = None, runs: int | None = None, **kwargs
    ) -> None:
        """Measure GET path (runs requests per round, the bench's number unless given)."""
        count = runs or self.runs
        self.record(name, lambda: measure(session or self.session, "GET", self.base + path, count, **kwargs))

    def report(self, title: str) -> None:
        """Print every figure with its range, the bare endpoint's and the machine's load."""
        print(
            f"{title}\n  ({self.repeat} rounds of {self.runs} timed requests; ranges are min–max over rounds; "
            f"now {load_average()})"
        )
        for figure in self.figures.values():
            print(figure.line())


def background_load(base: str, email: str, stop_at: float, counter, think: float) -> None:
    """Four checkers browsing and searching the queue until stop_at, pausing `think` seconds between pages
    (bounded in time; loopback only)."""

    def browse():
        session, _ = signed_in(base, email)
        i = 0
        while time.time() < stop_at:
            try:
                session.get(base + BACKGROUND_PAGES[i % len(BACKGROUND_PAGES)], timeout=60)
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


@contextlib.contextmanager
def background(base: str, think: float, seconds: float = 1800) -> Iterator[Callable[[], str]]:
    """Run the four background checkers in their own process; yield a function that describes their traffic."""
    counter = multiprocessing.Value("i", 0)
    started = time.time()
    load = multiprocessing.Process(target=background_load, args=(base, BENCH_EMAIL, started + seconds, counter, think))
    load.start()
    time.sleep(2)
    try:
        yield (
            lambda: (
                f"4 background clients (think time {think:g} s) made {counter.value:,} requests "
                f"({counter.value / (time.time() - started):.1f}/s)"
            )
        )
    finally:
        load.terminate()
        load.join()


@contextlib.contextmanager
def served(url: str, root: Path = ROOT, processes: int = 1) -> Iterator[str]:
    """Serve the app on url's database in its own process (code from root): Waitress, or with processes > 1
    `serve --processes`' Gunicorn master; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"wb-bench-server-{port}.log"
    print(f"server log (one line per request): {log}")
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.bench_server", "--database", url, "--port", str(port)]
            + (["--processes", str(processes)] if processes > 1 else []),
            cwd=root,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(150):
            try:
                requests.get(base + "/login", timeout=1)
                break
            except requests.RequestException:  # not listening yet, or forked processes still warming up
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _add_bench_user(engine) -> None:
    from sqlmodel import Session, select

    from workbench.models import User

    with Session(engine) as session:
        if session.exec(select(User).where(User.email == BENCH_EMAIL)).first() is None:
            create_user(
                session=session, email=BENCH_EMAIL, name="Bench Editor", role="editor", password=PASSWORD, actor=None
            )


def prepare_database(kind: str, claims: int, per_article: int) -> tuple[str, Callable[[], None]]:
    """Create a fresh database, migrate and fill it; return its URL and a clean-up function."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="wb-bench-")
        url = f"sqlite:///{folder}/bench.sqlite3"

        def cleanup() -> None:
            subprocess.run(["rm", "-rf", folder], check=False)
    else:
        name = f"wb_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

        def cleanup() -> None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    engine = make_engine(url)
    register_key(engine, Config().AUDIT_KEY)  # the key the benchmark server will sign the chain with
    upgrade_schema(engine)
    _add_bench_user(engine)
    start = time.perf_counter()
    summary = generate(engine=engine, articles=max(1, claims // per_article), claims_per_article=per_article)
    elapsed = time.perf_counter() - start
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    print(
        f"[{kind}] generated {summary['claims']:,} claims in {summary['articles']:,} articles in {elapsed:.0f} s "
        f"({summary['claims'] / elapsed:,.0f} claims/s)"
    )
    return url, cleanup


def existing_database(url: str) -> tuple[str, Callable[[], None]]:
    """Use a database filled earlier (by `workbench generate`); add the benchmark's user if it is missing."""
    from sqlmodel import Session, select

    from workbench.models import Claim

    engine = make_engine(url)
    register_key(engine, Config().AUDIT_KEY)
    _add_bench_user(engine)
    with Session(engine) as session:
        count = session.exec(select(Claim.id).order_by(Claim.id.desc()).limit(1)).first() or 0  # type: ignore[union-attr]
    engine.dispose()
    print(f"[{make_url(url).get_backend_name()}] reusing {make_url(url).render_as_string()} (about {count:,} claims)")
    return url, lambda: None


def database(kind: str, claims: int, per_article: int, url: str | None) -> tuple[str, Callable[[], None]]:
    """An existing database when url is given, else a fresh, generated one."""
    return existing_database(url) if url else prepare_database(kind, claims, per_article)


def add_common_arguments(parser) -> None:
    """The options every latency benchmark takes."""
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=50)
    parser.add_argument("--runs", type=int, default=60, help="timed requests per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per figure; the range over them is printed")
    parser.add_argument("--url", action="append", default=[], help="an existing, generated database (repeatable)")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="serve from this many processes (`workbench serve --processes`; needs Redis at WORKBENCH_BENCH_REDIS)",
    )
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve the code of another checkout (e.g. main, for a before/after on the same database)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="WORDS",
        help="measure only the figures whose name contains this text, case aside (repeatable), e.g. --only 'status change'",
    )
