"""Turning an uploaded or pasted article into an Article and its Claims, in one transaction."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlmodel import Session, select

import claims as claims_lib

from ..audit import record_events
from ..errors import InputError
from ..models import Article, Claim, Source, SourceKind, User, utcnow
from ..urls import optional_url
from .sources import source_registry

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
        raise InputError(f"“{value[:40]}” is not a date; give the publication date as YYYY-MM-DD, e.g. 2024-07-09.") from None


def decode_article_bytes(data: bytes, *, max_bytes: int, name: str = "The file") -> str:
    """Decode an uploaded article to text, refusing empty, oversized, binary and non-UTF-8 input."""
    size = len(data)
    if size > max_bytes:
        raise InputError(f"{name} is larger than the {max_bytes / 1_048_576:g} MB limit; "
                         "split the document or ingest only the article text.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        raise InputError(f"{name} is empty; paste the article text or choose a .txt or .html file that has it.")
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) // 20:
        raise InputError(f"{name} looks like binary data (a PDF, image or archive?), not text; "
                         "give a plain-text (.txt) or web-page (.html) file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{name} is not UTF-8 text (undecodable byte at position {error.start}); "
                         "save it as UTF-8 and try again.") from None


def check_article_text(text: str, *, max_bytes: int) -> str:
    """Validate pasted text the same way as a file: not empty, not too large, no binary."""
    return decode_article_bytes((text or "").encode("utf-8", "surrogatepass"), max_bytes=max_bytes, name="The text")


def looks_like_html(text: str, filename: str | None = None) -> bool:
    """Tell whether input is a web page rather than plain text."""
    if filename and filename.lower().endswith(HTML_SUFFIXES):
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def content_hash(text: str) -> str:
    """Return the SHA-256 that identifies an article's exact text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _source_id(session: Session, cache: dict[str, int], name: str, kind: str | None, new_ids: list[int]) -> int:
    if name not in cache:
        source = session.exec(select(Source).where(Source.name == name)).first()
        if source is None:
            kind_value = kind if kind in SourceKind.__members__ else SourceKind.other
            source = Source(name=name, kind=SourceKind(kind_value))
            session.add(source)
            session.flush()
            new_ids.append(source.id)
        cache[name] = source.id
    return cache[name]


def ingest_article(
    *, session: Session, text: str, actor: User | None, published: dt.date | None = None,
    title: str | None = None, outlet: str | None = None, url: str | None = None,
    section: str | None = None, language: str = "en", source_snapshot: str | None = None,
    source_sha256: str | None = None,
) -> IngestResult:
    """Store an article and its extracted claims in one transaction; a duplicate text is not stored again."""
    url = optional_url(url, label="The article's address")
    digest = content_hash(text)
    existing = session.exec(select(Article).where(Article.content_hash == digest)).first()
    if existing is not None:
        count = len(session.exec(select(Claim.id).where(Claim.article_id == existing.id)).all())
        return IngestResult(existing, count, duplicate=True)

    registry = source_registry(session=session)
    title = (title or "").strip() or claims_lib.guess_title(text) or _first_words(text)
    extracted = claims_lib.extract(text, published=published, title=title, outlet=outlet, registry=registry)
    try:
        article = Article(title=title[:500], outlet=outlet or None, url=url or None, published=published,
                          section=section or None, language=language, text=text, content_hash=digest,
                          ingested_by_id=actor.id if actor else None, source_snapshot=source_snapshot,
                          source_sha256=source_sha256, source_fetched_at=utcnow() if source_snapshot else None)
        session.add(article)
        session.flush()
        cache: dict[str, int] = {}
        new_sources: list[int] = []
        rows = []
        for found in extracted:
            source_id = _source_id(session, cache, found.source, found.source_kind, new_sources) if found.source else None
            rows.append(Claim(
                article_id=article.id, text=found.text, quote=found.quote, start=found.start, end=found.end,
                sentence_start=found.sentence_start, sentence_end=found.sentence_end, source_id=source_id,
                speaker=found.speaker, attribution=found.attribution, kind=found.kind,
                checkworthiness=round(found.checkworthiness, 4),
                dates=[{"text": d.text, "start": d.start, "end": d.end, "value": d.value} for d in found.dates],
            ))
        session.add_all(rows)
        session.flush()
        events = [("article", article.id, "ingest", {"title": article.title, "content_hash": digest,
                                                     "published": str(published or ""), "claims": len(rows),
                                                     "url": url or "", "source_sha256": source_sha256 or ""})]
        events += [("source", source_id, "create", {"name": name}) for name, source_id in cache.items()
                   if source_id in new_sources]
        events += [("claim", row.id, "create", {"article_id": article.id, "start": row.start, "end": row.end,
                                                 "text": row.text, "source_id": row.source_id}) for row in rows]
        record_events(session=session, actor=actor, events=events)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return IngestResult(article, len(rows), duplicate=False)


def _first_words(text: str, limit: int = 80) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[:limit].rsplit(" ", 1)[0] + "…"
