"""Dashboard and writes at scale under load: dashboard, status change and verdict p50/p95, each run several times.

Run: .venv/bin/python -m tests.benchmarks.dashboard_writes --url DATABASE_URL [--runs 60] [--rounds 3]
on a database filled earlier (`workbench generate`; the 1,000,000-claim databases of review_latency). It serves
the database with Waitress in its own process (tests/benchmarks/bench_server.py), keeps it busy with the same four
browsing clients as review_latency, and prints, per round, the load average and the bare endpoint next to each
figure. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.benchmarks.review_latency import (
    background_load,
    existing_database,
    free_port,
    measure,
    percentiles,
    signed_in,
)


def _writes(session, base: str, token: str, runs: int, verdict: bool) -> list[float]:
    """Time runs status changes (open statuses) or verdicts (not checkable, with a rationale) on queue rows."""
    page = session.get(base + "/claims?status=unverified" if verdict else base + "/claims").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # the signed-in session's token
    rows = re.findall(r"id=c(\d+) data-v=(\d+)", page)
    versions = {int(i): int(v) for i, v in rows}
    times = []
    for n in range(runs):
        claim_id = list(versions)[n % len(versions)]
        status = ("not_checkable" if n % 2 == 0 else "unverified") if verdict else ["in_progress", "unverified"][n % 2]
        data = {"csrf_token": token, "status": status, "version": versions[claim_id]}
        if status == "not_checkable":
            data["rationale"] = "An opinion, not a checkable fact."
        start = time.perf_counter()
        response = session.post(
            f"{base}/claims/{claim_id}/status",
            timeout=60,
            data=data,
            headers={"HX-Request": "true", "HX-Target": f"c{claim_id}"},
        )
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (response.status_code, response.text[:300])
        found = re.search(r"data-v=(\d+)", response.text)
        versions[claim_id] = int(found.group(1)) if found else versions[claim_id]
    return times


def main() -> None:
    """Serve the database, load it, and measure the dashboard and writes for a few rounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.25)
    args = parser.parse_args()
    url, _ = existing_database(args.url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bench_server", "--database", url, "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        stderr=subprocess.DEVNULL,  # the request log
    )
    try:
        for _ in range(150):
            try:
                requests.get(base + "/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        session, token = signed_in(base, "bench@bench.example")
        counter = multiprocessing.Value("i", 0)
        load = multiprocessing.Process(
            target=background_load, args=(base, "bench@bench.example", time.time() + 3600, counter, args.think)
        )
        load.start()
        time.sleep(2)
        try:
            for round_ in range(1, args.rounds + 1):
                results = {
                    "bare endpoint": measure(session, "GET", base + "/_bench/bare", args.runs),
                    "status change (htmx row)": _writes(session, base, token, args.runs, verdict=False),
                    "verdict (htmx row)": _writes(session, base, token, args.runs, verdict=True),
                    "editor dashboard": measure(session, "GET", base + "/dashboard", args.runs),
                }
                floor = statistics.median(results["bare endpoint"])
                load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
                print(f"round {round_}, {args.runs} requests each, 4 background clients, load average {load_average}")
                for name, samples in results.items():
                    print(
                        f"  {name:28} {percentiles(samples)}   median {statistics.median(samples) / floor:5.1f}x bare"
                    )
                sys.stdout.flush()
        finally:
            load.terminate()
            load.join()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
