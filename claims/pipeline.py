"""The extraction pipeline: clean → segment → attribute → resolve dates → split → score."""

from __future__ import annotations

import bisect
import datetime as dt

from .attribution import attribute_sentences
from .clean import split_blocks
from .cues import _may_attribute
from .dates import find_dates
from .model import Attribution, Claim, Span
from .readable import is_question, readable_text
from .score import score_claim
from .segment import split_sentences
from .sources import SourceRegistry
from .split import split_claims

# A "sentence" longer than this is not prose a checker can read as one claim (a list, a dump).
MAX_CLAIM_CHARS = 2000


def extract(
    text: str,
    *,
    published: dt.date | str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    registry: SourceRegistry | None = None,
) -> list[Claim]:
    """Return the claims of an article, in reading order, anchored to offsets in text."""
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    blocks = split_blocks(text, title=title)
    prose = [b for b in blocks if b.kind == "prose"]
    if not prose:  # short unpunctuated lines only (a transcript, a list of posts): read them as prose
        prose = [b for b in blocks if b.kind in {"heading", "headline"}]
    sentences: list[Span] = []
    for block in prose:
        sentences.extend(split_sentences(block.text, base=block.start))
    sentences = [s for s in sentences if any(ch.isalnum() for ch in s.text) and len(s.text) <= MAX_CLAIM_CHARS]
    attributions = attribute_sentences(text, sentences, registry=registry, outlet=outlet)
    dates = find_dates(text, published=published) if sentences else []
    date_starts = [d.start for d in dates]

    split = [split_claims(sentence) for sentence in sentences]
    own = _own_attributions(text, split, registry=registry, outlet=outlet)

    claims: list[Claim] = []
    for sentence, sentence_attribution, parts in zip(sentences, attributions, split):
        attributed = bool(sentence_attribution.source or sentence_attribution.speaker)
        previous = None
        for part in parts:
            attribution = own.get(part.start) or sentence_attribution
            if is_question(part.text):
                previous = part
                continue  # a question asks; it claims nothing a checker could verify
            low = bisect.bisect_left(date_starts, part.start)
            high = bisect.bisect_left(date_starts, part.end)
            part_dates = [d for d in dates[low:high] if d.end <= part.end]
            score, kind = score_claim(part.text, has_dates=bool(part_dates), attributed=attributed)
            claims.append(
                Claim(
                    text=readable_text(part, sentence, attribution, previous),
                    quote=part.text,
                    start=part.start,
                    end=part.end,
                    sentence_start=sentence.start,
                    sentence_end=sentence.end,
                    source=attribution.source,
                    source_kind=attribution.source_kind,
                    speaker=attribution.speaker,
                    speaker_affiliation=attribution.affiliation,
                    attribution=attribution.cue,
                    dates=part_dates,
                    checkworthiness=score,
                    kind=kind,
                )
            )
            previous = part
    return claims


def _own_attributions(
    text: str, split: list[list[Span]], *, registry: SourceRegistry | None, outlet: str | None
) -> dict[int, Attribution]:
    """For sentences cut into several claims, the parts that name their own source ("A rose, the union said, and
    B fell, the ministry said"), keyed by the part's start; the other parts keep their sentence's attribution."""
    parts = [
        part
        for pieces in split
        if len(pieces) > 1 and sum(map(_may_attribute, (p.text for p in pieces))) > 1
        for part in pieces
    ]
    if not parts:
        return {}
    return {
        part.start: found
        for part, found in zip(parts, attribute_sentences(text, parts, registry=registry, outlet=outlet))
        if (found.source or found.speaker) and not found.carried
    }
