"""An incremental in-memory BM25 index: documents are added and removed one at a time, never rebuilt."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable


class BM25Index:
    """Okapi BM25 over an impact-scored inverted index: term → {document key: the term's weight in it}.

    A posting keeps BM25's term-frequency part, tf·(k1+1) / (tf + k1·(1 − b + b·len/avgdl)), worked out when
    the document is added, with the average length at that time (it settles within the first few hundred
    documents), so a query only multiplies by idf and adds. Nothing is recomputed when documents come or go.
    """

    def __init__(self, *, k1: float = 1.2, b: float = 0.75, walk_budget: int = 5_000, shortlist: int = 500):
        """Make an empty index.

        A query walks the posting lists of its rarest terms, up to walk_budget postings in all; its commoner
        terms then only add to the shortlist best documents found so far. Below the budget (any collection
        of a few ten thousand records) every document sharing a term is scored.
        """
        self.k1 = k1
        self.b = b
        self.walk_budget = walk_budget
        self.shortlist = shortlist
        # Postings are keyed by small integers (hashing an int is free; a tuple key is hashed on every lookup).
        self.postings: dict[str, dict[int, float]] = {}
        self.lengths: dict[int, int] = {}
        self.total_length = 0
        self._terms_of: dict[int, tuple[str, ...]] = {}
        self._number_of: dict[Hashable, int] = {}
        self._key_of: dict[int, Hashable] = {}
        self._next_number = 0

    def __len__(self) -> int:
        """Return how many documents the index holds."""
        return len(self.lengths)

    def __contains__(self, key: Hashable) -> bool:
        """Tell whether a document is in the index."""
        return key in self._number_of

    def add(self, key: Hashable, terms: Iterable[str]) -> None:
        """Index a document's terms under key, replacing what was there."""
        self.remove(key)
        number = self._number_of[key] = self._next_number
        self._key_of[number] = key
        self._next_number += 1
        counts = Counter(terms)
        length = sum(counts.values())
        self.lengths[number] = length
        self.total_length += length
        self._terms_of[number] = tuple(counts)
        average = self.total_length / len(self.lengths) or 1.0
        norm = self.k1 * (1 - self.b + self.b * length / average)
        for term, tf in counts.items():
            self.postings.setdefault(term, {})[number] = tf * (self.k1 + 1) / (tf + norm)

    def remove(self, key: Hashable) -> None:
        """Take a document out of the index (nothing happens when it is not there)."""
        number = self._number_of.pop(key, None)
        if number is None:
            return
        del self._key_of[number]
        self.total_length -= self.lengths.pop(number)
        for term in self._terms_of.pop(number, ()):
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(number, None)
                if not posting:
                    del self.postings[term]

    def document_frequency(self, term: str) -> int:
        """How many documents hold the term."""
        return len(self.postings.get(term, ()))

    def idf(self, term: str, *, at_least_documents: int = 0) -> float:
        """Return the term's inverse document frequency (the non-negative BM25+ form).

        at_least_documents counts a small collection as that large, so that in a desk's first days a shared
        word is not worth less than a word nobody used yet.
        """
        df = len(self.postings.get(term, ()))
        return math.log(1 + (max(len(self.lengths), at_least_documents) - df + 0.5) / (df + 0.5))

    def idfs(self, terms: Iterable[str], *, at_least_documents: int = 0) -> dict[str, float]:
        """Return idf (as in idf()) for many terms at once."""
        # idf() written out once, without a call per term (the same arithmetic, so the same values)
        documents = max(len(self.lengths), at_least_documents)
        postings, log = self.postings, math.log
        dfs = {t: len(postings.get(t, ())) for t in (terms if isinstance(terms, (set, frozenset)) else set(terms))}
        return {t: log(1 + (documents - df + 0.5) / (df + 0.5)) for t, df in dfs.items()}

    def _scores(self, terms: Iterable[str], walk_budget: int) -> dict[int, float]:
        """Return the BM25 score of the documents sharing a term with the query (see walk_budget)."""
        query = Counter(terms)
        ordered = sorted((t for t in query if t in self.postings), key=lambda t: len(self.postings[t]))
        # Rare terms find the documents; common ones only re-weigh the best of them, so a query never walks
        # a million-long posting list when it has anything more specific to say.
        rare: list[str] = []
        walked = 0
        for term in ordered:
            size = len(self.postings[term])
            if rare and walked + size > walk_budget:
                break
            rare.append(term)
            walked += size
        totals: dict[int, float] = {}
        for position, term in enumerate(rare):
            weight = self.idf(term) * query[term]
            posting = self.postings[term]
            if not position:
                # the first list fills the totals in one comprehension (0.0 + x is x: the same sums as below)
                totals = {number: weight * impact for number, impact in posting.items()}
                continue
            get = totals.get
            totals.update({number: get(number, 0.0) + weight * impact for number, impact in posting.items()})
        common = ordered[len(rare) :]
        if common and len(totals) > self.shortlist:
            totals = _best(totals, self.shortlist)
        for term in common:
            weight = self.idf(term) * query[term]
            posting = self.postings[term]
            # only the shortlisted documents that hold the term, found by a set intersection in C
            for number in totals.keys() & posting.keys():
                totals[number] += weight * posting[number]
        return totals

    def top(self, terms: Iterable[str], limit: int, *, walk_budget: int | None = None) -> list[tuple[Hashable, float]]:
        """Return the limit best (key, score) pairs, best first (walk_budget: this query's, else the index's)."""
        best = _best(self._scores(terms, walk_budget or self.walk_budget), limit)
        key_of = self._key_of
        return [(key_of[number], score) for number, score in sorted(best.items(), key=lambda item: -item[1])[:limit]]


def _best(totals: dict[int, float], count: int) -> dict[int, float]:
    """The count highest-scoring entries (ties at the cut-off may add a few); sorting floats in C beats a heap."""
    if len(totals) <= count:
        return totals
    cut = sorted(totals.values(), reverse=True)[count - 1]
    return {key: value for key, value in totals.items() if value >= cut}
