"""Personal API tokens: created once in the clear, stored as a SHA-256, scoped read or write, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import overload

from sqlalchemy import update
from sqlmodel import Session, col, select

from ..audit import record_event
from ..errors import InputError
from ..models import ApiToken, User, saved_id, utcnow
from ..validation import max_length

SCOPES = ("read", "write")
PREFIX = "wbt_"  # lets secret scanners and people recognise a leaked workbench token
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)  # at most one write per token per minute, not one per request


def hash_token(secret: str) -> str:
    """Return the stored form of a token: its SHA-256 in hex (tokens are random, so no salt is needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@overload
def _aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def token_snapshot(token: ApiToken) -> dict:
    """Return what the audit trail records of a token (never its hash)."""
    return {
        "user_id": token.user_id,
        "name": token.label,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def create_token(
    *, session: Session, user: User, name: str, scope: str, actor: User | None, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for a user and return it with its secret, which is shown once and never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise InputError("Give the token a name that says where it is used (“CMS sync”).")
    if len(name) > max_length(ApiToken, "label"):
        raise InputError(f"A token name is limited to {max_length(ApiToken, 'label')} characters.")
    if scope not in SCOPES:
        raise InputError(f"Unknown scope “{scope}”; choose read or write.")
    if not user.active:
        raise InputError(f"{user.email} is deactivated; a token for it would not work.")
    if expires_at is not None and _aware(expires_at) <= utcnow():
        raise InputError("The expiry date is in the past; choose a later one or none.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=saved_id(user), label=name, token_hash=hash_token(secret), scope=scope, expires_at=expires_at
    )
    try:
        session.add(token)
        session.flush()
        record_event(
            session=session,
            actor=actor,
            entity_type="api_token",
            entity_id=saved_id(token),
            action="create",
            after=token_snapshot(token),
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return token, secret


def list_tokens(*, session: Session, user: User | None = None) -> list[tuple[ApiToken, str]]:
    """Return tokens with their owner's email, newest first; only one user's when a user is given."""
    query = (
        select(ApiToken, col(User.email))
        .join(User, col(User.id) == col(ApiToken.user_id))
        .order_by(col(ApiToken.id).desc())
    )
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.exec(query))


def revoke_token(*, session: Session, token_id: int, actor: User | None, owner: User | None = None) -> ApiToken:
    """Revoke a token at once (audited); with owner given, only that user's own token."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        raise InputError(f"There is no token #{token_id} to revoke.")
    if token.revoked_at is not None:
        raise InputError(f"Token “{token.label}” is already revoked.")
    token.revoked_at = utcnow()
    session.add(token)
    record_event(
        session=session,
        actor=actor,
        entity_type="api_token",
        entity_id=saved_id(token),
        action="revoke",
        before=token_snapshot(token),
    )
    session.commit()
    return token


def token_state(token: ApiToken) -> str:
    """Say whether a token works: active, expired or revoked."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and _aware(token.expires_at) <= utcnow():
        return "expired"
    return "active"


def authenticate_token(*, session: Session, secret: str) -> tuple[User, ApiToken] | None:
    """Return the active user and token behind a secret, or None; notes when the token was last used."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.token_hash == hash_token(secret))
        .execution_options(populate_existing=True)
    ).first()  # a revocation is seen at once
    if row is None:
        return None
    token, user = row
    if token_state(token) != "active" or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - _aware(token.last_used_at) > LAST_USED_GRANULARITY:
        session.execute(
            update(ApiToken)
            .where(col(ApiToken.id) == token.id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        session.refresh(token)
    return user, token


def parse_expiry(value: str | None) -> dt.datetime | None:
    """Read an expiry date (YYYY-MM-DD, the end of that day in UTC) from a form or the command line."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"“{value[:20]}” is not a date; use YYYY-MM-DD.") from None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)
