"""Webhooks for admins: register endpoints (the secret shown once), pause them, read each delivery log, redeliver."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role, saved_id
from ..models_webhooks import WebhookDelivery, WebhookEndpoint
from ..rendering import render, wants_fragment
from ..services import webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
LOG_TARGET = "delivery-log"


def _list_page(*, secret: str | None = None, created: WebhookEndpoint | None = None, form=None, error=None, status=200):
    response = render(
        "admin/webhooks.html",
        "partials/_webhook_endpoints.html",
        "webhook-endpoints",
        status=status,
        endpoints=webhooks.list_endpoints(session=get_session()),
        events=webhooks.EVENTS,
        hint=webhooks.secret_hint,
        secret=secret,
        created=created,
        form=form or {},
        error=error,
    )
    if secret:
        response.headers["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = get_session().get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.get("")
@require_role(Role.admin)
def index():
    """List the registered endpoints with a form to add one."""
    return _list_page()


@bp.post("")
@require_role(Role.admin)
def create():
    """Register an endpoint and show its signing secret this once."""
    form = request.form
    try:
        endpoint, secret = webhooks.create_endpoint(
            session=get_session(),
            url=form.get("url", ""),
            events=form.getlist("events"),
            description=form.get("description", ""),
            actor=acting_user(),
        )
    except InputError as error:
        get_session().rollback()
        return _list_page(form=form, error=str(error), status=422)
    return _list_page(secret=secret, created=endpoint, status=201)


@bp.get("/<int:endpoint_id>")
@require_role(Role.admin)
def show(endpoint_id: int):
    """One endpoint and its delivery log: every delivery with each attempt; the log refreshes while any is open."""
    endpoint = _endpoint(endpoint_id)
    rows = webhooks.delivery_log(session=get_session(), endpoint_id=saved_id(endpoint))
    return render(
        "admin/webhook.html",
        "partials/_webhook_log.html",
        LOG_TARGET,
        endpoint=endpoint,
        rows=rows,
        events=webhooks.EVENTS,
        hint=webhooks.secret_hint,
        open_states=webhooks.OPEN_STATES,
        polling=any(row.delivery.state in webhooks.OPEN_STATES for row in rows),
    )


@bp.post("/<int:endpoint_id>")
@require_role(Role.admin)
def update(endpoint_id: int):
    """Pause or resume an endpoint, or change its events; audited."""
    endpoint = _endpoint(endpoint_id)
    action = request.form.get("action", "")
    try:
        if action == "events":
            webhooks.update_endpoint(
                session=get_session(), endpoint=endpoint, events=request.form.getlist("events"), actor=acting_user()
            )
        elif action in ("pause", "resume"):
            webhooks.update_endpoint(
                session=get_session(), endpoint=endpoint, active=action == "resume", actor=acting_user()
            )
        else:
            raise InputError("Unknown action; choose pause, resume or events.")
    except InputError as error:
        get_session().rollback()
        flash(str(error), "error")
    else:
        flash(
            {"events": "Events saved.", "pause": "Endpoint paused.", "resume": "Endpoint resumed."}[action], "success"
        )
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id), code=303)


@bp.post("/<int:endpoint_id>/delete")
@require_role(Role.admin)
def delete(endpoint_id: int):
    """Delete a paused endpoint and its delivery log; audited."""
    endpoint = _endpoint(endpoint_id)
    url = endpoint.url
    try:
        removed = webhooks.delete_endpoint(session=get_session(), endpoint=endpoint, actor=acting_user())
    except InputError as error:
        get_session().rollback()
        flash(str(error), "error")
        return redirect(url_for("webhooks.show", endpoint_id=endpoint_id), code=303)
    flash(f"Webhook #{endpoint_id} ({url}) deleted with its {removed} deliveries.", "success")
    return redirect(url_for("webhooks.index"), code=303)


@bp.post("/deliveries/<int:delivery_id>/redeliver")
@require_role(Role.admin)
def redeliver(delivery_id: int):
    """Send a delivery's event to its endpoint again (queued behind what waits there); audited."""
    delivery = get_session().get(WebhookDelivery, delivery_id)
    if delivery is None:
        abort(404)
    again = webhooks.redeliver(session=get_session(), delivery=delivery, actor=acting_user())
    if wants_fragment(LOG_TARGET):
        return show(delivery.endpoint_id)
    flash(f"Event #{again.event_id} queued again as delivery #{again.id}.", "success")
    return redirect(url_for("webhooks.show", endpoint_id=delivery.endpoint_id), code=303)
