"""An incremental in-memory BM25 index: documents are added and removed one at a time, never rebuilt."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Hashable, Iterable


class BM25Index:
    """Okapi BM25 over an inverted index of term → {document key: term frequency}."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75, max_postings: int = 50_000):
        """Make an empty index; terms with more postings than max_postings are scored only when rare terms fail."""
        self.k1 = k1
        self.b = b
        self.max_postings = max_postings
        self.postings: dict[str, dict[Hashable, int]] = {}
        self.lengths: dict[Hashable, int] = {}
        self.total_length = 0
        self._terms_of: dict[Hashable, tuple[str, ...]] = {}

    def __len__(self) -> int:
        """Return how many documents the index holds."""
        return len(self.lengths)

    def __contains__(self, key: Hashable) -> bool:
        """Tell whether a document is in the index."""
        return key in self.lengths

    def add(self, key: Hashable, terms: Iterable[str]) -> None:
        """Index a document's terms under key, replacing what was there."""
        if key in self.lengths:
            self.remove(key)
        counts = Counter(terms)
        length = sum(counts.values())
        for term, count in counts.items():
            self.postings.setdefault(term, {})[key] = count
        self.lengths[key] = length
        self.total_length += length
        self._terms_of[key] = tuple(counts)

    def remove(self, key: Hashable) -> None:
        """Take a document out of the index (nothing happens when it is not there)."""
        length = self.lengths.pop(key, None)
        if length is None:
            return
        self.total_length -= length
        for term in self._terms_of.pop(key, ()):
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(key, None)
                if not posting:
                    del self.postings[term]

    def idf(self, term: str, *, at_least_documents: int = 0) -> float:
        """Return the term's inverse document frequency (the non-negative BM25+ form).

        at_least_documents counts a small collection as that large, so that in a desk's first days a shared
        word is not worth less than a word nobody used yet.
        """
        df = len(self.postings.get(term, ()))
        return math.log(1 + (max(len(self.lengths), at_least_documents) - df + 0.5) / (df + 0.5))

    def scores(self, terms: Iterable[str]) -> dict[Hashable, float]:
        """Return every document's BM25 score for the query terms (documents sharing no term are left out)."""
        if not self.lengths:
            return {}
        query = Counter(terms)
        average = self.total_length / len(self.lengths)
        k1, b = self.k1, self.b
        lengths = self.lengths
        ordered = sorted((t for t in query if t in self.postings), key=lambda t: len(self.postings[t]))
        # Very common terms only add to documents already found by rarer ones: a 1M-document posting list is
        # never walked in full when the query has anything more specific to say.
        rare = [t for t in ordered if len(self.postings[t]) <= self.max_postings] or ordered[:1]
        common = [t for t in ordered if t not in rare]
        totals: dict[Hashable, float] = {}
        norm = {}
        for term in rare:
            weight = self.idf(term) * query[term]
            for key, tf in self.postings[term].items():
                factor = norm.get(key)
                if factor is None:
                    factor = norm[key] = k1 * (1 - b + b * lengths[key] / average)
                totals[key] = totals.get(key, 0.0) + weight * tf * (k1 + 1) / (tf + factor)
        for term in common:
            weight = self.idf(term) * query[term]
            posting = self.postings[term]
            for key in totals:
                tf = posting.get(key)
                if tf:
                    totals[key] += weight * tf * (k1 + 1) / (tf + norm[key])
        return totals

    def top(self, terms: Iterable[str], limit: int) -> list[tuple[Hashable, float]]:
        """Return the limit best (key, score) pairs, best first; ties go to the lower key order of insertion."""
        totals = self.scores(terms)
        return heapq.nlargest(limit, totals.items(), key=lambda item: item[1])
