"""The re-ranker's training (claims/training/matching_rerank.py): pairwise fit and cross-validation, on toy data."""

from __future__ import annotations

import pytest

from claims.matching.rerank import FEATURES

pytest.importorskip("sklearn")

from claims.training.matching_rerank import (  # noqa: E402
    collection_order,
    cross_validate,
    fit,
    mean_average_precision,
)


def toy_queries(count: int) -> list:
    """Queries of four candidates where the right one has the higher query_cover but never the higher bm25."""
    described = []
    for number in range(count):
        rows = []
        for place in range(4):
            row = dict.fromkeys(FEATURES, 0.0)
            row["bm25"] = 1.0 - place * 0.1 + (number % 3) * 0.01
            row["query_cover"] = 0.9 if place == 2 else 0.1 + place * 0.05
            rows.append(row)
        described.append(([f"q{number}-{place}" for place in range(4)], rows, {f"q{number}-2"}))
    return described


def test_the_pairwise_fit_learns_the_order_within_a_query():
    described = toy_queries(30)
    model = fit(described)
    weights = dict(zip(model.features, model.weights))
    assert weights["query_cover"] > 0 and weights["query_cover"] > abs(weights["bm25"])
    assert mean_average_precision(described, model) == 1.0


def test_cross_validation_measures_held_out_queries():
    assert cross_validate(toy_queries(20), folds=4, seeds=(0,)) == 1.0


def test_the_collection_can_be_indexed_in_a_shuffled_order():
    rows = [[str(number), f"claim {number}", f"title {number}"] for number in range(50)]
    assert collection_order(rows, None) is rows
    shuffled = collection_order(rows, 1)
    assert shuffled != rows and sorted(shuffled) == sorted(rows)
    assert collection_order(rows, 1) == shuffled != collection_order(rows, 2)
    assert rows[0] == ["0", "claim 0", "title 0"]  # the file's own order is left as it was
