"""The extraction pipeline: clean → segment → claims."""

from __future__ import annotations

from .clean import split_blocks
from .model import Claim
from .segment import split_sentences


def extract(text: str, *, published=None, title: str | None = None, outlet: str | None = None,
            registry=None) -> list[Claim]:
    """Return the claims of an article, in reading order, anchored to offsets in text."""
    claims: list[Claim] = []
    for block in split_blocks(text, title=title):
        if block.kind != "prose":
            continue
        for sentence in split_sentences(block.text, base=block.start):
            claims.append(Claim(
                text=sentence.text, quote=sentence.text, start=sentence.start, end=sentence.end,
                sentence_start=sentence.start, sentence_end=sentence.end,
            ))
    return claims
