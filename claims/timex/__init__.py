"""Time expressions (TimeML TIMEX3): dates, times, durations and sets, resolved against the publication date.

lexicon.py holds the words, grammar.py the regex grammar, anchor.py the calendar and tense arithmetic,
rules.py what each kind of expression means, finder.py the scan over a text.
"""

from .finder import find_dates

__all__ = ["find_dates"]
