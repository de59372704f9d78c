"""Reducing a web page to its article text and metadata (through the claims library)."""

from __future__ import annotations

import datetime as dt

import claims as claims_lib

from ..errors import InputError


def text_from_html(html: str, *, url: str | None = None) -> tuple[str, dict]:
    """Return the article text of a page and its metadata; InputError when the page has no article."""
    meta = claims_lib.extract_html_meta(html, url=url)
    if not meta.text.strip():
        raise InputError("No article text was found in that web page; paste the article text instead.")
    published = None
    if meta.published:
        try:
            published = dt.date.fromisoformat(meta.published[:10])
        except ValueError:
            published = None
    return meta.text, {"title": meta.title, "outlet": meta.outlet, "published": published, "author": meta.author}
