"""The source registry: canonical names, aliases (which feed extraction), kinds, merges and track records."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..auth import acting_user, require_role
from ..db import get_session
from ..errors import InputError
from ..models import Role, Source, SourceKind
from ..rendering import render
from ..services import sources as registry
from ..services.review import STATUS_LABELS

bp = Blueprint("sources", __name__)


@bp.get("/sources")
def index(*, form=None, error: str | None = None, status: int = 200):
    """All sources with their claim counts; searchable by name."""
    q = (request.args.get("q") or "").strip()[:100]
    return render(
        "sources/index.html",
        "partials/_source_table.html",
        "source-table",
        status=status,
        rows=registry.list_sources(session=get_session(), q=q),
        q=q,
        kinds=list(SourceKind),
        form=form or {},
        error=error,
    )


@bp.get("/sources/suggest")
def suggest():
    """Options for a source type-ahead (a datalist's contents): names or aliases containing what was typed."""
    typed = next((request.args.get(name) for name in ("source_name", "new_source", "q") if name in request.args), "")
    names = registry.suggest_source_names(session=get_session(), text=typed or "")
    return render_template("partials/_source_options.html", names=names)


@bp.post("/sources")
@require_role(Role.editor)
def create():
    """Register a source by hand (editors)."""
    form = request.form
    try:
        source = registry.create_source(
            session=get_session(),
            name=form.get("name", ""),
            kind=form.get("kind", ""),
            domain=form.get("domain", ""),
            notes=form.get("notes", ""),
            actor=acting_user(),
        )
    except InputError as error:
        get_session().rollback()
        return index(form=form, error=str(error), status=422)
    flash(f"Source “{source.name}” added.", "success")
    return redirect(url_for("sources.show", source_id=source.id), code=303)


def _page(source_id: int, *, error: str | None = None, status: int = 200):
    record = registry.source_record(session=get_session(), source_id=source_id)
    if record is None:
        abort(404)
    return render(
        "sources/show.html",
        "partials/_source_record.html",
        "source-record",
        status=status,
        r=record,
        kinds=list(SourceKind),
        labels=STATUS_LABELS,
        error=error,
    )


@bp.get("/sources/<int:source_id>")
def show(source_id: int):
    """A source: its names, kind, notes and its record (claims by status)."""
    return _page(source_id)


def _change(source_id: int, apply, success: str):
    session = get_session()
    source = session.get(Source, source_id)
    if source is None:
        abort(404)
    try:
        target = apply(source)
    except InputError as error:
        session.rollback()
        return _page(source_id, error=str(error), status=422)
    flash(success, "success")
    return redirect(url_for("sources.show", source_id=target or source_id), code=303)


@bp.post("/sources/<int:source_id>")
@require_role(Role.editor)
def update(source_id: int):
    """Edit the canonical name, kind, domain and notes."""
    form = request.form
    return _change(
        source_id,
        lambda source: (
            registry.update_source(
                session=get_session(),
                source=source,
                name=form.get("name", ""),
                kind=form.get("kind", ""),
                domain=form.get("domain", ""),
                notes=form.get("notes", ""),
                actor=acting_user(),
            )
            and None
        ),
        "Source saved.",
    )


@bp.post("/sources/<int:source_id>/aliases")
@require_role(Role.editor)
def add_alias(source_id: int):
    """Add an alias; extraction recognises it from the next ingest on."""
    return _change(
        source_id,
        lambda source: (
            registry.add_alias(
                session=get_session(), source=source, alias=request.form.get("alias", ""), actor=acting_user()
            )
            and None
        ),
        "Alias added.",
    )


@bp.post("/sources/<int:source_id>/aliases/<int:alias_id>/delete")
@require_role(Role.editor)
def remove_alias(source_id: int, alias_id: int):
    """Remove an alias."""
    return _change(
        source_id,
        lambda source: registry.remove_alias(
            session=get_session(), source=source, alias_id=alias_id, actor=acting_user()
        ),
        "Alias removed.",
    )


@bp.post("/sources/<int:source_id>/merge")
@require_role(Role.editor)
def merge(source_id: int):
    """Merge this source into another; its claims and aliases move there."""
    target_id = request.form.get("into", "")

    def apply(source):
        target = get_session().get(Source, int(target_id)) if target_id.isdigit() else None
        if target is None:
            raise InputError("Choose the source to merge into.")
        moved = registry.merge_sources(session=get_session(), source=source, into=target, actor=acting_user())
        flash(f"Merged; {moved} claim{'s' if moved != 1 else ''} moved.", "info")
        return target.id

    return _change(source_id, apply, "Sources merged.")
