"""What earlier sentences established: who was quoted last, which source "the post" or "the agency" means."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .entities import LOWER_BODY_NOUNS, ORG_WORDS, PLATFORMS

if TYPE_CHECKING:
    from .cues import Found

# "the company", "the club": nouns that refer back to an organisation named before
BODY_ANAPHORS = {
    "company",
    "firm",
    "group",
    "club",
    "team",
    "carrier",
    "airline",
    "bank",
    "retailer",
    "manufacturer",
    "operator",
    "organisation",
    "organization",
    "charity",
    "union",
    "lab",
    "insurer",
    "utility",
}
DESCRIPTOR_NOUNS = {
    "operator",
    "agency",
    "outlet",
    "newspaper",
    "broadcaster",
    "regulator",
    "firm",
    "company",
    "group",
    "daily",
    "website",
    "channel",
    "network",
    "watchdog",
    "charity",
    "utility",
    "ministry",
}


@dataclass
class Memory:
    """What earlier sentences established, for "he said", "the ministry added", follow-on quotes."""

    last_source: str | None = None
    last_source_kind: str | None = None
    last_speaker: str | None = None
    speaker_sources: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    sources: list[tuple[str, str | None]] = field(default_factory=list)
    surnames: dict[str, str] = field(default_factory=dict)
    documents: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    descriptors: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def resolve_anaphora(found: Found, memory: Memory) -> tuple[bool, str | None, str | None, str | None]:
    """Fill in "he said" and "the ministry added" from what came before; return (carried, source, kind, speaker)."""
    source, kind, speaker = found.source, found.source_kind, found.speaker
    carried = False
    if found.anaphor == "pronoun" and not speaker:
        if memory.last_speaker:
            speaker = memory.last_speaker
            if not source:
                source, kind = memory.speaker_sources.get(speaker, (None, None))
        elif not source:
            source, kind = memory.last_source, memory.last_source_kind
        carried = True
    elif found.anaphor and not source:
        head = found.anaphor
        if head in memory.documents:  # "the post added" after "in a Telegram post, X said"
            source, kind = memory.documents[head]
        elif head in memory.descriptors:  # "the agency said" after "the weather agency AEMET"
            source, kind = memory.descriptors[head]
        else:
            source, kind = next(
                ((name, name_kind) for name, name_kind in reversed(memory.sources) if head in name.lower()),
                (None, None),
            )
        if source is None and head in BODY_ANAPHORS and memory.last_speaker and " " not in memory.last_speaker:
            # "Maersk said …. The company added …": the one-word name was a company all along
            source, kind = memory.last_speaker, "organisation"
        carried = source is not None
        if source is None and found.fallback:  # "the FNV union said" with no union named before: the phrase itself
            role, phrase, phrase_kind = found.fallback
            if role == "source":
                source, kind = phrase, phrase_kind
            else:
                speaker = phrase
    return carried, source, kind, speaker


DOCUMENT_NOUNS = {
    "post": "post",
    "statement": "statement",
    "release": "release",
    "report": "report",
    "interview": "interview",
    "video": "video",
    "letter": "letter",
    "tweet": "post",
    **{platform: "post" for platform in PLATFORMS},
}


@lru_cache(maxsize=1)
def _noun_pattern() -> re.Pattern[str]:
    """One regex for every noun that "the post" / "the agency" may later refer back to."""
    words = set(DOCUMENT_NOUNS) | LOWER_BODY_NOUNS | DESCRIPTOR_NOUNS | ORG_WORDS
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b")


def remember(memory: Memory, source: str | None, kind: str | None, speaker: str | None, sentence: str = "") -> None:
    if source:
        for match in _noun_pattern().finditer(sentence.lower()):
            lower = match.group(1)
            noun = DOCUMENT_NOUNS.get(lower)
            if noun:
                memory.documents[noun] = (source, kind)
            else:
                memory.descriptors[lower] = (source, kind)  # "the agency" now means this source
        memory.last_source, memory.last_source_kind = source, kind
        memory.sources.append((source, kind))
    if speaker:
        memory.last_speaker = speaker
        memory.speaker_sources[speaker] = (source, kind)
        parts = speaker.split()
        if len(parts) > 1:
            memory.surnames[parts[-1]] = speaker
