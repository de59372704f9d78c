"""Sources in the API: the registry with counts, one source's record, and (editors) aliases and merges."""

from __future__ import annotations

from flask import request, url_for
from spectree import Response

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role, Source, saved_id
from ..services import sources as registry
from ..services.claim_writes import ConflictError
from . import bp, json_body, schemas, spec
from .claims import ERRORS, WRITE_ERRORS
from .problems import ApiProblem


def _source(source_id: int) -> Source:
    source = get_session().get(Source, source_id)
    if source is None:
        raise ApiProblem(404, f"There is no source #{source_id}.")
    return source


def _record(source_id: int) -> schemas.SourceRecordOut:
    record = registry.source_record(session=get_session(), source_id=source_id)
    if record is None:
        raise ApiProblem(404, f"There is no source #{source_id}.")
    source = record["source"]
    return schemas.SourceRecordOut(
        id=source.id,
        name=source.name,
        kind=str(source.kind),
        domain=source.domain,
        notes=source.notes,
        aliases=[row.alias for row in record["aliases"]],
        by_status=dict(record["by_status"]),
    )


@bp.get("/sources")
@spec.validate(query=schemas.SourceQuery, resp=Response(HTTP_200=schemas.SourceList, **ERRORS), tags=["sources"])
def list_sources():
    """List sources with how many claims cite them and how many of those were judged false or misleading."""
    rows = registry.list_sources(session=get_session(), q=(request.context.query.q or "").strip())
    return schemas.SourceList(
        items=[
            schemas.SourceOut(
                id=row.source.id,
                name=row.source.name,
                kind=str(row.source.kind),
                domain=row.source.domain,
                home_url=row.source.home_url,
                notes=row.source.notes,
                aliases=row.aliases,
                claims=row.claims,
                flagged=row.flagged,
            )
            for row in rows
        ]
    )


@bp.post("/sources")
@require_role(Role.editor)
@spec.validate(json=schemas.SourceIn, resp=Response(HTTP_201=schemas.SourceRecordOut, **WRITE_ERRORS), tags=["sources"])
def create_source():
    """Register a source by hand (editors), before any article cites it."""
    body = json_body()
    try:
        source = registry.create_source(
            session=get_session(),
            name=body.name,
            kind=body.kind.value,
            domain=body.domain,
            notes=body.notes,
            actor=acting_user(),
        )
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(422, str(error)) from None
    return _record(source.id), 201, {"Location": url_for("api.get_source", source_id=source.id, _external=True)}


@bp.get("/sources/<int:source_id>")
@spec.validate(resp=Response(HTTP_200=schemas.SourceRecordOut, **ERRORS), tags=["sources"])
def get_source(source_id: int):
    """Read a source with its aliases and its claims counted by status."""
    return _record(source_id)


@bp.post("/sources/<int:source_id>/aliases")
@require_role(Role.editor)
@spec.validate(json=schemas.AliasIn, resp=Response(HTTP_201=schemas.SourceRecordOut, **WRITE_ERRORS), tags=["sources"])
def add_source_alias(source_id: int):
    """Add an alias (editors); extraction uses it from the next ingest on."""
    source = _source(source_id)
    try:
        registry.add_alias(session=get_session(), source=source, alias=json_body().alias, actor=acting_user())
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(422, str(error)) from None
    return _record(source_id), 201


@bp.post("/sources/<int:source_id>/merge")
@require_role(Role.editor)
@spec.validate(json=schemas.MergeIn, resp=Response(HTTP_200=schemas.MergeOut, **WRITE_ERRORS), tags=["sources"])
def merge_source(source_id: int):
    """Merge this source into another (editors): its claims and aliases move, its name becomes an alias."""
    source, into = _source(source_id), _source(json_body().into)
    try:
        moved = registry.merge_sources(session=get_session(), source=source, into=into, actor=acting_user())
    except InputError as error:
        get_session().rollback()
        raise ApiProblem(422, str(error)) from None
    except ConflictError as error:
        raise ApiProblem(
            409, f"Claim #{error.claim_id} of this source changed during the merge; nothing was merged. Try again."
        ) from None
    return schemas.MergeOut(moved=moved, into=saved_id(into))
