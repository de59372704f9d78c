"""Turning an uploaded or pasted article into an Article and its Claims, in one transaction."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

import claims as claims_lib

from ..audit import EventSpec, lock_chain, record_events
from ..errors import InputError
from ..models import Article, Claim, Source, SourceKind, Status, User, ids_of, saved_id, table_of, utcnow
from ..urls import optional_url
from .desk_groups import find_leads
from .matching import propose_matches, search_new_claims
from .sources import source_registry
from .webhooks import article_event_data, emit

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: the article (new or the one already stored) and its claim count."""

    article: Article
    claims: int
    duplicate: bool


def parse_published(value: str | dt.date | None) -> dt.date | None:
    """Read a publication date given as YYYY-MM-DD; raise InputError when it is not one."""
    if value is None or isinstance(value, dt.date):
        return value
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"“{value[:40]}” is not a date; give the publication date as YYYY-MM-DD, e.g. 2024-07-09."
        ) from None


def decode_article_bytes(data: bytes, *, max_bytes: int, name: str = "The file") -> str:
    """Decode an uploaded article to text, refusing empty, oversized, binary and non-UTF-8 input."""
    size = len(data)
    if size > max_bytes:
        raise InputError(
            f"{name} is larger than the {max_bytes / 1_048_576:g} MB limit; "
            "split the document or ingest only the article text."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        raise InputError(f"{name} is empty; paste the article text or choose a .txt or .html file that has it.")
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) // 20:
        raise InputError(
            f"{name} looks like binary data (a PDF, image or archive?), not text; "
            "give a plain-text (.txt) or web-page (.html) file."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not UTF-8 text (undecodable byte at position {error.start}); save it as UTF-8 and try again."
        ) from None


def check_article_text(text: str, *, max_bytes: int) -> str:
    """Validate pasted text the same way as a file: not empty, not too large, no binary."""
    return decode_article_bytes((text or "").encode("utf-8", "surrogatepass"), max_bytes=max_bytes, name="The text")


def looks_like_html(text: str, filename: str | None = None) -> bool:
    """Tell whether input is a web page rather than plain text."""
    if filename and filename.lower().endswith(HTML_SUFFIXES):
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def normalise_line_ends(text: str) -> str:
    """Turn \r\n and lone \r into \n, as browsers count them, so that selections land on the stored offsets."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """Return the SHA-256 that identifies an article's exact text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def ingest_article(
    *,
    session: Session,
    text: str,
    actor: User | None,
    published: dt.date | None = None,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    section: str | None = None,
    language: str = "en",
    source_snapshot: str | None = None,
    source_sha256: str | None = None,
) -> IngestResult:
    """Store an article and its extracted claims in one transaction; a duplicate text is not stored again."""
    text = normalise_line_ends(text)
    url = optional_url(url, label="The article's address")
    digest = content_hash(text)
    existing = session.exec(select(Article).where(Article.content_hash == digest)).first()
    if existing is not None:
        count = len(session.exec(select(Claim.id).where(Claim.article_id == existing.id)).all())
        return IngestResult(existing, count, duplicate=True)

    registry = source_registry(session=session)
    title = (title or "").strip() or claims_lib.guess_title(text) or _first_words(text)
    extracted = claims_lib.extract(text, published=published, title=title, outlet=outlet, registry=registry)
    # Everything that only reads or computes happens before the first write: SQLite takes its write lock at the
    # first INSERT and holds it to the commit, so under the lock run only the inserts (bulk, not row by row).
    kinds = {found.source: found.source_kind or SourceKind.other for found in extracted if found.source}
    source_ids = (
        dict(session.exec(select(Source.name, Source.id).where(col(Source.name).in_(list(kinds)))).all())
        if kinds
        else {}
    )
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "text": found.text,
            "quote": found.quote,
            "start": found.start,
            "end": found.end,
            "sentence_start": found.sentence_start,
            "sentence_end": found.sentence_end,
            "speaker": found.speaker,
            "speaker_affiliation": found.speaker_affiliation,
            "attribution": found.attribution,
            "kind": found.kind,
            "checkworthiness": round(found.checkworthiness, 4),
            "dates": [
                {"text": d.text, "start": d.start, "end": d.end, "value": d.value, "type": d.type} for d in found.dates
            ],
            "status": Status.unverified,
            "rationale": "",
            "version": 1,
            "assignee_id": None,
            "approved_by_id": None,
            "created_at": now,
            "updated_at": now,
            "source_name": found.source,
        }
        for found in extracted
    ]
    # Duplicates inside the desk (issue 12): a claim that surely says what an open claim of another article says
    # joins that claim's group; found before the inserts, so the new article's own claims cannot match.
    # Both indexes are searched once, here, for the proposals stored after the inserts as well.
    texts = [row["text"] for row in rows]
    found = search_new_claims(session=session, texts=texts) if rows else None
    leads = find_leads(session=session, texts=texts, found=found.desk if found else None)
    for row, lead in zip(rows, leads):
        row["lead_id"] = lead[0] if lead else None
    try:
        # The chain's lock before the first row lock, as in every claim write: the inserts change the kept counts'
        # rows (migration 0017c) that a concurrent status change also updates, so the order must be the same.
        lock_chain(session=session)
        article = Article(
            title=title[:500],
            outlet=outlet or None,
            url=url or None,
            published=published,
            section=section or None,
            language=language,
            text=text,
            content_hash=digest,
            ingested_by_id=actor.id if actor else None,
            source_snapshot=source_snapshot,
            source_sha256=source_sha256,
            source_fetched_at=utcnow() if source_snapshot else None,
        )
        session.add(article)
        new_sources = [
            Source(name=name, kind=SourceKind(kind if kind in SourceKind.__members__ else SourceKind.other))
            for name, kind in kinds.items()
            if name not in source_ids
        ]
        session.add_all(new_sources)
        session.flush()
        source_ids.update({source.name: saved_id(source) for source in new_sources})
        for row in rows:
            row["article_id"], row["source_id"] = article.id, source_ids.get(row.pop("source_name"))
        claim_ids = _insert_claims(session, rows) if rows else []
        propose_matches(  # issue 12
            session=session, claims=list(zip(claim_ids, texts)), found=found.checked if found else None
        )
        events: list[EventSpec] = [
            (
                "article",
                saved_id(article),
                "ingest",
                {
                    "title": article.title,
                    "content_hash": digest,
                    "published": str(published or ""),
                    "claims": len(rows),
                    "url": url or "",
                    "source_sha256": source_sha256 or "",
                },
            )
        ]
        events += [("source", saved_id(source), "create", {"name": source.name}) for source in new_sources]
        events += [
            (
                "claim",
                claim_id,
                "create",
                {
                    "article_id": article.id,
                    "start": row["start"],
                    "end": row["end"],
                    "text": row["text"],
                    "source_id": row["source_id"],
                    # Grouped with the same claim of another article: it follows that claim's verdict.
                    **({"lead_id": lead[0], "strength": lead[1]} if lead else {}),
                },
            )
            for claim_id, row, lead in zip(claim_ids, rows, leads)
        ]
        record_events(session=session, actor=actor, events=events)
        emit(session=session, event_type="article.ingested", data=article_event_data(article, claims=len(rows)))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return IngestResult(article, len(rows), duplicate=False)


def _insert_claims(session: Session, rows: list[dict]) -> list[int]:
    """Insert claim rows in one statement and return their ids in row order."""
    if session.get_bind().dialect.name == "sqlite":
        # RETURNING in row order would cost SQLite one statement per row; under its write lock rowids are
        # handed out in insertion order, so the new article's ids, sorted, are the rows' ids.
        session.execute(table_of(Claim).insert(), rows)
        return ids_of(
            session.exec(
                select(col(Claim.id)).where(col(Claim.article_id) == rows[0]["article_id"]).order_by(col(Claim.id))
            )
        )
    return list(
        session.execute(table_of(Claim).insert().returning(col(Claim.id), sort_by_parameter_order=True), rows).scalars()
    )


def _first_words(text: str, limit: int = 80) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[:limit].rsplit(" ", 1)[0] + "…"
