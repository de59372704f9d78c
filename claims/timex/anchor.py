"""Anchoring: which way a clause points in time, and calendar arithmetic around the publication date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

from .lexicon import SEASON_START

# Words that put a clause in the future, the present or the past. Present-tense verbs count as "no
# direction": they only keep a more distant past-tense verb (often "said") from deciding.
_FUTURE_WORDS = frozenset(
    "will shall won't won’t ll upcoming payable effective due expire expires deadline expect "
    "expects scheduled slated would must should".split()
)
_FUTURE_BEFORE_TO = frozenset(
    "going plan plans planning planned intend intends intended expected supposed set is are".split()
)
_AUXILIARY_TAIL = frozenset("not also then still likely be have been".split())
# "to be completed", "a still unspecified date": a participle or adjective, not a past-tense verb
_PASSIVE_BEFORE = frozenset("be been being is are am to a an the still its their his her our this that".split())
_PRESENT_WORDS = frozenset("is are am says say".split())
_PAST_WORDS = frozenset(
    "was were did said told went came took made gave got found saw met began begun left held won lost fell rose sold "
    "bought paid spent became brought knew wrote ran led fought struck sent built spoke broke chose drove flew grew "
    "kept meant shot stood taught threw".split()
)
_NOT_PAST = frozenset(
    "need speed feed seed bred shed hundred united proceed exceed succeed indeed embed breed ahead "
    "related limited detailed dedicated expected scheduled planned".split()
)
_TOKEN = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_CLAUSE_END = re.compile(r"[.;!?\n\"“”]|\b(?:but|while|whereas)\b|,\s*(?:that|which|who|where|and)\b")
_WINDOW = 160

PAST_PREPOSITIONS = {"since", "earlier"}
FUTURE_PREPOSITIONS = {"by", "until", "till", "before", "next", "coming", "upcoming"}


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(0, start - _WINDOW)
    for cut in _CLAUSE_END.finditer(text, left, start):
        left = cut.end()
    stop = _CLAUSE_END.search(text, end, min(len(text), end + _WINDOW))
    return left, (stop.start() if stop else min(len(text), end + _WINDOW))


def _verb_groups(words: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, int]]:
    """(start, end, direction) of each verb group that shows tense."""
    skip_until = -1
    for i, (start, end, word) in enumerate(words):
        if i <= skip_until:
            continue
        following = words[i + 1][2] if i + 1 < len(words) else ""
        if word in _FUTURE_WORDS or word.endswith(("'ll", "’ll")) or (word in _FUTURE_BEFORE_TO and following == "to"):
            j = i + 1
            while j < len(words) and words[j][2] in _AUXILIARY_TAIL | {"to"}:
                j += 1
            skip_until = j  # "will be held": the participle belongs to the future group
            yield start, words[min(j, len(words) - 1)][1], 1
        elif word == "to" and following == "be":
            yield start, end, 1  # "to be completed around Nov. 1": a prospective infinitive
        elif word in {"has", "have", "had", "was", "were"} and following != "to":
            j = i + 1
            while j < len(words) and words[j][2] in _AUXILIARY_TAIL:
                j += 1
            skip_until = j
            head = words[j][2] if j < len(words) else ""
            after = words[j + 1][2] if j + 1 < len(words) else ""
            # "were planning to drive", "has scheduled a meeting" point ahead; "had been due to expire" does not
            ahead = (head in _FUTURE_BEFORE_TO and after == "to") or (word in {"has", "have"} and head in _FUTURE_WORDS)
            yield start, words[min(j, len(words) - 1)][1], 1 if ahead else -1
        elif word in _PRESENT_WORDS:
            yield start, end, 0
        elif word in _PAST_WORDS or (
            len(word) > 4
            and word.endswith("ed")
            and word not in _NOT_PAST
            and (i == 0 or words[i - 1][2] not in _PASSIVE_BEFORE)
        ):
            yield start, end, -1


def tense_direction(text: str, start: int, end: int) -> int:
    """-1 when the clause around text[start:end] is in the past, +1 in the future, 0 when it does not say."""
    left, right = _clause(text, start, end)
    words = [
        (m.start(), m.end(), m.group().lower())
        for m in _TOKEN.finditer(text, left, right)
        if not start <= m.start() < end
    ]
    best, best_gap = 0, None
    for group_start, group_end, direction in _verb_groups(words):
        # a verb after the expression counts half as much: English puts the verb first
        gap = max(0, start - group_end) if group_start < start else 2 * (group_start - end)
        if gap >= 0 and (best_gap is None or gap < best_gap):
            best, best_gap = direction, gap
    return best


def nearest_year(published: dt.date, month: int, day: int | None, direction: int) -> int:
    """The year that puts a year-less month (and day) nearest publication, on the side the tense asks for."""
    best_year, best_gap = published.year, None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            first = dt.date(year, month, day or 1)
        except ValueError:
            continue
        last = first if day else first.replace(day=calendar.monthrange(year, month)[1])
        if (direction < 0 and first > published) or (direction > 0 and last < published):
            continue
        gap = 0 if first <= published <= last else min(abs((first - published).days), abs((last - published).days))
        if first > published:
            gap *= 2  # with no tense to go by, news more often reports what happened than what will
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
    """The year of a year-less quarter: the latest one begun by publication, or in the future one to come
    (the quarter just ended still counts as to come: its results are reported after it)."""
    year, current = quarter_of(published)
    if direction > 0:
        return year if quarter >= current - 1 else year + 1
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
    if modifier == "this":
        direction = 0
    if direction < 0:
        return recent.year
    if direction > 0 or not recent_over:
        return recent.year + 1 if recent_over else recent.year
    # "this winter" in March: the winter just over, or the next one, whichever is nearer
    since_end = (published - (recent + relativedelta(months=3))).days
    until_next = (dt.date(recent.year + 1, recent.month, 1) - published).days
    return recent.year if since_end <= until_next else recent.year + 1


def holiday_date(rule: tuple[Any, ...], year: int) -> dt.date:
    """The date of a holiday in a year, from its lexicon rule."""
    if rule[0] == "easter":
        sunday: dt.date = easter(year)  # dateutil is untyped
        return sunday
    if rule[0] == "nth":
        _, month, weekday, nth = rule
        if nth > 0:
            first = dt.date(year, month, 1)
            return first + dt.timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1))
        last: dt.date = dt.date(year, month, 1) + relativedelta(months=1, days=-1)
        return last - dt.timedelta(days=(last.isoweekday() - weekday) % 7)
    return dt.date(year, rule[0], rule[1])


def holiday_year(published: dt.date, rule: tuple[Any, ...], direction: int) -> int:
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
