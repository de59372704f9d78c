"""What each kind of time expression means: the resolver of each grammar branch, match -> DateMention(s).

A resolver takes the match of its branch and the document's Context and returns a mention, a list of
mentions (a year range), or None when the words turn out not to be a time expression.
"""

from __future__ import annotations

from . import calendar_dates, days, periods, spans
from .context import Context, Resolver

RESOLVERS: dict[str, Resolver] = {
    name[2:]: function
    for module in (calendar_dates, days, periods, spans)
    for name, function in vars(module).items()
    if name.startswith("r_")
}

__all__ = ["RESOLVERS", "Context"]
