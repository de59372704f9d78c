"""Find date expressions and resolve them against the publication date with python-dateutil."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from .model import DateMention

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR, "saturday": SA, "sunday": SU}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2}
_VAGUE = {"several": (3, 7), "a few": (2, 4), "few": (2, 4), "a couple of": (2, 3)}

_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_COUNT = r"(?P<count>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple\s+of|several|a\s+few|few|a\s+couple\s+of)"

# One alternation, tried left to right at each position: the longest, most precise forms come first.
_PATTERN = re.compile(
    rf"(?P<iso>\b(?:1[89]|20)\d\d-[01]\d-[0-3]\d\b)"
    rf"|\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?".replace("(?P<weekday>", "(?P<weekday_md>", 1)
    + rf"|\b{_DAY.replace('day>', 'dday>')}\s+(?:of\s+)?{_MONTH.replace('month>', 'dmonth>')}(?:,?\s+{_YEAR.replace('year>', 'dyear>')})?\b"
    + rf"|\b{_MONTH.replace('month>', 'mmonth>')}\s+(?:of\s+)?{_YEAR.replace('year>', 'myear>')}\b"
    + rf"|\b(?P<tense>last|this|next|on|since|until|till|by|before|after|from)?\s*\b{_WEEKDAY}\b(?:’s|'s)?"
    + r"|\b(?P<dayword>yesterday|today|tomorrow|tonight)\b"
    + r"|\b(?P<rel>last|this|next|past)\s+(?P<unit>week|month|year)\b"
    + r"|\b(?P<early>earlier|later)\s+this\s+(?P<eunit>week|month|year)\b"
    + rf"|\b{_COUNT}\s+(?P<agounit>days?|weeks?|months?|years?)\s+ago\b"
    + rf"|\b(?P<inmonth_prep>in|by|since|until|from|early|late|mid|end\s+of|(?:the\s+)?(?:beginning|start|end)\s+of)[\s-]+{_MONTH.replace('month>', 'omonth>')}\b(?!\s+\d)"
    + rf"|\b(?P<yprep>in|since|by|until|from|of|during|early|late|mid|before|after|around|through|the|this|last)[\s-]+{_YEAR.replace('year>', 'oyear>')}\b(?![-–]\d|,\d|\d)",
    re.IGNORECASE,
)
_FUTURE = re.compile(r"\b(?:expects?|expected|will|’ll|'ll|shall|is\s+due|are\s+due|is\s+set\s+to|are\s+set\s+to|scheduled|plans?\s+to|planned|expected\s+to|is\s+to|are\s+to|would)\b",
                     re.IGNORECASE)


_PAST_PREPS = {"since", "from", "after", "early", "earlier"}
_FUTURE_PREPS = {"by", "until", "till", "before"}


def _direction(text: str, match: re.Match) -> int:
    """-1 when the words around a year-less date put it in the past, +1 in the future, 0 when silent."""
    prep = (match.groupdict().get("inmonth_prep") or "").lower()
    before = text[max(0, match.start() - 12):match.start()].lower().split()
    prep = prep or (before[-1] if before else "")
    if prep in _PAST_PREPS or prep == "since":
        return -1
    if prep in _FUTURE_PREPS or _future_context(text, match.start()):
        return 1
    return 0


def _month_number(token: str) -> int:
    return _MONTHS[token.lower().rstrip(".")]


def _nearest_year(published: dt.date, month: int, day: int | None, direction: int = 0) -> int:
    """Pick the year that puts a year-less date closest to publication, on the side the tense asks for."""
    best_year, best_gap = published.year, None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = dt.date(year, month, day or 1)
            last_day = candidate if day else candidate + relativedelta(months=1, days=-1)
        except ValueError:
            continue
        if (direction < 0 and candidate > published) or (direction > 0 and last_day < published):
            continue
        gap = abs((candidate - published).days)
        if best_gap is None or gap < best_gap:
            best_year, best_gap = year, gap
    return best_year


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _future_context(text: str, start: int) -> bool:
    """True when the words just before a weekday put it in the future ("will … on Friday")."""
    window = text[max(0, start - 60):start]
    window = re.split(r"[.;!?]|\bthat\b|\bsaid\b|\bsays\b", window)[-1]
    return bool(_FUTURE.search(window))


def _mention(match: re.Match, value, precision, note="") -> DateMention:
    text = match.group(0).strip()
    start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
    return DateMention(text=text, start=start, end=start + len(text), value=value, precision=precision,
                       resolved=value is not None, note=note)


def _resolve(match: re.Match, text: str, published: dt.date | None) -> DateMention | None:
    g = match.groupdict()
    unresolved = "no publication date to resolve against"
    if g["iso"]:
        return _mention(match, date_parser.isoparse(g["iso"]).date().isoformat(), "day")
    direction = _direction(text, match)
    if g["month"]:
        month, day = _month_number(g["month"]), int(g["day"])
        year = int(g["year"]) if g["year"] else (published and _nearest_year(published, month, day, direction))
        return _checked_day(match, year, month, day, unresolved)
    if g["dmonth"]:
        month, day = _month_number(g["dmonth"]), int(g["dday"])
        year = int(g["dyear"]) if g["dyear"] else (published and _nearest_year(published, month, day, direction))
        return _checked_day(match, year, month, day, unresolved)
    if g["mmonth"]:
        return _mention(match, f"{int(g['myear']):04d}-{_month_number(g['mmonth']):02d}", "month")
    if g["weekday"]:
        if published is None:
            return _mention(match, None, "day", unresolved)
        weekday = _WEEKDAYS[g["weekday"].lower()]
        tense = (g["tense"] or "").lower()
        if tense == "last":
            value = published + relativedelta(days=-1, weekday=weekday(-1))
        elif tense == "next" or (tense in {"until", "till", "by"}) or _future_context(text, match.start()):
            value = published + relativedelta(weekday=weekday(+1))
        elif tense == "this":
            value = published + relativedelta(weekday=weekday(+1)) if _future_context(text, match.start()) \
                else published + relativedelta(weekday=weekday(-1))
        else:  # news reports what happened: the most recent such day, publication day included
            value = published + relativedelta(weekday=weekday(-1))
        return _mention(match, value.isoformat(), "day")
    if g["dayword"]:
        if published is None:
            return _mention(match, None, "day", unresolved)
        offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[g["dayword"].lower()]
        return _mention(match, (published + dt.timedelta(days=offset)).isoformat(), "day")
    if g["rel"] or g["early"]:
        unit = (g["unit"] or g["eunit"]).lower()
        step = {"last": -1, "past": -1, "next": 1}.get((g["rel"] or "this").lower(), 0)
        if published is None:
            return _mention(match, None, unit, unresolved)
        if unit == "year":
            return _mention(match, f"{published.year + step:04d}", "year")
        if unit == "month":
            day = published + relativedelta(months=step)
            return _mention(match, f"{day.year:04d}-{day.month:02d}", "month")
        return _mention(match, _iso_week(published + dt.timedelta(weeks=step)), "week")
    if g["agounit"]:
        return _ago(match, g, published, unresolved)
    if g["omonth"]:
        if published is None:
            return _mention(match, None, "month", unresolved)
        month = _month_number(g["omonth"])
        if g["omonth"].lower() == "may" and g["inmonth_prep"].lower() not in {"in", "since", "until", "by"}:
            return None
        return _mention(match, f"{_nearest_year(published, month, None, direction):04d}-{month:02d}", "month")
    if g["oyear"]:
        prep = g["yprep"].lower()
        year = int(g["oyear"])
        if prep == "last" or prep == "this":
            return None  # "last 2020" is not English; leave it alone
        return _mention(match, f"{year:04d}", "year")
    return None


def _checked_day(match, year, month, day, unresolved) -> DateMention | None:
    if not year:
        return _mention(match, None, "day", unresolved)
    try:
        return _mention(match, dt.date(int(year), month, day).isoformat(), "day")
    except ValueError:
        return None  # "February 30": not a date


def _ago(match, g, published, unresolved) -> DateMention:
    unit = g["agounit"].lower().rstrip("s")
    count_word = " ".join(g["count"].lower().split())
    if published is None:
        return _mention(match, None, unit, unresolved)
    if count_word in _VAGUE:  # "several days ago": an interval, not a made-up exact day
        low, high = _VAGUE[count_word]
        early = published - relativedelta(**{unit + "s": high})
        late = published - relativedelta(**{unit + "s": low})
        return _mention(match, f"{early.isoformat()}/{late.isoformat()}", "interval",
                        f"between {low} and {high} {unit}s before publication")
    count = int(count_word) if count_word.isdigit() else _NUMBERS.get(count_word, 1)
    day = published - relativedelta(**{unit + "s": count})
    if unit == "year":
        return _mention(match, f"{day.year:04d}", "year")
    if unit == "month":
        return _mention(match, f"{day.year:04d}-{day.month:02d}", "month")
    if unit == "week":
        return _mention(match, _iso_week(day), "week")
    return _mention(match, day.isoformat(), "day")


# The words every date expression contains; the full pattern is only tried around them.
_CORE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight|days?|weeks?|months?|years?|ago|"
    r"(?:1[89]|20)\d\d)\b")
_WORD_START = re.compile(r"\b\w")
LOOKBACK = 32  # room for "a couple of", "early", "since", "the beginning of" before the core word


def find_dates(text: str, *, published: dt.date | str | None = None) -> list[DateMention]:
    """Return the date expressions in text with offsets and ISO values (None when unresolvable)."""
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    mentions = []
    covered = 0
    for core in _CORE.finditer(text):
        if core.start() < covered:
            continue
        window = max(covered, core.start() - LOOKBACK)
        starts = [m.start() for m in _WORD_START.finditer(text, window, core.start())] + [core.start()]
        for start in starts:  # the earliest start whose match reaches the core word wins
            match = _PATTERN.match(text, start)
            if match is None or match.end() <= core.start() or not _properly_cased(match):
                continue
            covered = match.end()
            mention = _resolve(match, text, published)
            if mention is not None:
                mentions.append(_trim_preposition(mention, match))
            break
    return mentions


_CASED_GROUPS = ("month", "dmonth", "mmonth", "omonth", "weekday", "weekday_md")


def _properly_cased(match: re.Match) -> bool:
    """Month and day names are capitalised in English; "may" and "march" in lower case are verbs."""
    return all(not match.group(name) or match.group(name)[0].isupper() for name in _CASED_GROUPS)


def _trim_preposition(mention: DateMention, match: re.Match) -> DateMention:
    """Drop a leading "the" or "of" that only served to recognise a bare year or month."""
    for group, prep_group in (("oyear", "yprep"), ("omonth", "inmonth_prep")):
        if match.group(group) and match.group(prep_group).lower() in {"the", "of", "this", "last"}:
            start = match.start(group)
            return DateMention(text=match.group(group), start=start, end=match.end(group), value=mention.value,
                               precision=mention.precision, resolved=mention.resolved, note=mention.note)
    return mention
