"""The words of English time expressions and what each one means, as tables and regex alternations."""

from __future__ import annotations

from collections.abc import Iterable

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
MONTHS_CAPITALISED = [m.capitalize() for m in MONTHS]
WEEKDAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7}

SMALL_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "couple of": 2,
    "a couple of": 2,
    "dozen": 12,
    "a dozen": 12,
    "hundred": 100,
    "a hundred": 100,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
VAGUE_NUMBERS = {"several", "a few", "few", "many", "some", "a number of"}
# "several days ago": how many the word stands for, to give an interval rather than a made-up day
VAGUE_RANGES = {"several": (3, 7), "a few": (2, 4), "few": (2, 4)}
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}

# unit word -> (TimeML letter, whether it is a time-of-day unit written after "T")
UNITS = {
    "second": ("S", True),
    "minute": ("M", True),
    "hour": ("H", True),
    "day": ("D", False),
    "night": ("D", False),
    "week": ("W", False),
    "fortnight": ("W", False),
    "month": ("M", False),
    "quarter": ("Q", False),
    "year": ("Y", False),
    "decade": ("E", False),
    "century": ("C", False),
}
UNIT_MULTIPLIER = {"fortnight": 2}

SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}  # winter belongs to the year of its December
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI"}
NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "24:00"}

SET_ADVERBS = {
    "daily": "P1D",
    "nightly": "P1D",
    "weekly": "P1W",
    "biweekly": "P2W",
    "monthly": "P1M",
    "quarterly": "P3M",
    "annually": "P1Y",
    "yearly": "P1Y",
    "hourly": "PT1H",
}

# Words that point at the present, past or future without naming a time.
REFERENCES = {
    "now": "PRESENT_REF",
    "currently": "PRESENT_REF",
    "current": "PRESENT_REF",
    "nowadays": "PRESENT_REF",
    "at present": "PRESENT_REF",
    "at the moment": "PRESENT_REF",
    "these days": "PRESENT_REF",
    "the present": "PRESENT_REF",
    "recently": "PAST_REF",
    "recent": "PAST_REF",
    "the past": "PAST_REF",
    "at the time": "PAST_REF",
    "formerly": "PAST_REF",
    "recent years": "PAST_REF",
    "the future": "FUTURE_REF",
    "future": "FUTURE_REF",
}

# Holidays: fixed (month, day), or a rule computed in anchor.py ("nth weekday", Easter).
HOLIDAYS = {
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "new year's eve": (12, 31),
    "new year's day": (1, 1),
    "independence day": (7, 4),
    "the fourth of july": (7, 4),
    "july fourth": (7, 4),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
    "veterans day": (11, 11),
    "boxing day": (12, 26),
    "thanksgiving day": ("nth", 11, 4, 4),
    "thanksgiving": ("nth", 11, 4, 4),
    "labor day": ("nth", 9, 1, 1),
    "memorial day": ("nth", 5, 1, -1),
    "easter sunday": ("easter",),
    "easter": ("easter",),
}

ZONES = {
    "gmt": "+00:00",
    "utc": "+00:00",
    "est": "-05:00",
    "edt": "-04:00",
    "cst": "-06:00",
    "cdt": "-05:00",
    "mst": "-07:00",
    "mdt": "-06:00",
    "pst": "-08:00",
    "pdt": "-07:00",
    "bst": "+01:00",
    "cet": "+01:00",
    "cest": "+02:00",
    "eet": "+02:00",
    "eest": "+03:00",
    "msk": "+03:00",
    "ist": "+05:30",
    "jst": "+09:00",
}


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of words, longest first, with spaces matching any run of blanks."""
    return "|".join(
        w.replace(".", r"\.").replace("'", "['’]").replace(" ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


def number_value(words: str) -> int | None:
    """The integer a number phrase means ("twenty-four", "18", "a couple of"), None when vague."""
    words = " ".join(words.lower().replace(",", "").replace("-", " ").split())
    if words.isdigit():
        return int(words)
    if words in SMALL_NUMBERS:
        return SMALL_NUMBERS[words]
    parts = words.split()
    if parts and parts[0] in TENS:
        rest = " ".join(parts[1:])
        return TENS[parts[0]] + (SMALL_NUMBERS.get(rest, 0) if rest not in {"a", "an"} else 0)
    return None
