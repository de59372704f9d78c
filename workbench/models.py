"""The data model: articles, claims, sources, evidence, users and the audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, LargeBinary, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """Return the current time in UTC, timezone-aware (SQLModel stores it as UTC on both databases)."""
    return dt.datetime.now(dt.UTC)


class Role(StrEnum):
    """What a user may do; each role includes the ones before it."""

    checker = "checker"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        """Return the role's place in the checker < editor < admin order."""
        return list(Role).index(self)


class Status(StrEnum):
    """Where a claim stands in verification."""

    unverified = "unverified"
    in_progress = "in_progress"
    verified = "verified"
    mostly_accurate = "mostly_accurate"
    misleading = "misleading"
    false = "false"
    unverifiable = "unverifiable"
    not_checkable = "not_checkable"
    dismissed = "dismissed"  # "not a claim": extraction noise, out of the queue, counts and exports; restorable


class SourceKind(StrEnum):
    """What sort of body or person a source is."""

    wire = "wire"
    outlet = "outlet"
    government = "government"
    official = "official"
    expert = "expert"
    social = "social"
    state_media = "state_media"
    organisation = "organisation"
    other = "other"


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: Role = Field(default=Role.checker, max_length=20)


class User(UserBase, table=True):
    """A person who signs in: a checker, an editor or an admin."""

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=300)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Every session carries the version it was signed in under; bumping it ends all of them at once
    # (sign-out, password change, role change, deactivation).
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_login_at: dt.datetime | None = None
    # How the review queue lays out its rows for this person: "compact" (one line per claim) or "comfortable".
    queue_density: str = Field(default="compact", max_length=12, sa_column_kwargs={"server_default": "compact"})


class ApiToken(SQLModel, table=True):
    """A token for the JSON API; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    label: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    scope: str = Field(default="read", max_length=10, sa_column_kwargs={"server_default": "read"})  # read | write
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_used_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class Source(SQLModel, table=True):
    """A canonical source that claims are attributed to: an agency, outlet, body or person."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, unique=True, index=True)
    kind: SourceKind = Field(default=SourceKind.other, max_length=20)
    domain: str | None = Field(default=None, max_length=255)
    home_url: str | None = Field(default=None, max_length=2000)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: dt.datetime = Field(default_factory=utcnow)


class SourceAlias(SQLModel, table=True):
    """Another name under which a source appears in text ("SCMP" for the South China Morning Post)."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    alias: str = Field(max_length=300, unique=True)


class Article(SQLModel, table=True):
    """An article as received; its text is never altered."""

    __table_args__ = (
        UniqueConstraint("content_hash", name="uq_article_content_hash"),
        Index("ix_article_ingested_id", "ingested_at", "id"),  # the dashboard's newest articles, without a sort
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    outlet: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    published: dt.date | None = Field(default=None, index=True)
    section: str | None = Field(default=None, max_length=200)
    language: str = Field(default="en", max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    ingested_at: dt.datetime = Field(default_factory=utcnow, index=True)
    ingested_by_id: int | None = Field(default=None, foreign_key="user.id")
    cleared_at: dt.datetime | None = None
    # When the article came from a URL: the page as fetched, and its SHA-256.
    source_snapshot: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source_sha256: str | None = Field(default=None, max_length=64)
    source_fetched_at: dt.datetime | None = None


def _where_set(name: str, *columns: str) -> Index:
    """A partial index of the rows whose first column is set: small, and the one the planners choose."""
    is_set = text(f"{columns[0]} IS NOT NULL")
    return Index(name, *columns, sqlite_where=is_set, postgresql_where=is_set)


class Claim(SQLModel, table=True):
    """One checkable statement of an article, anchored to its span in the original text."""

    __table_args__ = (
        Index("ix_claim_article_position", "article_id", "start"),
        Index("ix_claim_status_score", "status", "checkworthiness", "id"),
        Index("ix_claim_assignee_status", "assignee_id", "status"),
        Index("ix_claim_source_status", "source_id", "status"),
        Index("ix_claim_updated", "updated_at", "id"),
        Index("ix_claim_score", "checkworthiness", "id"),
        Index("ix_claim_assignee_score", "assignee_id", "checkworthiness", "id"),
        Index("ix_claim_source_score", "source_id", "checkworthiness", "id"),
        Index("ix_claim_article_score", "article_id", "checkworthiness", "id"),
        Index("ix_claim_tally", "status", "source_id", "assignee_id"),  # the dashboard counts in one index scan
        Index("ix_claim_status_updated", "status", "updated_at", "id"),
        Index("ix_claim_approval", "approved_by_id", "sent_back_at", "verdict_at"),  # the approval queue
        # "My work": sent back to me (by when), mine awaiting approval (oldest first, 0023a)
        Index("ix_claim_verdict_by", "verdict_by_id", "sent_back_at", "approved_by_id", "verdict_at"),
        # the latest verdicts and approvals, for the dashboard's time to a final verdict (0023a)
        _where_set("ix_claim_verdict_latest", "verdict_at", "id"),
        _where_set("ix_claim_approved_latest", "approved_at", "id"),
        # a lead's followers (duplicates inside the desk); only claims that follow one (0021l)
        _where_set("ix_claim_lead", "lead_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    quote: str = Field(sa_column=Column(Text, nullable=False))
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    source_id: int | None = Field(default=None, foreign_key="source.id")
    speaker: str | None = Field(default=None, max_length=300)
    speaker_affiliation: str | None = Field(default=None, max_length=300)  # "a CDC spokesperson": the CDC
    attribution: str | None = Field(default=None, max_length=300)
    kind: str = Field(default="statement", max_length=30)
    checkworthiness: float = Field(default=0.0)
    dates: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: Status = Field(default=Status.unverified, max_length=20)
    rationale: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    approved_at: dt.datetime | None = None
    verdict_by_id: int | None = Field(default=None, foreign_key="user.id")  # who gave the current verdict
    verdict_at: dt.datetime | None = None
    sent_back_by_id: int | None = Field(default=None, foreign_key="user.id")
    sent_back_at: dt.datetime | None = None
    sent_back_comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    dismissed_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Duplicates inside the desk: a follower points at the lead of its group and follows its verdict (issue 12).
    lead_id: int | None = Field(default=None, foreign_key="claim.id")
    version: int = Field(default=1)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Evidence(SQLModel, table=True):
    """A URL that supports, refutes or gives context to a claim, with what was fetched from it."""

    __table_args__ = (Index("ix_evidence_fetch_queue", "fetch_state", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    url: str = Field(max_length=2000)
    stance: str = Field(default="context", max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    added_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    fetch_state: str = Field(default="pending", max_length=20)
    fetch_error: str | None = Field(default=None, max_length=500)
    final_url: str | None = Field(default=None, max_length=2000)
    http_status: int | None = None
    content_type: str | None = Field(default=None, max_length=200)
    page_title: str | None = Field(default=None, max_length=500)
    fetched_at: dt.datetime | None = None
    sha256: str | None = Field(default=None, max_length=64)
    archived_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    fetch_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    fetch_started_at: dt.datetime | None = None
    # "changed" when a re-check found a different page, "dead" when it found none; the archive stays.
    flag: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    # Withdrawn evidence stays on record (archive and hash) but no longer backs a verdict.
    withdrawn_at: dt.datetime | None = None
    withdrawn_by_id: int | None = Field(default=None, foreign_key="user.id")
    withdrawn_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class EvidenceSnapshot(SQLModel, table=True):
    """One fetch of an evidence URL, kept for good: what the page said then, and its hash."""

    __tablename__ = "evidence_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    fetched_at: dt.datetime = Field(default_factory=utcnow)
    final_url: str | None = Field(default=None, max_length=2000)
    http_status: int | None = None
    content_type: str | None = Field(default=None, max_length=200)
    page_title: str | None = Field(default=None, max_length=500)
    sha256: str | None = Field(default=None, max_length=64)
    archived_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # the bytes as served
    error: str | None = Field(default=None, max_length=500)


class ClaimNote(SQLModel, table=True):
    """A checker's working note on a claim (not a verdict's rationale)."""

    __tablename__ = "claim_note"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One append-only entry of the audit chain; hash covers the event and the previous hash."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: str = Field(max_length=40)  # ISO 8601 UTC, kept as text so the hashed form never shifts
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(max_length=254)
    entity_type: str = Field(max_length=30)
    entity_id: int
    action: str = Field(max_length=40)
    before: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    after: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The request that caused the event (X-Request-ID, as in the request log), or the request that queued the job
    # that did; None for command-line work and for events older than migration 0014r. Hashed when set.
    request_id: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel table class, for bulk inserts (SQLModel's types do not declare __table__)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def saved_id(row: SQLModel) -> int:
    """The primary key of a row that has been flushed or loaded; SQLModel types it optional for rows not yet saved."""
    value = getattr(row, "id", None)
    if value is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return int(value)


def ids_of(rows: Iterable[int | None]) -> list[int]:
    """Ids read from a primary-key column: never NULL in the database, though SQLModel types the column optional."""
    return [int(row) for row in rows if row is not None]


class ClaimCount(SQLModel, table=True):
    """How many claims have a status, overall and per article, source and assignee: the dashboard's counts.

    Kept by database triggers on the claim table in the same transaction as every insert, update and delete
    (migration 0017c), so no write path can forget them; `workbench recount` rebuilds them and reports drift.
    The status "awaiting" counts verdicts without an approval (scopes "all" and "article").
    """

    __tablename__ = "claim_count"
    # SQLite: the rows live in the primary key's order, so one scope is read by a range of the key, not by a scan
    # of all the (mostly per-article) rows that the planner's per-column statistics would otherwise choose.
    __table_args__ = {"sqlite_with_rowid": False}

    scope: str = Field(max_length=10, primary_key=True)  # all | article | source | assignee
    scope_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # 0 for "all"
    status: str = Field(max_length=20, primary_key=True)
    n: int = Field(default=0)


class VerdictCount(SQLModel, table=True):
    """How many verdicts each actor of the audit chain gave, singly or in bulk; kept by a trigger on audit_event."""

    __tablename__ = "verdict_count"
    __table_args__ = {"sqlite_with_rowid": False}

    actor: str = Field(max_length=254, primary_key=True)
    n: int = Field(default=0)


# checked-before, webhook and desk tables register on the same metadata
from . import models_desk, models_matching, models_webhooks  # noqa: E402,F401
