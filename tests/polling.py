"""Waiting in tests for something another process does: poll until it holds, or fail saying what never came."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what):
    """Return predicate()'s first truthy value within timeout seconds, polling every 0.2 s; else fail naming what."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}")
