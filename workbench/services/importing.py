"""Ingesting articles from files on disk (the command line's way in)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from ..errors import InputError
from ..fetching import FetchPolicy, FetchRefused, fetch
from .html_import import text_from_html
from .ingest import IngestResult, decode_article_bytes, ingest_article, looks_like_html


def fetch_article(url: str, *, policy: FetchPolicy) -> tuple[str, dict]:
    """Fetch a web page with the safe fetcher and reduce it to article text; the page is kept as a snapshot."""
    try:
        result = fetch(url, policy=policy)
    except FetchRefused as refused:
        raise InputError(f"Could not fetch {url[:200]}: {refused}") from None
    if result.status >= 400:
        raise InputError(f"Could not fetch {url[:200]}: the server answered HTTP {result.status}.")
    if result.content_type not in {"text/html", "application/xhtml+xml", "text/plain"}:
        raise InputError(f"{url[:200]} is {result.content_type}, not a web page or text; save the text and paste it.")
    page = decode_article_bytes(result.body, max_bytes=policy.max_bytes, name=url[:200])
    text, meta = text_from_html(page, url=result.final_url) if result.content_type != "text/plain" else (page, {})
    meta.update(snapshot=page, snapshot_sha256=result.sha256, final_url=result.final_url)
    return text, meta


def read_article_file(path: str, *, max_bytes: int, policy: FetchPolicy | None = None) -> tuple[str, dict]:
    """Read a .txt or .html file (or, given a fetch policy, a URL) into article text and its metadata."""
    if "://" in path:
        if policy is None:
            raise InputError(f"{path} is a URL; give a file here.")
        return fetch_article(path, policy=policy)
    file = Path(path)
    if not file.is_file():
        raise InputError(f"There is no file at {path}.")
    if file.stat().st_size > max_bytes:
        raise InputError(
            f"{path} is larger than the {max_bytes / 1_048_576:g} MB limit; "
            "split the document or ingest only the article text."
        )
    text = decode_article_bytes(file.read_bytes(), max_bytes=max_bytes, name=path)
    if looks_like_html(text, file.name):
        return text_from_html(text)
    return text, {}


def import_file(
    *,
    session: Session,
    path: str,
    published: dt.date | None,
    max_bytes: int,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    policy: FetchPolicy | None = None,
) -> IngestResult:
    """Ingest one file or URL; metadata given on the command line wins over what the page says."""
    text, meta = read_article_file(path, max_bytes=max_bytes, policy=policy)
    return ingest_article(
        session=session,
        text=text,
        actor=None,
        published=published or meta.get("published"),
        title=title or meta.get("title"),
        outlet=outlet or meta.get("outlet"),
        url=url or meta.get("final_url"),
        source_snapshot=meta.get("snapshot"),
        source_sha256=meta.get("snapshot_sha256"),
    )
