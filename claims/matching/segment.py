"""Split run-together hashtags and handles ("#stopthesteal", "@pnbrock") into the words an index knows."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from .normalise import HANDLE, HASHTAG, STOPWORDS, Analysis, stem

# A run-together tag is segmented only from this length on, into known words of at least MIN_PIECE letters
# (stopwords, "the" in "stopthesteal", may be shorter and give no term).
MIN_LENGTH = 6
MIN_PIECE = 3
# How likely a stopword is as a piece, against a known word's share of the documents that hold it.
STOPWORD_CHANCE = 0.05
LOWER_TAG = re.compile(r"^[a-z]+$")


def segment(word: str, *, document_frequency: Callable[[str], int], documents: int) -> list[str] | None:
    """The most likely split of word into known words (each scored by its share of documents), or None.

    A piece is known when its stem is in the index (document_frequency > 0) or when it is a stopword; the
    split maximises the product of the pieces' chances, so common words and few pieces win.
    """
    size = len(word)
    best: dict[int, tuple[float, int]] = {
        0: (0.0, 0)
    }  # end of a prefix: (its best log chance, where its last piece starts)
    for end in range(1, size + 1):
        for start in range(end):
            if start not in best:
                continue
            piece = word[start:end]
            if piece in STOPWORDS:
                chance = STOPWORD_CHANCE
            elif len(piece) >= MIN_PIECE and (df := document_frequency(stem(piece))):
                chance = df / documents
            else:
                continue
            value = best[start][0] + math.log(chance)
            if end not in best or value > best[end][0]:
                best[end] = (value, start)
    if size not in best:
        return None
    pieces = []
    end = size
    while end:
        start = best[end][1]
        pieces.append(word[start:end])
        end = start
    return pieces[::-1] if len(pieces) > 1 else None


def split_tags(query: Analysis, text: str, *, document_frequency: Callable[[str], int], documents: int) -> Analysis:
    """The query with each all-lowercase hashtag or handle the index does not know replaced by its known words."""
    tags = {match[1:] for match in HANDLE.findall(text)} | set(HASHTAG.findall(text))
    replaced: dict[str, list[str]] = {}
    for tag in tags:
        if len(tag) < MIN_LENGTH or not LOWER_TAG.match(tag) or document_frequency(stem(tag)):
            continue
        pieces = segment(tag, document_frequency=document_frequency, documents=documents)
        if pieces:
            replaced[stem(tag)] = [stem(piece) for piece in pieces if piece not in STOPWORDS]
    if not replaced:
        return query
    terms = tuple(term for word in query.terms for term in replaced.get(word, [word]))
    handles = frozenset(term for word in query.handles for term in replaced.get(word, [word]))
    return replace(query, terms=terms, handles=handles)
