"""Split compound sentences into atomic claims that can be checked separately."""

from __future__ import annotations

import re

from .model import Span

# Where English joins two checkable statements: "…on Monday, that will last for 11 days",
# "…visit to Warsaw, where he signed…", "…; …", "…, and the minister said…".
_JOINT = re.compile(
    r"(?:;\s+|,\s+(?=(?:that|which)\s+(?:will|would|has|have|had|is|are|was|were|marks|lasted|killed|cost)\b)"
    r"|,\s+(?=where\s+(?:he|she|they|it|the)\b)"
    r"|,\s+(?=(?:and|but|while|whereas)\s+(?:the|a|an|he|she|they|it|its|their|[A-Z][\w’'-]+)\s))"
)
_CHECKABLE = re.compile(
    r"\d|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|(?<=\s)[A-Z][a-z]+"
)
_LEADING_JOINER = re.compile(r"^(?:and|but|while|whereas)\s+", re.IGNORECASE)
MIN_WORDS = 4


def _checkable(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS and bool(_CHECKABLE.search(text))


def split_claims(sentence: Span) -> list[Span]:
    """Return the sentence's atomic parts (each a Span inside it), or the sentence itself."""
    cuts = [m for m in _JOINT.finditer(sentence.text)]
    if not cuts:
        return [sentence]
    parts: list[tuple[int, int]] = []
    begin = 0
    for match in cuts:
        parts.append((begin, match.start()))
        begin = match.end()
    parts.append((begin, len(sentence.text)))
    spans = []
    for start, end in parts:
        piece = sentence.text[start:end]
        lead = len(piece) - len(_LEADING_JOINER.sub("", piece))
        start += lead
        piece = sentence.text[start:end].rstrip()
        spans.append(Span(sentence.start + start, sentence.start + start + len(piece), piece))
    if len(spans) < 2 or not all(_checkable(span.text) for span in spans):
        return [sentence]
    if any(span.text.count("“") != span.text.count("”") for span in spans):
        return [sentence]  # never cut through a quotation
    return spans
