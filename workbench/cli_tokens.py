"""`workbench tokens create|list|revoke`: personal API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from .cli_admin import writes_audit_events
from .db import get_session
from .errors import InputError
from .models import User
from .services.tokens import SCOPES, create_token, list_tokens, parse_expiry, revoke_token, token_state


@click.group("tokens")
def tokens_group():
    """Manage API tokens."""


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help='Where the token is used ("CMS sync").')
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True)
@click.option("--expires", help="Last day the token works (YYYY-MM-DD); none by default.")
@with_appcontext
@writes_audit_events
def tokens_create(email, name, scope, expires):
    """Create a token for a user and print it once (only its hash is stored)."""
    session = get_session()
    user = session.exec(select(User).where(User.email == email.strip().lower()[:254])).first()
    if user is None:
        raise click.ClickException(f"There is no account {email[:254]}.")
    try:
        token, secret = create_token(
            session=session, user=user, name=name, scope=scope, expires_at=parse_expiry(expires), actor=None
        )
    except InputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Created token #{token.id} “{token.label}” ({token.scope}) for {user.email}. "
        "Copy it now; it is not shown again:",
        err=True,
    )
    click.echo(secret)


@tokens_group.command("list")
@with_appcontext
def tokens_list():
    """List every token: id, owner, name, scope, state, expiry and last use (never the token itself)."""
    for token, email in list_tokens(session=get_session()):
        expires = token.expires_at.strftime("%Y-%m-%d") if token.expires_at else "never"
        used = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
        click.echo(f"{token.id}\t{email}\t{token.label}\t{token.scope}\t{token_state(token)}\t{expires}\t{used}")


@tokens_group.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
@with_appcontext
@writes_audit_events
def tokens_revoke(token_id):
    """Revoke a token by its id; it stops working at once."""
    try:
        token = revoke_token(session=get_session(), token_id=token_id, actor=None)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked token #{token.id} “{token.label}”.")
