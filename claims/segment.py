"""Sentence segmentation with character offsets into the original text."""

from __future__ import annotations

import re

import sentencex

from .model import Span

# sentencex slows down quadratically on long runs of unbalanced quote marks, so text is fed to it
# in windows no longer than this; real paragraphs are far shorter and never get cut.
MAX_WINDOW = 4000
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]]*\s")


def _windows(text: str) -> list[tuple[int, int]]:
    """Cut text into windows of at most MAX_WINDOW characters, at sentence ends where possible."""
    bounds: list[tuple[int, int]] = []
    start, size = 0, len(text)
    while size - start > MAX_WINDOW:
        limit = start + MAX_WINDOW
        cut = -1
        for match in _SENTENCE_END.finditer(text, start + MAX_WINDOW // 2, limit):
            cut = match.end()
        if cut < 0:
            space = text.rfind(" ", start + MAX_WINDOW // 2, limit)
            cut = space + 1 if space >= 0 else limit
        bounds.append((start, cut))
        start = cut
    bounds.append((start, size))
    return bounds


def split_sentences(text: str, *, language: str = "en", base: int = 0) -> list[Span]:
    """Split text into sentences; each Span's offsets (shifted by base) point into the original."""
    spans: list[Span] = []
    for window_start, window_end in _windows(text):
        cursor = window_start
        # sentencex returns pieces that concatenate back to its input: offsets are running sums.
        for piece in sentencex.segment(language, text[window_start:window_end]):
            start, end = cursor, cursor + len(piece)
            cursor = end
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if end - trail > start + lead:
                spans.append(Span(base + start + lead, base + end - trail, piece.strip()))
        if cursor != window_end:
            raise AssertionError("segmenter lost characters")
    return spans
