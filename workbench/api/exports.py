"""Exports in the API: the same four formats, streamed by the same service, with the same trailer and audit event."""

from __future__ import annotations

from spectree import Response

from ..errors import InputError
from ..views.exports import scope_from, stream_export
from . import bp, json_body, schemas, spec
from .claims import WRITE_ERRORS
from .problems import ApiProblem


@bp.post("/exports")
@spec.validate(json=schemas.ExportIn, resp=Response(HTTP_200=None, **WRITE_ERRORS), tags=["exports"])
def create_export():
    """Stream an export (csv, json, html report or ClaimReview JSON-LD); it ends with its integrity trailer and is
    recorded in the audit chain, as from the web."""
    body = json_body()
    values = {
        "format": body.format,
        "article": str(body.article or ""),
        "source": body.source or "",
        "since": body.since.isoformat() if body.since else "",
    }
    try:
        scope, fmt = scope_from(values)
    except InputError as error:
        raise ApiProblem(422, str(error)) from None
    return stream_export(scope, fmt, attachment=True)
