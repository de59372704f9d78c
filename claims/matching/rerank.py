"""Re-ranking BM25's candidates on what a checker compares: shared wording, figures, names, years, negation."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .normalise import Analysis

K1, B = 1.2, 0.75  # BM25's usual constants, for the scores over a record's claim and title apart

FEATURES = (
    "bm25",
    "bm25_share",
    "query_cover",
    "doc_cover",
    "bigrams",
    "numbers_shared",
    "numbers_clash",
    "names_shared",
    "years_clash",
    "negation_clash",
    "chargrams",
    "lead",
    "bm25_claim",
    "bm25_title",
    "chargrams_title",
    "cover_claim",
    "cover_title",
    "rank",
    "max_shared_idf",
    "handle_shared",
    "body_cover",
)
MODEL_FILE = "data/matching_rerank.json"


@dataclass(frozen=True)
class RerankModel:
    """A linear score over the features and over each feature less its best value among the candidates.

    Fitted by `python -m claims.training.matching_rerank` on the CLEF-2020 CheckThat! claim-retrieval train split
    as a pairwise logistic regression (each right answer against each wrong candidate of the same query), so
    only the order within one query's candidates is learned; each feature is standardised with the mean and
    scale seen in training.
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RerankModel:
        """Read the model as the training script writes it (its features must be this library's, in order)."""
        expected = [*FEATURES, *(f"{name}_vs_best" for name in FEATURES)]
        if data["features"] != expected:
            raise ValueError(f"the re-ranking model was trained on other features: {data['features']}")
        return cls(
            tuple(data["features"]),
            tuple(map(float, data["mean"])),
            tuple(map(float, data["scale"])),
            tuple(map(float, data["weights"])),
        )


@lru_cache(maxsize=1)
def shipped_model() -> RerankModel:
    """The model that ships with the library (claims/data/matching_rerank.json)."""
    with resources.files("claims").joinpath(MODEL_FILE).open(encoding="utf-8") as handle:
        return RerankModel.from_json(json.load(handle))


def model_inputs(rows: list[dict[str, float]]) -> list[list[float]]:
    """Each candidate's features, then the same features less their best value among the candidates."""
    best = {name: max(row[name] for row in rows) for name in FEATURES}
    return [[row[name] for name in FEATURES] + [row[name] - best[name] for name in FEATURES] for row in rows]


def scores(rows: list[dict[str, float]], model: RerankModel | None = None) -> list[float]:
    """The re-ranking score of each candidate (higher is better), comparable only within one query."""
    if not rows:
        return []
    model = model or shipped_model()
    terms = list(zip(model.mean, model.scale, model.weights))
    return [sum(w * (x - m) / s for x, (m, s, w) in zip(inputs, terms)) for inputs in model_inputs(rows)]


def _bigrams(terms: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:]))


@dataclass(frozen=True)
class Parts:
    """A record's claim and title analysed apart, with the average length (in terms) of each over the collection.

    A record without a title (a claim with a verdict) stands as its own title.
    """

    claim: Analysis
    title: Analysis
    average_claim: float
    average_title: float


def field_bm25(
    query_counts: Counter[str], terms: tuple[str, ...], idf: Callable[[str], float], average: float
) -> float:
    """BM25 of the query over one field of a record (its claim or its title), with the field's average length."""
    counts = Counter(terms)
    norm = K1 * (1 - B + B * len(terms) / (average or 1.0))
    return sum(
        idf(term) * times * counts[term] * (K1 + 1) / (counts[term] + norm)
        for term, times in query_counts.items()
        if term in counts
    )


def features(
    query: Analysis,
    doc: Analysis,
    *,
    bm25: float,
    best: float,
    runner_up: float,
    idf: Callable[[str], float],
    chargrams: float,
    parts: Parts,
    chargrams_title: float,
    rank: int,
    query_counts: Counter[str] | None = None,
    body: Analysis | None = None,
) -> dict[str, float]:
    """Describe how a candidate relates to the query, one number per name in FEATURES.

    chargrams and chargrams_title are the cosines of the query's character-gram vector with the record's and its
    title's (chargrams.py); lead is how far BM25's first candidate stands ahead of its second (0 for every other
    candidate); rank is how many candidates BM25 scores higher (0 first; equal scores share it, so the order
    records were added in cannot tell two copies of one text apart); handle_shared counts the words of the
    query's @handles ("@PnBRock") that the record uses; body_cover is query_cover over the query's own words when
    it is a post signed "— Name (@handle) date" (body: its analysis without that line, posts.py; None for other
    text), else query_cover.
    """
    query_terms, doc_terms = query.term_set, doc.term_set
    shared = query_terms & doc_terms
    shared_weight = sum(map(idf, shared))
    query_weight = sum(map(idf, query_terms)) or 1.0
    query_counts = query_counts if query_counts is not None else Counter(query.terms)
    rarest = max(map(idf, query_terms), default=0.0) or 1.0
    doc_weight = sum(map(idf, doc_terms)) or 1.0
    query_bigrams, doc_bigrams = _bigrams(query.terms), _bigrams(doc.terms)
    numbers_shared = len(query.numbers & doc.numbers)
    query_cover = shared_weight / query_weight
    body_cover = (
        query_cover
        if body is None
        else sum(map(idf, body.term_set & doc_terms)) / (sum(map(idf, body.term_set)) or 1.0)
    )
    return {
        "bm25": bm25 / 10.0,
        "bm25_share": bm25 / best if best > 0 else 0.0,
        "query_cover": query_cover,
        "doc_cover": shared_weight / doc_weight,
        "bigrams": len(query_bigrams & doc_bigrams) / (len(doc_bigrams) or 1),
        "numbers_shared": min(numbers_shared, 3) / 3,
        "numbers_clash": float(bool(query.numbers - query.years and doc.numbers - doc.years and not numbers_shared)),
        "names_shared": min(len(query.names & doc.names), 3) / 3,
        "years_clash": float(bool(query.years and doc.years and not query.years & doc.years)),
        "negation_clash": float(query.negated != doc.negated),
        "chargrams": chargrams,
        "lead": (bm25 - runner_up) / 10.0 if bm25 >= best else 0.0,
        "bm25_claim": field_bm25(query_counts, parts.claim.terms, idf, parts.average_claim) / 10.0,
        "bm25_title": field_bm25(query_counts, parts.title.terms, idf, parts.average_title) / 10.0,
        "chargrams_title": chargrams_title,
        "cover_claim": sum(map(idf, query_terms & parts.claim.term_set)) / query_weight,
        "cover_title": sum(map(idf, query_terms & parts.title.term_set)) / query_weight,
        "rank": 1.0 / (1 + rank),
        "max_shared_idf": max(map(idf, shared), default=0.0) / rarest,
        "handle_shared": min(len(query.handles & doc_terms), 3) / 3,
        "body_cover": body_cover,
    }


def strength(query: Analysis, doc: Analysis, *, idf: Callable[[str], float]) -> float:
    """How surely two texts check the same thing, in [0, 1], comparable across collections of any size.

    The idf-weighted overlap of their terms (Dice), halved when both state figures and share none
    ("3 days" against "11 days") and cut when one is negated and the other not ("rose", "did not rise").
    """
    query_terms, doc_terms = query.term_set, doc.term_set
    total = sum(map(idf, query_terms)) + sum(map(idf, doc_terms))
    if not total:
        return 0.0
    value = 2 * sum(map(idf, query_terms & doc_terms)) / total
    figures, other_figures = query.numbers - query.years, doc.numbers - doc.years
    if figures and other_figures and not figures & other_figures:
        value *= 0.5
    if query.years and doc.years and not query.years & doc.years:
        value *= 0.7
    if query.negated != doc.negated:
        value *= 0.6
    return value
