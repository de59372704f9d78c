"""API access for people: one's personal API tokens (created, shown once, revoked) and the API reference page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..auth import acting_user
from ..db import get_session
from ..errors import InputError
from ..services.tokens import SCOPES, create_token, list_tokens, parse_expiry, revoke_token, token_state

bp = Blueprint("api_access", __name__)


def _page(*, secret: str | None = None, error: str | None = None, status: int = 200):
    rows = list_tokens(session=get_session(), user=acting_user())
    return render_template(
        "api/tokens.html", rows=rows, state=token_state, scopes=SCOPES, secret=secret, error=error
    ), status


@bp.get("/account/tokens")
def tokens():
    """List one's API tokens with their scope, expiry and last use."""
    return _page()


@bp.post("/account/tokens")
def create():
    """Create a token and show its secret this once (it is stored only as a hash)."""
    form = request.form
    try:
        _, secret = create_token(
            session=get_session(),
            user=acting_user(),
            name=form.get("name", ""),
            scope=form.get("scope", ""),
            expires_at=parse_expiry(form.get("expires")),
            actor=acting_user(),
        )
    except InputError as error:
        return _page(error=str(error), status=422)
    response = _page(secret=secret, status=201)
    return response[0], 201, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke(token_id: int):
    """Revoke one of one's own tokens; it stops working at once."""
    try:
        token = revoke_token(session=get_session(), token_id=token_id, actor=acting_user(), owner=acting_user())
    except InputError as error:
        flash(str(error), "error")
    else:
        flash(f"Token “{token.label}” revoked.", "success")
    return redirect(url_for("api_access.tokens"), code=303)


@bp.get("/api/reference")
def reference():
    """Show every API operation, rendered on the server from the OpenAPI document (no script, no CDN)."""
    from ..api import spec

    document = spec.spec
    operations = [
        (path, method.upper(), operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    return render_template("api/reference.html", document=document, operations=operations)
