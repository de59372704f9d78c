"""The matcher: an incremental BM25 index of earlier verdicts and reviews, re-ranked on figures, names and time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

from .bm25 import BM25Index
from .chargrams import GramFrequencies
from .normalise import Analysis, analyse
from .posts import post_body
from .rerank import Parts, RerankModel, features, scores, strength
from .segment import split_tags

# BM25's best this many are re-ranked: on CLEF-2020 train the right answer is among the first 10 for 93% of the
# tweets, the first 20 for 94.5%, the first 30 for 95.6%; 30 cross-validated no better than 20 and costs more.
CANDIDATES = 20
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

    def __init__(self, *, model: RerankModel | None = None, rerank: bool = True) -> None:
        """Start empty; model re-ranks (default: the one shipped in claims/data).

        rerank=False keeps no character-gram frequencies: such a matcher only answers strongest(), cheaper to
        fill (what the index of open claims needs).
        """
        self.index = BM25Index()
        self.analyses: dict[Hashable, Analysis] = {}
        self.grams = GramFrequencies() if rerank else None
        self.model = model
        # Claim and title analysed apart, kept only for records that have a title (imported reviews); the
        # lengths in terms of every record's claim and of every title, kept as totals so averages cost nothing.
        self.titled: dict[Hashable, tuple[Analysis, Analysis]] = {}
        self.claim_length = 0
        self.title_length = 0

    def __len__(self) -> int:
        """Return how many records can be matched."""
        return len(self.index)

    def __contains__(self, key: Hashable) -> bool:
        """Tell whether a record is matchable."""
        return key in self.index

    def add(self, key: Hashable, text: str, *, title: str = "") -> None:
        """Make a record matchable at once (replacing its earlier text); a review's title is given apart.

        The record is retrieved on its text and title together; the re-ranker also compares the query with
        each of them on its own.
        """
        self.remove(key)
        analysis = analyse(f"{text} {title}" if title else text)
        self.analyses[key] = analysis
        self.index.add(key, analysis.terms)
        if self.grams is not None:
            self.grams.add(analysis.terms)
            if title:
                claim, heading = analyse(text), analyse(title)
                self.titled[key] = (claim, heading)
                self.claim_length += len(claim.terms)
                self.title_length += len(heading.terms)
            else:
                self.claim_length += len(analysis.terms)

    def remove(self, key: Hashable) -> None:
        """Stop matching a record."""
        analysis = self.analyses.pop(key, None)
        if analysis is not None and self.grams is not None:
            self.grams.remove(analysis.terms)
            claim_and_title = self.titled.pop(key, None)
            if claim_and_title is None:
                self.claim_length -= len(analysis.terms)
            else:
                self.claim_length -= len(claim_and_title[0].terms)
                self.title_length -= len(claim_and_title[1].terms)
        self.index.remove(key)

    def parts(self, key: Hashable) -> Parts:
        """A record's claim and title apart (a record without a title stands as its own title)."""
        average_claim = self.claim_length / (len(self.analyses) or 1)
        average_title = self.title_length / len(self.titled) if self.titled else average_claim
        analysis = self.analyses[key]
        claim, title = self.titled.get(key, (analysis, analysis))
        return Parts(claim, title, average_claim, average_title)

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
        query, found, rows = self.candidates(text, exclude=exclude, candidates=candidates, walk_budget=walk_budget)
        if not found:
            return []
        vocabulary = set(query.terms).union(*(self.analyses[key].term_set for key, _ in found))
        strength_idf = self.index.idfs(vocabulary, at_least_documents=STRENGTH_MIN_DOCUMENTS).__getitem__
        ranked = [
            Match(key, value, score, strength(query, self.analyses[key], idf=strength_idf))
            for (key, score), value in zip(found, scores(rows, self.model))
        ]
        ranked.sort(key=lambda match: -match.score)
        return ranked[:limit]

    def candidates(
        self,
        text: str,
        *,
        exclude: frozenset[Hashable] = frozenset(),
        candidates: int = CANDIDATES,
        walk_budget: int | None = None,
    ) -> tuple[Analysis, list[tuple[Hashable, float]], list[dict[str, float]]]:
        """BM25's best candidates for text as (key, score), best first, and the re-ranking features of each."""
        grams = self.grams
        if grams is None:
            raise ValueError("this matcher was made with rerank=False: it answers strongest() only")
        query = self._query(text)
        body_text = post_body(text)
        # a post's own words, when it is signed and says anything besides its signature (else None: the query's own)
        body = None if body_text == text or not body_text.strip() else self._query(body_text)
        found = [
            (k, s)
            for k, s in self.index.top(query.terms, candidates + len(exclude), walk_budget=walk_budget)
            if k not in exclude
        ][:candidates]
        if not found:
            return query, [], []
        best, runner_up = found[0][1], found[1][1] if len(found) > 1 else 0.0
        vocabulary = set(query.terms).union(
            body.terms if body else (), *(self.analyses[key].term_set for key, _ in found)
        )
        idf = self.index.idfs(vocabulary).__getitem__
        query_grams = grams.vector(query.terms)
        query_counts = Counter(query.terms)
        rows = []
        above = 0  # candidates scoring more than this one: records that BM25 cannot tell apart share a rank
        for place, (key, score) in enumerate(found):
            if place and score < found[place - 1][1]:
                above = place
            analysis, parts = self.analyses[key], self.parts(key)
            whole = grams.similarity(query_grams, analysis.terms)
            title = whole if parts.title is analysis else grams.similarity(query_grams, parts.title.terms)
            rows.append(
                features(
                    query,
                    analysis,
                    bm25=score,
                    best=best,
                    runner_up=runner_up,
                    idf=idf,
                    chargrams=whole,
                    parts=parts,
                    chargrams_title=title,
                    rank=above,
                    query_counts=query_counts,
                    body=body,
                )
            )
        return query, found, rows

    def _query(self, text: str) -> Analysis:
        """A query's analysis; a run-together tag the index does not know ("@pnbrock") as the known words it is made of."""
        return split_tags(analyse(text), text, document_frequency=self.index.document_frequency, documents=len(self))

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
        [found] = self.strongest_many([(text, exclude)], limit=limit, candidates=candidates, walk_budget=walk_budget)
        return found

    def strongest_many(
        self,
        texts: list[tuple[str, frozenset[Hashable]]],
        *,
        limit: int,
        candidates: int = 10,
        walk_budget: int | None = None,
    ) -> list[list[Match]]:
        """strongest() for each (text, keys to leave out) of a batch, such as the claims of one article.

        The same answers as one call per text; the words' idf values, unchanged while the index is, are
        worked out once for the whole batch.
        """
        index, analyses = self.index, self.analyses
        idf_of: dict[str, float] = {}
        out: list[list[Match]] = []
        for text, exclude in texts:
            query = analyse(text)
            found = [
                (k, s)
                for k, s in index.top(query.terms, candidates + len(exclude), walk_budget=walk_budget)
                if k not in exclude
            ][:candidates]
            if not found:
                out.append([])
                continue
            vocabulary = query.term_set.union(*(analyses[key].term_set for key, _ in found))
            missing = vocabulary.difference(idf_of)
            if missing:
                idf_of.update(index.idfs(missing, at_least_documents=STRENGTH_MIN_DOCUMENTS))
            idf = idf_of.__getitem__
            strengths = [strength(query, analyses[key], idf=idf) for key, _ in found]
            # a Match is only built for the few kept (the same stable order by strength as sorting them all)
            kept = sorted(range(len(found)), key=lambda rank: -strengths[rank])[:limit]
            out.append([Match(found[rank][0], found[rank][1], found[rank][1], strengths[rank]) for rank in kept])
        return out
