"""Find time expressions in a text: scan around core words, keep the longest reading, join a clock to its day."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..model import DateMention
from .context import Found
from .grammar import CASED_GROUPS, CORE, LEAD_WORDS, PATTERNS, core_kind
from .rules import RESOLVERS, Context

_WORD = re.compile(r"[\w'’./-]+")
LOOKBACK = 40  # room for "at least the past", "the beginning of", "a couple of" before the core word
_JOIN = re.compile(r"[\s,]*(?:on\s+|at\s+|of\s+)?")


def find_dates(text: str, *, published: dt.date | str | None = None) -> list[DateMention]:
    """Return the time expressions in text with offsets, TimeML type and value (None when unresolvable)."""
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    ctx = Context(text=text, published=published)
    mentions: list[DateMention] = []
    covered = 0
    for core in CORE.finditer(text):
        if core.start() < covered:
            continue
        window = max(covered, core.start() - LOOKBACK)
        starts = _lead_starts(text, window, core.start())
        best: re.Match[str] | None = None
        best_found: Found = None
        pattern = PATTERNS[core_kind(core)]
        for start in starts:  # the reading that reaches furthest wins; the earliest start among equals
            match = pattern.match(text, start)
            if match is None or match.end() <= core.start() or (best and match.end() <= best.end()):
                continue
            if not _properly_cased(match):
                best = None
                break
            found = RESOLVERS[_branch(match)](match, ctx)
            if found:
                best = match
                best_found = found
        if best is None or best_found is None:
            continue
        covered = best.end()
        found_now = best_found if isinstance(best_found, list) else [best_found]
        mentions.extend(found_now)
        ctx.reference = next(
            (found.value for found in reversed(found_now) if found.value and _CALENDAR.fullmatch(found.value)),
            ctx.reference,
        )
    return _join_clock_and_day(text, _join_year(text, mentions))


def _lead_starts(text: str, window: int, core: int) -> list[int]:
    """Where an expression ending in the core word may begin: the run of lead words just before it."""
    words = list(_WORD.finditer(text, window, core))
    if words and words[0].start() == window and window > 0 and (text[window - 1].isalnum()):
        words = words[1:]  # a word cut by the window's edge
    starts = [core]
    for word in reversed(words):
        if word.group().lower().strip(".,-") not in LEAD_WORDS and not word.group()[0].isdigit():
            break
        starts.append(word.start())
    return starts[::-1]


def _branch(match: re.Match[str]) -> str:
    """The grammar branch that matched: every alternative of a pattern is a named group."""
    assert match.lastgroup is not None, match.group()
    return match.lastgroup


def _properly_cased(match: re.Match[str]) -> bool:
    """Month and day names are capitalised in English; "may" and "march" in lower case are verbs."""
    return all(not match.group(name) or match.group(name)[0].isupper() for name in CASED_GROUPS[_branch(match)])


_CALENDAR = re.compile(r"\d{4}(?:-\d\d(?:-\d\d)?)?")
_OF = re.compile(r",?\s+(?:of\s+)?")
_HAS_YEAR = re.compile(r"\d{4}")


def _join_year(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """ "January nineteen ninety-seven", "July last year", "the winter of 1994": a year-less date and the year
    after it are one expression, in that year."""
    joined: list[DateMention] = []
    for mention in mentions:
        previous = joined[-1] if joined else None
        if (
            previous
            and previous.precision in {"day", "month", "season"}
            and mention.precision == "year"
            and previous.value
            and mention.value
            and len(mention.value) == 4
            and not _HAS_YEAR.search(previous.text)
            and _OF.fullmatch(text, previous.end, mention.start)
        ):
            joined[-1] = replace(
                previous,
                text=text[previous.start : mention.end],
                end=mention.end,
                value=mention.value + previous.value[4:],
                interval=None,
            )
            continue
        joined.append(mention)
    return joined


def _join_clock_and_day(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """ "5 p.m. EST Nov. 9", "noon Thursday", "Friday at 10 a.m.": one TIME on that day. A clock time alone
    takes the day last named in its paragraph (the publication day when none was)."""
    joined: list[DateMention] = []
    for mention in mentions:
        previous = joined[-1] if joined else None
        if (
            previous
            and {previous.precision, mention.precision} == {"clock", "day"}
            and _JOIN.fullmatch(text, previous.end, mention.start)
        ):
            clock, day = (previous, mention) if previous.precision == "clock" else (mention, previous)
            if clock.value and day.value:
                joined[-1] = replace(
                    clock,
                    text=text[previous.start : mention.end],
                    start=previous.start,
                    end=mention.end,
                    precision="time",
                    value=f"{day.value}T{clock.value.split('T', 1)[1]}",
                )
                continue
        joined.append(mention)
    last_day = None
    for index, mention in enumerate(joined):
        if mention.precision == "day" and mention.value:
            last_day = mention
        elif (
            mention.precision == "clock"
            and mention.value
            and last_day
            and "\n\n" not in text[last_day.end : mention.start]
            and mention.start - last_day.end < 400
        ):
            joined[index] = replace(mention, value=f"{last_day.value}T{mention.value.split('T', 1)[1]}")
    return joined
