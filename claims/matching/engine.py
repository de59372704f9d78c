"""The matcher: an incremental BM25 index of earlier verdicts and reviews, re-ranked on figures, names and time."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from .bm25 import BM25Index
from .normalise import Analysis, analyse
from .rerank import combine, features, strength

CANDIDATES = 30
# Strength weighs words as if the collection held at least this many records (see BM25Index.idf).
STRENGTH_MIN_DOCUMENTS = 1000


@dataclass(frozen=True)
class Match:
    """One ranked candidate: its key, the re-ranked score, the BM25 score it started from, and its strength in [0, 1]."""

    key: Hashable
    score: float
    bm25: float
    strength: float


class Matcher:
    """Holds what can be matched against; add and remove one record at a time."""

    def __init__(self) -> None:
        """Start empty."""
        self.index = BM25Index()
        self.analyses: dict[Hashable, Analysis] = {}

    def __len__(self) -> int:
        """Return how many records can be matched."""
        return len(self.index)

    def __contains__(self, key: Hashable) -> bool:
        """Tell whether a record is matchable."""
        return key in self.index

    def add(self, key: Hashable, text: str) -> None:
        """Make a record matchable at once (replacing its earlier text)."""
        analysis = analyse(text)
        self.analyses[key] = analysis
        self.index.add(key, analysis.terms)

    def remove(self, key: Hashable) -> None:
        """Stop matching a record."""
        self.analyses.pop(key, None)
        self.index.remove(key)

    def search(
        self,
        text: str,
        *,
        limit: int = 5,
        exclude: frozenset[Hashable] = frozenset(),
        candidates: int = CANDIDATES,
        walk_budget: int | None = None,
    ) -> list[Match]:
        """Rank the records most likely to check the same thing as text, best first (re-ranking BM25's best few)."""
        query = analyse(text)
        found = [
            (k, s)
            for k, s in self.index.top(query.terms, candidates + len(exclude), walk_budget=walk_budget)
            if k not in exclude
        ]
        if not found:
            return []
        best = found[0][1]
        found = found[:candidates]
        vocabulary = set(query.terms).union(*(self.analyses[key].term_set for key, _ in found))
        idf = self.index.idfs(vocabulary).__getitem__
        strength_idf = self.index.idfs(vocabulary, at_least_documents=STRENGTH_MIN_DOCUMENTS).__getitem__
        ranked = [
            Match(
                key,
                combine(features(query, self.analyses[key], bm25=score, best=best, idf=idf)),
                score,
                strength(query, self.analyses[key], idf=strength_idf),
            )
            for key, score in found
        ]
        ranked.sort(key=lambda match: -match.score)
        return ranked[:limit]

    def strongest(
        self,
        text: str,
        *,
        limit: int,
        exclude: frozenset[Hashable] = frozenset(),
        candidates: int = 10,
        walk_budget: int | None = None,
    ) -> list[Match]:
        """The few records of BM25's best candidates that most surely check the same thing, by strength alone.

        Cheaper than search (no re-ranking features): what ingest needs to propose matches.
        """
        query = analyse(text)
        found = [
            (k, s)
            for k, s in self.index.top(query.terms, candidates + len(exclude), walk_budget=walk_budget)
            if k not in exclude
        ][:candidates]
        if not found:
            return []
        vocabulary = set(query.terms).union(*(self.analyses[key].term_set for key, _ in found))
        idf = self.index.idfs(vocabulary, at_least_documents=STRENGTH_MIN_DOCUMENTS).__getitem__
        ranked = [Match(key, score, score, strength(query, self.analyses[key], idf=idf)) for key, score in found]
        ranked.sort(key=lambda match: -match.strength)
        return ranked[:limit]
