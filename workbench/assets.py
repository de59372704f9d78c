"""Static assets that come from installed packages (htmx) rather than from our tree."""

from __future__ import annotations

from importlib import resources

from flask import Blueprint, Response, redirect, url_for

bp = Blueprint("assets", __name__)

_HTMX = resources.files("js_lib_htmx").joinpath("static/htmx/htmx.min.js")


@bp.get("/assets/htmx.min.js")
def htmx():
    """Serve htmx from the django-js-lib-htmx package (no CDN, no copy in our repository)."""
    response = Response(_HTMX.read_bytes(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every page; point them at the SVG icon instead of a 404."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
