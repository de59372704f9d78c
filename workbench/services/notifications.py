"""@mentions in notes, and the notifications they leave for the colleague mentioned.

A mention is `@` then a handle: a user's email local part (`@casey` for casey@desk.example), their name without
spaces (`@CaseyChecker`) or their first name when no other active user shares it (`@Casey`). Handles that match
nobody stay plain text. Notifications live in the database, so every app instance shows the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import CursorResult, func, update
from sqlmodel import Session, col, select

from ..models import Claim, ClaimNote, User, utcnow
from ..models_desk import Notification

# After a start, a space or punctuation, never after a word character: "ann@example.org" is an address, not a mention.
_MENTION = re.compile(r"(?<![\w@.+-])@([\w][\w.+-]{0,63})")
UNREAD_CAP = 99  # the nav shows "99+" beyond this; counting further helps nobody


@dataclass(frozen=True)
class Person:
    """Someone who can be mentioned."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Mention:
    """A handle in a text that names a user, with its span."""

    start: int
    end: int
    user: Person


def _fold(value: str) -> str:
    return "".join(value.split()).casefold()


def handles(people: Iterable[Person]) -> dict[str, Person]:
    """Map every handle that names exactly one person to that person (an ambiguous first name names nobody)."""
    people = list(people)
    exact: dict[str, Person] = {}
    for person in people:
        exact.setdefault(person.email.partition("@")[0].casefold(), person)
        exact.setdefault(_fold(person.name), person)
    firsts: dict[str, list[Person]] = {}
    for person in people:
        first = person.name.split()[0].casefold() if person.name.split() else ""
        if first:
            firsts.setdefault(first, []).append(person)
    for first, named in firsts.items():
        if len(named) == 1:
            exact.setdefault(first, named[0])
    return exact


def find_mentions(text: str, people: Iterable[Person]) -> list[Mention]:
    """Return the mentions of known people in a text, in order; unknown handles are left out."""
    known = handles(people)
    found = []
    for match in _MENTION.finditer(text):
        handle = match.group(1).rstrip(".-+")  # "ask @casey." ends a sentence
        person = known.get(handle.casefold())
        if person is not None:
            found.append(Mention(match.start(), match.start(1) + len(handle), person))
    return found


def mentionable_people(*, session: Session) -> list[Person]:
    """Return the active users, who can be mentioned."""
    rows = session.exec(select(User.id, User.name, User.email).where(col(User.active)).order_by(col(User.id))).all()
    return [Person(user_id, name, email) for user_id, name, email in rows if user_id is not None]


def notify_mentions(*, session: Session, note: ClaimNote, actor: User | None) -> list[int]:
    """Add a notification for each person the note mentions (not its author); return their ids. The caller commits."""
    recipients: list[int] = []
    for mention in find_mentions(note.body, mentionable_people(session=session)):
        user_id = mention.user.id
        if user_id in recipients or (actor is not None and user_id == actor.id):
            continue
        recipients.append(user_id)
        session.add(
            Notification(
                user_id=user_id,
                actor_id=actor.id if actor else None,
                kind="mention",
                claim_id=note.claim_id,
                note_id=note.id,
            )
        )
    return recipients


def unread_count(*, session: Session, user_id: int) -> int:
    """Return how many notifications the user has not read, counted up to UNREAD_CAP + 1."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return int(session.exec(select(func.count()).select_from(unread)).one())


@dataclass(frozen=True)
class NotificationRow:
    """A notification as the menu and "My work" show it."""

    notification: Notification
    actor_name: str | None
    claim_text: str
    note_body: str | None


def list_notifications(*, session: Session, user_id: int, limit: int = 50, unread_only: bool = False) -> list:
    """Return the user's notifications, unread first, newest first within each."""
    query = (
        select(Notification, User.name, Claim.text, ClaimNote.body)
        .join(Claim, col(Claim.id) == Notification.claim_id)
        .join(User, col(User.id) == Notification.actor_id, isouter=True)
        .join(ClaimNote, col(ClaimNote.id) == Notification.note_id, isouter=True)
        .where(Notification.user_id == user_id)
    )
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    query = query.order_by(col(Notification.read_at).is_not(None), col(Notification.id).desc()).limit(limit)
    return [NotificationRow(n, actor, text, body) for n, actor, text, body in session.exec(query)]


def get_notification(*, session: Session, user_id: int, notification_id: int) -> Notification | None:
    """Return one of the user's notifications (None for someone else's: nobody reads another's)."""
    found = session.get(Notification, notification_id)
    return found if found is not None and found.user_id == user_id else None


def mark_read(*, session: Session, user_id: int, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (the given ones, else all); return how many changed."""
    statement = update(Notification).where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
    if notification_ids is not None:
        statement = statement.where(col(Notification.id).in_(list(notification_ids)))
    try:
        result: CursorResult = session.execute(statement.values(read_at=utcnow()))  # type: ignore[assignment]
        changed = result.rowcount
        session.commit()
    except Exception:
        session.rollback()
        raise
    return int(changed or 0)
