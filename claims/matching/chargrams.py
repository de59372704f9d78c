"""Character n-grams of matching terms, weighted by how few records share them: spelling variants and word parts meet.

"butterfli" and "butterflies", "wombat" and "wombats", "juul" and "juuling" share most of their 3- to 5-grams
though not their stems. Document frequencies are counted as records come and go (never rebuilt); a record's
grams are worked out again from its terms when it is compared, so nothing per record is stored.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

SIZES = (3, 4, 5)


@lru_cache(maxsize=20_000)
def term_grams(term: str) -> tuple[str, ...]:
    """The 3- to 5-character grams of one term, with a space marking where it begins and ends."""
    padded = f" {term} "
    return tuple(padded[i : i + size] for size in SIZES for i in range(len(padded) - size + 1))


def grams(terms: Iterable[str]) -> Counter[str]:
    """How often each gram occurs over a text's terms."""
    counts: Counter[str] = Counter()
    for term in terms:
        counts.update(term_grams(term))
    return counts


class GramFrequencies:
    """How many records hold each gram, kept up to date one record at a time."""

    def __init__(self) -> None:
        """Start with no records."""
        self.documents = 0
        self.frequency: Counter[str] = Counter()
        # Gram weights as of a collection size; dropped once the collection has grown or shrunk by 1 %, so a
        # query reads most weights from here instead of taking a logarithm per gram of every candidate.
        self._weights: dict[str, float] = {}
        self._weights_at = 0

    def add(self, terms: Iterable[str]) -> None:
        """Count a new record's grams."""
        self.documents += 1
        self.frequency.update(grams(terms).keys())

    def remove(self, terms: Iterable[str]) -> None:
        """Stop counting a record's grams."""
        self.documents -= 1
        frequency = self.frequency
        for gram in grams(terms):
            left = frequency[gram] - 1
            if left > 0:
                frequency[gram] = left
            else:
                del frequency[gram]

    def _weight_table(self) -> dict[str, float]:
        if abs(self.documents - self._weights_at) > self._weights_at // 100:
            self._weights, self._weights_at = {}, self.documents
        return self._weights

    def vector(self, terms: Iterable[str]) -> dict[str, float]:
        """A text's grams weighted by (1 + log tf) · log(N / (1 + df)), scaled to unit length."""
        table = self._weight_table()
        frequency = self.frequency
        documents = max(self.documents, 1)
        weighted = {}
        for gram, count in grams(terms).items():
            weight = table.get(gram)
            if weight is None:
                weight = table[gram] = math.log(documents / (1 + frequency.get(gram, 0)))
            weighted[gram] = weight if count == 1 else weight * (1 + math.log(count))
        norm = math.sqrt(sum(value * value for value in weighted.values())) or 1.0
        return {gram: value / norm for gram, value in weighted.items()}

    def similarity(self, query: dict[str, float], terms: Iterable[str]) -> float:
        """The cosine of a unit-length query vector with the vector() of terms, without building that vector."""
        table = self._weight_table()
        frequency = self.frequency
        documents = max(self.documents, 1)
        get = query.get
        dot = squares = 0.0
        for gram, count in grams(terms).items():
            weight = table.get(gram)
            if weight is None:
                weight = table[gram] = math.log(documents / (1 + frequency.get(gram, 0)))
            if count != 1:
                weight *= 1 + math.log(count)
            squares += weight * weight
            mine = get(gram)
            if mine:
                dot += mine * weight
        return dot / math.sqrt(squares) if squares else 0.0


def cosine(query: dict[str, float], document: dict[str, float]) -> float:
    """The cosine of two unit-length gram vectors."""
    if len(document) < len(query):
        query, document = document, query
    get = document.get
    return sum(value * get(gram, 0.0) for gram, value in query.items())
