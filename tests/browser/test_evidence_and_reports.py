"""In a real browser: evidence fetched in the background replaces its own fragment; the audit report prints."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests import fetch_server
from tests.factories import make_article, make_user
from workbench.models import Claim, Evidence, Role, Status
from workbench.worker import start_background_worker


@pytest.fixture
def page_server():
    instance, base = fetch_server.start()
    yield base
    instance.shutdown()
    instance.server_close()


def test_evidence_fragment_updates_itself_when_the_fetch_is_done(
    app, live_server, page, db, sign_in, page_server, screenshot
):
    app.config["FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"
    stop = start_background_worker(app)
    try:
        user = make_user(db, Role.checker)
        make_article(
            db,
            actor=user,
            text=(
                "Grain Record\n\nThe terminal at Izmail handled 1,500,000 tonnes of grain "
                "in 2023, the Ukrainian Ministry of Infrastructure said.\n"
            ),
        )
        claim = db.exec(select(Claim)).first()
        sign_in(page, user.email)
        page.goto(f"{live_server}/claims/{claim.id}")
        page.get_by_label("URL").fill(page_server + "/page.html")
        page.get_by_role("button", name="Add evidence").click()
        page.locator(".evidence-item .fetch-done").wait_for(timeout=15000)
        assert "HTTP 200" in page.locator(".evidence-item").inner_text()
        summary = page.locator(".trace summary").inner_text()
        assert "key terms found on the page" in summary and not summary.startswith("Source trace: 0 of")
        screenshot(page, "claim-evidence")
        page.get_by_role("link", name="archive and history").click()
        page.get_by_role("link", name="read the text").click()
        assert "1,500,000 tonnes" in page.locator("#archive-text").inner_text()
    finally:
        stop.set()


def test_audit_report_renders_for_print(live_server, page, db, sign_in, screenshot):
    user = make_user(db, Role.checker)
    article = make_article(db, actor=user).article
    claim = db.exec(select(Claim)).first()
    db.add(Evidence(claim_id=claim.id, url="https://council.example/minutes", stance="supports", sha256="c" * 64))
    claim.status, claim.rationale = Status.verified, "The council minutes record it."
    db.add(claim)
    db.commit()
    sign_in(page, user.email)
    page.goto(f"{live_server}/articles/{article.id}")
    page.get_by_role("link", name="audit report").click()
    page.get_by_role("button", name="Generate the audit report").click()  # a GET only offers; the POST records
    page.locator("h1", has_text="Fact-check audit report").wait_for()
    page.wait_for_load_state("load")  # the report streams: count its claims once all of it has arrived
    assert page.locator("section.claim").count() >= 3
    assert "c" * 64 in page.content()
    screenshot(page, "audit-report")
    page.emulate_media(media="print")
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
