"""The API next to the HTML route it mirrors: claim list (50, filtered, searched) and status change, p50/p95.

Run: .venv/bin/python -m tests.benchmarks.api_latency [--claims 1000000] [--database sqlite|postgresql] [--url URL]
Builds (or reuses) a filled database, serves it with Waitress in its own process and measures, in one run, each
operation through the HTML route, through /api/v1 with a Bearer token, and a bare endpoint of the same server.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import make_url
from sqlmodel import Session, select

from tests.benchmarks.harness import (
    existing_database,
    free_port,
    measure,
    percentiles,
    prepare_database,
    signed_in,
)
from workbench.audit import register_key
from workbench.config import Config
from workbench.db import make_engine
from workbench.models import User
from workbench.services.tokens import create_token

LISTS = [
    ("list, first page", "/claims", "/api/v1/claims"),
    ("list, status filter", "/claims?status=unverified", "/api/v1/claims?status=unverified"),
    ("list, search", "/claims?q=grain", "/api/v1/claims?q=grain"),
]


def percentile95(samples: list[float]) -> float:
    """The 95th percentile of timings."""
    return statistics.quantiles(samples, n=20)[-1]


def bench_token(url: str) -> str:
    """Create a write token for the benchmark's user."""
    engine = make_engine(url)
    register_key(engine, Config().AUDIT_KEY)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "bench@bench.example")).one()
        secret = create_token(session=session, user=user, name="benchmark", scope="write", actor=user)[1]
    engine.dispose()
    return secret


def interleaved(runs: int, first, second) -> tuple[list[float], list[float]]:
    """Time runs calls of each, one of each in turn (so a change in the machine's load hits both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(runs):
        for call, samples in (
            ((first, times[0]), (second, times[1])) if n % 2 else ((second, times[1]), (first, times[0]))
        ):
            start = time.perf_counter()
            call(n)
            samples.append(time.perf_counter() - start)
    return times


def run(kind: str, claims: int, per_article: int, runs: int, url: str | None) -> None:
    """Benchmark one database."""
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
        browser, csrf = signed_in(base, "bench@bench.example")
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {bench_token(url)}"
        results = {"bare endpoint": measure(browser, "GET", base + "/_bench/bare", runs)}
        for name, html, json_url in LISTS:
            measure(browser, "GET", base + html, 3)  # warm both before timing
            measure(api, "GET", base + json_url, 3)
            results[f"{name} (HTML)"], results[f"{name} (API)"] = interleaved(
                runs,
                lambda n, url=base + html: browser.get(url, timeout=60).raise_for_status(),
                lambda n, url=base + json_url: api.get(url, timeout=60).raise_for_status(),
            )
        ids = [item["id"] for item in api.get(base + "/api/v1/claims", timeout=60).json()["items"]][:10]
        etags = {i: api.get(f"{base}/api/v1/claims/{i}", timeout=60).headers["ETag"] for i in ids}

        def api_change(n):
            claim_id, status = ids[n % len(ids)], ["in_progress", "unverified"][(n // len(ids)) % 2]
            response = api.post(
                f"{base}/api/v1/claims/{claim_id}/status",
                json={"status": status},
                headers={"If-Match": etags[claim_id]},
                timeout=60,
            )
            assert response.status_code == 200, response.text[:300]
            etags[claim_id] = response.headers["ETag"]

        page = browser.get(base + "/claims", timeout=60).text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # sign-in started a new session
        versions = {
            int(i): int(v)
            for i, v in re.findall(r"id=c(\d+) data-v=(\d+)", page)[10:20]  # the row's version
        }
        rows = list(versions)

        def html_change(n):
            claim_id, status = rows[n % len(rows)], ["in_progress", "unverified"][(n // len(rows)) % 2]
            response = browser.post(
                f"{base}/claims/{claim_id}/status",
                timeout=60,
                data={"csrf_token": csrf, "status": status, "version": versions[claim_id]},
                headers={"HX-Request": "true", "HX-Target": f"c{claim_id}"},
            )
            assert response.status_code == 200, response.status_code
            versions[claim_id] = int(re.search(r"data-v=(\d+)", response.text).group(1))

        results["status change (API)"], results["status change (HTML row)"] = interleaved(runs, api_change, html_change)
        floor = statistics.median(results["bare endpoint"])
        print(f"[{kind}] {runs} timed requests each")
        for name, samples in results.items():
            print(f"  {name:32} {percentiles(samples)}   median {statistics.median(samples) / floor:5.1f}x bare")
        pairs = [(name, f"{name} (API)", f"{name} (HTML)") for name, _, _ in LISTS]
        pairs.append(("status change", "status change (API)", "status change (HTML row)"))
        for name, api_key, html_key in pairs:  # the rule: the API is not slower than the route it mirrors
            ratio = statistics.median(results[api_key]) / statistics.median(results[html_key])
            p95 = percentile95(results[api_key]) / percentile95(results[html_key])
            print(f"  API/HTML {name:24} median {ratio:4.2f}  p95 {p95:4.2f}  {'ok' if ratio <= 1.0 else 'SLOWER'}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        cleanup()


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=50)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--url", action="append", default=[], help="an existing, generated database (repeatable)")
    args = parser.parse_args()
    if args.url:
        for url in args.url:
            run(make_url(url).get_backend_name(), args.claims, args.per_article, args.runs, url)
        return
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        run(kind, args.claims, args.per_article, args.runs, None)


if __name__ == "__main__":
    main()
