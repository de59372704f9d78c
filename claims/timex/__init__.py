"""Time expressions (TimeML TIMEX3): dates, times, durations and sets, resolved against the publication date.

lexicon.py holds the words, grammar.py the regex grammar, anchor.py the calendar and tense arithmetic,
calendar_dates.py, days.py, periods.py and spans.py what each kind of expression means (collected in rules.py,
sharing context.py), finder.py the scan over a text.
"""

from .finder import find_dates

__all__ = ["find_dates"]
