"""Creating users and checking their passwords."""

from __future__ import annotations

import re

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record_event
from ..errors import InputError
from ..models import Role, User

MIN_PASSWORD_LENGTH = 8
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
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InputError(f"The password is too short; use at least {MIN_PASSWORD_LENGTH} characters.")
    if session.exec(select(User).where(User.email == email)).first():
        raise InputError(f"A user with the email {email} already exists.")
    user = User(email=email, name=name, role=Role(role), password_hash=generate_password_hash(password))
    try:
        session.add(user)
        session.flush()
        record_event(session=session, actor=actor, entity_type="user", entity_id=user.id,
                     action="create", after=user_snapshot(user))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = session.exec(select(User).where(User.email == (email or "").strip().lower())).first()
    if user is None or not user.active:
        # Hash anyway so that a missing account takes as long as a wrong password.
        check_password_hash(generate_password_hash("x"), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def list_users(*, session: Session) -> list[User]:
    """Return every user, by email."""
    return list(session.exec(select(User).order_by(User.email)))

