"""Matching at scale: p50/p95 per query against N stored claims (default 1,000,000), and the cost of adding one.

The stored claims are the CLEF-2020 verified claims plus synthetic ones whose words are drawn from those
claims' own word stream (so word frequencies stay realistic); the queries are the dev tweets. Everything is
read from ../shared at run time.

    .venv/bin/python tests/benchmarks/matching_scale.py [--claims 1000000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from claims.matching import Matcher  # noqa: E402
from tests.benchmarks.claim_retrieval import DATA, average_precision_at, read_tsv  # noqa: E402


def synthetic_claims(words: list[str], count: int, seed: int = 7):
    """Yield count sentences of 8 to 25 words drawn from the word stream (frequencies kept)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield " ".join(rng.choices(words, k=rng.randint(8, 25)))


def main() -> None:
    """Fill a matcher, then time the dev queries against it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--walk-budget", type=int, help="Postings a query walks (default: the index's own).")
    args = parser.parse_args()
    real = read_tsv(DATA / "verified_claims.docs.tsv")
    words = [word for _, claim, title in real for word in f"{claim} {title}".split()]
    matcher = Matcher()
    if args.walk_budget:
        matcher.index.walk_budget = args.walk_budget
    started = time.perf_counter()
    for doc_id, claim, title in real:
        matcher.add(("review", int(doc_id)), claim, title=title)
    for number, text in enumerate(synthetic_claims(words, args.claims - len(real))):
        matcher.add(("claim", number), text)
    build = time.perf_counter() - started
    relevant: dict[str, set] = {}
    for line in (DATA / "dev" / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        query_id, _, doc_id, _ = line.split("\t")
        relevant.setdefault(query_id, set()).add(("review", int(doc_id)))
    queries = read_tsv(DATA / "dev" / "tweets.queries.tsv")
    timings, precision = [], []
    for query_id, text in queries * 2:
        started = time.perf_counter()
        found = matcher.search(text, limit=5)
        timings.append((time.perf_counter() - started) * 1000)
        precision.append(average_precision_at([m.key for m in found], relevant.get(query_id, set())))
    timings.sort()
    adds = []
    for number, text in enumerate(synthetic_claims(words, 1000, seed=99)):
        started = time.perf_counter()
        matcher.add(("claim", -1 - number), text)
        adds.append((time.perf_counter() - started) * 1000)
    print(
        f"{len(matcher):,} records indexed in {build:.0f} s; {len(timings)} queries: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms, "
        f"max {timings[-1]:.1f} ms; dev MAP@5 among them {statistics.mean(precision):.4f}; "
        f"adding one record: p95 {sorted(adds)[949]:.2f} ms"
    )


if __name__ == "__main__":
    main()
