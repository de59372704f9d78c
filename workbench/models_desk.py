"""Tables of a person's desk: the queue views they saved, and the notifications addressed to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .models import utcnow


class SavedView(SQLModel, table=True):
    """A queue filter set that one person saved under a name ("Council claims to check")."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_view_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    name: str = Field(max_length=80)
    query: str = Field(max_length=2000)  # the queue's query string, as the queue itself writes it
    created_at: dt.datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """Something addressed to one person: a colleague @mentioned them in a note on a claim.

    Stored in the database, so every app instance shows the same unread count and marks the same rows read.
    """

    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")  # who it is for
    actor_id: int | None = Field(default=None, foreign_key="user.id")  # who mentioned them
    kind: str = Field(default="mention", max_length=20)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    note_id: int | None = Field(default=None, foreign_key="claim_note.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    read_at: dt.datetime | None = None
