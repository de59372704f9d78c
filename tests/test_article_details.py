"""Article details: title, outlet, URL and publication date are editable; a new date re-resolves claims' dates."""

from __future__ import annotations

import json

from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import Article, AuditEvent, Claim, Role


def _setup(client, db):
    user = make_user(db, Role.checker)
    article = make_article(db, actor=user, title="Harbour", outlet="Daily", url="https://news.example/a").article
    login(client, user.email)
    return article


def _monday_claim(db, article_id):
    db.expire_all()
    return next(
        c
        for c in db.exec(select(Claim).where(Claim.article_id == article_id).order_by(Claim.start))
        if any(d["text"].lower().endswith("monday") for d in c.dates)
    )


def test_details_page_and_fragment(client, db):
    article = _setup(client, db)
    page = parse(client.get(f"/articles/{article.id}/details"))
    assert page.find("h1").get_text() == "Article details" and page.find(id="details-title")["value"] == "Harbour"
    fragment = parse(
        client.get(f"/articles/{article.id}/details", headers={"HX-Request": "true", "HX-Target": "article-details"})
    )
    assert fragment.find("h1") is None and fragment.find(id="article-details") is not None
    assert client.get("/articles/999999/details").status_code == 404


def test_changing_the_published_date_re_resolves_relative_dates_and_shows_them(client, db):
    article = _setup(client, db)
    claim = _monday_claim(db, article.id)
    monday = next(d for d in claim.dates if d["text"].lower().endswith("monday"))
    version = claim.version
    assert monday["value"] == "2024-05-06"
    response = client.post(
        f"/articles/{article.id}/details",
        headers={"HX-Request": "true", "HX-Target": "article-details"},
        data={
            "csrf_token": csrf_token(client),
            "title": "Harbour Bridge",
            "outlet": "Daily",
            "url": "https://news.example/a",
            "published": "2024-05-15",
        },
    )
    assert response.status_code == 200
    shown = parse(response).select_one(f'.date-changes li[data-claim-id="{claim.id}"]').get_text()
    assert "2024-05-06 → 2024-05-13" in shown
    redated = _monday_claim(db, article.id)
    assert next(d for d in redated.dates if d["text"] == monday["text"])["value"] == "2024-05-13"
    assert redated.version == version + 1
    stored = db.get(Article, article.id)
    assert stored.title == "Harbour Bridge" and stored.published.isoformat() == "2024-05-15"
    edit = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "article", AuditEvent.action == "edit")).one()
    assert json.loads(edit.before)["published"] == "2024-05-08" and json.loads(edit.after)["title"] == "Harbour Bridge"
    redate = db.exec(select(AuditEvent).where(AuditEvent.action == "redate")).one()
    assert redate.entity_id == claim.id and json.loads(redate.after)["dates"] == [
        [monday["text"], "2024-05-06", "2024-05-13"]
    ]


def test_bad_details_are_explained_and_change_nothing(client, db):
    article = _setup(client, db)
    events = len(db.exec(select(AuditEvent)).all())
    for data, message in (
        (dict(url="javascript:alert(1)"), "not a web address"),
        (dict(title=" "), "needs a title"),
        (dict(published="08/05/2024"), "is not a date"),
    ):
        form = {
            "csrf_token": csrf_token(client),
            "title": "Harbour",
            "outlet": "Daily",
            "url": "https://news.example/a",
            "published": "2024-05-08",
            **data,
        }
        response = client.post(f"/articles/{article.id}/details", data=form)
        assert response.status_code == 422 and message in parse(response).find(id="details-error").get_text()
    db.expire_all()
    stored = db.get(Article, article.id)
    assert (stored.title, stored.url, stored.published.isoformat()) == (
        "Harbour",
        "https://news.example/a",
        "2024-05-08",
    )
    assert len(db.exec(select(AuditEvent)).all()) == events
