"""Re-ranking BM25's candidates on what a checker compares: shared wording, figures, names, years, negation."""

from __future__ import annotations

from collections.abc import Callable

from .normalise import Analysis

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
)

# Fitted on the CLEF-2020 CheckThat! claim-retrieval train split by coordinate ascent on MAP@5
# (tests/benchmarks/matching_tune.py); dev is only ever used to report.
WEIGHTS = {
    "bm25": 3.5,
    "bm25_share": 0.5,
    "query_cover": 2.25,
    "doc_cover": -3.0,
    "bigrams": 1.0,
    "numbers_shared": -0.6,
    "numbers_clash": -0.25,
    "names_shared": 0.5,
    "years_clash": -0.35,
    "negation_clash": -0.05,
}


def _bigrams(terms: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(zip(terms, terms[1:]))


def features(
    query: Analysis, doc: Analysis, *, bm25: float, best: float, idf: Callable[[str], float]
) -> dict[str, float]:
    """Describe how a candidate relates to the query, one number per name in FEATURES."""
    query_terms, doc_terms = query.term_set, doc.term_set
    shared = query_terms & doc_terms
    shared_weight = sum(map(idf, shared))
    query_weight = sum(map(idf, query_terms)) or 1.0
    doc_weight = sum(map(idf, doc_terms)) or 1.0
    query_bigrams, doc_bigrams = _bigrams(query.terms), _bigrams(doc.terms)
    numbers_shared = len(query.numbers & doc.numbers)
    return {
        "bm25": bm25 / 10.0,
        "bm25_share": bm25 / best if best > 0 else 0.0,
        "query_cover": shared_weight / query_weight,
        "doc_cover": shared_weight / doc_weight,
        "bigrams": len(query_bigrams & doc_bigrams) / (len(doc_bigrams) or 1),
        "numbers_shared": min(numbers_shared, 3) / 3,
        "numbers_clash": float(bool(query.numbers - query.years and doc.numbers - doc.years and not numbers_shared)),
        "names_shared": min(len(query.names & doc.names), 3) / 3,
        "years_clash": float(bool(query.years and doc.years and not query.years & doc.years)),
        "negation_clash": float(query.negated != doc.negated),
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


def combine(values: dict[str, float], weights: dict[str, float] = WEIGHTS) -> float:
    """Return the re-ranking score: the weighted sum of the features."""
    return sum(weights[name] * values[name] for name in FEATURES)
