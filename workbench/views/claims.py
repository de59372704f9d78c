"""Claims: the review queue, the claim view and every change a checker makes to a claim."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from htmx_flask import request  # flask's request, typed with the .htmx attribute the extension adds
from werkzeug.datastructures import MultiDict

from ..auth import acting_user, require_role, signed_in_user
from ..db import get_session, read_without_transaction
from ..errors import InputError
from ..models import Evidence, Role, Status, User, saved_id
from ..rendering import render, wants_fragment
from ..services import claim_edits, corrections, review, saved_views
from ..services.claim_detail import claim_detail, describe_event, get_claim
from ..services.desk_groups import group_of, marked_queue_row, queue_markers
from ..services.matching import matches_of
from ..services.notifications import mentionable_people
from ..services.queue import (
    SORTS,
    count_matches,
    filter_choices,
    parse_filters,
    queue_neighbours,
    queue_page,
    with_typed_source,
)
from ..services.sources import source_name
from ..worker import queue_fetches
from .queue_views import views_context

bp = Blueprint("claims", __name__)


def _version(field: str = "version") -> int | None:
    raw = request.form.get(field, "")
    return int(raw) if raw.isdigit() else None


def _claim_or_404(claim_id: int):
    claim = get_claim(session=get_session(), claim_id=claim_id)
    if claim is None:
        abort(404)
    return claim


@bp.get("/claims")
def queue():
    """The review queue, filtered by the URL's arguments; htmx swaps only the results while typing."""
    session = get_session()
    filters = with_typed_source(session=session, filters=parse_filters(request.args), args=request.args)
    canonical = None
    if "source_name" in request.args:  # the form's typed source becomes the id every link and saved view keeps
        canonical = url_for("claims.queue", **filters.to_args())
        if not request.htmx and not filters.problems:
            return redirect(canonical, code=303)
    page = queue_page(session=session, filters=filters, user_id=acting_user().id, defer_count=bool(filters.q))
    checked, group_sizes = queue_markers(session=session, claim_ids=[row.claim.id for row in page.rows])
    # The views bar, density and filter form are only in the whole page; typing in the search swaps the results.
    # The typed source's name is only in the filter form, so only the whole page reads it.
    desk = (
        {}
        if wants_fragment("queue-results")
        else {
            **views_context(saved_views.query_of(filters)),
            "source_name": source_name(session=session, source_id=filters.source),
        }
    )
    response = render(
        "claims/queue.html",
        "partials/_queue_results.html",
        "queue-results",
        rows=page.rows,
        results=page,
        checked_before_ids=checked,
        group_sizes=group_sizes,
        filters=filters,
        sorts=SORTS,
        statuses=list(Status),
        choosable=review.CHOOSABLE,
        labels=review.STATUS_LABELS,
        choices=filter_choices(session=session),
        **_row_context(),
        **desk,
    )
    if canonical and request.htmx:
        response.headers["HX-Push-Url"] = canonical
    return response


@bp.get("/claims/count")
def count():
    """How many claims the queue's filters match (the queue asks for it apart when a search makes it costly)."""
    session = get_session()
    filters = parse_filters(request.args)
    total, more = count_matches(session=session, filters=filters, user_id=acting_user().id)
    return render_template("partials/_result_count.html", total=total, more=more, filters=filters, shown=0)


def _row_context() -> dict:
    """What every queue row shares, rendered once per request rather than once per row."""
    return {"claims_base": url_for("claims.queue")}


@bp.post("/claims/bulk")
def bulk():
    """Change the status or assignee of the selected claims, all or none."""
    session = get_session()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    action = request.form.get("action", "")
    back = request.form.get("back") or url_for("claims.queue")
    if not back.startswith("/"):
        back = url_for("claims.queue")
    try:
        if action == "status":
            count = review.bulk_update(
                session=session,
                claim_ids=ids,
                actor=acting_user(),
                status=review.parse_status(request.form.get("status", "")),
                rationale=request.form.get("rationale", ""),
            )
        elif action == "assign":
            target = request.form.get("assignee", "")
            assignee = acting_user() if target == "me" else session.get(User, int(target)) if target.isdigit() else None
            if target not in {"", "none", "me"} and assignee is None:
                raise InputError("That assignee does not exist.")
            count = review.bulk_update(
                session=session, claim_ids=ids, actor=acting_user(), assignee=assignee, unassign=assignee is None
            )
        else:
            raise InputError("Choose what to do with the selected claims: set a status or assign them.")
    except InputError as error:
        flash(str(error), "error")
    except review.ConflictError as error:
        return render_template(
            "error.html",
            code=409,
            message=(
                f"Claim #{error.claim_id} changed while you were choosing; nothing was changed. "
                "Reload the queue and try again."
            ),
        ), 409
    else:
        flash(f"Updated {count} claim{'s' if count != 1 else ''}.", "success")
    return redirect(back, code=303)


QUEUE_ROW_ID = re.compile(r"c[0-9]+")


def is_queue_row(target: str) -> bool:
    """Whether an htmx target is a queue row (its id is "c" and the claim id, short because a page holds 50)."""
    return QUEUE_ROW_ID.fullmatch(target) is not None


def _claim_response(
    claim_id: int, *, error: str | None = None, status: int = 200, previous_rationale: str | None = None
):
    """Answer a claim change: the queue row, the claim panel, or (plain forms) a redirect.

    A changed queue row carries the rationale the change replaced, for the queue's undo (rather than every row
    of the page carrying its rationale in case it is changed).
    """
    session = get_session()
    target = request.htmx.target or ""
    if request.htmx and is_queue_row(target):
        row, checked, group_sizes = marked_queue_row(session=session, claim_id=claim_id)
        return render(
            "partials/_claim_row.html",
            "partials/_claim_row.html",
            target,
            status=status,
            row=row,
            labels=review.STATUS_LABELS,
            statuses=review.CHOOSABLE,
            error=error,
            **({} if error else {"previous_rationale": previous_rationale or ""}),
            **_row_context(),
            checked_before_ids=checked,
            group_sizes=group_sizes,
        )
    if request.htmx and target == "claim-panel":
        context = _detail_context(claim_id)
        return render(
            "claims/show.html",
            "partials/_claim_panel.html",
            "claim-panel",
            status=status,
            **context,
            error=error,
            **_queue_context(context["d"].claim),
        )
    if error:
        flash(error, "error")
    return redirect(url_for("claims.show", claim_id=claim_id), code=303)


def _detail_context(claim_id: int) -> dict:
    detail = claim_detail(session=get_session(), claim_id=claim_id)
    if detail is None:
        abort(404)
    return {
        "d": detail,
        "labels": review.STATUS_LABELS,
        "statuses": review.CHOOSABLE,
        "describe": describe_event,
        "allow_self_approval": current_app.config["ALLOW_SELF_APPROVAL"],
        "kinds": corrections.KINDS,
        "review_state": review.review_state(detail.claim, require_approval=current_app.config["REQUIRE_APPROVAL"]),
        "require_approval": current_app.config["REQUIRE_APPROVAL"],
        "stances": claim_edits.STANCES,
        "is_final": review.is_final(detail.claim, require_approval=current_app.config["REQUIRE_APPROVAL"]),
        "matches": matches_of(session=get_session(), claim_id=claim_id),
        "mention_people": mentionable_people(session=get_session()) if detail.notes else [],
        "group": group_of(session=get_session(), claim=detail.claim) if detail.in_group else [],
    }


def _conflict(error: review.ConflictError, action: str):
    """The 409 answer: what changed, the current state, and a form that reapplies the user's change."""
    return render(
        "partials/_conflict.html",
        "partials/_conflict.html",
        request.htmx.target or "claim-panel",
        status=409,
        current=error.current,
        attempted=error.attempted,
        action=action,
        claim_id=error.claim_id,
        labels=review.STATUS_LABELS,
        target=request.htmx.target or "claim-panel",
        in_row=is_queue_row(request.htmx.target or ""),
    )


def _change(claim_id: int, apply, action_endpoint: str, **url_args):
    """Run one change to a claim and answer with the right fragment, a 422 for bad input or a 409 on conflict.

    A change made on a version that no longer holds (or on a claim merged away since) is a conflict before it is
    anything else: the user's input is not judged against a state they never saw. The conditional update in
    claim_writes still decides the races that this early answer cannot see.
    """
    claim = get_claim(session=get_session(), claim_id=claim_id)
    expected = _version()
    try:
        if expected is not None and (claim is None or claim.version != expected):
            attempted = {k: v for k, v in request.form.items() if k not in {"csrf_token", "version"}}
            raise review.ConflictError(claim, {**attempted, "version": expected}, claim_id=claim_id)
        if claim is None:
            abort(404)
        previous_rationale = claim.rationale
        apply(claim)
    except InputError as error:
        get_session().rollback()
        return _claim_response(claim_id, error=str(error), status=422)
    except review.ConflictError as error:
        return _conflict(error, url_for(action_endpoint, claim_id=claim_id, **url_args))
    if request.htmx:  # the change is committed: what follows only reads the answer (a plain form is redirected)
        read_without_transaction(get_session())
    if get_claim(session=get_session(), claim_id=claim_id) is None:  # merged into its neighbour
        return redirect(url_for("claims.queue"), code=303)
    return _claim_response(claim_id, previous_rationale=previous_rationale)


@bp.get("/claims/<int:claim_id>")
def show(claim_id: int):
    """The claim in context, with its source, dates, evidence, notes and history; j/k follow the queue it came from."""
    context = _detail_context(claim_id)
    return render(
        "claims/show.html",
        "partials/_claim_panel.html",
        "claim-panel",
        **context,
        error=None,
        **_queue_context(context["d"].claim),
    )


def _queue_context(claim) -> dict:
    """The queue the user came from (its query string in ?queue=), and this claim's neighbours in it."""
    raw = request.args.get("queue") or ""
    if not raw and request.htmx:  # a change made on the claim page: the page's own URL names the queue
        raw = dict(parse_qsl(urlsplit(request.headers.get("HX-Current-URL", "")).query)).get("queue", "")
    raw = raw.lstrip("?")[:2000]
    if not raw:
        return {"queue_args": "", "queue_prev": None, "queue_next": None}
    filters = parse_filters(MultiDict(parse_qsl(raw)))
    previous_id, next_id = queue_neighbours(
        session=get_session(), filters=filters, user_id=saved_id(signed_in_user()), claim=claim
    )
    return {"queue_args": raw, "queue_prev": previous_id, "queue_next": next_id}


@bp.post("/claims/<int:claim_id>/status")
def set_status(claim_id: int):
    """Change a claim's status (a verdict needs a rationale; four verdicts need evidence)."""

    def apply(claim):
        review.set_status(
            session=get_session(),
            claim=claim,
            status=review.parse_status(request.form.get("status", "")),
            rationale=request.form.get("rationale", ""),
            actor=acting_user(),
            expected_version=_version(),
        )

    return _change(claim_id, apply, "claims.set_status")


@bp.post("/claims/<int:claim_id>/assign")
def assign(claim_id: int):
    """Assign a claim to the current user, to someone else, or to nobody."""

    def apply(claim):
        target = request.form.get("assignee", "me")
        session = get_session()
        assignee = acting_user() if target == "me" else session.get(User, int(target)) if target.isdigit() else None
        review.assign(session=session, claim=claim, assignee=assignee, actor=acting_user(), expected_version=_version())

    return _change(claim_id, apply, "claims.assign")


@bp.post("/claims/<int:claim_id>/approve")
@require_role(Role.editor)
def approve(claim_id: int):
    """An editor approves the verdict."""

    def apply(claim):
        review.approve(
            session=get_session(),
            claim=claim,
            actor=acting_user(),
            expected_version=_version(),
            allow_self_approval=current_app.config["ALLOW_SELF_APPROVAL"],
        )

    return _change(claim_id, apply, "claims.approve")


@bp.post("/claims/<int:claim_id>/send-back")
@require_role(Role.editor)
def send_back(claim_id: int):
    """An editor returns a verdict to its checker with a comment."""

    def apply(claim):
        review.send_back(
            session=get_session(),
            claim=claim,
            actor=acting_user(),
            comment=request.form.get("comment", ""),
            expected_version=_version(),
        )

    return _change(claim_id, apply, "claims.send_back")


def _number(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise InputError(f"Select the words in the article first ({name} is missing).")
    return int(raw)


def _apply_correction(claim) -> None:
    """Dispatch a correction form to the service for its field."""
    session, form, field = get_session(), request.form, request.form.get("field", "")
    common = {"session": session, "claim": claim, "actor": acting_user(), "expected_version": _version()}
    if field == "source":
        choice = form.get("source_id", "")
        corrections.correct_source(
            **common,
            source_id=int(choice) if choice.isdigit() and len(choice) < 10 else None,
            new_name=form.get("new_source", ""),
        )
    elif field == "speaker":
        corrections.correct_speaker(**common, speaker=form.get("speaker", ""))
    elif field == "kind":
        corrections.correct_kind(**common, kind=form.get("kind", ""))
    elif field == "dates":
        offsets = [
            (int(a), int(b)) if a.isdigit() and b.isdigit() and len(a) < 10 and len(b) < 10 else None
            for a, b in zip(form.getlist("date_start"), form.getlist("date_end"))
        ]
        removed = {int(i) for i in form.getlist("date_remove") if i.isdigit() and len(i) < 6}
        dates = corrections.parse_date_rows(form.getlist("date_text"), form.getlist("date_value"), removed, offsets)
        corrections.correct_dates(**common, dates=dates)
    elif field == "span":
        corrections.correct_span(**common, start=_number("start"), end=_number("end"))
    else:
        raise InputError("Choose what to correct: source, speaker, dates, kind or span.")


@bp.post("/claims/<int:claim_id>/correct")
def correct(claim_id: int):
    """Correct one extracted field of a claim: source, speaker, dates, kind or span."""

    def apply(claim):
        try:
            _apply_correction(claim)
        except review.ConflictError as error:  # the 409 form re-sends what the user asked for
            error.attempted.update({k: v for k, v in request.form.items() if k not in {"csrf_token", "version"}})
            raise

    return _change(claim_id, apply, "claims.correct")


@bp.post("/claims/<int:claim_id>/dismiss")
def dismiss(claim_id: int):
    """Dismiss a claim as "not a claim", with a reason."""

    def apply(claim):
        review.dismiss(
            session=get_session(),
            claim=claim,
            reason=request.form.get("reason", ""),
            actor=acting_user(),
            expected_version=_version(),
        )

    return _change(claim_id, apply, "claims.dismiss")


@bp.post("/claims/<int:claim_id>/restore")
def restore(claim_id: int):
    """Bring a dismissed claim back into the queue."""

    def apply(claim):
        review.restore(session=get_session(), claim=claim, actor=acting_user(), expected_version=_version())

    return _change(claim_id, apply, "claims.restore")


@bp.post("/claims/<int:claim_id>/text")
def edit_text(claim_id: int):
    """Reword a claim; the span in the original stays."""

    def apply(claim):
        review.edit_text(
            session=get_session(),
            claim=claim,
            text=request.form.get("text", ""),
            actor=acting_user(),
            expected_version=_version(),
        )

    return _change(claim_id, apply, "claims.edit_text")


@bp.post("/claims/<int:claim_id>/split")
def split(claim_id: int):
    """Split a claim in two at an offset inside its quote."""

    def apply(claim):
        at = request.form.get("at", "")
        if not at.lstrip("-").isdigit():
            raise InputError("Say where to split: a character position inside the claim.")
        claim_edits.split_claim(
            session=get_session(), claim=claim, at=int(at), actor=acting_user(), expected_version=_version()
        )

    return _change(claim_id, apply, "claims.split")


@bp.post("/claims/<int:claim_id>/merge")
def merge(claim_id: int):
    """Merge a claim with the one before or after it, keeping the text between them."""

    def apply(claim):
        claim_edits.merge_claims(
            session=get_session(),
            claim=claim,
            actor=acting_user(),
            direction=request.form.get("direction", "next"),
            expected_version=_version(),
            other_version=_version("other_version"),
        )

    return _change(claim_id, apply, "claims.merge")


@bp.post("/claims/<int:claim_id>/evidence")
def add_evidence(claim_id: int):
    """Attach an evidence URL with its stance and a note."""

    def apply(claim):
        evidence = claim_edits.add_evidence(
            session=get_session(),
            claim=claim,
            url=request.form.get("url", ""),
            stance=request.form.get("stance", "context"),
            note=request.form.get("note", ""),
            actor=acting_user(),
            expected_version=_version(),
        )
        queue_fetches(current_app, [evidence.id])  # fetched in the background, never in this request

    return _change(claim_id, apply, "claims.add_evidence")


def _evidence_of(claim, evidence_id: int) -> Evidence:
    evidence = get_session().get(Evidence, evidence_id)
    if evidence is None or evidence.claim_id != claim.id:
        abort(404)
    return evidence


@bp.post("/claims/<int:claim_id>/evidence/<int:evidence_id>")
def edit_evidence(claim_id: int, evidence_id: int):
    """Change an evidence item's relevance or note."""

    def apply(claim):
        claim_edits.edit_evidence(
            session=get_session(),
            claim=claim,
            evidence=_evidence_of(claim, evidence_id),
            stance=request.form.get("stance", ""),
            note=request.form.get("note", ""),
            actor=acting_user(),
            expected_version=_version(),
        )

    return _change(claim_id, apply, "claims.edit_evidence", evidence_id=evidence_id)


@bp.post("/claims/<int:claim_id>/evidence/<int:evidence_id>/withdraw")
def withdraw_evidence(claim_id: int, evidence_id: int):
    """Withdraw an evidence item; its archive and hash stay on record."""

    def apply(claim):
        claim_edits.withdraw_evidence(
            session=get_session(),
            claim=claim,
            evidence=_evidence_of(claim, evidence_id),
            reason=request.form.get("reason", ""),
            actor=acting_user(),
            expected_version=_version(),
        )

    return _change(claim_id, apply, "claims.withdraw_evidence", evidence_id=evidence_id)


@bp.post("/claims/<int:claim_id>/notes")
def add_note(claim_id: int):
    """Add a working note."""

    def apply(claim):
        claim_edits.add_note(session=get_session(), claim=claim, body=request.form.get("body", ""), actor=acting_user())

    return _change(claim_id, apply, "claims.add_note")
