"""The re-ranker's training (claims/training/matching_rerank.py): pairwise fit and cross-validation, on toy data."""

from __future__ import annotations

import pytest

from claims.matching.rerank import FEATURES

pytest.importorskip("sklearn")

from claims.training.matching_rerank import cross_validate, fit, mean_average_precision  # noqa: E402


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
