"""Quarters, halves and seasons, and "a year earlier" said of the quarter last spoken of."""

from __future__ import annotations

import re

from . import anchor
from .context import Context, Found, Match, lower, make, normalised, preceding, unresolved
from .lexicon import ORDINALS, SEASONS


def _remember(ctx: Context, year: int, quarter: int) -> str:
    ctx.quarter = (year, quarter)
    return f"{year:04d}-Q{quarter}"


def r_quarter(m: Match, ctx: Context) -> Found:
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


def r_quarterref(m: Match, ctx: Context) -> Found:
    """the quarter, the latest quarter, the year-earlier quarter, the 1988 period."""
    modifier = normalised(lower(m, "quarterref_mod")).replace("-", " ")
    period = m.group("quarterref_unit").lower() == "period"
    back = (
        bool(m.group("quarterref_back"))
        or modifier in {"year earlier", "year ago"}
        or lower(m, "quarterref_rel") == "last"
    )
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


def r_yearearlier(m: Match, ctx: Context) -> Found:
    """year-earlier (figures), year-ago: the quarter spoken of, or the year, one year before."""
    if ctx.quarter:
        return make(m, f"{ctx.quarter[0] - 1:04d}-Q{ctx.quarter[1]}", "quarter")
    if ctx.published is None:
        return unresolved(m, "year")
    return make(m, f"{ctx.published.year - 1:04d}", "year")


def r_half(m: Match, ctx: Context) -> Found:
    """the first half of 1989, the second half, the first two quarters."""
    half = 2 if lower(m, "half_ord") in {"second", "last", "latter", "2nd"} else 1
    year = m.group("half_year") or m.group("half_year2")
    if not year:
        if ctx.published is None:
            return unresolved(m, "half")
        step = {"last": -1, "next": 1}.get(lower(m, "half_rel"), 0)
        year = ctx.published.year + step
    return make(m, f"{int(year):04d}-H{half}", "half")


def r_season(m: Match, ctx: Context) -> Found:
    """last summer, this fall, the winter of 2021, early spring."""
    season = SEASONS[m.group("season_name").lower()]
    year = m.group("season_year1") or m.group("season_year2")
    modifier = lower(m, "season_mod")
    if not (year or modifier):
        before = preceding(m, m.start("season_name"))
        if not m.group("season_the") and before not in {
            "in",
            "during",
            "since",
            "until",
            "by",
            "through",
            "over",
            "this",
            "next",
            "last",
            "early",
            "late",
            "mid",
        }:
            return None  # "spring" and "fall" are also verbs and nouns
        if re.match(r"\s+of\s+(?!\d|nineteen|eighteen|two\s+thousand)", m.string[m.end() :], re.IGNORECASE):
            return None  # "the fall of the wall"
    if year:
        return make(m, f"{int(year):04d}-{season}", "season")
    if ctx.published is None:
        return unresolved(m, "season")
    direction = 0 if modifier else ctx.direction(m, preceding(m))
    return make(m, f"{anchor.season_year(ctx.published, season, direction, modifier):04d}-{season}", "season")
