"""Sign-in throttling by account and by address, in Redis when configured (several app instances share it).

Built on `limits` (the engine of Flask-Limiter): only failed attempts count, so a person who mistypes once is
not slowed down, and once either limit is reached every attempt, even with the right password, gets 429.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Counts failed sign-ins per account and per address; tells how long to wait once a limit is reached."""

    def __init__(self, storage_uri: str, per_account: str, per_address: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.per_account, self.per_address = parse(per_account), parse(per_address)

    def _keys(self, account: str, address: str):
        return [
            (self.per_account, "login-account", account.strip().lower()[:254]),
            (self.per_address, "login-address", address or "unknown"),
        ]

    def retry_after(self, *, account: str, address: str) -> int | None:
        """Seconds to wait when either limit is exhausted, else None."""
        waits = []
        for limit, *key in self._keys(account, address):
            if not self.limiter.test(limit, *key):
                reset_at, _remaining = self.limiter.get_window_stats(limit, *key)
                waits.append(max(1, math.ceil(reset_at - time.time())))
        return max(waits) if waits else None

    def failed(self, *, account: str, address: str) -> None:
        """Count one failed attempt against the account and the address."""
        for limit, *key in self._keys(account, address):
            self.limiter.hit(limit, *key)

    def succeeded(self, *, account: str) -> None:
        """Forget the account's failures once its owner signs in."""
        limit, *key = self._keys(account, "")[0]
        self.limiter.clear(limit, *key)


def login_throttle() -> LoginThrottle:
    """Return the app's throttle."""
    return current_app.extensions["workbench.login_throttle"]


def init_app(app: Flask) -> None:
    """Create the throttle on Redis when WORKBENCH_REDIS_URL is set, in memory otherwise."""
    uri = app.config.get("THROTTLE_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    app.extensions["workbench.login_throttle"] = LoginThrottle(
        uri, app.config["THROTTLE_LOGIN_PER_ACCOUNT"], app.config["THROTTLE_LOGIN_PER_ADDRESS"]
    )
