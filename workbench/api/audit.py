"""The audit chain in the API: its head for anyone signed in, a full verification for editors (as in the UI)."""

from __future__ import annotations

from spectree import Response

from ..audit import chain_head, verify_chain
from ..auth import require_role
from ..db import get_session
from ..models import Role
from . import bp, schemas, spec
from .claims import ERRORS


@bp.get("/audit/head")
@spec.validate(resp=Response(HTTP_200=schemas.AuditHead, **ERRORS), tags=["audit"])
def audit_head():
    """Return the newest event's sequence number and hash, to anchor or compare."""
    seq, head = chain_head(session=get_session())
    return schemas.AuditHead(seq=seq, hash=head)


@bp.get("/audit/verify")
@require_role(Role.editor)
@spec.validate(resp=Response(HTTP_200=schemas.AuditReport, **ERRORS), tags=["audit"])
def audit_verify():
    """Check the whole chain (editors, as the Audit page)."""
    report = verify_chain(session=get_session())
    return schemas.AuditReport(
        ok=report.ok, count=report.count, head=report.head, error=report.error, bad_event_id=report.bad_event_id
    )
