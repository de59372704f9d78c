"""The `workbench users` and `workbench audit` commands: accounts and the audit chain, from the command line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext

from .config import require_audit_key
from .db import get_session
from .errors import InputError
from .validation import RejectedInput, check_values

P = ParamSpec("P")
R = TypeVar("R")


def writes_audit_events(command: Callable[P, R]) -> Callable[P, R]:
    """Mark a command that writes audit events: outside debug and tests it refuses the development audit key.

    Goes below @with_appcontext, so the check runs with the app of the command line.
    """

    @functools.wraps(command)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        require_audit_key(current_app.config, debug=current_app.debug, testing=current_app.testing)
        return command(*args, **kwargs)

    return checked


def check_cli_values(endpoint: str, values: dict) -> None:
    """Pass command-line values through the same validation layer as the web forms; one line when refused."""
    try:
        check_values(endpoint, values)
    except RejectedInput as error:
        raise click.ClickException(error.description) from None


@click.group("users")
def users_group():
    """Manage user accounts."""


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", type=click.Choice(["checker", "editor", "admin"]), default="checker", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
@with_appcontext
@writes_audit_events
def users_create(email, name, role, password_stdin):
    """Create a user account."""
    from .services.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    check_cli_values("admin.create_user_view", {"email": email, "name": name, "password": password})
    try:
        user = create_user(session=get_session(), email=email, name=name, role=role, password=password, actor=None)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.email} ({user.role}).")


@users_group.command("list")
@with_appcontext
def users_list():
    """List user accounts."""
    from .services.users import list_users

    for user in list_users(session=get_session()):
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        click.echo(f"{user.email}\t{user.name}\t{user.role}\t{'active' if user.active else 'inactive'}\t{last}")


@users_group.command("update")
@click.argument("email")
@click.option("--role", type=click.Choice(["checker", "editor", "admin"]), help="Give the account this role.")
@click.option("--deactivate", "active", flag_value=False, default=None, help="Deactivate the account.")
@click.option("--reactivate", "active", flag_value=True, help="Reactivate the account.")
@click.option("--password-stdin", is_flag=True, help="Set a new password read from standard input.")
@with_appcontext
@writes_audit_events
def users_update(email, role, active, password_stdin):
    """Change an account's role, deactivate or reactivate it, or set its password; its sessions end (audited)."""
    from sqlmodel import select

    from .models import User
    from .services.users import update_user

    session = get_session()
    user = session.exec(select(User).where(User.email == email.strip().lower()[:254])).first()
    if user is None:
        raise click.ClickException(f"There is no account {email[:254]}.")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    check_cli_values("admin.update_user_view", {"role": role, "password": password})
    try:
        update_user(session=session, user=user, actor=None, role=role, active=active, password=password)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Updated {user.email} ({user.role}, {'active' if user.active else 'inactive'}); its sessions have ended."
    )


@click.group("audit")
def audit_group():
    """Check the audit trail."""


@audit_group.command("verify")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Also check an exported report against the database.",
)
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Also check that the head signed in this anchor file is still in the chain (no truncation, no rewrite since).",
)
@with_appcontext
def audit_verify(report_file, anchor_file):
    """Check every event of the audit chain (and a report, an anchor); exit 1 naming the first problem."""
    from .audit import verify_chain

    report = verify_chain(session=get_session())
    if not report.ok:
        click.echo(f"Audit chain BROKEN at {report.error}", err=True)
        click.echo(f"{report.count} events were intact before it; last good hash {report.head}", err=True)
        sys.exit(1)
    click.echo(f"Audit chain intact: {report.count} events; head {report.head}")
    if anchor_file:
        from .audit_anchor import check_anchor, read_anchor

        try:
            anchor = read_anchor(Path(anchor_file).read_text(encoding="utf-8", errors="replace"))
        except InputError as error:
            raise click.ClickException(f"{anchor_file}: {error}") from None
        check = check_anchor(session=get_session(), anchor=anchor)
        if not check.ok:
            click.echo(f"{anchor_file}: {check.message}", err=True)
            sys.exit(1)
        click.echo(f"{anchor_file}: {check.message}")
    if report_file:
        from .services.exports import verify_report

        check = verify_report(session=get_session(), content=Path(report_file).read_bytes())
        if not check.ok:
            click.echo(f"{report_file}: {check.message}", err=True)
            sys.exit(1)
        click.echo(f"{report_file}: {check.message}")


@audit_group.command("anchor")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the anchor to this file (default: print it)."
)
@with_appcontext
@writes_audit_events
def audit_anchor(output):
    """Sign the chain's current head with the audit key; keep the anchor outside the database."""
    from .audit_anchor import make_anchor

    try:
        anchor = make_anchor(session=get_session(), actor=None)
    except InputError as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(anchor, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror or error}.") from None
    click.echo(f"Anchored event {anchor['seq']} ({anchor['hash']}) in {output}; keep it outside the database.")
