"""What each kind of time expression means: one resolver per grammar branch, match -> DateMention."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from ..model import DateMention
from . import anchor
from .lexicon import (HOLIDAYS, MONTHS, NAMED_TIMES, ORDINALS, PARTS_OF_DAY, REFERENCES, SEASONS, SET_ADVERBS,
                      UNIT_MULTIPLIER, UNITS, VAGUE_RANGES, WEEKDAYS, ZONES, number_value)

UNRESOLVED = "no publication date to resolve against"


@dataclass
class Context:
    """One document: its text, publication date, and the quarter it last spoke of (for "a year earlier")."""

    text: str
    published: dt.date | None
    quarter: tuple[int, int] | None = None
    notes: dict = field(default_factory=dict)

    def direction(self, m: re.Match, preposition: str = "") -> int:
        """Past (-1) or future (+1) for a year-less expression: its own preposition first, then the clause.

        An expression used as a modifier ("the Jan. 14 deadline") takes no direction from the clause's verb.
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


def make(m: re.Match, value, precision: str, kind: str = "DATE", *, note: str = "", interval: str | None = None,
         span: tuple[int, int] | None = None) -> DateMention:
    """A DateMention over the match (or the given span), trimmed of surrounding blanks."""
    start, end = span or (m.start(), m.end())
    raw = m.string[start:end]
    start += len(raw) - len(raw.lstrip())
    end -= len(raw) - len(raw.rstrip())
    return DateMention(text=m.string[start:end], start=start, end=end, value=value, precision=precision,
                       resolved=value is not None, note=note, type=kind, interval=interval)


def unresolved(m: re.Match, precision: str, kind: str = "DATE") -> DateMention:
    """A mention whose value needs a publication date that is missing."""
    return make(m, None, precision, kind, note=UNRESOLVED)


def month_number(token: str) -> int:
    """1-12 for a month name or abbreviation."""
    return MONTHS[token.lower().rstrip(".")]


def _g(m: re.Match, name: str) -> str:
    return (m.group(name) or "").lower()


def _words(value: str) -> str:
    return " ".join(value.lower().split())


# --------------------------------------------------------------------------- calendar dates

def r_iso(m, ctx):
    """2024-07-08, with an optional clock time."""
    text = m.group(0)
    return make(m, text, "time" if "T" in text else "day", "TIME" if "T" in text else "DATE")


def _day(m, ctx, year, month, day, lead=""):
    if not year:
        return unresolved(m, "day")
    try:
        value = dt.date(int(year), month, day)
    except ValueError:
        return None  # "February 30": not a date
    if lead:
        return make(m, anchor.iso_week(value), "week")
    return make(m, value.isoformat(), "day")


def _day_year(m, ctx, month, day, modifier, preposition=""):
    if ctx.published is None:
        return None
    if modifier in {"next", "this coming"}:
        return anchor.nearest_year(ctx.published, month, day, 1)
    if modifier == "last":
        return anchor.nearest_year(ctx.published, month, day, -1)
    return anchor.nearest_year(ctx.published, month, day, ctx.direction(m, preposition))


def r_monthday(m, ctx):
    """March 1, Tuesday, March 3, 2024, the week of March 6."""
    month, day = month_number(m.group("monthday_month")), int(re.match(r"\d+", m.group("monthday_day")).group())
    year = m.group("monthday_year") or _day_year(m, ctx, month, day, _g(m, "monthday_mod"), _preceding(m))
    return _day(m, ctx, year, month, day, m.group("monthday_week"))


def r_daymonth(m, ctx):
    """6 July 2021, the 6th of July."""
    month, day = month_number(m.group("daymonth_month")), int(re.match(r"\d+", m.group("daymonth_day")).group())
    year = m.group("daymonth_year") or _day_year(m, ctx, month, day, "", _preceding(m))
    return _day(m, ctx, year, month, day)


def r_monthyear(m, ctx):
    """February 2022, early March 2020."""
    return make(m, f"{int(m.group('monthyear_year')):04d}-{month_number(m.group('monthyear_month')):02d}", "month")


def r_month(m, ctx):
    """in August, last November, late last July, through June."""
    name, preposition, modifier = m.group("month_month"), _g(m, "month_prep"), _words(_g(m, "month_mod"))
    if name.lower() == "may" and not (preposition or modifier) and not m.group("month_edge"):
        return None  # "May" alone is a verb or a name
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
    return _trimmed(mention, m, "month_prep", {"of"})


def r_year(m, ctx):
    """2019, in 2019, fiscal 1989, 2009-2010 (two mentions sharing the range)."""
    year = int(m.group("year_year"))
    preposition = _g(m, "year_prep")
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
    return _trimmed(mention, m, "year_prep", {"the", "of"})


def r_decade(m, ctx):
    """the 1990s, the '80s, the early 2000s."""
    if m.group("decade_full"):
        value = m.group("decade_full")
    else:
        short = int(m.group("decade_short"))
        this_century = (ctx.published or dt.date.today()).year // 100
        value = f"{this_century if short * 10 <= (ctx.published or dt.date.today()).year % 100 else this_century - 1}{short}"
    return make(m, value, "decade")


def r_century(m, ctx):
    """the 20th century."""
    return make(m, f"{int(m.group('century_n')) - 1:02d}", "century")


def r_holiday(m, ctx):
    """Christmas, Thanksgiving Day, Easter 2021."""
    name = _words(m.group("holiday_name"))
    if not any(c.isupper() for c in m.group("holiday_name")):
        return None
    rule = HOLIDAYS[name.replace("’", "'")]
    if m.group("holiday_year"):
        year = int(m.group("holiday_year"))
    elif ctx.published is None:
        return unresolved(m, "day")
    else:
        modifier = _g(m, "holiday_mod")
        direction = {"last": -1, "next": 1}.get(modifier) or ctx.direction(m, _preceding(m))
        year = anchor.holiday_year(ctx.published, rule, direction)
    return make(m, anchor.holiday_date(rule, year).isoformat(), "day")


# --------------------------------------------------------------------------- weekdays and days

def r_weekday(m, ctx):
    """on Monday, last Friday, this coming Sunday, Friday morning."""
    if ctx.published is None:
        return unresolved(m, "day")
    modifier = _words(_g(m, "weekday_mod")).replace("the ", "")
    direction = ctx.direction(m, _g(m, "weekday_prep")) or -1
    day = anchor.weekday_date(ctx.published, WEEKDAYS[m.group("weekday_weekday").lower()], direction, modifier)
    if m.group("weekday_dp"):
        return make(m, f"{day.isoformat()}T{PARTS_OF_DAY[m.group('weekday_dp').lower()]}", "time", "TIME")
    return make(m, day.isoformat(), "day")


_DAYWORDS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "the day before yesterday": -2,
             "the day after tomorrow": 2}


def r_dayword(m, ctx):
    """yesterday, tonight, tomorrow morning, mid-afternoon yesterday."""
    word = _words(m.group("dayword_word"))
    part = m.group("dayword_dp") or m.group("dayword_dp0") or ("night" if word == "tonight" else "")
    part = part.split("-")[-1].split()[-1].lower() if part else ""
    kind = "TIME" if part in PARTS_OF_DAY else "DATE"
    if ctx.published is None:
        return unresolved(m, "day", kind)
    day = ctx.published + dt.timedelta(days=_DAYWORDS[word])
    if kind == "TIME":
        return make(m, f"{day.isoformat()}T{PARTS_OF_DAY[part]}", "time", "TIME")
    return make(m, day.isoformat(), "day")


def r_daypart(m, ctx):
    """this morning, last night, later this afternoon."""
    if ctx.published is None:
        return unresolved(m, "time", "TIME")
    modifier = _words(m.group("daypart_mod")).split()[-1]
    offset = {"last": -1, "yesterday": -1, "tomorrow": 1}.get(modifier, 0)
    day = ctx.published + dt.timedelta(days=offset)
    return make(m, f"{day.isoformat()}T{PARTS_OF_DAY[m.group('daypart_dp').lower()]}", "time", "TIME")


def r_clock(m, ctx):
    """10:35 a.m., 5 p.m. EST, noon, 4 in the morning: a time on the publication day until a date joins it."""
    if m.group("clock_named"):
        clock = NAMED_TIMES[m.group("clock_named").lower()]
    elif m.group("clock_h24"):
        hour, minute = int(m.group("clock_h24")), int(m.group("clock_mi24"))
        if hour > 24 or not (m.group("clock_zone") or _preceding(m) in {"at", "by", "until", "from", "before", "after"}):
            return None  # "3:45" alone may be a score or a ratio
        clock = f"{hour:02d}:{minute:02d}"
    else:
        hour = number_value(m.group("clock_h") or m.group("clock_hw") or "")
        if hour is None or not 0 < hour <= 12:
            return None
        minute = int(m.group("clock_mi") or 0)
        evening = (m.group("clock_ap") or "").lower().startswith("p") or _g(m, "clock_dp") in {"afternoon", "evening"}
        hour = hour % 12 + (12 if evening else 0)
        clock = f"{hour:02d}:{minute:02d}"
    zone = m.group("clock_zone")
    note = f"time zone {zone} (UTC{ZONES[zone.lower()]})" if zone and zone.lower() in ZONES else \
        (f"time zone {zone}" if zone else "")
    if ctx.published is None:
        return make(m, f"T{clock}", "clock", "TIME", note=note)
    return make(m, f"{ctx.published.isoformat()}T{clock}", "clock", "TIME", note=note)


# --------------------------------------------------------------------------- weeks, months, years named relatively

def r_relunit(m, ctx):
    """last week, this month, next year, earlier this year, the current quarter, this fiscal year."""
    unit = _g(m, "relunit_unit") or _g(m, "relunit_unit2")
    modifier = _words(_g(m, "relunit_mod")).replace("the ", "") or "this"
    if modifier == "past" and unit in {"week", "month", "year", "decade", "century", "quarter"}:
        return _duration(m, ctx, 1, unit)  # "the past year": the twelve months up to now
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


def r_theunit(m, ctx):
    """the year ended June 30 (a span of one year), the year, the full year (this one), the week, the weekend."""
    unit, kind = m.group("theunit_unit").lower(), _g(m, "theunit_kind").strip()
    if unit == "weekend":
        if ctx.published is None:
            return unresolved(m, "weekend")
        saturday = anchor.weekday_date(ctx.published, 6, ctx.direction(m) or -1)
        return make(m, f"{anchor.iso_week(saturday)}-WE", "weekend")
    if unit == "year" and not _FISCAL_SPAN.match(m.string, m.end()):
        if ctx.published is None:
            return unresolved(m, "year")
        return make(m, f"{ctx.published.year:04d}", "year")  # "for the year", "the full year": this one
    return _duration(m, ctx, 1, unit, span=(m.start(), m.end()))


def r_ago(m, ctx):
    """three weeks ago, several days ago, a year earlier, two days from now."""
    unit = m.group("ago_unit").lower().rstrip("s").replace("centurie", "century")
    count_word = _words(m.group("ago_num"))
    direction = -1 if _g(m, "ago_dir") in {"ago", "earlier"} else 1
    if ctx.published is None:
        return unresolved(m, unit)
    if count_word in VAGUE_RANGES and unit in {"day", "week", "month", "year"}:  # an interval, not a made-up day
        low, high = VAGUE_RANGES[count_word]
        ends = sorted(ctx.published + relativedelta(**{unit + "s": direction * n}) for n in (low, high))
        return make(m, f"{ends[0].isoformat()}/{ends[1].isoformat()}", "interval",
                     note=f"between {low} and {high} {unit}s {'before' if direction < 0 else 'after'} publication")
    count = number_value(count_word)
    if count is None:
        return make(m, "PAST_REF" if direction < 0 else "FUTURE_REF", "reference")
    if unit == "year" and count == 1 and ctx.quarter and _g(m, "ago_dir") in {"ago", "earlier"}:
        return make(m, f"{ctx.quarter[0] - 1:04d}-Q{ctx.quarter[1]}", "quarter",
                    note="the quarter spoken of, a year before")
    if unit in {"decade", "century", "second", "minute", "hour", "night", "fortnight"}:
        unit, count = {"decade": ("year", 10 * count), "century": ("year", 100 * count), "night": ("day", count),
                       "fortnight": ("week", 2 * count)}.get(unit, (unit, count))
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


# --------------------------------------------------------------------------- quarters, halves, seasons

def _remember(ctx, year, quarter):
    ctx.quarter = (year, quarter)
    return f"{year:04d}-Q{quarter}"


def r_quarter(m, ctx):
    """the third quarter, third-quarter, the 1988 second quarter, Q3 2023, the fourth quarter of 1990."""
    if m.group("quarter_q"):
        quarter, year = int(m.group("quarter_q")), m.group("quarter_year4")
    else:
        if m.group("quarter_unit").lower() == "period" and not ctx.quarter:
            return None
        quarter = ORDINALS[m.group("quarter_ord").lower()]
        year = m.group("quarter_year1") or m.group("quarter_year2") or m.group("quarter_year3")
    if m.group("quarter_rel") and not year and ctx.published:
        year = ctx.published.year + {"last": -1, "next": 1}.get(m.group("quarter_rel").lower(), 0)
    if m.group("quarter_unit") and m.group("quarter_unit").lower() == "quarters":
        return make(m, f"XXXX-Q{quarter}", "set", "SET")
    if year:
        return make(m, _remember(ctx, int(year), quarter), "quarter")
    if ctx.published is None:
        return unresolved(m, "quarter")
    year = anchor.quarter_year(ctx.published, quarter, ctx.direction(m))
    return make(m, _remember(ctx, year, quarter), "quarter")


def r_quarterref(m, ctx):
    """the quarter, the latest quarter, the year-earlier quarter, the 1988 period."""
    modifier = _words(_g(m, "quarterref_mod")).replace("-", " ")
    period = m.group("quarterref_unit").lower() == "period"
    back = bool(m.group("quarterref_back")) or modifier in {"year earlier", "year ago"} or \
        _g(m, "quarterref_rel") == "last"
    if period and not (modifier or m.group("quarterref_year")):
        return None  # "the period" alone is too vague
    if ctx.published is None:
        return unresolved(m, "quarter")
    if m.group("quarterref_year"):
        quarter = ctx.quarter[1] if ctx.quarter else None
        year = int(m.group("quarterref_year"))
        return make(m, f"{year:04d}-Q{quarter}" if quarter else f"{year:04d}", "quarter" if quarter else "year")
    current = anchor.quarter_of(ctx.published)
    if modifier in {"this", "current"}:
        reference = current
    elif modifier == "next":
        reference = anchor.shift_quarter(*current, 1)
    elif ctx.quarter and modifier not in {"latest", "most recent", "previous", "last", "past", "recent"}:
        reference = ctx.quarter
    else:
        reference = anchor.shift_quarter(*current, -1)  # news reports the quarter that just ended
    if back:
        return make(m, f"{reference[0] - 1:04d}-Q{reference[1]}", "quarter")
    if period and modifier in {"comparable", "corresponding", "same"}:
        return None
    return make(m, _remember(ctx, *reference), "quarter")


def r_yearearlier(m, ctx):
    """year-earlier (figures), year-ago: the quarter spoken of, or the year, one year before."""
    if ctx.quarter:
        return make(m, f"{ctx.quarter[0] - 1:04d}-Q{ctx.quarter[1]}", "quarter")
    if ctx.published is None:
        return unresolved(m, "year")
    return make(m, f"{ctx.published.year - 1:04d}", "year")


def r_yearend(m, ctx):
    """year-end, the end of the year, 1989 year-end: December 31."""
    if m.group("yearend_year"):
        year = int(m.group("yearend_year"))
    elif ctx.published is None:
        return unresolved(m, "day")
    else:
        modifier = _g(m, "yearend_mod") or _g(m, "yearend_mod2")
        year = ctx.published.year + {"last": -1, "next": 1}.get(modifier, 0)
    return make(m, f"{year:04d}-12-31", "day")


def r_spelledyear(m, ctx):
    """nineteen ninety-six, two thousand: years said aloud (broadcast transcripts)."""
    words = m.group("spelledyear_words").lower().replace("-", " ").split()
    if words[0] == "two":
        return make(m, f"{2000 + (number_value(words[-1]) if len(words) > 2 else 0):04d}", "year")
    century = 1900 if words[0] == "nineteen" else 1800
    rest = [w for w in words[1:] if w not in {"o", "oh"}]
    value = number_value(" ".join(rest))
    if value is None or value >= 100:
        return None
    return make(m, f"{century + value:04d}", "year")


def r_spelleddecade(m, ctx):
    """the nineties, the late eighties: the decade of the current century's predecessor or itself."""
    tens = number_value(m.group("spelleddecade_tens").lower() + "y") // 10
    year = (ctx.published or dt.date.today()).year
    century = year // 100 if tens * 10 <= year % 100 else year // 100 - 1
    return make(m, f"{century}{tens}", "decade")


def r_half(m, ctx):
    """the first half of 1989, the second half, the first two quarters."""
    half = 2 if _g(m, "half_ord") in {"second", "last", "latter", "2nd"} else 1
    year = m.group("half_year") or m.group("half_year2")
    if not year:
        if ctx.published is None:
            return unresolved(m, "half")
        step = {"last": -1, "next": 1}.get(_g(m, "half_rel"), 0)
        year = ctx.published.year + step
    return make(m, f"{int(year):04d}-H{half}", "half")


def r_season(m, ctx):
    """last summer, this fall, the winter of 2021, early spring."""
    season = SEASONS[m.group("season_name").lower()]
    year = m.group("season_year1") or m.group("season_year2")
    modifier = _g(m, "season_mod")
    if not (year or modifier):
        before = _preceding(m, m.start("season_name"))
        if not m.group("season_the") and before not in {"in", "during", "since", "until", "by", "through", "over",
                                                        "this", "next", "last", "early", "late", "mid"}:
            return None  # "spring" and "fall" are also verbs and nouns
        if re.match(r"\s+of\b", m.string[m.end():]):
            return None  # "the fall of the wall"
    if year:
        return make(m, f"{int(year):04d}-{season}", "season")
    if ctx.published is None:
        return unresolved(m, "season")
    direction = 0 if modifier else ctx.direction(m, _preceding(m))
    return make(m, f"{anchor.season_year(ctx.published, season, direction, modifier):04d}-{season}", "season")


# --------------------------------------------------------------------------- durations, sets, references

def _duration(m, ctx, count, unit, span=None, fraction=False):
    unit = unit.lower().rstrip("s").replace("centurie", "century")
    letter, clock = UNITS[unit]
    if count is not None and unit in {"decade", "century"}:  # ISO 8601 has no letter for them
        count, unit, letter = count * (10 if unit == "decade" else 100), "year", "Y"
    count_text = "X" if count is None else str(count * UNIT_MULTIPLIER.get(unit, 1))
    if fraction and count is not None:
        half = {"Y": (f"{count}Y6M"), "D": f"{count}DT12H", "H": f"{count}H30M", "M": f"{count}M30S" if clock else
                f"{count}M15D", "W": f"{count}W3D"}.get(letter)
        value = ("PT" if clock else "P") + (half or f"{count}{letter}")
    else:
        value = ("PT" if clock else "P") + count_text + letter
    interval = _anchored(m, ctx, count, unit)
    return make(m, value, "duration", "DURATION", interval=interval, span=span)


_ANCHORING = re.compile(r"\b(?:(?P<back>past|last|previous)|(?P<ahead>next|coming|following))\b")


def _anchored(m, ctx, count, unit):
    """The past two years -> publication minus two years / publication; the next two weeks likewise ahead."""
    if ctx.published is None or count is None or unit not in {"day", "week", "month", "year", "decade"}:
        return None
    lead = _ANCHORING.search(m.group(0).lower())
    if not lead:
        return None
    months = {"year": 12, "decade": 120, "month": 1}.get(unit)
    delta = relativedelta(months=count * months) if months else relativedelta(days=count * (7 if unit == "week" else 1))
    p = ctx.published
    if lead.group("ahead"):
        return f"{p.isoformat()}/{(p + delta).isoformat()}"
    return f"{(p - delta).isoformat()}/{p.isoformat()}"


def r_duration(m, ctx):
    """90 days, two-year, the past two years, at least 72 hours, 2 1/2 years; "$5 a year" is a set."""
    if m.group("duration_old"):
        return None  # an age, "a 44-year-old"
    word = _words(m.group("duration_num"))
    unit = m.group("duration_unit").lower()
    if unit == "second" and word in {"a", "one"} or unit.startswith("quarter") and \
            re.match(r"\s+of\b", m.string[m.end():]):
        return None  # "a second time", "three-quarters of the vote"
    if word in {"a", "an", "per", "one"} and _rate_before(m):
        letter, clock = UNITS[unit.rstrip("s")]
        return make(m, ("PT1" if clock else "P1") + letter, "set", "SET")
    count = None if m.group("duration_num2") else number_value(word)
    fraction = bool(m.group("duration_frac") or m.group("duration_frac2"))
    if count is None and not m.group("duration_num2"):
        return None
    return _duration(m, ctx, count, unit, fraction=fraction)


_RATE = re.compile(r"(?:\d[\d,.]*\s*(?:%|percent|million|billion|trillion|thousand|dollars|euros|pounds|yuan|"
                   r"yen|barrels|tons|tonnes|people|cents)?|\b(?:once|twice|times))\s*$", re.IGNORECASE)


def _rate_before(m) -> bool:
    return bool(_RATE.search(m.string[max(0, m.start() - 30):m.start()]))


def r_vague(m, ctx):
    """years, several days, the past few weeks, recent months, the coming years."""
    unit = m.group("vague_unit").lower()
    lead = _words(m.group(0)[:m.start("vague_unit") - m.start()])
    modifier = _g(m, "vague_mod")
    if modifier == "recent" and unit == "years":
        return make(m, "PAST_REF", "reference")
    if not lead and _preceding(m) not in {"for", "in", "over", "within", "after", "than", "of", "took", "take",
                                          "takes", "spent", "lasted", "last", "lasting", "those", "these"}:
        return None
    if lead in {"the"}:
        return None  # "the days of ...", "the years when ..."
    return _duration(m, ctx, None, unit)


def r_setevery(m, ctx):
    """every day, each Thursday, every other week, each July."""
    if m.group("setevery_weekday"):
        return make(m, f"XXXX-WXX-{WEEKDAYS[m.group('setevery_weekday').lower()]}", "set", "SET")
    if m.group("setevery_month"):
        return make(m, f"XXXX-{month_number(m.group('setevery_month')):02d}", "set", "SET")
    if m.group("setevery_season"):
        return make(m, f"XXXX-{SEASONS[m.group('setevery_season').lower()]}", "set", "SET")
    if m.group("setevery_dp"):
        return make(m, f"XXXX-XX-XXT{PARTS_OF_DAY[m.group('setevery_dp').lower()]}", "set", "SET")
    unit = m.group("setevery_unit").lower().rstrip("s").replace("centurie", "century")
    count = number_value(m.group("setevery_num") or "one") or 1
    if "other" in m.group(0).lower():
        count *= 2
    letter, clock = UNITS[unit]
    return make(m, f"{'PT' if clock else 'P'}{count}{letter}", "set", "SET")


def r_settimes(m, ctx):
    """twice a week, three times a day."""
    letter, clock = UNITS[m.group("settimes_unit").lower().rstrip("s")]
    return make(m, f"{'PT' if clock else 'P'}1{letter}", "set", "SET")


_FUNCTION_WORDS = frozenset("and or in on at to for from through since until by with as but than basis".split())
_NEXT_WORD = re.compile(r"\s+([a-z]+)")


def r_setadverb(m, ctx):
    """daily, weekly, annually, hourly; not "quarterly dividend", "the daily volume" (adjectives)."""
    following = _NEXT_WORD.match(m.string, m.end())
    if following and following.group(1) not in _FUNCTION_WORDS or _preceding(m) in {"the", "a", "an", "its", "their",
                                                                                    "average", "his", "her", "our"}:
        return None
    return make(m, SET_ADVERBS[m.group("setadverb_word").lower()], "set", "SET")


def r_setweekday(m, ctx):
    """on Mondays, Tuesday nights."""
    part = m.group("setweekday_dp1") or m.group("setweekday_dp2") or ""
    suffix = f"T{PARTS_OF_DAY[part.lower().rstrip('s')]}" if part else ""
    return make(m, f"XXXX-WXX-{WEEKDAYS[m.group('setweekday_weekday').lower()]}{suffix}", "set", "SET")


def r_reference(m, ctx):
    """now, currently, recently, the past, the future."""
    word = _words(m.group("reference_word")).replace("’", "'")
    if word == "future" and _preceding(m) not in {"in", "the", "near", "foreseeable", "distant"}:
        return None  # "future earnings": an adjective, not a time
    if word == "current" and re.match(r"\s+(?:account|accounts|affairs|events|law|laws|rules|system)\b",
                                      m.string[m.end():], re.IGNORECASE):
        return None
    return make(m, REFERENCES[word], "reference")


# --------------------------------------------------------------------------- helpers

_PRECEDING = re.compile(r"(\w+)\W*$")


def _preceding(m: re.Match, position: int | None = None) -> str:
    """The word just before the match (or before position), lower case."""
    position = m.start() if position is None else position
    found = _PRECEDING.search(m.string, max(0, position - 24), position)
    return found.group(1).lower() if found else ""


def _trimmed(mention: DateMention, m: re.Match, group: str, words: set[str]) -> DateMention:
    """Drop a leading "the" or "of" that only served to recognise a bare year or month."""
    if mention and _g(m, group) in words:
        start = m.end(group)
        while start < len(m.string) and not m.string[start].isalnum():
            start += 1
        text = m.string[start:mention.end]
        return DateMention(text=text, start=start, end=mention.end, value=mention.value, precision=mention.precision,
                           resolved=mention.resolved, note=mention.note, type=mention.type,
                           interval=mention.interval)
    return mention


RESOLVERS = {name[2:]: function for name, function in globals().items() if name.startswith("r_")}
