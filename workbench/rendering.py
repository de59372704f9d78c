"""Answer one URL as a whole page or as the fragment htmx asked for."""

from __future__ import annotations

from flask import make_response, render_template
from htmx_flask import request  # flask's request, typed with the .htmx attribute the extension adds


def wants_fragment(target_id: str) -> bool:
    """True when htmx asked to swap this view's fragment, not for a boosted page or history restore."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request and htmx.target == target_id


def render(page: str, fragment: str, target_id: str, status: int = 200, **context):
    """Render the page, or only its fragment for an htmx swap of target_id; always Vary: HX-Request."""
    template = fragment if wants_fragment(target_id) else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
