"""Property-based: any malformed value in any field of the claim, source, ingest and admin forms gets a 4xx and
changes nothing (no 500, no audit event, no row) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from tests.conftest import csrf_token, login
from tests.factories import make_article, make_user
from workbench.models import Article, AuditEvent, Claim, Role, Source

HOSTILE_TEXT = st.one_of(
    st.text(min_size=1, max_size=40).map(lambda s: s + "\x00"),  # a NUL somewhere
    st.tuples(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20),
        st.integers(min_value=10_001, max_value=12_000),
    ).map(lambda p: (p[0] * p[1])[: p[1]]),  # too long
)
HOSTILE_ID = st.one_of(
    st.integers(min_value=2**31, max_value=10**40).map(str),
    st.integers(max_value=-(2**31) - 1, min_value=-(10**40)).map(str),
    st.just("1" * 30),
    st.just("-" + "9" * 25),
)

FORMS = [  # (path template, the fields a normal submission sends, the fields to attack)
    ("/claims/{claim}/text", {"text": "Reworded.", "version": "1"}, {"text": HOSTILE_TEXT, "version": HOSTILE_ID}),
    (
        "/claims/{claim}/status",
        {"status": "in_progress", "rationale": "x", "version": "1"},
        {"rationale": HOSTILE_TEXT, "version": HOSTILE_ID, "status": HOSTILE_TEXT},
    ),
    ("/claims/{claim}/notes", {"body": "A note."}, {"body": HOSTILE_TEXT}),
    (
        "/claims/{claim}/evidence",
        {"url": "https://ok.example/", "stance": "context", "note": ""},
        {"url": HOSTILE_TEXT, "note": HOSTILE_TEXT, "stance": HOSTILE_TEXT},
    ),
    ("/claims/{claim}/split", {"at": "3", "version": "1"}, {"at": HOSTILE_ID, "version": HOSTILE_ID}),
    ("/claims/{claim}/assign", {"assignee": "me", "version": "1"}, {"assignee": HOSTILE_ID}),
    (
        "/claims/bulk",
        {"ids": "{claim}", "action": "status", "status": "in_progress"},
        {"ids": HOSTILE_ID, "rationale": HOSTILE_TEXT},
    ),
    (
        "/sources/{source}",
        {"name": "Reuters", "kind": "wire", "domain": "", "notes": ""},
        {"name": HOSTILE_TEXT, "domain": HOSTILE_TEXT, "notes": HOSTILE_TEXT, "kind": HOSTILE_TEXT},
    ),
    ("/sources/{source}/aliases", {"alias": "R."}, {"alias": HOSTILE_TEXT}),
    ("/sources/{source}/merge", {"into": "1"}, {"into": HOSTILE_ID}),
    (
        "/articles",
        {"text": "The council said 40 roads closed on Monday.", "title": "T"},
        {
            "title": HOSTILE_TEXT,
            "outlet": HOSTILE_TEXT,
            "section": HOSTILE_TEXT,
            "url": HOSTILE_TEXT,
            "published": HOSTILE_TEXT,
        },
    ),
    ("/articles/{article}/claims", {"start": "0", "end": "5"}, {"start": HOSTILE_ID, "end": HOSTILE_ID}),
    (
        "/admin/users",
        {"email": "new@x.example", "name": "New", "role": "checker", "password": "a long passphrase"},
        {"email": HOSTILE_TEXT, "name": HOSTILE_TEXT, "role": HOSTILE_TEXT},
    ),
    ("/admin/users/{user}", {"action": "role", "role": "editor"}, {"role": HOSTILE_TEXT, "action": HOSTILE_TEXT}),
]


@pytest.fixture
def world(app, db):
    admin, other = make_user(db, Role.admin), make_user(db)
    article = make_article(db, actor=admin).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id)).first()
    source = db.exec(select(Source)).first()
    client = app.test_client()
    login(client, admin.email)
    return {"client": client, "ids": {"claim": claim.id, "source": source.id, "article": article.id, "user": other.id}}


def _state(db) -> tuple:
    db.expire_all()
    return tuple(
        db.exec(select(func.count()).select_from(model)).one() for model in (AuditEvent, Article, Claim, Source)
    )


@pytest.mark.parametrize(("path", "normal", "attacks"), FORMS, ids=[f[0] for f in FORMS])
def test_malformed_form_values_are_refused_and_change_nothing(world, db, path, normal, attacks):
    client, ids = world["client"], world["ids"]
    url = path.format(**ids)
    token = csrf_token(client)
    before = _state(db)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(field=st.sampled_from(sorted(attacks)), data=st.data())
    def attempt(field, data):
        value = data.draw(attacks[field])
        form = {k: v.format(**ids) for k, v in normal.items()}
        form[field] = value
        response = client.post(url, data={"csrf_token": token, **form})
        assert 400 <= response.status_code < 500, (field, value[:60], response.status_code)
        assert _state(db) == before, (field, value[:60])

    attempt()
