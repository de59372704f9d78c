"""Exports that stream in constant memory: CSV, JSON, a printable HTML audit report, ClaimReview JSON-LD.

Every export ends with an integrity trailer: the SHA-256 of all the bytes before it and the audit chain's
head when it was made. The digest is also written to the audit chain, so `workbench audit verify --report`
can prove later that a report was neither edited nor made up.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..audit import canonical_json, chain_head, record_event
from ..errors import InputError
from ..models import Article, AuditEvent, Claim, Evidence, Source, Status, User
from ..urls import link_href, validate_url
from .review import (
    EVIDENCE_VERDICTS,
    REVIEW_STATE_LABELS,
    STATUS_LABELS,
    VERDICTS,
    backs_verdict,
    final_at,
    review_state,
)

FORMATS = ("csv", "json", "html", "claimreview")
BATCH = 1000
TRAILER_MARK = {
    "csv": "#integrity,",
    "json": ', "integrity": ',
    "claimreview": ', "integrity": ',
    "html": "<!-- integrity: ",
}
# schema.org ClaimReview: a 1–5 scale, each verdict with its alternateName.
RATINGS = {Status.false: 1, Status.misleading: 2, Status.mostly_accurate: 4, Status.verified: 5}
CSV_COLUMNS = [
    "claim_id",
    "article_id",
    "article_title",
    "article_url",
    "published",
    "claim",
    "quote",
    "start",
    "end",
    "source",
    "speaker",
    "attribution",
    "dates",
    "checkworthiness",
    "kind",
    "status",
    "rationale",
    "approved_by",
    "evidence",
    "updated_at",
    "state",
    "final_at",
    "verdict_by",
    "sent_back_comment",
    "dismissed_reason",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportScope:
    """Which claims an export covers: one article, one source, or articles published since a date."""

    article_id: int | None = None
    source: str | None = None
    since: dt.date | None = None

    def describe(self) -> str:
        """Say the scope in words, for the report's heading."""
        if self.article_id is not None:
            return f"article #{self.article_id}"
        if self.source:
            return f"source “{self.source}”"
        if self.since:
            return f"articles published since {self.since.isoformat()}"
        return "all claims"

    def slug(self) -> str:
        """A short name for the export's file."""
        if self.article_id is not None:
            return f"article-{self.article_id}"
        if self.source:
            return "source-" + "".join(c if c.isalnum() else "-" for c in self.source.lower()).strip("-")[:40]
        return f"since-{self.since.isoformat()}" if self.since else "all"


@dataclass
class ClaimRecord:
    """One claim with what an export shows of it."""

    claim: Claim
    article: Article
    source: str | None
    approver: str | None
    evidence: list[Evidence]
    history: list[AuditEvent]
    verdict_by: str | None = None
    state: str = "open"  # review_state: open, dismissed, sent_back, awaiting_approval, final
    final_at: dt.datetime | None = None


def safe_cell(value) -> str:
    """Neutralise a CSV cell a spreadsheet would run as a formula (OWASP: prefix it with a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def check_scope(*, session: Session, scope: ExportScope) -> None:
    """Raise InputError when the scope names an article or a source that does not exist."""
    if scope.article_id is not None and session.get(Article, scope.article_id) is None:
        raise InputError(f"There is no article #{scope.article_id}.")
    if scope.source and session.exec(select(Source.id).where(Source.name == scope.source)).first() is None:
        raise InputError(f"There is no source named “{scope.source}”; check the source registry for its exact name.")


def iter_records(
    *, session: Session, scope: ExportScope, with_history: bool = False, require_approval: bool = False
) -> Iterator[ClaimRecord]:
    """Yield the scope's claims in order, fetching evidence and history a batch at a time."""
    approver, author = aliased(User), aliased(User)
    query = (
        # five entities: SQLAlchemy's select (SQLModel's is typed for up to four), run with execute
        sa_select(Claim, Article, col(Source.name), col(approver.name), col(author.name))
        .join(Article, col(Article.id) == col(Claim.article_id))
        .join(Source, col(Source.id) == col(Claim.source_id), isouter=True)
        .join(approver, col(approver.id) == col(Claim.approved_by_id), isouter=True)
        .join(author, col(author.id) == col(Claim.verdict_by_id), isouter=True)
    )
    if scope.article_id is not None:
        query = query.where(col(Claim.article_id) == scope.article_id)
    if scope.source:
        query = query.where(col(Source.name) == scope.source)
    if scope.since:
        query = query.where(col(Article.published) >= scope.since)
    rows = session.execute(
        query.order_by(col(Claim.article_id), col(Claim.start), col(Claim.id)).execution_options(yield_per=BATCH)
    )
    batch: list = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                yield from _complete(session, batch, with_history, require_approval)
                batch = []
        if batch:
            yield from _complete(session, batch, with_history, require_approval)
    finally:
        rows.close()


def _complete(session: Session, batch: list, with_history: bool, require_approval: bool) -> Iterator[ClaimRecord]:
    ids = [claim.id for claim, *_ in batch]
    evidence: dict[int, list[Evidence]] = {}
    for item in session.exec(select(Evidence).where(col(Evidence.claim_id).in_(ids)).order_by(col(Evidence.id))):
        evidence.setdefault(item.claim_id, []).append(item)
    history: dict[int, list[AuditEvent]] = {}
    if with_history:
        for event in session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "claim", col(AuditEvent.entity_id).in_(ids))
            .order_by(col(AuditEvent.seq))
        ):
            history.setdefault(event.entity_id, []).append(event)
    for claim, article, source, approver, author in batch:
        yield ClaimRecord(
            claim,
            article,
            source,
            approver,
            evidence.get(claim.id, []),
            history.get(claim.id, []),
            verdict_by=author,
            state=review_state(claim, require_approval=require_approval),
            final_at=final_at(claim, require_approval=require_approval),
        )
    # Keep memory flat: let go of this batch's objects. Rows come in article order, so only the batch's last
    # article can appear again; the result being streamed still needs the session itself.
    last_article = batch[-1][1]
    for claim, article, *_ in batch:
        if claim in session:
            session.expunge(claim)
        if article is not last_article and article in session:
            session.expunge(article)
    for loaded in [
        *(e for items in evidence.values() for e in items),
        *(e for items in history.values() for e in items),
    ]:
        if loaded in session:
            session.expunge(loaded)


def _claim_data(record: ClaimRecord) -> dict:
    claim, article = record.claim, record.article
    return {
        "claim_id": claim.id,
        "article_id": article.id,
        "article_title": article.title,
        "article_url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "claim": claim.text,
        "quote": claim.quote,
        "start": claim.start,
        "end": claim.end,
        "source": record.source,
        "speaker": claim.speaker,
        "speaker_affiliation": claim.speaker_affiliation,
        "attribution": claim.attribution,
        "dates": [{"text": d.get("text"), "value": d.get("value")} for d in claim.dates],
        "checkworthiness": claim.checkworthiness,
        "kind": claim.kind,
        "status": claim.status.value,
        "rationale": claim.rationale,
        "approved_by": record.approver,
        "evidence": [
            {
                "url": e.url,
                "stance": e.stance,
                "note": e.note,
                "sha256": e.sha256,
                "fetched_at": e.fetched_at.isoformat() if e.fetched_at else None,
                "fetch_state": e.fetch_state,
                "withdrawn": e.withdrawn_at is not None,
            }
            for e in record.evidence
        ],
        "updated_at": claim.updated_at.isoformat(),
        "state": record.state,
        "final_at": record.final_at.isoformat() if record.final_at else None,
        "verdict_by": record.verdict_by,
        "sent_back_comment": claim.sent_back_comment if record.state == "sent_back" else None,
        "dismissed_reason": claim.dismissed_reason if record.state == "dismissed" else None,
    }


def _csv_chunks(records: Iterable[ClaimRecord]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        data = _claim_data(record)
        data["dates"] = "; ".join(f"{d['text']}={d['value'] or '?'}" for d in data["dates"])
        data["evidence"] = " ".join(e["url"] for e in data["evidence"])
        writer.writerow([safe_cell(data[column]) for column in CSV_COLUMNS])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_chunks(records: Iterable[ClaimRecord], header: dict) -> Iterator[str]:
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "claims": ['
    for number, record in enumerate(records):
        yield ("," if number else "") + "\n" + json.dumps(_claim_data(record), ensure_ascii=False)
    yield "\n]"


def check_public_url(public_url: str | None) -> str:
    """Return the public address ClaimReview URLs are built from; InputError when it is missing or not absolute."""
    try:
        return validate_url(public_url, label="WORKBENCH_PUBLIC_URL").rstrip("/")
    except InputError:
        raise InputError(
            "ClaimReview needs the public address of your published fact-checks: set "
            "WORKBENCH_PUBLIC_URL to an absolute http(s) address, e.g. https://factcheck.example. "
            "Nothing was exported."
        ) from None


def claim_review(record: ClaimRecord, *, organisation: str, public_url: str) -> dict | None:
    """Return the schema.org ClaimReview of a published (final, rated) verdict, or None for any other claim."""
    claim, article = record.claim, record.article
    if record.state != "final" or claim.status not in RATINGS or record.final_at is None:
        return None
    if claim.status in EVIDENCE_VERDICTS and not any(backs_verdict(e) for e in record.evidence):
        return None  # its evidence failed to fetch or was withdrawn since: nothing to publish it on
    author = (
        {"@type": "Person", "name": claim.speaker}
        if claim.speaker
        else {"@type": "Organization", "name": record.source or article.outlet or "Unknown"}
    )
    appearance: dict[str, str | None] = {"@type": "CreativeWork", "headline": article.title}
    if link_href(article.url):  # only an address that passes the URL validator is published
        appearance["url"] = link_href(article.url)
    if article.published:
        appearance["datePublished"] = article.published.isoformat()
    item = {"@type": "Claim", "author": author, "appearance": appearance}
    if article.published:
        item["datePublished"] = article.published.isoformat()
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{public_url.rstrip('/')}/claims/{claim.id}",
        "claimReviewed": claim.text,
        "datePublished": record.final_at.date().isoformat(),
        "author": {"@type": "Organization", "name": organisation},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS[claim.status],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": STATUS_LABELS[claim.status],
            "ratingExplanation": claim.rationale,
        },
        "itemReviewed": item,
    }


_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def jsonld_dumps(value) -> str:
    """Serialise JSON-LD safe to paste inside <script type="application/ld+json">: <, > and & are escaped."""
    return json.dumps(value, ensure_ascii=False).translate(_SCRIPT_SAFE)


def _claimreview_chunks(
    records: Iterable[ClaimRecord], header: dict, organisation: str, public_url: str
) -> Iterator[str]:
    yield jsonld_dumps(header)[:-1] + ', "@graph": ['
    first = True
    for record in records:
        review = claim_review(record, organisation=organisation, public_url=public_url)
        if review is not None:
            yield ("" if first else ",") + "\n" + jsonld_dumps(review)
            first = False
    yield "\n]"


def count_claims(*, session: Session, scope: ExportScope) -> int:
    """Return how many claims the scope covers (for a progress bar)."""
    from sqlalchemy import func

    query = select(func.count()).select_from(Claim).join(Article, col(Article.id) == col(Claim.article_id))
    if scope.article_id is not None:
        query = query.where(Claim.article_id == scope.article_id)
    if scope.source:
        query = query.join(Source, col(Source.id) == col(Claim.source_id)).where(col(Source.name) == scope.source)
    if scope.since:
        query = query.where(col(Article.published) >= scope.since)
    return session.exec(query).one()


def _counted(records: Iterable[ClaimRecord], progress) -> Iterator[ClaimRecord]:
    for record in records:
        progress(1)
        yield record


def check_export(*, session: Session, scope: ExportScope, fmt: str, public_url: str | None) -> None:
    """Raise InputError when an export cannot be made as asked (format, scope, ClaimReview without a public URL)."""
    if fmt not in FORMATS:
        raise InputError(f"Unknown format “{fmt[:20]}”; choose one of: {', '.join(FORMATS)}.")
    if fmt == "claimreview":
        check_public_url(public_url)
    check_scope(session=session, scope=scope)


def export_stream(
    *,
    session: Session,
    scope: ExportScope,
    fmt: str,
    render_html=None,
    organisation: str = "",
    public_url: str | None = None,
    actor: User | None = None,
    progress=None,
    require_approval: bool = False,
) -> Iterator[bytes]:
    """Yield an export as UTF-8 chunks, then its integrity trailer; record the digest in the audit chain."""
    check_export(session=session, scope=scope, fmt=fmt, public_url=public_url)
    claimreview_url = check_public_url(public_url) if fmt == "claimreview" else ""
    head_seq, head_hash = chain_head(session=session)
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    header = {"generated_at": generated, "scope": scope.describe(), "chain_head": {"seq": head_seq, "hash": head_hash}}
    records = iter_records(session=session, scope=scope, with_history=fmt == "html", require_approval=require_approval)
    if progress is not None:
        records = _counted(records, progress)
    if fmt == "csv":
        chunks = _csv_chunks(records)
    elif fmt == "json":
        chunks = _json_chunks(records, header)
    elif fmt == "claimreview":
        chunks = _claimreview_chunks(records, header, organisation, claimreview_url)
    else:
        chunks = render_html(
            records=records, header=header, labels=STATUS_LABELS, verdicts=VERDICTS, state_labels=REVIEW_STATE_LABELS
        )
    digest = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode("utf-8")
        digest.update(data)
        yield data
    integrity = {
        "sha256": digest.hexdigest(),
        "chain_head_seq": head_seq,
        "chain_head_hash": head_hash,
        "generated_at": generated,
        "format": fmt,
    }
    record_event(
        session=session,
        actor=actor,
        entity_type="export",
        entity_id=head_seq,
        action="export",
        after={**integrity, "scope": scope.describe()},
    )
    session.commit()
    yield trailer(fmt, integrity).encode("utf-8")


def trailer(fmt: str, integrity: dict) -> str:
    """The last bytes of an export: its digest and the chain head, in the format's own syntax."""
    if fmt == "csv":
        return f"{TRAILER_MARK['csv']}{canonical_json(integrity)}\r\n"
    if fmt == "html":
        return f"{TRAILER_MARK['html']}{canonical_json(integrity)} -->\n"
    return f"{TRAILER_MARK[fmt]}{canonical_json(integrity)}}}\n"


@dataclass(frozen=True)
class ReportCheck:
    """The outcome of checking a report file against the database."""

    ok: bool
    message: str


def verify_report(*, session: Session, content: bytes) -> ReportCheck:
    """Check that a report's bytes match its digest, that the digest is in the chain, and the chain head too."""
    decoder = json.JSONDecoder()
    for mark in dict.fromkeys(TRAILER_MARK.values()):
        position = content.rfind(mark.encode("utf-8"))
        if position < 0:
            continue
        try:  # the trailer's JSON, followed by whatever closes the format ("}" or "-->")
            integrity, _ = decoder.raw_decode(content[position + len(mark) :].decode("utf-8"))
        except ValueError:
            continue
        if isinstance(integrity, dict) and "sha256" in integrity:
            break
    else:
        return ReportCheck(False, "No integrity trailer found: this is not a workbench export, or it was cut short.")
    if integrity.get("format") not in FORMATS or content[position:] != trailer(integrity["format"], integrity).encode(
        "utf-8"
    ):
        return ReportCheck(
            False,
            "The report was altered: something was added after its integrity trailer, "
            "or the trailer itself was edited.",
        )
    actual = hashlib.sha256(content[:position]).hexdigest()
    if actual != integrity.get("sha256"):
        return ReportCheck(
            False,
            f"The report was altered: its content hashes to {actual[:16]}…, "
            f"not the {str(integrity.get('sha256'))[:16]}… it was issued with.",
        )
    recorded = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "export", AuditEvent.action == "export")
    ).all()
    if not any(json.loads(event.after).get("sha256") == actual for event in recorded):
        return ReportCheck(False, "The report's digest is not in the audit chain: it was not issued by this database.")
    head = session.exec(select(AuditEvent).where(AuditEvent.seq == integrity.get("chain_head_seq"))).first()
    if integrity.get("chain_head_seq") and (head is None or head.hash != integrity.get("chain_head_hash")):
        return ReportCheck(
            False,
            f"The chain head the report names (event {integrity.get('chain_head_seq')}) "
            "no longer matches the database: history was rewritten after the report.",
        )
    return ReportCheck(
        True,
        f"Report intact: SHA-256 {actual}, issued at chain event "
        f"{integrity.get('chain_head_seq')} ({integrity.get('generated_at')}).",
    )
