"""A person's ways into the queue: the built-in views, the filter sets they saved under a name, the row density.

These are personal display settings (like the time of the last sign-in), not part of the verification record, so
they are not written to the audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from werkzeug.datastructures import MultiDict

from ..errors import InputError
from ..models import Role, Status, User, saved_id
from ..models_desk import SavedView
from .queue import REVIEW_STAGES, SORTS, QueueFilters, parse_filters
from .review import STATUS_LABELS

DENSITIES = {"compact": "Compact", "comfortable": "Comfortable"}
MAX_VIEWS = 50  # per person: a menu longer than this is no longer a shortcut
NAME_LENGTH = 80


@dataclass(frozen=True)
class BuiltInView:
    """A view every person has, computed from who they are."""

    name: str
    query: str


def built_in_views(user: User) -> list[BuiltInView]:
    """Return the ready-made views: my open claims, verdicts sent back to me, and (editors) verdicts to approve."""
    views = [
        BuiltInView("My queue", query_of(QueueFilters(assignee="me", status=("unverified", "in_progress")))),
        BuiltInView("Sent back to me", query_of(QueueFilters(review="sent_back"))),
    ]
    if Role(user.role).rank >= Role.editor.rank:
        views.append(BuiltInView("Awaiting my approval", query_of(QueueFilters(review="to_approve"))))
    return views


def query_of(filters: QueueFilters) -> str:
    """Return the query string that shows these filters, without a page position (what a saved view keeps)."""
    return urlencode(filters.to_args(after="", before=""), doseq=True)


def normalise_query(raw: str) -> str:
    """Return a queue query string as the queue writes it: known filters only, no page position.

    Raises InputError when the query holds a value the queue would ignore, so a view never saves a typo.
    """
    filters = parse_filters(MultiDict(parse_qsl((raw or "").lstrip("?")[:2000])))
    if filters.problems:
        raise InputError("This view cannot be saved: " + " ".join(filters.problems))
    return query_of(filters)


def filters_of(query: str) -> QueueFilters:
    """The filters a saved query string holds."""
    return parse_filters(MultiDict(parse_qsl(query)))


def describe_query(query: str, *, sources: dict[int, str], users: dict[int, str]) -> str:
    """Say in words what a saved query shows ("Unverified · words “port” · assigned to me · newest first")."""
    filters = filters_of(query)
    parts = []
    if filters.review:
        parts.append(REVIEW_STAGES[filters.review].lower())
    if filters.status:
        parts.append(" or ".join(STATUS_LABELS[Status(status)] for status in filters.status))
    if filters.q:
        parts.append(f"words “{filters.q}”")
    if filters.source is not None:
        parts.append(f"source {sources.get(filters.source, f'#{filters.source}')}")
    if filters.article is not None:
        parts.append(f"article #{filters.article}")
    assignee = {"me": "assigned to me", "none": "unassigned"}.get(filters.assignee)
    if filters.assignee.isdigit():
        assignee = f"assigned to {users.get(int(filters.assignee), '#' + filters.assignee)}"
    if assignee:
        parts.append(assignee)
    if filters.min_score is not None:
        parts.append(f"score at least {filters.min_score:g}")
    if filters.checked_before:
        parts.append("checked before")
    if filters.published_from or filters.published_to:
        parts.append(f"published {filters.published_from or '…'} to {filters.published_to or '…'}")
    if filters.sort != "score":
        parts.append(SORTS[filters.sort].lower())
    text = " · ".join(parts) or "every claim in the queue"
    return text[0].upper() + text[1:]


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InputError("Give the view a name.")
    if len(name) > NAME_LENGTH:
        raise InputError(f"View names are limited to {NAME_LENGTH} characters.")
    return name


def list_views(*, session: Session, user_id: int) -> list[SavedView]:
    """Return a person's saved views, by name."""
    return list(
        session.exec(
            select(SavedView).where(SavedView.user_id == user_id).order_by(col(SavedView.name), col(SavedView.id))
        )
    )


def get_view(*, session: Session, user_id: int, view_id: int) -> SavedView | None:
    """Return one of the person's saved views (None for someone else's)."""
    view = session.get(SavedView, view_id)
    return view if view is not None and view.user_id == user_id else None


def _name_taken(session: Session, user_id: int, name: str, but: int | None = None) -> bool:
    query = select(SavedView.id).where(SavedView.user_id == user_id, col(SavedView.name) == name)
    if but is not None:
        query = query.where(SavedView.id != but)
    return session.exec(query).first() is not None


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:  # the same name saved at the same moment from another tab
        session.rollback()
        raise InputError("You already have a view with that name; choose another.") from None
    except Exception:
        session.rollback()
        raise


def save_view(*, session: Session, user: User, name: str, query: str) -> SavedView:
    """Save the queue's current filters under a name; raise InputError on a bad name, a taken name or a full menu."""
    name, query = _clean_name(name), normalise_query(query)
    if _name_taken(session, saved_id(user), name):
        raise InputError(f"You already have a view called “{name}”; choose another name or rename that one.")
    if len(list_views(session=session, user_id=saved_id(user))) >= MAX_VIEWS:
        raise InputError(f"You have {MAX_VIEWS} saved views already; delete one first.")
    view = SavedView(user_id=saved_id(user), name=name, query=query)
    session.add(view)
    _commit(session)
    return view


def rename_view(*, session: Session, user: User, view: SavedView, name: str) -> SavedView:
    """Give a saved view a new name."""
    name = _clean_name(name)
    if _name_taken(session, saved_id(user), name, but=view.id):
        raise InputError(f"You already have a view called “{name}”.")
    view.name = name
    session.add(view)
    _commit(session)
    return view


def delete_view(*, session: Session, view: SavedView) -> None:
    """Delete a saved view."""
    session.delete(view)
    _commit(session)


def set_queue_density(*, session: Session, user: User, density: str) -> User:
    """Remember how this person wants the queue laid out."""
    if density not in DENSITIES:
        raise InputError(f"Choose a layout: {' or '.join(DENSITIES)}.")
    user.queue_density = density
    session.add(user)
    _commit(session)
    return user
