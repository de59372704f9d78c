"""Security headers on every response: one small middleware, so no view can forget them."""

from __future__ import annotations

from flask import Flask, Response, request

# No inline script or style anywhere: scripts and styles come from our own static files (htmx included).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# A standalone report (the printable audit report) carries its own <style> and never any script.
STANDALONE_DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
CACHEABLE_ENDPOINTS = {"static", "assets.htmx"}


def secure_headers(response: Response) -> Response:
    """Add CSP, framing, sniffing, referrer and caching headers unless the view chose stricter ones."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        # Pages show what a signed-in user may see; nothing but static files stays in a cache.
        response.cache_control.no_store = True
        response.cache_control.public = False
        response.cache_control.max_age = None
    return response


def init_app(app: Flask) -> None:
    """Register the headers on every response, error pages included."""
    app.after_request(secure_headers)
