"""Tables for "checked before": imported fact-checks (ClaimReview) and the matches proposed for each claim."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .models import utcnow


class FactCheck(SQLModel, table=True):
    """Another fact-checker's published review (schema.org ClaimReview), kept as imported."""

    __tablename__ = "fact_check"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True)
    claim_reviewed: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(default="", max_length=500)
    rating: str = Field(default="", max_length=200)
    rating_value: float | None = None
    publisher: str = Field(default="", max_length=300)
    date_published: dt.date | None = None
    imported_at: dt.datetime = Field(default_factory=utcnow)


class ClaimMatch(SQLModel, table=True):
    """A claim proposed as checked before: an earlier claim with a final verdict, or an imported fact-check."""

    __tablename__ = "claim_match"
    __table_args__ = (
        UniqueConstraint("claim_id", "kind", "target_id", name="uq_claim_match_target"),
        Index("ix_claim_match_claim_state", "claim_id", "state"),
        Index("ix_claim_match_state_claim", "state", "claim_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id")
    kind: str = Field(max_length=10)  # "claim" or "review"
    target_id: int
    score: float
    state: str = Field(default="proposed", max_length=20)  # proposed, rejected ("not the same claim"), reused
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class ClaimRematch(SQLModel, table=True):
    """A verdict that just became final, waiting for the worker to mark the open claims that say the same.

    Written in the verdict's own transaction (an outbox): the search of every open claim runs after the write, in the
    background worker, and is not lost if the process stops first. A worker leases a row (taken_at) while it searches,
    holding no lock. The claim id has no foreign key: merging claims deletes one, and the worker passes over it.
    """

    __tablename__ = "claim_rematch"

    claim_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    queued_at: dt.datetime = Field(default_factory=utcnow)
    taken_at: dt.datetime | None = None  # a worker's lease while it searches (expires: see desk_groups.REMATCH_LEASE)
