"""Web pages in: the article's text and metadata, without navigation, asides, footers or captions."""

from __future__ import annotations

import datetime as dt
import re

from .model import ArticleMeta, Claim
from .pipeline import extract

_TAG = re.compile(r"<[^>]+>")


def extract_html_meta(html: str, *, url: str | None = None) -> ArticleMeta:
    """Reduce a web page to its article text, title, outlet, author and publication date."""
    import trafilatura  # imported here: it is slow to load and only web pages need it

    body = (
        trafilatura.extract(
            html,
            url=url,
            output_format="txt",
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_formatting=False,
            include_links=False,
            deduplicate=False,
        )
        or ""
    )
    # One paragraph a line in, one paragraph a blank-line-separated block out, as in pasted text.
    text = "\n\n".join(line.strip() for line in body.splitlines() if line.strip())
    metadata = trafilatura.extract_metadata(html, default_url=url)
    if metadata is None:
        return ArticleMeta(text=text, url=url)
    return ArticleMeta(
        text=text,
        title=_clean(metadata.title),
        outlet=_clean(metadata.sitename),
        author=_clean(metadata.author),
        published=_iso_date(metadata.date),
        url=url or metadata.url,
        language=metadata.language,
    )


def extract_html(
    html: str, *, url: str | None = None, published: dt.date | None = None
) -> tuple[ArticleMeta, list[Claim]]:
    """Return a page's metadata and the claims of its article text (offsets into meta.text)."""
    meta = extract_html_meta(html, url=url)
    when = published or (dt.date.fromisoformat(meta.published) if meta.published else None)
    if published is not None:
        meta.published = published.isoformat() if isinstance(published, dt.date) else str(published)
    return meta, extract(meta.text, published=when, title=meta.title, outlet=meta.outlet)


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(_TAG.sub(" ", value).split())
    return value or None


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None
