"""Matching a claim against earlier verdicts and published fact-checks ("checked before?")."""

from .engine import Match, Matcher
from .normalise import Analysis, analyse

__all__ = ["Analysis", "Match", "Matcher", "analyse"]
