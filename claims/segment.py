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
    return _repair(text, spans, base)


# "1." or "b)" standing alone, or at the end of the sentence before an item
_BARE_MARKER = re.compile(r"^(?:\d{1,2}|[a-zA-Z])[.)]$")
_TRAILING_MARKER = re.compile(r"\s((?:\d{1,2}|[a-h])[.)])$")
_INLINE_MARKER = re.compile(r"(?:(?<=\s)|^)(\d{1,2}|[a-h])[.)]\s+(?=\S)")
_CLOCK_END = re.compile(r"\b\d{1,2}(?::\d{2})?\s?[ap]\.m\.$", re.IGNORECASE)
_CONTINUES_CLOCK = re.compile(r"^(?:[A-Z]{2,4}T?\b|[a-z])")  # a zone ("EST", "GMT") or a lower-case word
_FIRST_MARKERS = ("1. ", "1) ", "a. ", "a) ")
_TAIL = 16  # the end-anchored patterns below only ever look at a sentence's last few characters
_SIGNATURE = re.compile(r"^[―—–]\s*\S")


def _span(text: str, base: int, start: int, end: int) -> Span:
    while start < end and text[start - base].isspace():
        start += 1
    while end > start and text[end - base - 1].isspace():
        end -= 1
    return Span(start, end, text[start - base : end - base])


def _list_cuts(sentence: Span) -> list[int]:
    """Offsets inside a sentence where the items of an inline list begin: "rules: a) …; b) …", "1. … 2. …"."""
    text = sentence.text
    if not (text.startswith(_FIRST_MARKERS) or any(f" {m}" in text for m in _FIRST_MARKERS)):
        return []  # no "1." or "a)" anywhere: no list (a quick test; most sentences stop here)
    markers = list(_INLINE_MARKER.finditer(text))
    run: list[re.Match[str]] = []
    for match in markers:
        label = match.group(1)
        expected = "1" if label.isdigit() else "a"
        if run:
            previous = run[-1].group(1)
            expected = str(int(previous) + 1) if previous.isdigit() else chr(ord(previous) + 1)
        if label == expected:
            run.append(match)
        elif label in {"1", "a"}:
            run = [match]
    if len(run) < 2:
        return []
    before = sentence.text[: run[0].start()].rstrip()
    if before and before[-1] not in ":.;!?":
        return []  # "voted on a. the budget, b. the roads": a sentence that merely contains letters
    return [sentence.start + m.start() for m in run if m.start() > 0]


def _opens_list(marker: str, before: str, following: list[Span]) -> bool:
    """Is "1." at the end of "…three parts: 1." the first marker of a list, not "on July 1."?"""
    label = marker[:-1]
    if label not in {"1", "a"}:
        return False
    if before.rstrip().endswith(":"):
        return True
    second = "2" if label == "1" else "b"
    return any(
        span.text.startswith(second + marker[-1])
        or span.text.endswith(" " + second + marker[-1])
        or span.text == second + marker[-1]
        for span in following
    )


def _repair(text: str, spans: list[Span], base: int) -> list[Span]:
    """Fix where sentencex cuts: list markers belong to their item, inline lists split into items, and a
    dash signature ("― Steve Quinlan") belongs to the quotation it signs."""
    out: list[Span] = []
    pending: int | None = None  # start of a marker waiting for its item
    for index, span in enumerate(spans):
        if _BARE_MARKER.match(span.text) and index + 1 < len(spans):
            pending = span.start if pending is None else pending
            continue
        if pending is not None:
            span = _span(text, base, pending, span.end)
            pending = None
        trailing = _TRAILING_MARKER.search(span.text, max(0, len(span.text) - _TAIL))
        if (
            trailing
            and index + 1 < len(spans)
            and len(span.text) > len(trailing.group(0))
            and _opens_list(trailing.group(1), span.text[: trailing.start()], spans[index + 1 : index + 4])
        ):
            pending = span.start + trailing.start(1)  # "The plan has three parts: 1." → the marker opens item one
            span = _span(text, base, span.start, pending)
        if (
            out
            and _CONTINUES_CLOCK.match(span.text)
            and _CLOCK_END.search(out[-1].text, max(0, len(out[-1].text) - _TAIL))
            and "\n" not in text[out[-1].end - base : span.start - base]
        ):
            out[-1] = _span(text, base, out[-1].start, span.end)  # "at 5 p.m. EST on Tuesday" is one sentence
            continue
        if (
            _SIGNATURE.match(span.text)
            and out
            and len(span.text.split()) <= 6
            and "\n" not in text[out[-1].end - base : span.start - base]
        ):
            out[-1] = _span(text, base, out[-1].start, span.end)
            continue
        cuts = _list_cuts(span)
        if not cuts:
            out.append(span)
            continue
        for start, end in zip([span.start, *cuts], [*cuts, span.end]):
            piece = _span(text, base, start, end)
            if piece.text:
                out.append(piece)
    return out
