"""The claims library: article text in, anchored, attributed and dated claims out.

Pure Python: nothing here knows about Flask, databases or HTTP.
"""

from .clean import guess_title
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
    "guess_title",
    "split_sentences",
]
