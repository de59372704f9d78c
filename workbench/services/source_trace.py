"""Source trace: does the archived page say what the claim says? Its numbers, names and quoted words, found or not."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,120})[”\"]")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w’'-]+)*")
_STOP = {"The", "A", "An", "In", "On", "He", "She", "It", "They", "We", "This", "That", "But", "And", "According"}
SNIPPET = 70


@dataclass(frozen=True)
class TermTrace:
    """One key term of a claim and where (if anywhere) the page has it."""

    term: str
    kind: str  # number, name, quote
    snippet: str | None

    @property
    def found(self) -> bool:
        """True when the page contains the term."""
        return self.snippet is not None


def key_terms(claim_text: str) -> list[tuple[str, str]]:
    """Return the claim's checkable terms: quoted words, numbers and names, without repeats."""
    terms: dict[str, str] = {}
    for quote in _QUOTED.findall(claim_text):
        terms.setdefault(quote.strip(), "quote")
    for number in _NUMBER.findall(claim_text):
        terms.setdefault(number, "number")
    for name in _NAME.findall(claim_text):
        if name not in _STOP and len(name) > 2:
            terms.setdefault(name, "name")
    return list(terms.items())[:12]


def _variants(term: str, kind: str) -> list[str]:
    if kind == "number":
        plain = term.replace(",", "")
        grouped = f"{int(plain):,}" if plain.isdigit() else term
        return list(dict.fromkeys([term, plain, grouped]))
    return [term]


def trace(claim_text: str, page_text: str | None) -> list[TermTrace]:
    """Look for each key term of the claim in the page text (case-insensitive), with a snippet around it."""
    if not page_text:
        return []
    folded = page_text.casefold().replace("’", "'")
    results = []
    for term, kind in key_terms(claim_text):
        snippet = None
        for variant in _variants(term, kind):
            if kind == "number":
                match = re.search(r"(?<![\d.,])" + re.escape(variant.casefold()) + r"(?![\d])", folded)
                position = match.start() if match else -1
            else:
                position = folded.find(variant.casefold().replace("’", "'"))
            if position >= 0:
                start, end = max(0, position - SNIPPET), min(len(page_text), position + len(variant) + SNIPPET)
                snippet = (
                    ("…" if start else "")
                    + " ".join(page_text[start:end].split())
                    + ("…" if end < len(page_text) else "")
                )
                break
        results.append(TermTrace(term, kind, snippet))
    return results
