"""What `workbench extract` prints: the article and its claims as JSON or a readable table."""

from __future__ import annotations

import datetime as dt
import textwrap

import claims as claims_lib

from .errors import InputError
from .services.importing import read_article_file

MAX_EXTRACT_BYTES = 50 * 1024 * 1024


def extract_file(path: str, *, published: str | None) -> dict:
    """Extract claims from a file and return {"article": …, "claims": […]}."""
    text, meta = read_article_file(path, max_bytes=MAX_EXTRACT_BYTES)
    published_date: dt.date | None
    if published:
        try:
            published_date = dt.date.fromisoformat(published)
        except ValueError:
            raise InputError(f"“{published}” is not a date; use YYYY-MM-DD.") from None
    else:
        published_date = meta.get("published")  # read_article_file gives a date or None
    title = meta.get("title") or claims_lib.guess_title(text)
    found = claims_lib.extract(text, published=published_date, title=title, outlet=meta.get("outlet"))
    article = {
        "title": title,
        "outlet": meta.get("outlet"),
        "author": meta.get("author"),
        "published": published_date.isoformat() if published_date else None,
        "text": text,
    }
    return {"article": article, "claims": [claim.to_dict() for claim in found]}


def format_table(payload: dict) -> str:
    """Render extracted claims as a plain-text table for reading in a terminal."""
    lines = []
    article = payload["article"]
    lines.append(f"{article['title'] or '(untitled)'} — published {article['published'] or 'unknown'}")
    lines.append(f"{len(payload['claims'])} claims")
    lines.append("")
    for number, claim in enumerate(payload["claims"], 1):
        dates = ", ".join(f"{d['text']}={d['value'] or '?'}" for d in claim["dates"])
        who = claim["source"] or "(article)"
        if claim["speaker"]:
            who += f" / {claim['speaker']}"
        lines.append(
            f"{number:3}. [{claim['checkworthiness']:.2f} {claim['kind']}] {claim['start']}–{claim['end']}  {who}"
        )
        lines.extend(textwrap.wrap(claim["text"], width=96, initial_indent="     ", subsequent_indent="     "))
        if dates:
            lines.append(f"     dates: {dates}")
    return "\n".join(lines)
