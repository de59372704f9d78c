"""Where a status change or a verdict spends its time: every SQL statement of the write, timed and grouped.

Run: .venv/bin/python -m tests.benchmarks.write_costs --url DATABASE_URL [--writes 200]
on a database filled earlier (`workbench generate`, e.g. the 1,000,000-claim one of review_latency). It changes
claims through the same service the app uses (review.set_status), alternating an open status and a verdict, and
prints per write: the median time of each kind of statement (the chain lock, the claim UPDATE with its triggers,
re-reading the claim, the audit head lookup and INSERT, the commit) and the total. Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections import defaultdict

from sqlalchemy import event
from sqlmodel import Session, select

from workbench.audit import register_key
from workbench.config import Config
from workbench.db import make_engine
from workbench.models import Claim, Status, User
from workbench.services import review


def kind_of(statement: str) -> str:
    """Name a SQL statement by what it does (also what tests/test_write_path.py expects of a status change)."""
    flat = " ".join(statement.split())
    for pattern, name in (
        (r"pg_advisory_xact_lock", "chain lock"),
        (r"^UPDATE claim SET", "claim UPDATE (+ triggers)"),
        (r"^INSERT INTO audit_event", "audit INSERT (+ trigger)"),
        (r"FROM audit_event ORDER BY audit_event.seq DESC", "audit head lookup"),
        (r"webhook_endpoint", "webhook endpoints"),
        (r"^SELECT claim\..* FROM claim JOIN article", "queue row"),
        (r"^SELECT .* FROM claim WHERE claim.id", "claim read"),
        (r"FROM article WHERE article.id", "article read (cleared?)"),
        (r"FROM evidence", "evidence count"),
        (r"FROM \"?user\"? ", "user read"),
    ):
        if re.search(pattern, flat):
            return name
    return flat[:60]


def main() -> None:
    """Time set_status calls and print the cost of each statement kind per write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    engine = make_engine(args.url)
    register_key(engine, Config().AUDIT_KEY)
    spent: dict[str, list[float]] = defaultdict(list)
    current: dict[str, float] = defaultdict(float)
    started: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        started.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        current[kind_of(statement)] += time.perf_counter() - started.pop()

    totals = []
    with Session(engine, expire_on_commit=False) as session:
        actor = session.exec(select(User).order_by(User.id)).first()
        ids = list(session.exec(select(Claim.id).where(Claim.status == Status.unverified).limit(args.writes)))
        session.commit()
        for n in range(args.writes + 10):
            claim = session.get(Claim, ids[n % len(ids)])
            status = Status.not_checkable if n % 2 == 0 else Status.in_progress
            current.clear()
            start = time.perf_counter()
            review.set_status(
                session=session,
                claim=claim,
                status=status,
                rationale="Opinion, not a fact." if status is Status.not_checkable else "",
                actor=actor,
                expected_version=claim.version,
            )
            total = time.perf_counter() - start
            if n >= 10:  # warm-up
                totals.append(total)
                for name, seconds in current.items():
                    spent[name].append(seconds)
                spent["(python, commit, other)"].append(total - sum(current.values()))
    print(f"{args.writes} status changes through review.set_status on {engine.url.render_as_string()}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, samples in sorted(spent.items(), key=lambda item: -statistics.median(item[1])):
        print(f"  {name:32} median {statistics.median(samples) * 1000:6.2f} ms   ({len(samples)} writes)")
    ordered = sorted(totals)
    print(
        f"  {'whole write':32} median {statistics.median(ordered) * 1000:6.2f} ms   "
        f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:6.2f} ms"
    )


if __name__ == "__main__":
    main()
