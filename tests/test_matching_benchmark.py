"""The CLEF-2020 measurement's own helpers: the collection's order and identical copies of a right answer."""

from __future__ import annotations

from claims.training.matching_rerank import collection_order
from tests.benchmarks.claim_retrieval import counting_copies


def test_the_collection_can_be_indexed_in_a_shuffled_order():
    rows = [[str(number), f"claim {number}", f"title {number}"] for number in range(50)]
    assert collection_order(rows, None) is rows
    shuffled = collection_order(rows, 1)
    assert shuffled != rows and sorted(shuffled) == sorted(rows)
    assert collection_order(rows, 1) == shuffled != collection_order(rows, 2)
    assert rows[0] == ["0", "claim 0", "title 0"]  # the file's own order is left as it was


def test_an_identical_copy_of_a_right_answer_counts_once_in_the_copy_aware_figure():
    copy_of = {"a": "same text", "a2": "same text", "b": "other", "c": "third"}
    assert counting_copies(["a2", "b", "a"], {"a"}, copy_of) == ["a", "b", "a#copy"]
    assert counting_copies(["b", "c"], {"a"}, copy_of) == ["b", "c"]  # no copy: the ranking as it was
