"""Review latency at scale: queue, search, claim view, status change and dashboard p50/p95 at a million claims,
under load, each figure measured several times and printed as a range next to the bare endpoint and the load.

Run: .venv/bin/python -m tests.benchmarks.review_latency [--claims 1000000] [--database sqlite|postgresql|both]
     [--url URL ...] [--repeat 3] [--runs 60] [--server-root ../main]
It builds a fresh database (or reuses --url), serves it with Waitress in its own process, keeps it busy from a
second process (four checkers, --think seconds between pages) and measures from this one.
`compare` mode (`python -m tests.benchmarks.compare`) puts Label Studio beside it. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import re
import time

import requests
from sqlalchemy import create_engine, make_url, text

from tests.benchmarks.harness import Bench, add_common_arguments, background, database, load_average, served, signed_in

# One word, two words, a rare word, a very common word, and prefixes as typed (htmx fragment, like the page).
SEARCHES = [
    ("search one word 'grain'", "grain"),
    ("search two words 'grain gdansk'", "grain gdansk"),
    ("search rare word '7777'", "7777"),
    ("search very common word 'in'", "in"),
    ("search very common long word 'ministry'", "ministry"),  # in 61 % of generated claims
    ("search common 9-letter word 'according'", "according"),
]
TYPED = [("search as typed 'tonn'", "tonn"), ("search as typed 'gd'", "gd")]
FRAGMENT = {"HX-Request": "true", "HX-Target": "queue-results"}
_ROW = re.compile(r"id=c(\d+) data-v=(\d+)")
_NEXT = re.compile(r'rel="next" href="([^"]+)"')


def _found(pattern: re.Pattern[str], page: str, group: int = 1) -> str:
    """The group of the pattern's first match on the page (the page must have it)."""
    found = pattern.search(page)
    assert found, f"{pattern.pattern} is not on the page"
    return found.group(group)


def _rematching_done(url: str) -> bool:
    """Whether the server's background worker has rematched every verdict queued so far (claim_rematch is empty)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM claim_rematch")).scalar_one() == 0
    finally:
        engine.dispose()


def status_changes(bench: Bench, token: str, url: str) -> None:
    """Time status changes through the queue row (htmx), with the version each row carries and a live token."""
    page = bench.session.get(bench.base + "/claims?sort=newest", timeout=60).text
    versions = {int(i): int(v) for i, v in _ROW.findall(page)}
    assert versions, "no queue rows with their version on the page"
    order = list(versions)

    def change(claim_id: int, status: str, rationale: str = "") -> float:
        start = time.perf_counter()
        response = bench.session.post(
            f"{bench.base}/claims/{claim_id}/status",
            timeout=60,
            data={"csrf_token": token, "status": status, "rationale": rationale, "version": versions[claim_id]},
            headers={"HX-Request": "true", "HX-Target": f"c{claim_id}"},
        )
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (response.status_code, response.text[:300])
        versions[claim_id] = int(_found(_ROW, response.text, 2))
        return elapsed

    def timed() -> list[float]:
        return [change(order[n % len(order)], ["in_progress", "unverified"][n % 2]) for n in range(bench.runs)]

    # Verdicts go to open claims (a verdict replacing a verdict is not a new final one), each claim once a round.
    page = bench.session.get(bench.base + "/claims?sort=newest&status=unverified&status=in_progress", timeout=60).text
    open_claims = {int(i): int(v) for i, v in _ROW.findall(page)}
    while len(open_claims) < bench.runs + 20 and _NEXT.search(page):
        page = bench.session.get(bench.base + _found(_NEXT, page).replace("&amp;", "&"), timeout=60).text
        open_claims.update((int(i), int(v)) for i, v in _ROW.findall(page))
    versions.update(open_claims)
    pool = list(open_claims)

    def give_verdicts(claim_ids: list[int]) -> list[float]:
        return [change(claim_id, "not_checkable", "An opinion, not a checkable fact.") for claim_id in claim_ids]

    def reopen(claim_ids: list[int]) -> None:
        for claim_id in claim_ids:
            change(claim_id, "in_progress")

    def verdicts() -> list[float]:
        """A final verdict (one that needs no evidence) on each of runs open claims; untimed, reopened after."""
        chosen = pool[: bench.runs]
        times = give_verdicts(chosen)
        reopen(chosen)
        return times

    bench.record("status change (htmx row)", timed)
    if not bench.wanted("verdict (htmx row)"):
        return
    # Untimed first: a fresh server's worker builds its index of open claims on the first verdict it rematches
    # (about 80 s at a million claims, in the background); the timed verdicts meet the steady state.
    start = time.perf_counter()
    give_verdicts(pool[-20:])
    while not _rematching_done(url) and time.perf_counter() - start < 900:
        time.sleep(2)
    print(f"  (20 verdicts rematched by the server's worker {time.perf_counter() - start:.0f} s after the first)")
    reopen(pool[-20:])
    bench.record("verdict (htmx row)", verdicts)


def run(kind: str, args, url: str | None) -> None:
    """Benchmark one database."""
    url, cleanup = database(kind, args.claims, args.per_article, url)
    try:
        with served(url, args.server_root, args.processes) as base, background(base, args.think) as traffic:
            session, token = signed_in(base)
            bench = Bench(base, session, args.runs, args.repeat, args.only)
            bench.get("queue, first page", "/claims")
            bench.get("queue, unverified", "/claims?status=unverified")
            page = session.get(base + "/claims?sort=score", timeout=60).text
            for _ in range(20):  # walk 20 pages deep by cursor
                after = _found(_NEXT, page).replace("&amp;", "&")
                page = session.get(base + after, timeout=60).text
            bench.get("queue, page 21 by cursor", after)
            bench.get("queue, source + status", "/claims?source=1&status=false")
            for name, words in SEARCHES:
                bench.get(name, "/claims?" + requests.compat.urlencode({"q": words}))
            for name, words in TYPED:
                bench.get(name, "/claims?" + requests.compat.urlencode({"q": words}), headers=FRAGMENT)
            for name, words in SEARCHES[:2]:  # a search's count comes in a request of its own, after its rows
                bench.get(
                    name.replace("search", "count of"), "/claims/count?" + requests.compat.urlencode({"q": words})
                )
            claim_id = _found(_ROW, page)
            bench.get("claim view", f"/claims/{claim_id}")
            bench.get("editor dashboard", "/dashboard", runs=max(5, args.runs // 6))
            status_changes(bench, token, url)  # last: a verdict sets the server's background rematching going
            bench.report(f"[{kind}] {traffic()}")
    finally:
        cleanup()


def main() -> None:
    """Parse arguments and run the benchmark on each database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--think", type=float, default=0.25, help="pause of each background client between pages")
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
