"""The claims library: article text in, anchored, attributed and dated claims out.

Pure Python: nothing here knows about Flask, databases or HTTP.
"""

from .attribution import find_attributions
from .clean import guess_title
from .dates import find_dates
from .html import extract_html, extract_html_meta
from .model import ArticleMeta, Attribution, Claim, DateMention, Span
from .pipeline import extract
from .segment import split_sentences
from .sources import SourceRegistry, default_registry

__all__ = [
    "ArticleMeta",
    "Attribution",
    "Claim",
    "DateMention",
    "SourceRegistry",
    "Span",
    "default_registry",
    "extract",
    "extract_html",
    "extract_html_meta",
    "find_attributions",
    "find_dates",
    "guess_title",
    "split_sentences",
]
