"""Fit the re-ranking weights of claims/matching/rerank.py on CLEF-2020 train by coordinate ascent on MAP@5.

Reads ../shared/datasets/clef2020-claim-retrieval at run time; prints the weights fitted on train and the
MAP@5 they give on train and on dev (dev is only reported, never fitted). Copy the printed weights into
rerank.WEIGHTS by hand.

    .venv/bin/python -m tests.benchmarks.matching_tune [--from-zero]
"""

from __future__ import annotations

import argparse
import json

from claims.matching import Matcher, analyse, rerank
from tests.benchmarks.claim_retrieval import DATA, average_precision_at, read_tsv

STEPS = (2, 1, 0.5, 0.25, 0.1, 0.05)


def candidates(matcher: Matcher, split: str) -> list[tuple[list[tuple[str, dict]], set[str]]]:
    """Per query: BM25's candidates with their features, and the relevant documents."""
    relevant: dict[str, set[str]] = {}
    for line in (DATA / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        query_id, _, doc_id, _ = line.split("\t")
        relevant.setdefault(query_id, set()).add(doc_id)
    data = []
    for query_id, text in read_tsv(DATA / split / "tweets.queries.tsv"):
        query = analyse(text)
        found = matcher.index.top(query.terms, 30)
        rows = [
            (key, rerank.features(query, matcher.analyses[key], bm25=score, best=found[0][1], idf=matcher.index.idf))
            for key, score in found
        ]
        data.append((rows, relevant.get(query_id, set())))
    return data


def mean_average_precision(data, weights: dict[str, float]) -> float:
    """MAP@5 of the candidates re-ranked with weights."""
    total = 0.0
    for rows, relevant in data:
        ranked = sorted(rows, key=lambda row: -rerank.combine(row[1], weights))
        total += average_precision_at([key for key, _ in ranked], relevant)
    return total / len(data)


def main() -> None:
    """Fit on train, report train and dev."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-zero", action="store_true", help="Start from plain BM25 instead of WEIGHTS.")
    args = parser.parse_args()
    matcher = Matcher()
    for doc_id, claim, title in read_tsv(DATA / "verified_claims.docs.tsv"):
        matcher.add(doc_id, f"{claim} {title}")
    train, dev = candidates(matcher, "train"), candidates(matcher, "dev")
    weights = {name: 0.0 for name in rerank.FEATURES} if args.from_zero else dict(rerank.WEIGHTS)
    if args.from_zero:
        weights["bm25_share"] = 1.0
    best = mean_average_precision(train, weights)
    print(f"start: train {best:.4f}, dev {mean_average_precision(dev, weights):.4f}")
    for step in STEPS:
        improved = True
        while improved:
            improved = False
            for name in rerank.FEATURES:
                for delta in (step, -step):
                    trial = {**weights, name: round(weights[name] + delta, 3)}
                    score = mean_average_precision(train, trial)
                    if score > best + 1e-6:
                        best, weights, improved = score, trial, True
        print(f"step {step}: train {best:.4f}, dev {mean_average_precision(dev, weights):.4f}")
    print(json.dumps(weights))


if __name__ == "__main__":
    main()
