"""Editing an article's metadata; a new publication date re-resolves the relative dates of its claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

import claims as claims_lib

from ..audit import EventSpec, record_event, record_events
from ..errors import InputError
from ..models import Article, Claim, User, saved_id
from ..urls import optional_url
from .claim_writes import claim_state, write_claim


@dataclass(frozen=True)
class DateChange:
    """One claim whose dates a new publication date changed: what each date said before and after."""

    claim_id: int
    claim_text: str
    changes: list[tuple[str, str | None, str | None]]  # (words, value before, value after)


def _meta(article: Article) -> dict:
    return {
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
    }


def _clean(value: str | None, limit: int, label: str) -> str | None:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise InputError(f"{label} is limited to {limit:,} characters.")
    return value or None


def edit_article(
    *,
    session: Session,
    article: Article,
    title: str,
    outlet: str,
    url: str,
    published: dt.date | None,
    actor: User | None,
) -> list[DateChange]:
    """Change an article's title, outlet, URL and publication date (audited); return the claims whose dates moved."""
    cleaned_title = _clean(title, 500, "A title")
    if not cleaned_title:
        raise InputError("An article needs a title.")
    address = optional_url(url, label="The article's address")
    before = _meta(article)
    article.title, article.outlet, article.url = cleaned_title, _clean(outlet, 300, "An outlet's name"), address
    redate = published != article.published
    article.published = published
    if before == _meta(article):
        raise InputError("Nothing changed: the article's details are the same as before.")
    session.add(article)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        entity_type="article",
        entity_id=saved_id(article),
        action="edit",
        before=before,
        after=_meta(article),
    )
    changes = _redate_claims(session=session, article=article, actor=actor) if redate else []
    session.commit()
    return changes


def _redate_claims(*, session: Session, article: Article, actor: User | None) -> list[DateChange]:
    """Resolve every claim's dates again against the article's publication date, through the versioned update."""
    found = {(d.start, d.end): d.value for d in claims_lib.find_dates(article.text, published=article.published)}
    changes: list[DateChange] = []
    events: list[EventSpec] = []
    for claim in session.exec(
        select(Claim).where(col(Claim.article_id) == article.id).order_by(col(Claim.start))
    ).all():
        dates, moved = [], []
        for date in claim.dates:
            key = (date.get("start"), date.get("end"))
            # A date the library finds at the same words takes its new value; a date added by hand stays as it is.
            value = found[key] if key in found else date.get("value")
            if value != date.get("value"):
                moved.append((date.get("text"), date.get("value"), value))
            dates.append({**date, "value": value})
        if moved:
            before = claim_state(claim)
            write_claim(session=session, claim=claim, values={"dates": dates}, actor=actor)
            events.append(
                (
                    "claim",
                    saved_id(claim),
                    "redate",
                    {"before": before, "after": claim_state(claim), "dates": [list(change) for change in moved]},
                )
            )
            changes.append(DateChange(saved_id(claim), claim.text, moved))
    if events:
        record_events(
            session=session,
            actor=actor,
            events=events,
            reason=f"Publication date set to {article.published or 'unknown'}",
        )
    return changes
