"""Compressed responses (Brotli or gzip, as the client asks) through Flask-Compress, one setting for every view.

Streamed responses (the exports, with their integrity trailer, and any event stream) pass through untouched:
compressing them would buffer or re-chunk what is meant to reach the client as it is produced.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/plain",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "image/svg+xml",
    ],
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIN_SIZE": 500,  # below a packet, compression saves nothing worth its CPU
    "COMPRESS_BR_LEVEL": 4,  # Brotli's fast levels compress HTML better than gzip -6 at a similar cost
    "COMPRESS_LEVEL": 6,
}

compress = Compress()


def init_app(app: Flask) -> None:
    """Compress the app's responses (settings a test or deployment set beforehand win)."""
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
