"""Anchoring: which way a clause points in time, and calendar arithmetic around the publication date."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from .lexicon import SEASON_START

# A finite verb group of the future, of the past, or a preposition that fixes the direction by itself.
_TENSE = re.compile(
    r"(?P<future>\b(?:will|shall|won['’]t|going\s+to|plans?\s+to|planning\s+to|intends?\s+to|expects?|"
    r"expected\s+to|(?:is|are|was|were)\s+(?:due|set|scheduled|slated|expected)\s+to|(?:is|are)\s+to|"
    r"scheduled\s+(?:for|to)|upcoming)\b(?:\s+(?:not|also|then|still|likely|be|have|been))*(?:\s+\w+)?"
    r"|['’]ll\b(?:\s+\w+)?)"
    r"|(?P<past>\b(?:(?:has|have|had)(?:\s+(?:not|also|already|just|since))?\s+(?!to\b)\w+|was|were|did|said|told|went|came|took|made|gave|got|found|"
    r"saw|met|began|left|held|won|lost|fell|rose|sold|bought|paid|spent|became|brought|knew|wrote|ran|"
    r"led|fought|struck|sent|built|spoke|broke|chose|drove|flew|grew|kept|meant|shot|stood|taught|threw|"
    r"(?!(?:need|speed|feed|seed|bred|shed|hundred|united|proceed|exceed|succeed|indeed|"
    r"embed|breed|red|bed|led|wed|ahead|related|limited|detailed|dedicated|expected|scheduled)\b)[a-z]{3,}ed)\b)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;!?\n\"“”]|\b(?:but|while|whereas)\b|,\s*(?:that|which|who|where|and)\b")
_WINDOW = 160

PAST_PREPOSITIONS = {"since", "after", "from", "earlier"}
FUTURE_PREPOSITIONS = {"by", "until", "till", "before", "through", "next", "coming", "upcoming"}


def tense_direction(text: str, start: int, end: int) -> int:
    """-1 when the clause around text[start:end] is in the past, +1 in the future, 0 when it does not say."""
    left = text[max(0, start - _WINDOW):start]
    cut = None
    for cut in _CLAUSE_END.finditer(left):
        pass
    left_offset = max(0, start - _WINDOW) + (cut.end() if cut else 0)
    right_end = end + _WINDOW
    stop = _CLAUSE_END.search(text, end, min(len(text), right_end))
    right_end = stop.start() if stop else min(len(text), right_end)
    best, best_gap = 0, None
    for match in _TENSE.finditer(text, left_offset, right_end):
        if start <= match.start() < end:
            continue
        gap = start - match.end() if match.end() <= start else 2 * (match.start() - end)  # verbs come first
        if gap < 0:
            continue
        if best_gap is None or gap < best_gap:
            best, best_gap = (1 if match.group("future") else -1), gap
    return best


def nearest_year(published: dt.date, month: int, day: int | None, direction: int) -> int:
    """The year that puts a year-less month (and day) nearest publication, on the side the tense asks for."""
    best_year, best_gap = published.year, None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            first = dt.date(year, month, day or 1)
        except ValueError:
            continue
        last = first if day else first + relativedelta(months=1, days=-1)
        if (direction < 0 and first > published) or (direction > 0 and last < published):
            continue
        gap = 0 if first <= published <= last else min(abs((first - published).days), abs((last - published).days))
        if best_gap is None or gap < best_gap:
            best_year, best_gap = year, gap
    return best_year


def weekday_date(published: dt.date, weekday: int, direction: int, modifier: str = "") -> dt.date:
    """The date of a weekday (1 = Monday) named in a text published on published."""
    offset = weekday - published.isoweekday()
    if modifier == "last" or modifier == "previous":
        return published + dt.timedelta(days=(offset - 7) if offset >= 0 else offset)
    if modifier in {"next", "coming", "this coming", "following"}:
        return published + dt.timedelta(days=offset + 7 if offset <= 0 else offset)
    if modifier == "this":
        return published + dt.timedelta(days=offset)
    if direction > 0:
        return published + dt.timedelta(days=offset % 7)
    return published - dt.timedelta(days=(-offset) % 7)


def iso_week(day: dt.date) -> str:
    """The ISO week of a day, as 2024-W07."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def shift_quarter(year: int, quarter: int, steps: int) -> tuple[int, int]:
    """The quarter steps quarters away."""
    index = year * 4 + quarter - 1 + steps
    return index // 4, index % 4 + 1


def quarter_year(published: dt.date, quarter: int, direction: int) -> int:
    """The year of a year-less quarter: the latest one begun by publication, or the next one to come."""
    year, current = quarter_of(published)
    if direction > 0:
        return year if quarter >= current else year + 1
    return year if quarter <= current else year - 1


def season_year(published: dt.date, season: str, direction: int, modifier: str = "") -> int:
    """The year of a season named without one ("last summer", "this winter", "in the fall")."""
    start = dt.date(published.year, SEASON_START[season], 1)
    if season == "WI" and published.month <= 2:
        start = dt.date(published.year - 1, 12, 1)
    recent = start if start <= published else dt.date(start.year - 1, start.month, 1)
    recent_over = recent + relativedelta(months=3) <= published
    if modifier in {"last", "past", "previous"}:
        return recent.year if recent_over else recent.year - 1
    if modifier in {"next", "coming"}:
        return recent.year + 1
    if direction < 0:
        return recent.year
    if direction > 0:
        return recent.year + 1 if recent_over else recent.year
    return start.year


def holiday_date(rule: tuple, year: int) -> dt.date:
    """The date of a holiday in a year, from its lexicon rule."""
    if rule[0] == "easter":
        return easter(year)
    if rule[0] == "nth":
        _, month, weekday, nth = rule
        if nth > 0:
            first = dt.date(year, month, 1)
            return first + dt.timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1))
        last = dt.date(year, month, 1) + relativedelta(months=1, days=-1)
        return last - dt.timedelta(days=(last.isoweekday() - weekday) % 7)
    return dt.date(year, rule[0], rule[1])


def holiday_year(published: dt.date, rule: tuple, direction: int) -> int:
    """The year of a holiday named without one, on the side the tense asks for."""
    this_year = holiday_date(rule, published.year)
    if direction < 0 and this_year > published:
        return published.year - 1
    if direction > 0 and this_year < published:
        return published.year + 1
    if direction == 0 and (this_year - published).days > 183:
        return published.year - 1
    if direction == 0 and (published - this_year).days > 183:
        return published.year + 1
    return published.year
