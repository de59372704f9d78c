"""@mentions in notes: who they name, the notification the colleague gets (nav count, menu, list, "My work"), marking
read, escaping, a polled count that does not keep an idle session alive, and one store shared by every instance."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import AuditEvent, Claim, Role
from workbench.models_desk import Notification
from workbench.services.notifications import Person, find_mentions

PEOPLE = [
    Person(1, "Casey Checker", "casey@desk.example"),
    Person(2, "Eden Editor", "eden.e@desk.example"),
    Person(3, "Casey Jones", "cj@desk.example"),
    Person(4, "Zoë Ångström", "zoe@desk.example"),
    Person(5, "Sam Smith", "s.smith@desk.example"),
    Person(6, "Sam Jones", "sjones@desk.example"),
]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("@casey please look", [("@casey", 1)]),  # the email's local part
        ("ask @eden.e.", [("@eden.e", 2)]),  # a sentence's full stop is not part of the handle
        ("@CaseyChecker and @caseyjones", [("@CaseyChecker", 1), ("@caseyjones", 3)]),  # the name, spaces left out
        ("@Eden, can you?", [("@Eden", 2)]),  # a first name nobody else has
        ("@Sam twice", []),  # two people are called Sam: no guess
        ("@Casey", [("@Casey", 1)]),  # an email name outranks a shared first name
        ("@zoë and @ZOE", [("@zoë", 4), ("@ZOE", 4)]),
        ("mail casey@desk.example or @nobody", []),  # an address is not a mention; an unknown handle stays text
        ("(@casey)", [("@casey", 1)]),
    ],
)
def test_mentions_name_people_by_email_name_full_name_or_unique_first_name(text, expected):
    found = [(text[m.start : m.end], m.user.id) for m in find_mentions(text, PEOPLE)]
    assert found == expected


@pytest.fixture
def team(db):
    author = make_user(db, Role.checker, email="casey@desk.example")
    colleague = make_user(db, Role.editor, email="eden@desk.example")
    make_article(db, actor=author)
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    return {"author": author, "colleague": colleague, "claim": claim}


def _note(client, claim_id, body, **headers):
    return client.post(
        f"/claims/{claim_id}/notes", data={"csrf_token": csrf_token(client), "body": body}, headers=headers
    )


def _switch(client, email):
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, email)


def _count(html) -> str:
    return html.select_one("#notification-count").get_text(" ", strip=True)


def test_a_mention_reaches_the_colleague_and_is_recorded_with_the_note(client, db, team):
    author, colleague, claim = team["author"], team["colleague"], team["claim"]
    login(client, author.email)
    response = _note(client, claim.id, "@eden could you check the tonnage? cc @casey and @nobody")
    assert response.status_code == 303
    notes = db.exec(select(Notification)).all()
    assert [(n.user_id, n.actor_id, n.claim_id, n.kind, n.read_at) for n in notes] == [
        (colleague.id, author.id, claim.id, "mention", None)  # not the author's own mention, not the unknown one
    ]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "note")).one()
    assert json.loads(event.after)["mentions"] == [colleague.id]
    page = parse(client.get(f"/claims/{claim.id}"))
    note = page.select_one(f"#note-{notes[0].note_id}")
    assert [m.get_text() for m in note.select("strong.mention")] == ["@eden", "@casey"]  # @nobody stays text
    assert _count(page) == ""  # the author has nothing unread

    _switch(client, colleague.email)
    page = parse(client.get("/articles"))
    assert _count(page) == "1 unread"
    count = client.get("/notifications/count")
    assert _count(parse(count)) == "1 unread" and count.headers["Cache-Control"] == "no-store"
    menu = parse(client.get("/notifications/menu"))
    item = menu.select_one(f"#notification-{notes[0].id}")
    assert "could you check the tonnage?" in item.select_one(".notification-note").get_text()
    assert item.select_one(".notification-what strong").get_text() == author.name
    listing = parse(client.get("/notifications"))
    assert listing.select_one(f"#notification-list #notification-{notes[0].id}.unread") is not None
    work = parse(client.get("/my-work"))
    assert work.select_one(f"#my-work #notification-{notes[0].id}") is not None


def test_notes_without_a_known_mention_notify_nobody(client, db, team):
    login(client, team["author"].email)
    _note(client, team["claim"].id, "email eden@desk.example, or @unknown-person, or @casey (myself)")
    assert db.exec(select(Notification)).all() == []
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "note")).one()
    assert "mentions" not in json.loads(event.after)


def test_mention_text_is_escaped_everywhere_it_is_shown(client, db, team):
    body = '<script>alert(1)</script> @eden <img src=x onerror="alert(2)"> @eden<b>bold</b>'
    login(client, team["author"].email)
    _note(client, team["claim"].id, body)
    claim_page = parse(client.get(f"/claims/{team['claim'].id}"))
    note = claim_page.select_one(".notes li[id^=note-]")
    assert note.select("script, img, b") == []
    assert "<script>alert(1)</script>" in note.get_text() and [m.get_text() for m in note.select(".mention")] == [
        "@eden",
        "@eden",
    ]
    _switch(client, team["colleague"].email)
    for url in ("/notifications/menu", "/notifications", "/my-work"):
        html = parse(client.get(url))
        item = html.select_one(".notification")
        assert item is not None and item.select("script, img, b") == [], url
        assert "<script>alert(1)</script>" in item.get_text(), url


def test_marking_read_one_or_all_page_and_fragment(client, db, team):
    login(client, team["author"].email)
    for n in range(3):
        _note(client, team["claim"].id, f"@eden note {n}")
    first, second, third = db.exec(select(Notification).order_by(Notification.id)).all()
    _switch(client, team["colleague"].email)
    token = csrf_token(client)

    fragment = client.post(
        f"/notifications/{first.id}/read",
        data={"csrf_token": token},
        headers={"HX-Request": "true", "HX-Target": "notification-menu"},
    )
    menu = parse(fragment)
    assert fragment.status_code == 200 and menu.select_one(f"#notification-{first.id}") is None  # unread only
    oob = menu.select_one("#notification-count[hx-swap-oob]")
    assert oob.get_text(" ", strip=True) == "2 unread"  # the nav's count is swapped too

    plain = client.post(f"/notifications/{second.id}/read", data={"csrf_token": token, "back": "/my-work"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/my-work"
    db.expire_all()
    assert [n.read_at is not None for n in db.exec(select(Notification).order_by(Notification.id))] == [
        True,
        True,
        False,
    ]

    opened = client.post(f"/notifications/{third.id}/open", data={"csrf_token": token})
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/claims/{team['claim'].id}#note-{third.note_id}"
    db.expire_all()
    assert db.get(Notification, third.id).read_at is not None
    assert _count(parse(client.get("/articles"))) == ""

    _switch(client, team["author"].email)
    _note(client, team["claim"].id, "@eden one more")
    _note(client, team["claim"].id, "@eden and another")
    _switch(client, team["colleague"].email)
    listing = client.post(
        "/notifications/read-all",
        data={"csrf_token": csrf_token(client)},
        headers={"HX-Request": "true", "HX-Target": "notification-list"},
    )
    assert listing.status_code == 200 and parse(listing).select(".notification.unread") == []
    assert db.exec(select(Notification).where(Notification.read_at.is_(None))).all() == []


def test_nobody_reads_or_opens_another_persons_notification(client, db, team):
    login(client, team["author"].email)
    _note(client, team["claim"].id, "@eden private")
    notification = db.exec(select(Notification)).one()
    token = csrf_token(client)  # the author, not the colleague it is for
    assert client.post(f"/notifications/{notification.id}/read", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/notifications/{notification.id}/open", data={"csrf_token": token}).status_code == 404
    client.post("/notifications/read-all", data={"csrf_token": token})
    db.expire_all()
    assert db.get(Notification, notification.id).read_at is None
    assert client.get("/notifications/menu").get_data(as_text=True).count("private") == 0


def test_mark_read_refuses_a_nul_byte_and_a_missing_token(client, db, team):
    login(client, team["author"].email)
    _note(client, team["claim"].id, "@eden check")
    notification = db.exec(select(Notification)).one()
    _switch(client, team["colleague"].email)
    bad = client.post(f"/notifications/{notification.id}/read", data={"csrf_token": csrf_token(client), "back": "\x00"})
    assert bad.status_code == 400
    assert client.post(f"/notifications/{notification.id}/read", data={}).status_code == 400  # no CSRF token
    db.expire_all()
    assert db.get(Notification, notification.id).read_at is None


def test_the_polled_count_does_not_keep_an_idle_session_alive(client, db, team):
    login(client, team["colleague"].email)
    with client.session_transaction() as session:
        session["seen_at"] -= 30 * 60
        idle_since = session["seen_at"]
    assert client.get("/notifications/count").status_code == 200
    with client.session_transaction() as session:
        assert session["seen_at"] == idle_since  # polling is not the person being there
    client.get("/articles")
    with client.session_transaction() as session:
        assert session["seen_at"] >= time.time() - 5  # a page they open is


def test_an_expired_session_sends_the_poll_to_sign_in(client, db, team):
    login(client, team["colleague"].email)
    with client.session_transaction() as session:
        session["seen_at"] -= 61 * 60
    response = client.get("/notifications/count", headers={"HX-Request": "true", "HX-Current-URL": "http://x/claims"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login?next=")


def test_a_note_written_on_one_instance_notifies_on_another(app, database_url, db, team, tmp_path):
    from workbench import create_app
    from workbench.db import get_engine

    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    try:
        first, second = app.test_client(), other.test_client()
        login(first, team["author"].email)
        login(second, team["colleague"].email)
        assert _count(parse(second.get("/notifications/count"))) == ""
        _note(first, team["claim"].id, "@eden over to you")
        assert _count(parse(second.get("/notifications/count"))) == "1 unread"
        notification = db.exec(select(Notification)).one()
        second.post(f"/notifications/{notification.id}/read", data={"csrf_token": csrf_token(second)})
        _switch(first, team["colleague"].email)
        assert _count(parse(first.get("/notifications/count"))) == ""  # read on one instance is read on all
    finally:
        get_engine(other).dispose()


def test_merging_claims_keeps_their_notifications(client, db, team):
    login(client, team["author"].email)
    claims = db.exec(select(Claim).where(Claim.article_id == team["claim"].article_id).order_by(Claim.start)).all()
    _note(client, claims[1].id, "@eden on the second claim")
    response = client.post(
        f"/claims/{claims[0].id}/merge",
        data={"csrf_token": csrf_token(client), "direction": "next", "version": claims[0].version},
    )
    assert response.status_code == 303
    db.expire_all()
    assert [n.claim_id for n in db.exec(select(Notification))] == [claims[0].id]
