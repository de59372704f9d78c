"""Ingesting articles from files on disk (the command line's way in)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from ..errors import InputError
from .html_import import text_from_html
from .ingest import IngestResult, decode_article_bytes, ingest_article, looks_like_html


def read_article_file(path: str, *, max_bytes: int) -> tuple[str, dict]:
    """Read a .txt or .html file into article text and whatever metadata the file itself carries."""
    if "://" in path:
        raise InputError(f"{path} is a URL; fetching articles from the web is not built yet. "
                         "Save the page and ingest the .html file.")
    file = Path(path)
    if not file.is_file():
        raise InputError(f"There is no file at {path}.")
    if file.stat().st_size > max_bytes:
        raise InputError(f"{path} is larger than the {max_bytes / 1_048_576:g} MB limit; "
                         "split the document or ingest only the article text.")
    text = decode_article_bytes(file.read_bytes(), max_bytes=max_bytes, name=path)
    if looks_like_html(text, file.name):
        return text_from_html(text)
    return text, {}


def import_file(*, session: Session, path: str, published: dt.date | None, max_bytes: int,
                title: str | None = None, outlet: str | None = None, url: str | None = None) -> IngestResult:
    """Ingest one file; metadata given on the command line wins over what the page says."""
    text, meta = read_article_file(path, max_bytes=max_bytes)
    return ingest_article(session=session, text=text, actor=None, published=published or meta.get("published"),
                          title=title or meta.get("title"), outlet=outlet or meta.get("outlet"), url=url)
