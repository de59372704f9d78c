"""Browser fixtures: the app under Waitress on a free port, and Playwright driving Debian's Chromium."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install -y chromium); browser tests skipped",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def live_server(app):
    """Serve the test app with Waitress on a free port in a background thread."""
    import waitress
    from waitress import wasyncore

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    # Closed by its own loop thread: closing the sockets from here while that loop still polls the browser's
    # keep-alive connections left it running on closed descriptors, and its error failed a later test.
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()
    assert not thread.is_alive(), "the test server's loop did not stop"


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium, started the way this machine allows (no sandbox as root, no background network)."""
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser page with a desktop-sized viewport; fails the test on any CSP violation."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    tab = context.new_page()
    blocked = []  # every browser test also proves the pages need nothing the Content-Security-Policy forbids
    tab.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield tab
    context.close()
    assert blocked == [], f"CSP violations: {blocked}"


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(tab, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(live_server):
    """Sign a browser page in through the login form."""
    from tests.factories import PASSWORD

    def go(tab, email: str):
        tab.goto(live_server + "/login")
        tab.get_by_label("Email").fill(email)
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(live_server + "/articles")

    return go
