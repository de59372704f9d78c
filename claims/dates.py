"""Find date and time expressions and resolve them against the publication date (see claims/timex/)."""

from __future__ import annotations

from .timex import find_dates

__all__ = ["find_dates"]
