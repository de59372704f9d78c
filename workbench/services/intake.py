"""Taking in an article as a person or an integration submits it: pasted text, HTML, or only a URL to fetch."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from ..errors import InputError
from ..models import User
from .evidence_fetch import fetch_policy
from .html_import import text_from_html
from .importing import fetch_article
from .ingest import IngestResult, check_article_text, ingest_article, looks_like_html, parse_published


def ingest_submission(
    *,
    session: Session,
    config,
    actor: User | None,
    text: str | None,
    url: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    section: str | None = None,
    published: str | dt.date | None = None,
    filename: str | None = None,
) -> IngestResult:
    """Ingest submitted text (plain or HTML) or, given only a URL, the page fetched now with the safe fetcher."""
    published = parse_published(published)
    url = (url or "").strip()
    if not (text or "").strip() and url:
        text, meta = fetch_article(url, policy=fetch_policy(config))
    else:
        if not (text or "").strip():
            raise InputError("Nothing to ingest: send the article text or a URL.")
        text = check_article_text(text or "", max_bytes=config["MAX_ARTICLE_BYTES"])
        meta = {}
        if looks_like_html(text, filename):
            text, meta = text_from_html(text)
    return ingest_article(
        session=session,
        text=text,
        actor=actor,
        published=published or meta.get("published"),
        title=title or meta.get("title"),
        outlet=outlet or meta.get("outlet"),
        url=meta.get("final_url") or url or None,
        section=section or None,
        source_snapshot=meta.get("snapshot"),
        source_sha256=meta.get("snapshot_sha256"),
    )
