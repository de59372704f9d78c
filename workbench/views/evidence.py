"""Evidence: fetch state (a fragment that refreshes itself while fetching), archives, source trace, re-checks."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, url_for
from htmx_flask import request  # flask's request, typed with the .htmx attribute the extension adds

from ..auth import acting_user
from ..db import get_session
from ..models import Article, Claim, Evidence, EvidenceSnapshot
from ..rendering import render
from ..services.evidence_fetch import evidence_ids_of_article, request_fetch, snapshots_of
from ..services.source_trace import trace
from ..worker import queue_fetches

bp = Blueprint("evidence", __name__)


def _evidence_or_404(evidence_id: int) -> tuple[Evidence, Claim]:
    session = get_session()
    evidence = session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    claim = session.get(Claim, evidence.claim_id)
    if claim is None:  # the foreign key makes this impossible; a 404 rather than a crash all the same
        abort(404)
    return evidence, claim


@bp.get("/evidence/<int:evidence_id>")
def show(evidence_id: int):
    """The evidence item: as a fragment it refreshes itself until the fetch is done; as a page, its archives."""
    evidence, claim = _evidence_or_404(evidence_id)
    return render(
        "evidence/show.html",
        "partials/_evidence_item.html",
        f"evidence-{evidence_id}",
        e=evidence,
        claim=claim,
        traces={evidence.id: trace(claim.text, evidence.archived_text)},
        snapshots=snapshots_of(session=get_session(), evidence_id=evidence_id),
    )


@bp.get("/evidence/<int:evidence_id>/archive/<int:snapshot_id>")
def archive(evidence_id: int, snapshot_id: int):
    """One archived copy of the page, as text (never as the page's own HTML)."""
    evidence, claim = _evidence_or_404(evidence_id)
    snapshot = get_session().get(EvidenceSnapshot, snapshot_id)
    if snapshot is None or snapshot.evidence_id != evidence_id:
        abort(404)
    return render(
        "evidence/archive.html",
        "partials/_archive_text.html",
        "archive-text",
        e=evidence,
        claim=claim,
        snapshot=snapshot,
    )


@bp.get("/evidence/<int:evidence_id>/archive/<int:snapshot_id>/original")
def original(evidence_id: int, snapshot_id: int):
    """The archived bytes exactly as fetched, always as a download (a page is never run inside the app)."""
    snapshot = get_session().get(EvidenceSnapshot, snapshot_id)
    if snapshot is None or snapshot.evidence_id != evidence_id or snapshot.body is None:
        abort(404)
    response = Response(snapshot.body, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="evidence-{evidence_id}-{snapshot_id}.bin"'
    response.headers["X-Archived-Content-Type"] = snapshot.content_type or ""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.post("/evidence/<int:evidence_id>/recheck")
def recheck(evidence_id: int):
    """Fetch the URL again (a re-check, or a retry after a failure); the earlier archive stays."""
    evidence, claim = _evidence_or_404(evidence_id)
    action = "retry" if evidence.fetch_state == "failed" else "recheck"
    request_fetch(session=get_session(), evidence_ids=[evidence_id], actor=acting_user(), action=action)
    queue_fetches(current_app, [evidence_id])
    if request.htmx:
        get_session().refresh(evidence)
        return render(
            "partials/_evidence_item.html",
            "partials/_evidence_item.html",
            f"evidence-{evidence_id}",
            e=evidence,
            claim=claim,
            traces={},
        )
    return redirect(url_for("claims.show", claim_id=claim.id), code=303)


@bp.post("/articles/<int:article_id>/recheck")
def recheck_article(article_id: int):
    """Re-check every evidence link of an article's claims."""
    session = get_session()
    if session.get(Article, article_id) is None:
        abort(404)
    ids = evidence_ids_of_article(session=session, article_id=article_id)
    count = request_fetch(session=session, evidence_ids=ids, actor=acting_user())
    queue_fetches(current_app, ids)
    flash(f"Re-checking {count} evidence link{'s' if count != 1 else ''}; results appear on each claim.", "success")
    return redirect(url_for("articles.show", article_id=article_id), code=303)
