"""What every resolver shares: the document context, the mention factory and small match helpers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model import DateMention
from . import anchor
from .lexicon import MONTHS

UNRESOLVED = "no publication date to resolve against"
Match = re.Match[str]
# What a resolver returns: a mention, a list of mentions (a year range), or None when it is no time expression.
Found = DateMention | list[DateMention] | None


@dataclass
class Context:
    """One document: its text, publication date, and what it last spoke of: a quarter (for "a year
    earlier") and a calendar date (for "the following year", "later that day")."""

    text: str
    published: dt.date | None
    quarter: tuple[int, int] | None = None
    reference: str | None = None  # the last calendar value: "1998", "1998-10", "1998-10-23"

    def direction(self, m: Match, preposition: str = "") -> int:
        """Past (-1), future (+1) or either (0) for a year-less expression.

        "since" and "until" decide by themselves; an expression used as a modifier ("the Jan. 14 deadline")
        takes no direction from the clause; otherwise the tense of the clause decides, and "by" or "before"
        point ahead only when the clause is silent.
        """
        preposition = " ".join(preposition.lower().split())
        if preposition in anchor.PAST_PREPOSITIONS:
            return -1
        if preposition in {"until", "till"}:
            return 1
        if preposition in {"the", "a", "an"}:
            return 0
        tense = anchor.tense_direction(self.text, m.start(), m.end())
        return tense or (1 if preposition in anchor.FUTURE_PREPOSITIONS else 0)


def make(
    m: Match,
    value: str | None,
    precision: str,
    kind: str = "DATE",
    *,
    note: str = "",
    interval: str | None = None,
    span: tuple[int, int] | None = None,
) -> DateMention:
    """A DateMention over the match (or the given span), trimmed of surrounding blanks."""
    start, end = span or (m.start(), m.end())
    raw = m.string[start:end]
    start += len(raw) - len(raw.lstrip())
    end -= len(raw) - len(raw.rstrip())
    return DateMention(
        text=m.string[start:end],
        start=start,
        end=end,
        value=value,
        precision=precision,
        resolved=value is not None,
        note=note,
        type=kind,
        interval=interval,
    )


def unresolved(m: Match, precision: str, kind: str = "DATE") -> DateMention:
    """A mention whose value needs a publication date that is missing."""
    return make(m, None, precision, kind, note=UNRESOLVED)


def month_number(token: str) -> int:
    """1-12 for a month name or abbreviation."""
    return MONTHS[token.lower().rstrip(".")]


def lower(m: Match, name: str) -> str:
    """A group of the match in lower case, "" when it did not take part."""
    return (m.group(name) or "").lower()


def normalised(value: str) -> str:
    """Lower case with single spaces: "Couple  of" -> "couple of"."""
    return " ".join(value.lower().split())


_PRECEDING = re.compile(r"(\w+)\W*$")


def preceding(m: Match, position: int | None = None) -> str:
    """The word just before the match (or before position), lower case."""
    position = m.start() if position is None else position
    found = _PRECEDING.search(m.string, max(0, position - 24), position)
    return found.group(1).lower() if found else ""


def trimmed(mention: DateMention, m: Match, group: str, words: set[str]) -> DateMention:
    """Drop a leading "the" or "of" that only served to recognise a bare year or month."""
    if mention and lower(m, group) in words:
        start = m.end(group)
        while start < len(m.string) and not m.string[start].isalnum():
            start += 1
        return replace(mention, text=m.string[start : mention.end], start=start)
    return mention


Resolver = Callable[[Match, Context], Found]
