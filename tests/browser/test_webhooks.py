"""In a real browser at phone width: an admin registers a webhook, copies the secret, reads the delivery log and
redelivers an event with the htmx button; nothing scrolls sideways and the CSP is never violated."""

from __future__ import annotations

from sqlmodel import col, select

from tests.factories import make_article, make_user
from tests.test_webhooks import drain
from tests.webhook_receiver import Receiver
from workbench.models import AuditEvent, Role
from workbench.models_webhooks import WebhookDelivery

PHONE = {"width": 390, "height": 844}


def test_an_admin_registers_a_webhook_and_redelivers_from_the_log_on_a_phone(
    app, db, browser, live_server, sign_in, screenshot
):
    app.config["FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"
    admin = make_user(db, Role.admin, email="ada@test.example")
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    blocked = []
    tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    wide = "() => document.documentElement.scrollWidth <= window.innerWidth"
    try:
        with Receiver() as receiver:
            sign_in(tab, admin.email)
            tab.goto(live_server + "/admin/webhooks")
            tab.get_by_label("URL").fill(receiver.url)
            tab.get_by_label("Description").fill("CMS on the newsroom network, publishing verdicts")
            tab.get_by_label("article.ingested").check()
            tab.get_by_label("verdict.final").check()
            tab.get_by_role("button", name="Add endpoint").click()
            secret = tab.locator("#new-secret code").inner_text()
            assert secret.startswith("whsec_") and tab.evaluate(wide)
            screenshot(tab, "webhooks-phone-registered")
            receiver.secret = secret
            make_article(db, actor=admin)
            drain(db)
            assert receiver.received and receiver.received[0]["signed"]
            tab.locator(".webhook-item a").first.click()
            tab.get_by_text("delivered").first.wait_for()
            tab.locator(".delivery details summary", has_text="Attempts").first.click()
            tab.locator(".delivery details summary", has_text="Body").first.click()
            assert tab.evaluate(wide)
            screenshot(tab, "webhooks-phone-log")
            tab.get_by_role("button", name="Redeliver").first.click()
            tab.locator(".delivery .badge", has_text="pending").wait_for()  # swapped in by htmx, no reload
            again = db.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc())).first()
            assert again.redelivery_of_id is not None
            assert db.exec(select(AuditEvent).where(AuditEvent.action == "redeliver")).first() is not None
            assert tab.evaluate(wide)
            screenshot(tab, "webhooks-phone-redelivered")
    finally:
        context.close()
    assert blocked == []
