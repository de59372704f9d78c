"""Tables for webhooks: registered endpoints, the outbox of events, one delivery per endpoint and its attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from .models import utcnow


class WebhookEndpoint(SQLModel, table=True):
    """A receiver an admin registered: its URL, the events it wants and the secret its deliveries are signed with."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    events: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Kept readable: every delivery is signed with it. Shown to the admin once, at creation.
    secret: str = Field(max_length=100)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class WebhookEvent(SQLModel, table=True):
    """One event in the outbox, written in the same transaction as the change it reports."""

    __tablename__ = "webhook_event"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the delivered JSON body, fixed once written
    created_at: dt.datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one endpoint: pending, sending, retrying, delivered or failed (gave up)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_line", "endpoint_id", "state", "id"),  # each endpoint's line, oldest first
        Index("ix_webhook_delivery_event", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id")
    event_id: int = Field(foreign_key="webhook_event.id")
    state: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: dt.datetime = Field(default_factory=utcnow)
    sending_since: dt.datetime | None = None
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow)
    delivered_at: dt.datetime | None = None
    redelivery_of_id: int | None = Field(default=None, foreign_key="webhook_delivery.id")


class WebhookAttempt(SQLModel, table=True):
    """One try at sending a delivery: when, what came back (or why nothing did), how long it took."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    at: dt.datetime = Field(default_factory=utcnow)
    http_status: int | None = None
    error: str | None = Field(default=None, max_length=500)
    duration_ms: float = Field(default=0.0)
