"""Exports from the web: CSV, JSON, the printable audit report and ClaimReview, streamed."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context

from ..auth import acting_user
from ..db import get_session
from ..errors import InputError
from ..headers import STANDALONE_DOCUMENT_POLICY
from ..services.exports import ExportScope, check_export, export_stream
from ..services.ingest import parse_published

bp = Blueprint("exports", __name__)

MIMETYPES = {"csv": "text/csv", "json": "application/json", "html": "text/html", "claimreview": "application/ld+json"}
SUFFIXES = {"csv": "csv", "json": "json", "html": "html", "claimreview": "jsonld"}


def html_renderer(app):
    """Return a function that streams the report template (used by the web and the command line)."""

    def render(**context):
        return app.jinja_env.get_template("report.html").generate(**context)

    return render


def scope_from(values) -> tuple[ExportScope, str]:
    """Read and check an export's scope and format; raise InputError with the reason."""
    fmt = values.get("format", "csv")
    article = values.get("article", "")
    scope = ExportScope(
        article_id=int(article) if article.isdigit() else None,
        source=(values.get("source") or "").strip() or None,
        since=parse_published(values.get("since")),
    )
    if fmt not in MIMETYPES:
        raise InputError(f"Unknown format “{fmt[:20]}”; choose csv, json, html or claimreview.")
    check_export(session=get_session(), scope=scope, fmt=fmt, public_url=current_app.config["PUBLIC_URL"])
    return scope, fmt


@bp.get("/exports")
def download():
    """Offer an export of one article, one source or a date range; a GET never writes, so this only asks."""
    try:
        scope, fmt = scope_from(request.args)
    except InputError as error:
        return render_template("error.html", code=422, message=str(error)), 422
    return render_template("exports/confirm.html", scope=scope, fmt=fmt, args=request.args)


@bp.post("/exports")
def generate():
    """Stream the export and record it in the audit chain (a POST with a CSRF token: no cross-site trigger)."""
    try:
        scope, fmt = scope_from(request.form)
    except InputError as error:
        return render_template("error.html", code=422, message=str(error)), 422
    return stream_export(scope, fmt, attachment=fmt != "html" or bool(request.form.get("download")))


def stream_export(scope: ExportScope, fmt: str, *, attachment: bool) -> Response:
    """Answer with the export streamed, its trailer last and its audit event recorded (the web and the API)."""
    chunks = export_stream(
        session=get_session(),
        scope=scope,
        fmt=fmt,
        render_html=html_renderer(current_app),
        organisation=current_app.config["ORGANISATION"],
        public_url=current_app.config["PUBLIC_URL"],
        actor=acting_user(),
        require_approval=current_app.config["REQUIRE_APPROVAL"],
    )
    response = Response(stream_with_context(chunks), mimetype=MIMETYPES[fmt])
    if attachment:
        response.headers["Content-Disposition"] = f'attachment; filename="{scope.slug()}.{SUFFIXES[fmt]}"'
    if fmt == "html":
        response.headers["Content-Security-Policy"] = STANDALONE_DOCUMENT_POLICY
    return response
