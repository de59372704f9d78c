"""Webhooks: registration (secret once), the outbox in the change's transaction, signed ordered deliveries, retries,
the delivery log and redelivery, the POST path of the SSRF-safe fetcher, and the admin API."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlmodel import col, select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from tests.test_api import bearer, first_claim
from tests.webhook_receiver import Receiver
from workbench.fetching import FetchPolicy, FetchRefused, post
from workbench.models import AuditEvent, Claim, Evidence, Role, utcnow
from workbench.models_webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from workbench.services import webhooks
from workbench.services.evidence_fetch import work_once as fetch_once
from workbench.worker import run_embedded, run_webhook_sender

LOCAL = FetchPolicy(allowed_networks=(__import__("ipaddress").ip_network("127.0.0.1/32"),), deadline=5.0)
RETRY = webhooks.RetryPolicy()


@pytest.fixture
def admin(db):
    return make_user(db, Role.admin)


@pytest.fixture
def local_app(app):
    app.config["FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"  # the private-target setting lets the test receiver in
    return app


def register(db, receiver: Receiver, events=webhooks.EVENTS, actor=None) -> WebhookEndpoint:
    endpoint, secret = webhooks.create_endpoint(session=db, url=receiver.url, events=list(events), actor=actor)
    receiver.secret = secret
    return endpoint


def drain(db, *, now: dt.datetime | None = None, policy: FetchPolicy = LOCAL) -> int:
    """Send until nothing more is due at `now`; return how many attempts were made."""
    total = 0
    while sent := webhooks.deliver_due(session=db, policy=policy, retry=RETRY, now=now):
        total += sent
    return total


def set_status(client, headers, claim_id, status, rationale=""):
    etag = client.get(f"/api/v1/claims/{claim_id}", headers=headers).headers["ETag"]
    return client.post(
        f"/api/v1/claims/{claim_id}/status",
        json={"status": status, "rationale": rationale},
        headers={**headers, "If-Match": etag},
    )


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(app, client, db, admin):
    login(client, admin.email)
    page = parse(client.get("/admin/webhooks"))
    assert page.find("form", id="webhook-form") and not page.find(id="new-secret")
    response = client.post(
        "/admin/webhooks",
        data={
            "url": "https://cms.example.org/hooks",
            "events": ["verdict.final", "claim.status_changed"],
            "description": "CMS",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    shown = parse(response).find(id="new-secret").find("code").get_text()
    endpoint = db.exec(select(WebhookEndpoint)).one()
    assert shown == endpoint.secret and shown.startswith("whsec_")
    assert endpoint.events == ["claim.status_changed", "verdict.final"]  # kept in the vocabulary's order
    event = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "webhook")).one()
    assert event.action == "create" and endpoint.secret not in event.after and "cms.example.org" in event.after
    again = client.get("/admin/webhooks").get_data(as_text=True)
    assert endpoint.secret not in again and webhooks.secret_hint(endpoint) in again
    fragment = client.get("/admin/webhooks", headers={"HX-Request": "true", "HX-Target": "webhook-endpoints"})
    soup = parse(fragment)
    assert soup.find("section", id="webhook-endpoints") and not soup.find("form", id="webhook-form")
    assert "HX-Request" in fragment.headers["Vary"] and soup.find(id=f"endpoint-{endpoint.id}")


@pytest.mark.parametrize(
    "url,events,message",
    [
        ("ftp://cms.example.org/hook", ["verdict.final"], "is not a web address"),
        ("https://user:pw@cms.example.org/hook", ["verdict.final"], "user name or password"),
        ("https://cms.example.org/hook", [], "Choose at least one event"),
        ("https://cms.example.org/hook", ["claim.deleted"], "Unknown event"),
    ],
)
def test_a_bad_endpoint_is_refused_with_its_reason_and_nothing_is_stored(app, client, db, admin, url, events, message):
    login(client, admin.email)
    response = client.post("/admin/webhooks", data={"url": url, "events": events, "csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert message in parse(response).find(class_="error").get_text()
    assert db.exec(select(WebhookEndpoint)).first() is None
    assert db.exec(select(AuditEvent).where(AuditEvent.entity_type == "webhook")).first() is None


def test_only_admins_reach_the_webhook_pages(app, client, db, admin):
    editor = make_user(db, Role.editor)
    login(client, editor.email)
    assert client.get("/admin/webhooks").status_code == 403
    refused = client.post(
        "/admin/webhooks",
        data={"url": "https://cms.example.org/h", "events": ["verdict.final"], "csrf_token": csrf_token(client)},
    )
    assert refused.status_code == 403 and db.exec(select(WebhookEndpoint)).first() is None


def test_deliveries_are_signed_sent_in_order_and_retried_after_500s(local_app, client, db, admin):
    with Receiver(statuses=[500, 500]) as receiver:
        endpoint = register(db, receiver, actor=admin)
        make_article(db, actor=admin)  # article.ingested
        headers = bearer(db, admin)
        claim = first_claim(db)
        assert set_status(client, headers, claim.id, "in_progress").status_code == 200  # claim.status_changed
        assert set_status(client, headers, claim.id, "unverified").status_code == 200  # claim.status_changed
        events = db.exec(select(WebhookEvent).order_by(col(WebhookEvent.id))).all()
        assert [e.type for e in events] == ["article.ingested", "claim.status_changed", "claim.status_changed"]

        start = utcnow()
        assert drain(db, now=start) == 1  # the first answers 500: the others wait behind it
        assert drain(db, now=start + dt.timedelta(seconds=29)) == 0  # not due before the first wait (30 s)
        assert drain(db, now=start + dt.timedelta(seconds=31)) == 1  # 500 again; the wait doubles to 60 s
        assert drain(db, now=start + dt.timedelta(seconds=31 + 59)) == 0
        assert drain(db, now=start + dt.timedelta(seconds=31 + 61)) == 3  # delivered, then the two waiting ones

        assert [r["status"] for r in receiver.received] == [500, 500, 200, 200, 200]
        assert all(r["signed"] for r in receiver.received)
        delivered = [r["event"] for r in receiver.received if r["status"] == 200]
        assert [e["id"] for e in delivered] == [e.id for e in events]  # in event order
        assert [e["type"] for e in delivered] == [e.type for e in events]
        assert delivered[1]["data"]["claim"]["status"] == "in_progress"
        assert delivered[1]["data"]["previous_status"] == "unverified"
        assert delivered[0]["data"]["article"]["id"] == claim.article_id
        last = receiver.received[-1]["headers"]
        assert last["Workbench-Event"] == "claim.status_changed" and last["Workbench-Event-Id"] == str(events[2].id)
        assert last["Content-Type"] == "application/json"

    first = db.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).first()
    db.refresh(first)
    assert first.state == "delivered" and first.attempts == 3 and first.endpoint_id == endpoint.id
    attempts = db.exec(select(WebhookAttempt).where(WebhookAttempt.delivery_id == first.id)).all()
    assert [a.http_status for a in attempts] == [500, 500, 200]
    assert attempts[0].error == "The receiver answered HTTP 500." and attempts[2].error is None


def test_a_tampered_body_or_an_old_timestamp_fails_verification():
    body = b'{"id":1}'
    header = webhooks.sign(secret="whsec_x", timestamp=1_700_000_000, body=body)
    assert webhooks.verify_signature(secret="whsec_x", header=header, body=body, now=1_700_000_010)
    assert not webhooks.verify_signature(secret="whsec_x", header=header, body=b'{"id":2}', now=1_700_000_010)
    assert not webhooks.verify_signature(secret="whsec_y", header=header, body=body, now=1_700_000_010)
    assert not webhooks.verify_signature(secret="whsec_x", header=header, body=body, now=1_700_001_000)


def test_verdicts_emit_verdict_final_when_they_become_final(local_app, client, db):
    checker, editor = make_user(db, Role.checker), make_user(db, Role.editor)
    with Receiver() as receiver:
        register(db, receiver, events=["verdict.final"])
        make_article(db, actor=checker)
        claim = first_claim(db)
        local_app.config["REQUIRE_APPROVAL"] = True
        given = set_status(client, bearer(db, checker), claim.id, "unverifiable", "No record exists.")
        assert given.status_code == 200
        assert db.exec(select(WebhookEvent)).first() is None  # awaiting approval: not final yet
        login(client, editor.email)
        approved = client.post(
            f"/claims/{claim.id}/approve",
            data={"version": str(given.json["version"]), "csrf_token": csrf_token(client)},
        )
        assert approved.status_code == 303
        db.refresh(claim)
        assert claim.approved_by_id == editor.id
        drain(db)
        [final] = [r["event"] for r in receiver.received]
        assert final["type"] == "verdict.final" and final["data"]["claim"]["status"] == "unverifiable"
        assert final["data"]["claim"]["approved_by_id"] == editor.id and final["data"]["actor"]["id"] == editor.id


def test_a_refused_or_stale_change_writes_no_event(local_app, client, db, admin):
    webhooks.create_endpoint(session=db, url="https://cms.example.org/h", events=list(webhooks.EVENTS), actor=admin)
    make_article(db, actor=admin)
    before = len(db.exec(select(WebhookEvent)).all())
    headers = bearer(db, admin)
    claim = first_claim(db)
    stale = client.post(
        f"/api/v1/claims/{claim.id}/status",
        json={"status": "in_progress"},
        headers={**headers, "If-Match": f'"claim-{claim.id}-v99"'},
    )
    assert stale.status_code == 412
    refused = set_status(client, headers, claim.id, "false", "Wrong.")  # needs evidence: 422
    assert refused.status_code == 422
    assert len(db.exec(select(WebhookEvent)).all()) == before
    db.refresh(claim)
    assert claim.status.value == "unverified"


def test_a_private_receiver_is_refused_unless_the_setting_allows_it(app, db):
    with Receiver() as receiver:
        endpoint = register(db, receiver)
        make_article(db)
        assert drain(db, policy=FetchPolicy()) == 1
        delivery = db.exec(select(WebhookDelivery)).one()
        assert delivery.state == "retrying" and "private or internal address" in delivery.last_error
        assert receiver.received == []  # nothing left the fetcher
        assert endpoint.id == delivery.endpoint_id


def test_a_failing_receiver_is_retried_with_doubling_waits_for_a_day_then_given_up(local_app, db):
    with Receiver(statuses=[503] * 100) as receiver:
        register(db, receiver)
        make_article(db)
        make_article(db, text="The council said on Monday that parking fees would rise by 20 percent next year.")
        now = utcnow()
        first = db.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).first()
        while True:
            drain(db, now=now)
            db.refresh(first)
            if first.state != "retrying":
                break
            now = first.next_attempt_at.replace(tzinfo=dt.UTC)
        assert first.state == "failed" and first.last_error.startswith(f"Gave up after {first.attempts} attempts")
        attempts = db.exec(select(WebhookAttempt).where(WebhookAttempt.delivery_id == first.id)).all()
        times = [a.at.replace(tzinfo=dt.UTC) for a in attempts]
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        assert gaps[:4] == [30, 60, 120, 240] and max(gaps) <= webhooks.MAX_DELAY.total_seconds()
        assert times[-1] - first.created_at.replace(tzinfo=dt.UTC) <= dt.timedelta(hours=24)
        assert len(attempts) >= 10
        # the line moves on: the next event is sent once the first was given up
        second = db.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc())).first()
        db.refresh(second)
        assert second.attempts >= 1


def test_the_delivery_log_shows_attempts_and_redeliver_is_audited(local_app, client, db, admin):
    with Receiver(statuses=[500]) as receiver:
        endpoint = register(db, receiver, actor=admin)
        make_article(db, actor=admin)
        drain(db)
        drain(db, now=utcnow() + dt.timedelta(minutes=1))
        delivery = db.exec(select(WebhookDelivery)).one()
        login(client, admin.email)
        page = parse(client.get(f"/admin/webhooks/{endpoint.id}"))
        item = page.find(id=f"delivery-{delivery.id}")
        assert item.find(class_="badge").get_text() == "delivered"
        newest, oldest = [li.get_text() for li in item.find(class_="attempt-list").find_all("li")]
        assert "HTTP 200" in newest and "HTTP 500" in oldest and "The receiver answered HTTP 500." in oldest
        assert not page.find("div", id="delivery-log").has_attr("hx-trigger")  # nothing open: no polling
        response = client.post(
            f"/admin/webhooks/deliveries/{delivery.id}/redeliver",
            data={"csrf_token": csrf_token(client)},
            headers={"HX-Request": "true", "HX-Target": "delivery-log"},
        )
        log = parse(response)
        assert response.status_code == 200 and log.find("div", id="delivery-log") and not log.find("h1")
        again = db.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc())).first()
        assert again.redelivery_of_id == delivery.id and again.state == "pending"
        assert log.find(id=f"delivery-{again.id}") and log.find("div", id="delivery-log").has_attr("hx-trigger")
        event = db.exec(select(AuditEvent).where(AuditEvent.action == "redeliver")).one()
        assert json.loads(event.after)["of_delivery_id"] == delivery.id and event.actor_id == admin.id
        plain = client.post(
            f"/admin/webhooks/deliveries/{delivery.id}/redeliver", data={"csrf_token": csrf_token(client)}
        )
        assert plain.status_code == 303
        drain(db)
        assert [r["event"]["id"] for r in receiver.received][-2:] == [delivery.event_id] * 2


def test_pausing_an_endpoint_holds_its_deliveries_and_is_audited(local_app, client, db, admin):
    with Receiver() as receiver:
        endpoint = register(db, receiver, actor=admin)
        login(client, admin.email)
        paused = client.post(
            f"/admin/webhooks/{endpoint.id}", data={"action": "pause", "csrf_token": csrf_token(client)}
        )
        assert paused.status_code == 303
        make_article(db, actor=admin)
        assert db.exec(select(WebhookEvent)).first() is None  # nobody active wants it
        client.post(f"/admin/webhooks/{endpoint.id}", data={"action": "resume", "csrf_token": csrf_token(client)})
        actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "webhook")).all()
        assert actions == ["create", "pause", "resume"]
        same = client.post(
            f"/admin/webhooks/{endpoint.id}", data={"action": "resume", "csrf_token": csrf_token(client)}
        )
        assert "Nothing changed" in client.get(same.headers["Location"]).get_data(as_text=True)


def test_a_paused_endpoint_is_deleted_with_its_log_and_an_active_one_is_not(local_app, client, db, admin):
    with Receiver(statuses=[500]) as receiver, Receiver() as other:
        endpoint = register(db, receiver, actor=admin)
        keeper = register(db, other, actor=admin)
        hook, kept = endpoint.id, keeper.id
        make_article(db, actor=admin)
        drain(db)
        shared_event = db.exec(select(WebhookDelivery.event_id)).first()
        login(client, admin.email)
        refused = client.post(f"/admin/webhooks/{endpoint.id}/delete", data={"csrf_token": csrf_token(client)})
        page = client.get(refused.headers["Location"]).get_data(as_text=True)
        assert refused.status_code == 303 and "Pause the endpoint before deleting it" in page
        assert db.get(WebhookEndpoint, endpoint.id) is not None
        assert len(db.exec(select(WebhookAttempt)).all()) == 2  # one 500 here, one 200 at the other endpoint
        client.post(f"/admin/webhooks/{endpoint.id}", data={"action": "pause", "csrf_token": csrf_token(client)})
        page = parse(client.get(f"/admin/webhooks/{endpoint.id}"))
        assert page.find("form", action=f"/admin/webhooks/{endpoint.id}/delete")  # offered once paused
        deleted = client.post(f"/admin/webhooks/{endpoint.id}/delete", data={"csrf_token": csrf_token(client)})
        listing = client.get(deleted.headers["Location"]).get_data(as_text=True)
        assert deleted.status_code == 303 and f"Webhook #{endpoint.id} ({receiver.url}) deleted" in listing
        db.expunge_all()
        assert db.get(WebhookEndpoint, hook) is None and db.get(WebhookEndpoint, kept) is not None
        assert {d.endpoint_id for d in db.exec(select(WebhookDelivery))} == {kept}
        assert len(db.exec(select(WebhookAttempt)).all()) == 1
        assert db.get(WebhookEvent, shared_event) is not None  # the other endpoint's delivery still needs it
        event = db.exec(select(AuditEvent).where(AuditEvent.action == "delete")).one()
        assert event.entity_type == "webhook" and event.entity_id == hook and event.actor_id == admin.id
        assert json.loads(event.before)["url"] == receiver.url and json.loads(event.after) == {"deliveries_removed": 1}
        assert client.get(f"/admin/webhooks/{hook}").status_code == 404


def test_evidence_fetched_is_emitted_by_the_fetch_job(local_app, client, db, admin):
    with Receiver() as receiver:
        register(db, receiver, events=["evidence.fetched"])
        make_article(db, actor=admin)
        claim = first_claim(db)
        etag = client.get(f"/api/v1/claims/{claim.id}", headers=bearer(db, admin)).headers["ETag"]
        added = client.post(
            f"/api/v1/claims/{claim.id}/evidence",
            json={"url": "http://127.0.0.1:9/gone"},  # nothing listens there: the fetch fails, saying why
            headers={**bearer(db, admin), "If-Match": etag},
        )
        assert added.status_code == 202
        assert fetch_once(local_app)
        drain(db)
        [event] = [r["event"] for r in receiver.received]
        evidence = db.exec(select(Evidence)).one()
        assert event["type"] == "evidence.fetched" and event["data"]["evidence"]["id"] == evidence.id
        assert event["data"]["evidence"]["fetch_state"] == "failed" and event["data"]["evidence"]["error"]


def test_the_background_worker_sends_the_deliveries(local_app, db):
    with Receiver() as receiver:
        register(db, receiver)
        make_article(db)
        assert run_embedded(local_app, threading.Event(), burst=True) >= 1
        assert [r["event"]["type"] for r in receiver.received] == ["article.ingested"]
        assert receiver.received[0]["signed"]


def test_post_keeps_the_fetchers_guards():
    with Receiver(path="/hook") as receiver:
        base = receiver.url.rsplit("/", 1)[0]
        kept = post(base + "/kept", body=b'{"a":1}', headers={"Content-Type": "application/json"}, policy=LOCAL)
        assert kept.status == 200 and kept.redirects == [base + "/kept"]
        assert receiver.received[-1]["body"] == b'{"a":1}'  # a 307 keeps the method and the body
        moved = post(base + "/moved", body=b"{}", headers={}, policy=LOCAL)
        assert moved.status == 303 and len(receiver.received) == 1  # never turned into a GET, not followed
        with pytest.raises(FetchRefused, match="private or internal"):
            post(base + "/to-metadata", body=b"{}", headers={}, policy=LOCAL)
        with pytest.raises(FetchRefused, match="private or internal"):
            post(receiver.url, body=b"{}", headers={}, policy=FetchPolicy())
        with pytest.raises(FetchRefused, match="limit"):
            post(base + "/huge", body=b"{}", headers={}, policy=FetchPolicy(**{**LOCAL.__dict__, "max_bytes": 65536}))


def test_admins_manage_webhooks_through_the_api(local_app, client, db, admin):
    checker = make_user(db, Role.checker)
    refused = client.post(
        "/api/v1/webhooks",
        json={"url": "https://cms.example.org/h", "events": ["verdict.final"]},
        headers=bearer(db, checker),
    )
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    headers = bearer(db, admin)
    bad = client.post(
        "/api/v1/webhooks", json={"url": "javascript:alert(1)", "events": ["verdict.final"]}, headers=headers
    )
    assert bad.status_code == 422 and "not a web address" in bad.json["detail"]
    with Receiver() as receiver:
        created = client.post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ["article.ingested"]}, headers=headers
        )
        assert created.status_code == 201 and created.json["secret"].startswith("whsec_")
        receiver.secret = created.json["secret"]
        hook = created.json["id"]
        read = client.get(f"/api/v1/webhooks/{hook}", headers=headers).json
        assert read["secret"] is None and read["secret_hint"].endswith(created.json["secret"][-4:])
        assert [item["id"] for item in client.get("/api/v1/webhooks", headers=headers).json["items"]] == [hook]
        make_article(db, actor=admin)
        drain(db)
        log = client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=headers).json["items"]
        assert log[0]["state"] == "delivered" and log[0]["attempts"][0]["http_status"] == 200
        again = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/redeliver", headers=headers)
        assert again.status_code == 202 and again.json["items"][0]["redelivery_of_id"] == log[0]["id"]
        active = client.delete(f"/api/v1/webhooks/{hook}", headers=headers)
        assert active.status_code == 409 and "Pause the endpoint" in active.json["detail"]
        paused = client.post(f"/api/v1/webhooks/{hook}", json={"active": False}, headers=headers)
        assert paused.status_code == 200 and paused.json["active"] is False
        assert client.delete(f"/api/v1/webhooks/{hook}", headers=bearer(db, checker)).status_code == 403
        gone = client.delete(f"/api/v1/webhooks/{hook}", headers=headers)
        assert gone.status_code == 204 and not gone.data
        assert client.get(f"/api/v1/webhooks/{hook}", headers=headers).status_code == 404
        assert db.exec(select(WebhookDelivery)).first() is None and db.exec(select(WebhookEvent)).first() is None
        assert all(r["signed"] for r in receiver.received)
    assert db.exec(select(Claim)).first() is not None


def test_beside_an_rq_worker_a_sender_thread_sends_until_stopped(local_app, db):
    with Receiver() as receiver:
        register(db, receiver)
        make_article(db)
        stop = threading.Event()
        sender = threading.Thread(target=run_webhook_sender, args=(local_app, stop), kwargs={"poll": 0.05})
        sender.start()
        try:
            for _ in range(200):
                if receiver.received:
                    break
                stop.wait(0.05)
        finally:
            stop.set()
            sender.join(timeout=10)
        assert not sender.is_alive() and [r["event"]["type"] for r in receiver.received] == ["article.ingested"]
