"""Webhooks in the API (admins): register endpoints, pause or change them, read their delivery log, redeliver."""

from __future__ import annotations

from spectree import Response

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role, saved_id
from ..models_webhooks import WebhookDelivery, WebhookEndpoint
from ..services import webhooks
from . import bp, json_body, schemas, spec
from .claims import ERRORS, WRITE_ERRORS
from .problems import ApiProblem


def _out(endpoint: WebhookEndpoint, secret: str | None = None) -> schemas.WebhookOut:
    return schemas.WebhookOut(
        id=saved_id(endpoint),
        url=endpoint.url,
        description=endpoint.description,
        events=list(endpoint.events),
        active=endpoint.active,
        created_at=endpoint.created_at,
        secret_hint=webhooks.secret_hint(endpoint),
        secret=secret,
    )


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = get_session().get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise ApiProblem(404, f"There is no webhook #{endpoint_id}.")
    return endpoint


def _log(endpoint_id: int) -> schemas.WebhookDeliveryList:
    rows = webhooks.delivery_log(session=get_session(), endpoint_id=endpoint_id)
    return schemas.WebhookDeliveryList(
        items=[
            schemas.WebhookDeliveryOut(
                id=saved_id(row.delivery),
                event_id=saved_id(row.event),
                event_type=row.event.type,
                state=row.delivery.state,
                attempts=[schemas.WebhookAttemptOut.model_validate(a, from_attributes=True) for a in row.attempts],
                next_attempt_at=row.delivery.next_attempt_at if row.delivery.state in webhooks.OPEN_STATES else None,
                delivered_at=row.delivery.delivered_at,
                last_error=row.delivery.last_error,
                redelivery_of_id=row.delivery.redelivery_of_id,
            )
            for row in rows
        ]
    )


@bp.get("/webhooks")
@require_role(Role.admin)
@spec.validate(resp=Response(HTTP_200=schemas.WebhookList, **ERRORS), tags=["webhooks"])
def list_webhooks():
    """List the registered webhook endpoints (admins)."""
    return schemas.WebhookList(items=[_out(e) for e in webhooks.list_endpoints(session=get_session())])


@bp.post("/webhooks")
@require_role(Role.admin)
@spec.validate(json=schemas.WebhookIn, resp=Response(HTTP_201=schemas.WebhookOut, **WRITE_ERRORS), tags=["webhooks"])
def create_webhook():
    """Register an endpoint (admins); the answer carries its signing secret, this once."""
    body = json_body()
    try:
        endpoint, secret = webhooks.create_endpoint(
            session=get_session(), url=body.url, events=body.events, description=body.description, actor=acting_user()
        )
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(422, str(error)) from None
    return _out(endpoint, secret), 201, {"Cache-Control": "no-store"}


@bp.get("/webhooks/<int:endpoint_id>")
@require_role(Role.admin)
@spec.validate(resp=Response(HTTP_200=schemas.WebhookOut, **ERRORS), tags=["webhooks"])
def get_webhook(endpoint_id: int):
    """Read one endpoint (admins)."""
    return _out(_endpoint(endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>")
@require_role(Role.admin)
@spec.validate(
    json=schemas.WebhookUpdateIn, resp=Response(HTTP_200=schemas.WebhookOut, **WRITE_ERRORS), tags=["webhooks"]
)
def update_webhook(endpoint_id: int):
    """Change an endpoint's events, or pause (active false) or resume it (admins)."""
    body, endpoint = json_body(), _endpoint(endpoint_id)
    try:
        webhooks.update_endpoint(
            session=get_session(), endpoint=endpoint, events=body.events, active=body.active, actor=acting_user()
        )
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(422, str(error)) from None
    return _out(endpoint)


@bp.delete("/webhooks/<int:endpoint_id>")
@require_role(Role.admin)
@spec.validate(resp=Response(HTTP_204=None, **WRITE_ERRORS), tags=["webhooks"])
def delete_webhook(endpoint_id: int):
    """Delete a paused endpoint with its delivery log (admins; audited). An active one is 409: pause it first."""
    try:
        webhooks.delete_endpoint(session=get_session(), endpoint=_endpoint(endpoint_id), actor=acting_user())
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(409, str(error)) from None
    return "", 204


@bp.get("/webhooks/<int:endpoint_id>/deliveries")
@require_role(Role.admin)
@spec.validate(resp=Response(HTTP_200=schemas.WebhookDeliveryList, **ERRORS), tags=["webhooks"])
def list_webhook_deliveries(endpoint_id: int):
    """An endpoint's delivery log, newest first, each delivery with its attempts (admins)."""
    return _log(saved_id(_endpoint(endpoint_id)))


@bp.post("/webhooks/deliveries/<int:delivery_id>/redeliver")
@require_role(Role.admin)
@spec.validate(resp=Response(HTTP_202=schemas.WebhookDeliveryList, **WRITE_ERRORS), tags=["webhooks"])
def redeliver_webhook(delivery_id: int):
    """Send a delivery's event again, behind what already waits for its endpoint (admins; audited)."""
    delivery = get_session().get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise ApiProblem(404, f"There is no webhook delivery #{delivery_id}.")
    webhooks.redeliver(session=get_session(), delivery=delivery, actor=acting_user())
    return _log(delivery.endpoint_id), 202
