"""Durations, sets ("every Monday", "annually") and references to the present, past and future."""

from __future__ import annotations

import re

from dateutil.relativedelta import relativedelta

from ..model import DateMention
from .context import Context, Found, Match, lower, make, month_number, normalised, preceding
from .lexicon import PARTS_OF_DAY, REFERENCES, SEASONS, SET_ADVERBS, UNIT_MULTIPLIER, UNITS, WEEKDAYS, number_value


def duration_of(
    m: Match,
    ctx: Context,
    count: int | None,
    unit: str,
    span: tuple[int, int] | None = None,
    fraction: bool = False,
) -> DateMention:
    """A DURATION of count units (None: unknown, "X"), with the range it covers when anchored."""
    unit = unit.lower().rstrip("s").replace("centurie", "century")
    letter, clock = UNITS[unit]
    if count is not None and unit in {"decade", "century"}:  # ISO 8601 has no letter for them
        count, unit, letter = count * (10 if unit == "decade" else 100), "year", "Y"
    count_text = "X" if count is None else str(count * UNIT_MULTIPLIER.get(unit, 1))
    if fraction and count is not None:
        half = {
            "Y": (f"{count}Y6M"),
            "D": f"{count}DT12H",
            "H": f"{count}H30M",
            "M": f"{count}M30S" if clock else f"{count}M15D",
            "W": f"{count}W3D",
        }.get(letter)
        value = ("PT" if clock else "P") + (half or f"{count}{letter}")
    else:
        value = ("PT" if clock else "P") + count_text + letter
    interval = _anchored(m, ctx, count, unit)
    return make(m, value, "duration", "DURATION", interval=interval, span=span)


_ANCHORING = re.compile(r"\b(?:(?P<back>past|last|previous)|(?P<ahead>next|coming|following))\b")


def _anchored(m: Match, ctx: Context, count: int | None, unit: str) -> str | None:
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


_COMPOUND = re.compile(r"-(?!long\b|old\b)[a-z]")


def r_duration(m: Match, ctx: Context) -> Found:
    """90 days, two-year, the past two years, at least 72 hours, 2 1/2 years; "$5 a year" is a set."""
    if m.group("duration_old") or _AGE.search(m.string, max(0, m.start() - 20), m.start()):
        return None  # an age: "a 44-year-old", "children aged five to 17 months"
    word = normalised(m.group("duration_num"))
    unit = m.group("duration_unit").lower()
    if (
        unit == "second"
        and word in {"a", "one"}
        or unit.startswith("quarter")
        and re.match(r"\s+of\b", m.string[m.end() :])
    ):
        return None  # "a second time", "three-quarters of the vote"
    if _COMPOUND.match(m.string, m.end()):
        return None  # "a quarter-century low", "a day-to-day job": part of a longer word
    if word in {"a", "an", "per", "one"} and _rate_before(m):
        letter, clock = UNITS[unit.rstrip("s")]
        return make(m, ("PT1" if clock else "P1") + letter, "set", "SET")
    count = None if m.group("duration_num2") else number_value(word)
    fraction = bool(m.group("duration_frac") or m.group("duration_frac2"))
    if count is None and not m.group("duration_num2"):
        return None
    return duration_of(m, ctx, count, unit, fraction=fraction)


# "$5 a year", "100 million doses a year", "18% a year", "twice a week": a quantity per unit is a rate
_RATE = re.compile(
    r"(?:\d[\d,.]*\s*(?:%|percent|million|billion|trillion|thousand)?(?:\s+[a-z]+){0,2}"
    r"|\b(?:once|twice|times))\s*$",
    re.IGNORECASE,
)
_AGE = re.compile(r"\b(?:aged|ages?)\s+(?:between\s+)?(?:[\w.]+\s*(?:to|and|-|–)\s*)?$", re.IGNORECASE)


def _rate_before(m: Match) -> bool:
    return bool(_RATE.search(m.string[max(0, m.start() - 40) : m.start()]))


def r_vague(m: Match, ctx: Context) -> Found:
    """years, several days, the past few weeks, recent months, the coming years."""
    unit = m.group("vague_unit").lower()
    lead = normalised(m.group(0)[: m.start("vague_unit") - m.start()])
    modifier = lower(m, "vague_mod")
    if modifier == "recent" and unit == "years":
        return make(m, "PAST_REF", "reference")
    if not lead and preceding(m) not in {
        "for",
        "in",
        "over",
        "within",
        "after",
        "than",
        "of",
        "took",
        "take",
        "takes",
        "spent",
        "lasted",
        "last",
        "lasting",
        "those",
        "these",
    }:
        return None
    if lead in {"the"}:
        return None  # "the days of ...", "the years when ..."
    return duration_of(m, ctx, None, unit)


def r_setevery(m: Match, ctx: Context) -> Found:
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


def r_settimes(m: Match, ctx: Context) -> Found:
    """twice a week, three times a day."""
    letter, clock = UNITS[m.group("settimes_unit").lower().rstrip("s")]
    return make(m, f"{'PT' if clock else 'P'}1{letter}", "set", "SET")


_FUNCTION_WORDS = frozenset("and or in on at to for from through since until by with as but than basis".split())
_NEXT_WORD = re.compile(r"\s+([a-z]+)")


def r_setadverb(m: Match, ctx: Context) -> Found:
    """daily, weekly, annually, hourly; not "quarterly dividend", "the daily volume" (adjectives)."""
    following = _NEXT_WORD.match(m.string, m.end())
    if (
        following
        and following.group(1) not in _FUNCTION_WORDS
        or preceding(m) in {"the", "a", "an", "its", "their", "average", "his", "her", "our"}
    ):
        return None
    return make(m, SET_ADVERBS[m.group("setadverb_word").lower()], "set", "SET")


def r_setweekday(m: Match, ctx: Context) -> Found:
    """on Mondays, Tuesday nights."""
    part = m.group("setweekday_dp1") or m.group("setweekday_dp2") or ""
    suffix = f"T{PARTS_OF_DAY[part.lower().rstrip('s')]}" if part else ""
    return make(m, f"XXXX-WXX-{WEEKDAYS[m.group('setweekday_weekday').lower()]}{suffix}", "set", "SET")


def r_reference(m: Match, ctx: Context) -> Found:
    """now, currently, recently, the past, the future."""
    word = normalised(m.group("reference_word")).replace("’", "'")
    if word == "future" and preceding(m) not in {"in", "the", "near", "foreseeable", "distant"}:
        return None  # "future earnings": an adjective, not a time
    if word == "current" and re.match(
        r"\s+(?:account|accounts|affairs|events|law|laws|rules|system)\b", m.string[m.end() :], re.IGNORECASE
    ):
        return None
    return make(m, REFERENCES[word], "reference")
