"""Import other fact-checkers' reviews (schema.org ClaimReview JSON-LD) so that claims can be matched against them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ..audit import record_event
from ..errors import InputError
from ..models import User, saved_id
from ..models_matching import FactCheck
from ..urls import validate_url

MAX_CLAIM_CHARS = 10_000


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: how many reviews were read, added, and skipped as already known (same URL)."""

    read: int
    added: int
    duplicates: int


def parse_claimreview_text(text: str) -> list[dict]:
    """Read one JSON-LD object, a list, a {"@graph": [...]} document or JSON Lines; return the ClaimReview items."""
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise InputError("The file is empty.")
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError as whole_error:
        documents = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as error:
                if number == 1:
                    raise InputError(
                        f"The file is neither JSON nor JSON Lines ({whole_error.msg} at line {whole_error.lineno})."
                    ) from None
                raise InputError(f"Line {number} is not valid JSON ({error.msg}).") from None
    items: list[dict] = []
    for document in documents:
        if isinstance(document, dict) and isinstance(document.get("@graph"), list):
            document = document["@graph"]
        items.extend(document if isinstance(document, list) else [document])
    return items


def _text(value, default: str = "") -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    return value.strip() if isinstance(value, str) else default


def _is_claimreview(item: dict) -> bool:
    kind = item.get("@type")
    return kind == "ClaimReview" or (isinstance(kind, list) and "ClaimReview" in kind)


def review_from_item(item, position: int) -> FactCheck:
    """Check one ClaimReview item and turn it into a row; the error names the item by position and URL."""
    where = f"Item {position}"
    if not isinstance(item, dict):
        raise InputError(f"{where} is not a JSON object.")
    if item.get("url"):
        where += f" ({str(item['url'])[:80]})"
    if not _is_claimreview(item):
        raise InputError(f"{where} is not a ClaimReview (its @type is {item.get('@type')!r}).")
    claim = _text(item.get("claimReviewed"))
    if not claim:
        raise InputError(f"{where} has no claimReviewed text.")
    if len(claim) > MAX_CLAIM_CHARS or "\x00" in claim:
        raise InputError(f"{where}: claimReviewed is longer than {MAX_CLAIM_CHARS:,} characters or holds NUL bytes.")
    try:
        url = validate_url(item.get("url") if isinstance(item.get("url"), str) else None, label=f"{where}: the url")
    except InputError as error:
        raise InputError(str(error)) from None
    rating = item.get("reviewRating") or {}
    if not isinstance(rating, dict):
        raise InputError(f"{where}: reviewRating must be an object.")
    value = rating.get("ratingValue")
    try:
        value = float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise InputError(f"{where}: ratingValue {value!r} is not a number.") from None
    published = item.get("datePublished")
    date = None
    if published:
        try:
            date = dt.date.fromisoformat(str(published)[:10])
        except ValueError:
            raise InputError(f"{where}: datePublished {published!r} is not a YYYY-MM-DD date.") from None
    return FactCheck(
        url=url,
        claim_reviewed=claim,
        title=_text(item.get("name") or item.get("headline"))[:500],
        rating=_text(rating.get("alternateName") or rating.get("name"))[:200],
        rating_value=value,
        publisher=_text(item.get("author") or item.get("publisher"))[:300],
        date_published=date,
    )


def import_claimreviews(*, session: Session, items: list, actor: User | None) -> ImportSummary:
    """Store the reviews not yet known (by URL) in one transaction; any bad item stops the import, nothing stored."""
    reviews: dict[str, FactCheck] = {}
    for position, item in enumerate(items, 1):
        review = review_from_item(item, position)
        reviews.setdefault(review.url, review)
    urls = list(reviews)
    known: set[str] = set()
    for start in range(0, len(urls), 500):
        known.update(session.exec(select(FactCheck.url).where(col(FactCheck.url).in_(urls[start : start + 500]))).all())
    new = [r for url, r in reviews.items() if url not in known]
    try:
        session.add_all(new)
        session.flush()
        if new:
            record_event(
                session=session,
                actor=actor,
                entity_type="fact_check",
                entity_id=saved_id(new[0]),
                action="import",
                after={"added": len(new), "first_id": new[0].id, "last_id": new[-1].id},
            )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ImportSummary(read=len(items), added=len(new), duplicates=len(items) - len(new))
