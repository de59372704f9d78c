"""The API's request and response schemas: they validate requests and generate the OpenAPI document.

Lengths come from the models through validation.max_length, so the API and the forms share one set of limits.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import models
from ..models import Status
from ..services.claim_edits import Stance
from ..urls import MAX_URL_LENGTH
from ..validation import LONG_TEXT, MAX_ID, max_length


class Strict(BaseModel):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None
    current: dict | None = None


class DateOut(BaseModel):
    """A date the claim mentions, as written and as resolved."""

    model_config = ConfigDict(extra="allow")
    text: str
    value: str | None = None


class ClaimOut(BaseModel):
    """A claim as the queue lists it."""

    id: int
    article_id: int
    article_title: str | None = None
    text: str
    quote: str
    start: int
    end: int
    source_id: int | None
    source: str | None = None
    speaker: str | None
    speaker_affiliation: str | None = None
    attribution: str | None
    kind: str
    checkworthiness: float
    dates: list[DateOut]
    status: Status
    rationale: str
    assignee_id: int | None
    assignee: str | None = None
    approved_by_id: int | None
    dismissed_reason: str | None = None
    review_state: str
    version: int
    updated_at: dt.datetime


class ClaimPage(BaseModel):
    """One page of claims and the link to the next (null on the last)."""

    items: list[ClaimOut]
    next: str | None


class EvidenceOut(BaseModel):
    """An evidence item with what was fetched from it."""

    id: int
    url: str
    stance: str
    note: str
    fetch_state: str
    final_url: str | None
    http_status: int | None
    page_title: str | None
    sha256: str | None
    fetched_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    flag: str


class NoteOut(BaseModel):
    """A checker's working note."""

    id: int
    author: str | None
    body: str
    created_at: dt.datetime


class EventOut(BaseModel):
    """One audit event of the claim's history."""

    seq: int
    at: str
    actor: str
    entity_type: str
    entity_id: int
    action: str
    reason: str
    hash: str


class ClaimDetailOut(ClaimOut):
    """A claim with its sentence, evidence, notes and history."""

    sentence: str
    evidence: list[EvidenceOut]
    notes: list[NoteOut]
    history: list[EventOut]


class ClaimQuery(BaseModel):
    """The queue's filters, search, sort and cursor (the same names as the queue's URL)."""

    status: list[Status] | None = None
    source: int | None = Field(default=None, ge=1, le=MAX_ID)
    article: int | None = Field(default=None, ge=1, le=MAX_ID)
    assignee: str | None = Field(default=None, pattern=r"^(me|none|[1-9][0-9]{0,9})$")
    min_score: float | None = Field(default=None, ge=0, le=1)
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    q: str | None = Field(default=None, max_length=200)
    sort: Literal["score", "newest", "oldest", "updated"] | None = None
    after: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=50, ge=1, le=200)


class StatusIn(Strict):
    """A new status; verdicts need a rationale, four of them evidence."""

    status: Status
    rationale: str = Field(default="", max_length=LONG_TEXT)


class AssignIn(Strict):
    """Whom to give the claim to: a user id, "me", or null for nobody."""

    assignee: int | Literal["me"] | None = Field(default=None)


class TextIn(Strict):
    """The claim's new wording (its span in the article stays)."""

    text: str = Field(max_length=LONG_TEXT)


class DismissIn(Strict):
    """Why this is not a claim."""

    reason: str = Field(max_length=LONG_TEXT)


class ArticleQuery(BaseModel):
    """Filters and cursor of the article list."""

    outlet: str | None = Field(default=None, max_length=max_length(models.Article, "outlet"))
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    after: int | None = Field(default=None, ge=1, le=MAX_ID)
    limit: int = Field(default=50, ge=1, le=200)


class ArticleOut(BaseModel):
    """An article without its text."""

    id: int
    title: str
    outlet: str | None
    url: str | None
    published: dt.date | None
    section: str | None
    language: str
    content_hash: str
    ingested_at: dt.datetime
    cleared_at: dt.datetime | None


class ArticlePage(BaseModel):
    """One page of articles, newest first, and the link to the next."""

    items: list[ArticleOut]
    next: str | None


class ArticleDetailOut(ArticleOut):
    """An article with its text and claims in text order."""

    text: str
    claims: list[ClaimOut]


class ArticleIn(Strict):
    """An article to ingest: its text, or only a URL to fetch with the safe fetcher."""

    text: str | None = None
    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    title: str | None = Field(default=None, max_length=max_length(models.Article, "title"))
    outlet: str | None = Field(default=None, max_length=max_length(models.Article, "outlet"))
    section: str | None = Field(default=None, max_length=max_length(models.Article, "section"))
    published: dt.date | None = None


class IngestOut(BaseModel):
    """The stored article, how many claims it has, and whether the same text was already there."""

    article: ArticleOut
    claims: int
    duplicate: bool


class EvidenceIn(Strict):
    """A URL that supports, refutes or gives context to the claim; it is fetched in the background."""

    url: str = Field(max_length=MAX_URL_LENGTH)
    stance: Stance = "context"
    note: str = Field(default="", max_length=LONG_TEXT)


class EvidenceList(BaseModel):
    """A claim's evidence, withdrawn items included (they stay on record)."""

    items: list[EvidenceOut]


class WithdrawIn(Strict):
    """Why the evidence no longer backs a verdict."""

    reason: str = Field(max_length=LONG_TEXT)


class DateIn(Strict):
    """A date the claim mentions: its words in the article and, when known, its value (YYYY, YYYY-MM or YYYY-MM-DD)."""

    text: str = Field(max_length=200)
    value: str | None = Field(default=None, max_length=10)


class CorrectionIn(Strict):
    """One extracted field corrected: `source` (source_id, or new_source, or neither for the article itself),
    `speaker`, `kind`, `dates` (the whole list: add, remove, change a value) or `span` (start and end in the
    article's text)."""

    field: Literal["source", "speaker", "kind", "dates", "span"]
    source_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    new_source: str = Field(default="", max_length=max_length(models.Source, "name"))
    speaker: str = Field(default="", max_length=max_length(models.Claim, "speaker"))
    kind: str = Field(default="", max_length=max_length(models.Claim, "kind"))
    dates: list[DateIn] | None = Field(default=None, max_length=50)
    start: int | None = Field(default=None, ge=0, le=MAX_ID)
    end: int | None = Field(default=None, ge=0, le=MAX_ID)


class AuditHead(BaseModel):
    """The newest event of the audit chain."""

    seq: int
    hash: str


class AuditReport(BaseModel):
    """The outcome of checking the whole chain."""

    ok: bool
    count: int
    head: str
    error: str | None
    bad_event_id: int | None


class SourceOut(BaseModel):
    """A canonical source with its claim counts."""

    id: int
    name: str
    kind: str
    domain: str | None
    home_url: str | None
    notes: str
    aliases: int
    claims: int
    flagged: int


class SourceList(BaseModel):
    """Sources, most-cited first."""

    items: list[SourceOut]


class SourceQuery(BaseModel):
    """Search sources by name."""

    q: str | None = Field(default=None, max_length=200)


class SourceRecordOut(BaseModel):
    """A source, its aliases and its track record: claims counted by status."""

    id: int
    name: str
    kind: str
    domain: str | None
    notes: str
    aliases: list[str]
    by_status: dict[str, int]


class AliasIn(Strict):
    """Another name under which the source appears in text."""

    alias: str = Field(max_length=max_length(models.SourceAlias, "alias"))


class MergeIn(Strict):
    """The source to merge this one into."""

    into: int = Field(ge=1, le=MAX_ID)


class MergeOut(BaseModel):
    """How many claims moved, and the source they now belong to."""

    moved: int
    into: int


WebhookEventName = Literal["article.ingested", "claim.status_changed", "verdict.final", "evidence.fetched"]


class WebhookIn(Strict):
    """An endpoint to register: its URL and the events it wants."""

    url: str = Field(max_length=MAX_URL_LENGTH)
    events: list[WebhookEventName] = Field(min_length=1, max_length=4)
    description: str = Field(default="", max_length=200)


class WebhookUpdateIn(Strict):
    """New events for an endpoint, or active false/true to pause or resume it."""

    events: list[WebhookEventName] | None = Field(default=None, min_length=1, max_length=4)
    active: bool | None = None


class WebhookOut(BaseModel):
    """A registered endpoint (its secret appears only in the answer that created it)."""

    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: dt.datetime
    secret_hint: str
    secret: str | None = None


class WebhookList(BaseModel):
    """Every registered endpoint."""

    items: list[WebhookOut]


class WebhookAttemptOut(BaseModel):
    """One try at sending a delivery."""

    at: dt.datetime
    http_status: int | None
    error: str | None
    duration_ms: float


class WebhookDeliveryOut(BaseModel):
    """One event on its way to the endpoint, with every attempt (newest first)."""

    id: int
    event_id: int
    event_type: str
    state: str
    attempts: list[WebhookAttemptOut]
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_error: str | None
    redelivery_of_id: int | None


class WebhookDeliveryList(BaseModel):
    """An endpoint's latest deliveries, newest first."""

    items: list[WebhookDeliveryOut]


class ExportIn(Strict):
    """What to export: one article, one source (by name) or everything since a date, in one of four formats."""

    format: Literal["csv", "json", "html", "claimreview"] = "json"
    article: int | None = Field(default=None, ge=1, le=MAX_ID)
    source: str | None = Field(default=None, max_length=max_length(models.Source, "name"))
    since: dt.date | None = None


class SourceIn(Strict):
    """A source registered by hand."""

    name: str = Field(max_length=max_length(models.Source, "name"))
    kind: models.SourceKind = models.SourceKind.other
    domain: str = Field(default="", max_length=max_length(models.Source, "domain"))
    notes: str = Field(default="", max_length=LONG_TEXT)
