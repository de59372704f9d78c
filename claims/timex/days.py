"""Weekdays, yesterday and tomorrow, parts of days, clock times, weeks and months named relatively, "ago"."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from . import anchor
from .context import Context, Found, Match, lower, make, normalised, preceding, unresolved
from .lexicon import NAMED_TIMES, PARTS_OF_DAY, VAGUE_RANGES, WEEKDAYS, ZONES, number_value
from .spans import duration_of


def r_weekday(m: Match, ctx: Context) -> Found:
    """on Monday, last Friday, this coming Sunday, Friday morning."""
    if ctx.published is None:
        return unresolved(m, "day")
    modifier = normalised(lower(m, "weekday_mod")).replace("the ", "")
    direction = ctx.direction(m, lower(m, "weekday_prep")) or -1
    day = anchor.weekday_date(ctx.published, WEEKDAYS[m.group("weekday_weekday").lower()], direction, modifier)
    if m.group("weekday_dp"):
        return make(m, f"{day.isoformat()}T{PARTS_OF_DAY[m.group('weekday_dp').lower()]}", "time", "TIME")
    return make(m, day.isoformat(), "day")


_DAYWORDS = {
    "yesterday": -1,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
}


def r_dayword(m: Match, ctx: Context) -> Found:
    """yesterday, tonight, tomorrow morning, mid-afternoon yesterday."""
    word = normalised(m.group("dayword_word"))
    part = m.group("dayword_dp") or m.group("dayword_dp0") or ("night" if word == "tonight" else "")
    part = part.split("-")[-1].split()[-1].lower() if part else ""
    kind = "TIME" if part in PARTS_OF_DAY else "DATE"
    if ctx.published is None:
        return unresolved(m, "day", kind)
    day = ctx.published + dt.timedelta(days=_DAYWORDS[word])
    if kind == "TIME":
        return make(m, f"{day.isoformat()}T{PARTS_OF_DAY[part]}", "time", "TIME")
    return make(m, day.isoformat(), "day")


def r_daypart(m: Match, ctx: Context) -> Found:
    """this morning, last night, later this afternoon."""
    if ctx.published is None:
        return unresolved(m, "time", "TIME")
    modifier = normalised(m.group("daypart_mod")).split()[-1]
    offset = {"last": -1, "yesterday": -1, "tomorrow": 1}.get(modifier, 0)
    day = ctx.published + dt.timedelta(days=offset)
    return make(m, f"{day.isoformat()}T{PARTS_OF_DAY[m.group('daypart_dp').lower()]}", "time", "TIME")


def r_clock(m: Match, ctx: Context) -> Found:
    """10:35 a.m., 5 p.m. EST, noon, 4 in the morning: a time on the publication day until a date joins it."""
    if m.group("clock_named"):
        if preceding(m) == "high":
            return None  # "high noon": a figure of speech
        clock = NAMED_TIMES[m.group("clock_named").lower()]
    elif m.group("clock_h24"):
        hour, minute = int(m.group("clock_h24")), int(m.group("clock_mi24"))
        if hour > 24 or not (m.group("clock_zone") or preceding(m) in {"at", "by", "until", "from", "before", "after"}):
            return None  # "3:45" alone may be a score or a ratio
        clock = f"{hour:02d}:{minute:02d}"
    else:
        spoken = number_value(m.group("clock_h") or m.group("clock_hw") or "")
        if spoken is None or not 0 < spoken <= 12:
            return None
        hour = spoken
        minute = int(m.group("clock_mi") or 0)
        evening = (m.group("clock_ap") or "").lower().startswith("p") or lower(m, "clock_dp") in {
            "afternoon",
            "evening",
        }
        hour = hour % 12 + (12 if evening else 0)
        clock = f"{hour:02d}:{minute:02d}"
    zone = m.group("clock_zone")
    note = (
        f"time zone {zone} (UTC{ZONES[zone.lower()]})"
        if zone and zone.lower() in ZONES
        else (f"time zone {zone}" if zone else "")
    )
    if ctx.published is None:
        return make(m, f"T{clock}", "clock", "TIME", note=note)
    return make(m, f"{ctx.published.isoformat()}T{clock}", "clock", "TIME", note=note)


def r_relunit(m: Match, ctx: Context) -> Found:
    """last week, this month, next year, earlier this year, the current quarter, this fiscal year."""
    unit = lower(m, "relunit_unit") or lower(m, "relunit_unit2")
    modifier = normalised(lower(m, "relunit_mod")).replace("the ", "") or "this"
    if modifier == "past" and unit in {"week", "month", "year", "decade", "century", "quarter"}:
        return duration_of(m, ctx, 1, unit)  # "the past year": the twelve months up to now
    step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "following": 1}.get(modifier, 0)
    if ctx.published is None:
        return unresolved(m, unit)
    p = ctx.published
    if unit == "year":
        return make(m, f"{p.year + step:04d}", "year")
    if unit == "month":
        day = p + relativedelta(months=step)
        return make(m, f"{day.year:04d}-{day.month:02d}", "month")
    if unit == "quarter":
        year, quarter = anchor.shift_quarter(*anchor.quarter_of(p), step)
        ctx.quarter = (year, quarter)
        return make(m, f"{year:04d}-Q{quarter}", "quarter")
    if unit == "decade":
        return make(m, f"{p.year // 10 + step:03d}", "decade")
    if unit == "century":
        return make(m, f"{p.year // 100 + step:02d}", "century")
    week = anchor.iso_week(p + dt.timedelta(weeks=step))
    if unit == "weekend":
        return make(m, f"{week}-WE", "weekend")
    return make(m, week, "week")


_FISCAL_SPAN = re.compile(r"\s+(?:ended|ending|to|through|before|after|since|that)\b|\s+and\s+a\s+half", re.IGNORECASE)


_ANAPHORA_STEP = {"following": 1, "previous": -1, "preceding": -1, "prior": -1}
_GRANULARITY = {"year": 4, "month": 7, "week": 10, "day": 10}


def r_anaphora(m: Match, ctx: Context) -> Found:
    """the following year, the previous day, later that month: counted from the date the text last named."""
    unit = m.group("anaphora_unit").lower()
    step = _ANAPHORA_STEP.get(lower(m, "anaphora_mod"), 0)
    reference = ctx.reference
    if reference is None or len(reference) < _GRANULARITY[unit]:
        if ctx.published is None:
            return unresolved(m, unit)
        reference = ctx.published.isoformat()  # nothing named yet: the publication date is the reference
    year = int(reference[:4])
    if unit == "year":
        return make(m, f"{year + step:04d}", "year")
    month = int(reference[5:7])
    if unit == "month":
        shifted = dt.date(year, month, 1) + relativedelta(months=step)
        return make(m, f"{shifted.year:04d}-{shifted.month:02d}", "month")
    day = dt.date.fromisoformat(reference[:10]) + dt.timedelta(days=step * (7 if unit == "week" else 1))
    return make(m, anchor.iso_week(day) if unit == "week" else day.isoformat(), unit)


def r_theunit(m: Match, ctx: Context) -> Found:
    """the year ended June 30 (a span of one year), the year, the full year (this one), the week, the weekend."""
    unit = m.group("theunit_unit").lower()
    if unit == "weekend":
        if ctx.published is None:
            return unresolved(m, "weekend")
        saturday = anchor.weekday_date(ctx.published, 6, ctx.direction(m) or -1)
        return make(m, f"{anchor.iso_week(saturday)}-WE", "weekend")
    if unit == "year" and not _FISCAL_SPAN.match(m.string, m.end()):
        if ctx.published is None:
            return unresolved(m, "year")
        return make(m, f"{ctx.published.year:04d}", "year")  # "for the year", "the full year": this one
    return duration_of(m, ctx, 1, unit, span=(m.start(), m.end()))


def r_ago(m: Match, ctx: Context) -> Found:
    """three weeks ago, several days ago, a year earlier, two days from now."""
    unit = m.group("ago_unit").lower().rstrip("s").replace("centurie", "century")
    count_word = normalised(m.group("ago_num"))
    direction = -1 if lower(m, "ago_dir") in {"ago", "earlier"} else 1
    if ctx.published is None:
        return unresolved(m, unit)
    if count_word in VAGUE_RANGES and unit in {"day", "week", "month", "year"}:  # an interval, not a made-up day
        low, high = VAGUE_RANGES[count_word]
        ends = sorted(ctx.published + relativedelta(**{unit + "s": direction * n}) for n in (low, high))
        return make(
            m,
            f"{ends[0].isoformat()}/{ends[1].isoformat()}",
            "interval",
            note=f"between {low} and {high} {unit}s {'before' if direction < 0 else 'after'} publication",
        )
    count = number_value(count_word)
    if count is None:
        return make(m, "PAST_REF" if direction < 0 else "FUTURE_REF", "reference")
    if unit == "year" and count == 1 and ctx.quarter and lower(m, "ago_dir") in {"ago", "earlier"}:
        return make(
            m, f"{ctx.quarter[0] - 1:04d}-Q{ctx.quarter[1]}", "quarter", note="the quarter spoken of, a year before"
        )
    if unit in {"decade", "century", "second", "minute", "hour", "night", "fortnight"}:
        unit, count = {
            "decade": ("year", 10 * count),
            "century": ("year", 100 * count),
            "night": ("day", count),
            "fortnight": ("week", 2 * count),
        }.get(unit, (unit, count))
    if unit == "quarter":
        year, quarter = anchor.shift_quarter(*anchor.quarter_of(ctx.published), direction * count)
        return make(m, f"{year:04d}-Q{quarter}", "quarter")
    if unit in {"second", "minute", "hour"}:
        return make(m, ctx.published.isoformat(), "day")
    day = ctx.published + relativedelta(**{unit + "s": direction * count})
    if unit == "year":
        return make(m, f"{day.year:04d}", "year")
    if unit == "month":
        return make(m, f"{day.year:04d}-{day.month:02d}", "month")
    if unit == "week":
        return make(m, anchor.iso_week(day), "week")
    return make(m, day.isoformat(), "day")
