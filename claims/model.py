"""Plain dataclasses that the claims library takes and returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the original text: text == original[start:end]."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class DateMention:
    """A time expression (a TimeML TIMEX3: date, time, duration or set) and its value, at the text's precision."""

    text: str
    start: int
    end: int
    value: str | None  # TimeML value: "2024-07-08", "2024-07", "2023", "P2Y", "PRESENT_REF"; None when unresolved
    precision: str  # "day", "week", "weekend", "month", "quarter", "half", "season", "year", "decade", "century",
    #                 "interval", "time" (a time of day on a day), "clock" (a clock time on a day taken from the
    #                 context), "duration", "set", "reference" (PRESENT_REF, PAST_REF, FUTURE_REF)
    resolved: bool
    note: str = ""
    type: str = "DATE"  # TimeML type: "DATE", "TIME", "DURATION" or "SET"
    interval: str | None = None  # an ISO interval the expression covers when anchored: "2022-03-08/2024-03-08"


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a sentence is attributed to, and the cue phrase that says so."""

    sentence_start: int
    sentence_end: int
    source: str | None
    source_kind: str | None
    speaker: str | None
    cue: str | None
    cue_start: int | None = None
    cue_end: int | None = None
    carried: bool = False  # True when taken over from an earlier sentence ("He said: …")
    affiliation: str | None = None  # the body the speaker speaks for ("a CDC spokesperson": CDC)


@dataclass(slots=True)
class Claim:
    """One checkable statement anchored to its exact place in the original text."""

    text: str
    quote: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    source: str | None = None
    source_kind: str | None = None
    speaker: str | None = None
    speaker_affiliation: str | None = None
    attribution: str | None = None
    dates: list[DateMention] = field(default_factory=list)
    checkworthiness: float = 0.0
    kind: str = "statement"

    def to_dict(self) -> dict[str, Any]:
        """Return the claim as plain JSON-ready data."""
        data = asdict(self)
        data["dates"] = [
            {
                "text": d.text,
                "start": d.start,
                "end": d.end,
                "value": d.value,
                "precision": d.precision,
                "resolved": d.resolved,
                "note": d.note,
                "type": d.type,
                "interval": d.interval,
            }
            for d in self.dates
        ]
        return data


@dataclass(slots=True)
class ArticleMeta:
    """What is known about an article besides its text."""

    text: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date
    url: str | None = None
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the metadata as plain JSON-ready data."""
        return asdict(self)
