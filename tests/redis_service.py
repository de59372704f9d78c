"""The tests' Redis: a connection when one answers at the URL, else the test is skipped saying where it looked."""

from __future__ import annotations

import pytest
from redis import Redis


def redis_or_skip(url: str) -> Redis:
    """Return a connection to the Redis at url, or skip the calling test when none answers there."""
    connection = Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.ping()
    except Exception:
        connection.close()
        pytest.skip("no Redis at " + url)
    return connection
