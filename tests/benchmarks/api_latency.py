"""The API next to the HTML route it mirrors: claim list (50, filtered, searched) and status change, p50/p95.

Run: .venv/bin/python -m tests.benchmarks.api_latency [--claims 1000000] [--database sqlite|postgresql] [--url URL]
Builds (or reuses) a filled database, serves it with Waitress in its own process and measures, in one run, each
operation through the HTML route, through /api/v1 with a Bearer token, and a bare endpoint of the same server.
Each figure is measured --repeat times and printed as a range next to the bare endpoint and the load average.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import re
import time

import requests
from sqlalchemy import make_url
from sqlmodel import Session, select

from tests.benchmarks.harness import BENCH_EMAIL, Bench, add_common_arguments, database, load_average, served, signed_in
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
_ROW = re.compile(r'id="claim-row-(\d+)"[^>]*?data-version="(\d+)"')


def bench_token(url: str) -> str:
    """Create a write token for the benchmark's user."""
    engine = make_engine(url)
    register_key(engine, Config().AUDIT_KEY)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == BENCH_EMAIL)).one()
        secret = create_token(session=session, user=user, name="benchmark", scope="write", actor=user)[1]
    engine.dispose()
    return secret


def status_changes(runs: int, change) -> list[float]:
    """Time runs status changes, alternating in_progress / unverified on the same claims."""
    times = []
    for n in range(runs):
        start = time.perf_counter()
        change(n, ["in_progress", "unverified"][n % 2])
        times.append(time.perf_counter() - start)
    return times


def run(kind: str, args, url: str | None) -> None:
    """Benchmark one database."""
    url, cleanup = database(kind, args.claims, args.per_article, url)
    try:
        with served(url, args.server_root) as base:
            browser, csrf = signed_in(base)
            api = requests.Session()
            api.headers["Authorization"] = f"Bearer {bench_token(url)}"
            bench = Bench(base, browser, args.runs, args.repeat)
            for name, html, json_url in LISTS:
                bench.get(f"{name} (HTML)", html)
                bench.get(f"{name} (API)", json_url, session=api)
            ids = [item["id"] for item in api.get(base + "/api/v1/claims", timeout=60).json()["items"]][:10]
            etags = {i: api.get(f"{base}/api/v1/claims/{i}", timeout=60).headers["ETag"] for i in ids}

            def api_change(n, status):
                claim_id = ids[n % len(ids)]
                response = api.post(
                    f"{base}/api/v1/claims/{claim_id}/status",
                    json={"status": status},
                    headers={"If-Match": etags[claim_id]},
                    timeout=60,
                )
                assert response.status_code == 200, response.text[:300]
                etags[claim_id] = response.headers["ETag"]

            bench.record("status change (API)", lambda: status_changes(args.runs, api_change))
            page = browser.get(base + "/claims", timeout=60).text
            versions = {int(i): int(v) for i, v in _ROW.findall(page)[:10]}
            rows = list(versions)

            def html_change(n, status):
                claim_id = rows[n % len(rows)]
                response = browser.post(
                    f"{base}/claims/{claim_id}/status",
                    timeout=60,
                    data={"csrf_token": csrf, "status": status, "version": versions[claim_id]},
                    headers={"HX-Request": "true", "HX-Target": f"claim-row-{claim_id}"},
                )
                assert response.status_code == 200, response.status_code
                versions[claim_id] = int(_ROW.search(response.text).group(2))

            bench.record("status change (HTML row)", lambda: status_changes(args.runs, html_change))
            bench.report(f"[{kind}] no background load")
    finally:
        cleanup()


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    print(f"start: {load_average()}")
    if args.url:
        for url in args.url:
            run(make_url(url).get_backend_name(), args, url)
        return
    for kind in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        run(kind, args, None)


if __name__ == "__main__":
    main()
