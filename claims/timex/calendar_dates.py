"""Calendar dates: days, months, years, decades, centuries, holidays, years said aloud, year-end."""

from __future__ import annotations

import datetime as dt
import re

from . import anchor
from .context import Context, Found, Match, lower, make, month_number, normalised, preceding, trimmed, unresolved
from .lexicon import HOLIDAYS, WEEKDAYS, number_value


def r_iso(m: Match, ctx: Context) -> Found:
    """2024-07-08, with an optional clock time."""
    text = m.group(0)
    return make(m, text, "time" if "T" in text else "day", "TIME" if "T" in text else "DATE")


def _leading_number(text: str) -> int:
    """The number a day group starts with ("3rd" -> 3; the grammar guarantees the digits)."""
    found = re.match(r"\d+", text)
    assert found is not None, text
    return int(found.group())


def _day(m: Match, ctx: Context, year: str | int | None, month: int, day: int, lead: str | None = "") -> Found:
    if not year:
        return unresolved(m, "day")
    try:
        value = dt.date(int(year), month, day)
    except ValueError:
        return None  # "February 30": not a date
    if lead:
        return make(m, anchor.iso_week(value), "week")
    return make(m, value.isoformat(), "day")


def _day_year(m: Match, ctx: Context, month: int, day: int, modifier: str, preposition: str = "") -> int | None:
    if ctx.published is None:
        return None
    if modifier in {"next", "this coming"}:
        return anchor.nearest_year(ctx.published, month, day, 1)
    if modifier == "last":
        return anchor.nearest_year(ctx.published, month, day, -1)
    return anchor.nearest_year(ctx.published, month, day, ctx.direction(m, preposition))


def r_monthday(m: Match, ctx: Context) -> Found:
    """March 1, Tuesday, March 3, 2024, the week of March 6; a weekday named with it picks the year."""
    month, day = month_number(m.group("monthday_month")), _leading_number(m.group("monthday_day"))
    year = (
        m.group("monthday_year")
        or _weekday_year(ctx, month, day, m.group("monthday_weekday"))
        or _day_year(m, ctx, month, day, lower(m, "monthday_mod"), preceding(m))
    )
    return _day(m, ctx, year, month, day, m.group("monthday_week"))


def _weekday_year(ctx: Context, month: int, day: int, weekday: str | None) -> int | None:
    """The year near publication in which month/day falls on the weekday given ("Saturday, April 25")."""
    if not weekday or ctx.published is None:
        return None
    years = [
        y
        for y in (ctx.published.year, ctx.published.year - 1, ctx.published.year + 1)
        if _weekday_of(y, month, day) == WEEKDAYS[weekday.lower()]
    ]
    return years[0] if len(years) == 1 else None


def _weekday_of(year: int, month: int, day: int) -> int | None:
    try:
        return dt.date(year, month, day).isoweekday()
    except ValueError:
        return None


def r_daymonth(m: Match, ctx: Context) -> Found:
    """6 July 2021, the 6th of July."""
    month, day = month_number(m.group("daymonth_month")), _leading_number(m.group("daymonth_day"))
    year = m.group("daymonth_year") or _day_year(m, ctx, month, day, "", preceding(m))
    return _day(m, ctx, year, month, day)


def r_monthyear(m: Match, ctx: Context) -> Found:
    """February 2022, early March 2020."""
    return make(m, f"{int(m.group('monthyear_year')):04d}-{month_number(m.group('monthyear_month')):02d}", "month")


_NAME_AFTER = re.compile(r"\s+(?:for|of\s+the)\s+[A-Z]")


def r_month(m: Match, ctx: Context) -> Found:
    """in August, last November, late last July, through June."""
    name, preposition, modifier = m.group("month_month"), lower(m, "month_prep"), normalised(lower(m, "month_mod"))
    bare = not (preposition or modifier or m.group("month_edge"))
    if bare and (name.lower() == "may" or _NAME_AFTER.match(m.string, m.end())):
        return None  # "May" alone is a verb or a name; "the March for Life" is a name
    if ctx.published is None:
        return unresolved(m, "month")
    month = month_number(name)
    if modifier == "last":
        year = ctx.published.year if month < ctx.published.month else ctx.published.year - 1
    elif modifier in {"next", "coming", "this coming"}:
        year = ctx.published.year if month > ctx.published.month else ctx.published.year + 1
    elif modifier == "this":
        year = ctx.published.year
    else:
        year = anchor.nearest_year(ctx.published, month, None, ctx.direction(m, preposition))
    mention = make(m, f"{year:04d}-{month:02d}", "month")
    return trimmed(mention, m, "month_prep", {"of"})


def r_year(m: Match, ctx: Context) -> Found:
    """2019, in 2019, fiscal 1989, 2009-2010 (two mentions sharing the range)."""
    year = int(m.group("year_year"))
    preposition = lower(m, "year_prep")
    if preposition in {"last", "this"}:
        return None  # "last 2020" is not English
    end = m.group("year_end") or m.group("year_end2")
    if end:
        end_year = int(end) if len(end) == 4 else year // 100 * 100 + int(end)
        if not year < end_year <= year + 30:
            return None
        interval = f"{year:04d}/{end_year:04d}"
        start = m.start("year_year") if preposition in {"the", "of"} else m.start()
        first = make(m, f"{year:04d}", "year", interval=interval, span=(start, m.end("year_year")))
        second = make(m, f"{end_year:04d}", "year", interval=interval, span=(m.end() - len(end), m.end()))
        return [first, second]
    mention = make(m, f"{year:04d}", "year")
    return trimmed(mention, m, "year_prep", {"the", "of"})


def r_decade(m: Match, ctx: Context) -> Found:
    """the 1990s, the '80s, the early 2000s."""
    if m.group("decade_full"):
        value = m.group("decade_full")
    else:
        short = int(m.group("decade_short"))
        this_century = (ctx.published or dt.date.today()).year // 100
        value = f"{this_century if short * 10 <= (ctx.published or dt.date.today()).year % 100 else this_century - 1}{short}"
    return make(m, value, "decade")


def r_century(m: Match, ctx: Context) -> Found:
    """the 20th century."""
    return make(m, f"{int(m.group('century_n')) - 1:02d}", "century")


def r_holiday(m: Match, ctx: Context) -> Found:
    """Christmas, Thanksgiving Day, Easter 2021."""
    name = normalised(m.group("holiday_name"))
    if not any(c.isupper() for c in m.group("holiday_name")):
        return None
    rule = HOLIDAYS[name.replace("’", "'")]
    if m.group("holiday_year"):
        year = int(m.group("holiday_year"))
    elif ctx.published is None:
        return unresolved(m, "day")
    else:
        modifier = lower(m, "holiday_mod")
        direction = {"last": -1, "next": 1}.get(modifier) or ctx.direction(m, preceding(m))
        year = anchor.holiday_year(ctx.published, rule, direction)
    return make(m, anchor.holiday_date(rule, year).isoformat(), "day")


def r_yearend(m: Match, ctx: Context) -> Found:
    """year-end, the end of the year, 1989 year-end: December 31."""
    if m.group("yearend_year"):
        year = int(m.group("yearend_year"))
    elif ctx.published is None:
        return unresolved(m, "day")
    else:
        modifier = lower(m, "yearend_mod") or lower(m, "yearend_mod2")
        year = ctx.published.year + {"last": -1, "next": 1}.get(modifier, 0)
    return make(m, f"{year:04d}-12-31", "day")


def r_spelledyear(m: Match, ctx: Context) -> Found:
    """nineteen ninety-six, two thousand: years said aloud (broadcast transcripts)."""
    words = m.group("spelledyear_words").lower().replace("-", " ").split()
    if words[0] == "two":
        past_2000 = number_value(words[-1]) if len(words) > 2 else 0
        if past_2000 is None:
            return None
        return make(m, f"{2000 + past_2000:04d}", "year")
    century = 1900 if words[0] == "nineteen" else 1800
    rest = [w for w in words[1:] if w not in {"o", "oh"}]
    value = number_value(" ".join(rest))
    if value is None or value >= 100:
        return None
    return make(m, f"{century + value:04d}", "year")


def r_spelleddecade(m: Match, ctx: Context) -> Found:
    """the nineties, the late eighties: the decade of the current century's predecessor or itself."""
    tens_value = number_value(m.group("spelleddecade_tens").lower() + "y")
    if tens_value is None:  # the grammar only lets "twent"…"ninet" through: each reads as a number
        return None
    tens = tens_value // 10
    year = (ctx.published or dt.date.today()).year
    century = year // 100 if tens * 10 <= year % 100 else year // 100 - 1
    return make(m, f"{century}{tens}", "decade")
