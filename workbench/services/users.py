"""Creating users and checking their passwords."""

from __future__ import annotations

import re
from functools import cache

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record_event
from ..errors import InputError
from ..models import Role, User, saved_id, utcnow

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def user_snapshot(user: User) -> dict:
    """Return what the audit trail records of a user (never the password hash)."""
    return {"email": user.email, "name": user.name, "role": str(user.role), "active": user.active}


def create_user(*, session: Session, email: str, name: str, role: str, password: str, actor: User | None) -> User:
    """Create a user with a hashed password, recording the event; raise InputError on bad input."""
    email = (email or "").strip().lower()
    name = (name or "").strip()
    if not _EMAIL.match(email):
        raise InputError(f"“{email}” is not an email address; give one like name@newsroom.org.")
    if not name:
        raise InputError("A user needs a name; pass --name or fill in the name field.")
    if role not in Role.__members__:
        raise InputError(f"Unknown role “{role}”; choose one of: {', '.join(Role.__members__)}.")
    check_password(password, email=email, name=name)
    if session.exec(select(User).where(User.email == email)).first():
        raise InputError(f"A user with the email {email} already exists.")
    user = User(email=email, name=name, role=Role(role), password_hash=generate_password_hash(password))
    try:
        session.add(user)
        session.flush()
        record_event(
            session=session,
            actor=actor,
            entity_type="user",
            entity_id=saved_id(user),
            action="create",
            after=user_snapshot(user),
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, as shipped by the zxcvbn package (no network)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    """Raise InputError unless the password has 12+ characters and is neither common nor the account's own name."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"The password is too short; use at least {MIN_PASSWORD_LENGTH} characters "
            "(a few unrelated words make a good one)."
        )
    folded = password.casefold()
    squeezed = re.sub(r"[\W_]+", "", folded)
    if folded in _common_passwords() or squeezed in _common_passwords() or len(set(folded)) < 4:
        raise InputError("That password is one of the most common passwords; choose another.")
    own = {part for part in [email.casefold(), email.casefold().split("@")[0], name.casefold()] if part}
    if folded in own:
        raise InputError("The password may not be the account's email or name.")


@cache
def _dummy_hash() -> str:
    """A hash to check against when the account does not exist, computed once (not per sign-in)."""
    return generate_password_hash("no account has this password, it only costs the same time")


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None; known and unknown accounts cost the same work."""
    user = session.exec(select(User).where(User.email == (email or "").strip().lower())).first()
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = check_password_hash(stored, password or "")
    return user if user is not None and user.active and matches else None


def record_sign_in(*, session: Session, user: User) -> None:
    """Remember when the user last signed in (shown on the user list)."""
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()


def end_sessions(*, session: Session, user: User) -> None:
    """End every session of this user (sign-out everywhere); the caller commits."""
    user.session_version = (user.session_version or 0) + 1
    session.add(user)


def change_own_password(*, session: Session, user: User, current: str, new: str) -> User:
    """Let a user replace their password after proving the current one; every session of theirs ends (audited)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise InputError("The current password is not right; nothing was changed.")
    if current == new:
        raise InputError("The new password is the same as the current one.")
    return update_user(session=session, user=user, actor=user, password=new)


def get_user(*, session: Session, user_id: int) -> User | None:
    """Return one user."""
    return session.get(User, user_id)


def update_user(
    *,
    session: Session,
    user: User,
    actor: User | None,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change a user's role, active state or password (admins); every change ends the user's sessions, audited."""
    before = user_snapshot(user)
    changes = []
    if role is not None and role != str(user.role):
        if role not in Role.__members__:
            raise InputError(f"Unknown role “{role[:20]}”; choose one of: {', '.join(Role.__members__)}.")
        if actor is not None and actor.id == user.id:
            raise InputError("You cannot change your own role; ask another admin.")
        user.role = Role(role)
        changes.append("role")
    if active is not None and active != user.active:
        if actor is not None and actor.id == user.id:
            raise InputError("You cannot deactivate your own account.")
        user.active = active
        changes.append("activate" if active else "deactivate")
    if password is not None:
        check_password(password, email=user.email, name=user.name)
        user.password_hash = generate_password_hash(password)
        changes.append("password")
    if not changes:
        raise InputError("Nothing to change.")
    try:
        end_sessions(session=session, user=user)
        record_event(
            session=session,
            actor=actor,
            entity_type="user",
            entity_id=saved_id(user),
            action="+".join(changes),
            before=before,
            after={**user_snapshot(user), "password_changed": "password" in changes},
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user


def list_users(*, session: Session) -> list[User]:
    """Return every user, by email."""
    return list(session.exec(select(User).order_by(User.email)))
