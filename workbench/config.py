"""Configuration read from the environment, with safe defaults."""

from __future__ import annotations

import os

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
DEFAULT_AUDIT_KEY = "dev-only-insecure-audit-key"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for a running workbench; tests and the demo pass overrides to create_app."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("WORKBENCH_SECRET_KEY", DEFAULT_SECRET_KEY)
        # Keys the audit chain's HMAC; kept outside the database so that its rows cannot be re-chained or forged.
        self.AUDIT_KEY = os.environ.get("WORKBENCH_AUDIT_KEY", DEFAULT_AUDIT_KEY)
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
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session (and is replaced at sign-in)
        # A session ends after this long without a request, and this long after sign-in whatever happens.
        self.SESSION_IDLE_MINUTES = float(os.environ.get("WORKBENCH_SESSION_IDLE_MINUTES", 60))
        self.SESSION_MAX_HOURS = float(os.environ.get("WORKBENCH_SESSION_MAX_HOURS", 12))
        # Failed sign-ins allowed per account and per address before 429 (moving window, `limits` syntax).
        self.THROTTLE_LOGIN_PER_ACCOUNT = os.environ.get("WORKBENCH_THROTTLE_LOGIN_PER_ACCOUNT", "10 per 15 minutes")
        self.THROTTLE_LOGIN_PER_ADDRESS = os.environ.get("WORKBENCH_THROTTLE_LOGIN_PER_ADDRESS", "50 per 15 minutes")
        # Where the counts live; empty means Redis when WORKBENCH_REDIS_URL is set, else this process's memory.
        self.THROTTLE_STORAGE_URI = os.environ.get("WORKBENCH_THROTTLE_STORAGE_URI", "")
        # Reverse proxies in front of the app: their X-Forwarded-For/-Proto are trusted (the address that
        # sign-in throttling counts, HTTPS for HSTS). 0 trusts no header.
        self.PROXY_HOPS = int(os.environ.get("WORKBENCH_PROXY_HOPS", 0))
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
        self.FETCH_DEADLINE = float(os.environ.get("WORKBENCH_FETCH_DEADLINE", 30))  # the whole fetch, all hops
        # The newsroom named as the author of ClaimReview exports.
        self.ORGANISATION = os.environ.get("WORKBENCH_ORGANISATION", "Fact-checking desk")

    def as_dict(self) -> dict:
        """Return the settings as a mapping for app.config.from_mapping."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
