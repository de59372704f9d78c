"""An incremental in-memory BM25 index: documents are added and removed one at a time, never rebuilt."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable

# A bound is summed in another order than the score it bounds, so the two may differ in their last bits: a document
# is only left out when its bound is short of the k-th score by more than this share of it.
_MARGIN = 1e-9


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
        # the highest weight a term has had in any document (never lowered on removal: still an upper bound)
        self.peaks: dict[str, float] = {}
        self._peak_of: dict[int, float] = {}  # a document's highest weight over its terms
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
        peaks, highest = self.peaks, 0.0
        for term, tf in counts.items():
            impact = self.postings.setdefault(term, {})[number] = tf * (self.k1 + 1) / (tf + norm)
            if impact > peaks.get(term, 0.0):
                peaks[term] = impact
            highest = max(highest, impact)
        self._peak_of[number] = highest

    def remove(self, key: Hashable) -> None:
        """Take a document out of the index (nothing happens when it is not there)."""
        number = self._number_of.pop(key, None)
        if number is None:
            return
        del self._key_of[number], self._peak_of[number]
        self.total_length -= self.lengths.pop(number)
        for term in self._terms_of.pop(number, ()):
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(number, None)
                if not posting:
                    del self.postings[term], self.peaks[term]

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

    def _plan(self, terms: Iterable[str], walk_budget: int) -> tuple[Counter[str], list[str], int]:
        """The query's term counts, its indexed terms rarest first, and how many of those are walked (see walk_budget)."""
        query = Counter(terms)
        postings = self.postings
        ordered = sorted((t for t in query if t in postings), key=lambda t: len(postings[t]))
        # Rare terms find the documents; common ones only re-weigh the best of them, so a query never walks
        # a million-long posting list when it has anything more specific to say.
        rare = walked = 0
        for term in ordered:
            size = len(postings[term])
            if rare and walked + size > walk_budget:
                break
            rare += 1
            walked += size
        return query, ordered, rare

    def _scores(self, terms: Iterable[str], walk_budget: int) -> dict[int, float]:
        """Return the BM25 score of the documents sharing a term with the query (see walk_budget)."""
        return self._walk(*self._plan(terms, walk_budget))

    def _weights(self, query: Counter[str], ordered: list[str]) -> list[float]:
        """Each term's idf times how often the query says it (idf() written out: the same arithmetic, so the same values)."""
        documents, postings, log = len(self.lengths), self.postings, math.log
        return [
            log(1 + (documents - len(postings[term]) + 0.5) / (len(postings[term]) + 0.5)) * query[term]
            for term in ordered
        ]

    def _walk(self, query: Counter[str], ordered: list[str], rare: int) -> dict[int, float]:
        """Score every document of the rare lists, then add the common terms to the shortlisted ones (see _plan)."""
        weights = self._weights(query, ordered)
        totals: dict[int, float] = {}
        for position, term in enumerate(ordered[:rare]):
            weight = weights[position]
            posting = self.postings[term]
            if not position:
                # the first list fills the totals in one comprehension (0.0 + x is x: the same sums as below)
                totals = {number: weight * impact for number, impact in posting.items()}
                continue
            get = totals.get
            totals.update({number: get(number, 0.0) + weight * impact for number, impact in posting.items()})
        common = ordered[rare:]
        if common and len(totals) > self.shortlist:
            totals = _best(totals, self.shortlist)
        for position, term in enumerate(common, start=rare):
            weight = weights[position]
            posting = self.postings[term]
            # only the shortlisted documents that hold the term, found by a set intersection in C
            for number in totals.keys() & posting.keys():
                totals[number] += weight * posting[number]
        return totals

    def top(
        self, terms: Iterable[str], limit: int, *, walk_budget: int | None = None, prune: bool = True
    ) -> list[tuple[Hashable, float]]:
        """Return the limit best (key, score) pairs, best first (walk_budget: this query's, else the index's).

        prune=False scores every document the query reaches; the pruned answer is the same, ties included.
        """
        plan = self._plan(terms, walk_budget or self.walk_budget)
        query, ordered, rare = plan
        # With a shortlist cut the best `shortlist` partial scores would have to be found exactly: no pruning then.
        if (
            prune
            and limit > 0
            and (rare == len(ordered) or not self._reaches_more_than(ordered[:rare], self.shortlist))
        ):
            return self._pruned_top(query, ordered, rare, limit)
        return self._ranked(self._walk(*plan), limit)

    def _reaches_more_than(self, terms: list[str], count: int) -> bool:
        """Tell whether more than count documents hold one of the terms."""
        lists = [self.postings[term].keys() for term in terms]
        return sum(map(len, lists)) > count and len(set().union(*lists)) > count

    def _pruned_top(
        self, query: Counter[str], ordered: list[str], rare: int, limit: int
    ) -> list[tuple[Hashable, float]]:
        """top() without walking the lists that cannot bring a document into the limit best (MaxScore, term at a time).

        The rare lists are walked in _walk's order until what the terms left could add up to (their highest weights)
        is below the limit-th best partial score: no document outside the lists walked can then reach it. The
        documents found are kept while their partial score and what is left could reach it, and the terms left only
        add to those. Every kept document's score is _walk's sum in _walk's order, and the documents stand in the
        order _walk met them, so the answer is top(prune=False)'s, ties included.
        """
        postings, peaks = self.postings, self.peaks
        weights = self._weights(query, ordered)
        # left[i]: the most the terms from ordered[i] on can add to one document
        left = [0.0] * (len(ordered) + 1)
        for position in range(len(ordered) - 1, -1, -1):
            left[position] = left[position + 1] + weights[position] * peaks[ordered[position]]
        # what the rare lists not walked yet hold
        unwalked = sum(len(postings[term]) for term in ordered[:rare])
        partial: dict[int, float] = {}
        walked = 0
        floor = 0.0  # the limit-th partial score when last looked up (it can only rise)
        fresh = 0  # how many documents the last list walked brought
        since = 0  # postings walked since the limit-th partial score was last looked for
        while walked < rare:
            rest = left[walked]
            # no partial score passes what the lists walked can add up to, left[0] - rest
            if len(partial) >= limit and rest < left[0] - rest and rest < floor * (1 - _MARGIN):
                break
            # the limit-th partial score (a sort) is looked for again once a walk as long as that sort is behind,
            # and only while what it could spare is longer still
            if len(partial) >= limit and rest < left[0] - rest and unwalked > len(partial) and since >= len(partial):
                floor, since = _kth(partial, limit), 0
                if rest < floor * (1 - _MARGIN):
                    break
            weight, posting = weights[walked], postings[ordered[walked]]
            # Nothing new in the lists left (the same claim stored many times over, say): they only add to the found.
            # Only looked at after the first list, or after a list that brought nothing new.
            if (
                (walked == 1 or not fresh)
                and len(posting) <= len(partial)
                and all(postings[term].keys() <= partial.keys() for term in ordered[walked:rare])
            ):
                break
            known = len(partial)
            if walked:
                get = partial.get
                partial.update({number: get(number, 0.0) + weight * impact for number, impact in posting.items()})
            else:
                partial = {number: weight * impact for number, impact in posting.items()}
            fresh = len(partial) - known
            walked += 1
            unwalked -= len(posting)
            since += len(posting)
        later = [(weights[position], postings[ordered[position]]) for position in range(walked, len(ordered))]
        # the documents found that each term left holds (sets made in C): the terms left only add to those
        hits = [partial.keys() & posting.keys() for _, posting in later]
        if len(partial) > limit and sum(map(len, hits)) > len(partial):
            # Worth a look at each document first: the limit best partial scores made whole give a floor, and a
            # document can gain at most what the terms left weigh times its own highest weight (or their peaks).
            leaders = sorted(partial, key=partial.__getitem__, reverse=True)[:limit]
            floor = min(
                partial[number] + sum(w * posting.get(number, 0.0) for w, posting in later) for number in leaders
            )
            floor *= 1 - _MARGIN
            rest, weight_left, peak_of = left[walked], math.fsum(w for w, _ in later), self._peak_of
            partial = {
                number: value
                for number, value in partial.items()
                if value + min(rest, weight_left * peak_of[number]) >= floor
            }
            hits = [found & partial.keys() for found in hits]
        for (weight, posting), found in zip(later, hits):
            for number in found:
                partial[number] += weight * posting[number]
        return self._ranked(partial, limit)

    def _ranked(self, totals: dict[int, float], limit: int) -> list[tuple[Hashable, float]]:
        """The limit best (key, score) pairs of the totals, best first (ties in the totals' order)."""
        best = _best(totals, limit)
        key_of = self._key_of
        return [(key_of[number], score) for number, score in sorted(best.items(), key=lambda item: -item[1])[:limit]]


def _kth(values: dict[int, float], count: int) -> float:
    """The count-th highest value (the dict holds at least count)."""
    return sorted(values.values(), reverse=True)[count - 1]  # sorting floats in C beats a heap here too


def _best(totals: dict[int, float], count: int) -> dict[int, float]:
    """The count highest-scoring entries (ties at the cut-off may add a few); sorting floats in C beats a heap."""
    if len(totals) <= count:
        return totals
    cut = sorted(totals.values(), reverse=True)[count - 1]
    return {key: value for key, value in totals.items() if value >= cut}
