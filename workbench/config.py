"""Configuration read from the environment, with safe defaults."""

from __future__ import annotations

import os

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for a running workbench; tests and the demo pass overrides to create_app."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("WORKBENCH_SECRET_KEY", DEFAULT_SECRET_KEY)
        # None means: a SQLite file in the instance folder (filled in by create_app).
        self.DATABASE_URL = os.environ.get("WORKBENCH_DATABASE_URL") or None
        self.MAX_ARTICLE_BYTES = int(os.environ.get("WORKBENCH_MAX_ARTICLE_BYTES", 5 * 1024 * 1024))
        # Uploads a little larger than the article cap still reach the view, which explains the limit.
        self.MAX_CONTENT_LENGTH = self.MAX_ARTICLE_BYTES + 1024 * 1024
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("WORKBENCH_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]
        # When on, an editor approves each verdict before it counts as final.
        self.REQUIRE_APPROVAL = _flag("WORKBENCH_REQUIRE_APPROVAL", False)
        # Four eyes: the author of a verdict may not approve it, unless a one-person desk turns this on.
        self.ALLOW_SELF_APPROVAL = _flag("WORKBENCH_ALLOW_SELF_APPROVAL", False)
        # The public address of the published fact-checks; ClaimReview URLs are built from it (no ClaimReview without).
        self.PUBLIC_URL = (os.environ.get("WORKBENCH_PUBLIC_URL") or "").strip() or None
        # Background jobs go through Redis (RQ) when this is set; otherwise the embedded worker polls the database.
        self.REDIS_URL = os.environ.get("WORKBENCH_REDIS_URL") or None
        # Evidence fetching: private and internal addresses are refused unless an operator allows them.
        self.FETCH_ALLOW_PRIVATE = _flag("WORKBENCH_FETCH_ALLOW_PRIVATE", False)
        self.FETCH_ALLOW_NETWORKS = os.environ.get("WORKBENCH_FETCH_ALLOW_NETWORKS", "")
        self.FETCH_MAX_BYTES = int(os.environ.get("WORKBENCH_FETCH_MAX_BYTES", 5 * 1024 * 1024))
        self.FETCH_CONNECT_TIMEOUT = float(os.environ.get("WORKBENCH_FETCH_CONNECT_TIMEOUT", 5))
        self.FETCH_READ_TIMEOUT = float(os.environ.get("WORKBENCH_FETCH_READ_TIMEOUT", 15))
        # The newsroom named as the author of ClaimReview exports.
        self.ORGANISATION = os.environ.get("WORKBENCH_ORGANISATION", "Fact-checking desk")

    def as_dict(self) -> dict:
        """Return the settings as a mapping for app.config.from_mapping."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
