"""The source registry: list, record, edits, aliases that feed extraction, merges; each with its audit event."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import AuditEvent, Claim, Role, Source, SourceAlias


@pytest.fixture
def editor(client, db):
    user = make_user(db, Role.editor)
    make_article(db, actor=user)  # sources: "city council", "regional transport agency"
    login(client, user.email)
    return user


def _source(db, name):
    return db.exec(select(Source).where(Source.name == name)).one()


def _last_event(db):
    db.expire_all()
    return db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


def test_list_and_search_as_page_and_fragment(client, db, editor):
    page = parse(client.get("/sources"))
    names = [a.get_text() for a in page.select("#source-table tbody a")]
    assert {"city council", "regional transport agency"} <= set(names)
    fragment = client.get("/sources?q=transport", headers={"HX-Request": "true", "HX-Target": "source-table"})
    part = parse(fragment)
    assert part.find("html") is None and [a.get_text() for a in part.select("a")] == ["regional transport agency"]


def test_record_shows_claims_by_status(client, db, editor):
    source = _source(db, "city council")
    page = parse(client.get(f"/sources/{source.id}"))
    assert page.find("h1").get_text() == "city council"
    assert "Unverified" in page.select_one("section[aria-labelledby=record-h]").get_text()
    assert page.select("section[aria-labelledby=latest-h] li a")


def test_edit_with_audit_event_and_a_clash_is_refused(client, db, editor):
    source = _source(db, "city council")
    response = client.post(
        f"/sources/{source.id}",
        data={
            "csrf_token": csrf_token(client),
            "name": "Harbour City Council",
            "kind": "government",
            "domain": "city.example",
            "notes": "Official",
        },
    )
    assert response.status_code == 303
    db.refresh(source)
    assert (source.name, source.kind, source.domain) == ("Harbour City Council", "government", "city.example")
    event = _last_event(db)
    assert (event.entity_type, event.action) == ("source", "edit") and '"name":"city council"' in event.before
    clash = client.post(
        f"/sources/{source.id}",
        data={"csrf_token": csrf_token(client), "name": "regional transport agency", "kind": "government"},
    )
    assert clash.status_code == 422 and "merge the two instead" in parse(clash).find(id="source-error").get_text()


def test_alias_feeds_extraction_of_the_next_article(client, db, editor):
    source = _source(db, "regional transport agency")
    client.post(f"/sources/{source.id}/aliases", data={"csrf_token": csrf_token(client), "alias": "RTA"})
    assert db.exec(select(SourceAlias)).one().alias == "RTA"
    assert _last_event(db).action == "alias_add"
    make_article(db, text="Tram Fares\n\nTram fares will rise by 4% in June, RTA reported.\n")
    claim = db.exec(select(Claim).where(Claim.text.contains("Tram fares"))).one()
    assert claim.source_id == source.id
    duplicate = client.post(f"/sources/{source.id}/aliases", data={"csrf_token": csrf_token(client), "alias": "RTA"})
    assert duplicate.status_code == 422 and "already an alias" in duplicate.get_data(as_text=True)


def test_merge_moves_claims_and_keeps_the_old_name_as_alias(client, db, editor):
    old, target = _source(db, "city council"), _source(db, "regional transport agency")
    old_id, target_id = old.id, target.id
    moved = [c.id for c in db.exec(select(Claim).where(Claim.source_id == old_id))]
    response = client.post(f"/sources/{old_id}/merge", data={"csrf_token": csrf_token(client), "into": target_id})
    assert response.status_code == 303 and response.headers["Location"] == f"/sources/{target_id}"
    db.expire_all()
    assert db.exec(select(Source).where(Source.id == old_id)).first() is None
    assert all(db.get(Claim, i).source_id == target_id for i in moved)
    assert db.exec(select(SourceAlias).where(SourceAlias.alias == "city council")).one().source_id == target_id
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.actor == editor.email))]
    assert "merge" in actions and actions.count("source") == len(moved)


def test_checkers_may_read_but_not_change_sources(app, db, editor):
    checker_client = app.test_client()
    checker = make_user(db, Role.checker)
    login(checker_client, checker.email)
    source = _source(db, "city council")
    page = parse(checker_client.get(f"/sources/{source.id}"))
    assert page.find("h1").get_text() == "city council" and page.find(id="source-name") is None
    response = checker_client.post(
        f"/sources/{source.id}/aliases", data={"csrf_token": csrf_token(checker_client), "alias": "X"}
    )
    assert response.status_code == 403


def test_suggestions_match_names_and_aliases_literally_names_starting_with_the_text_first(client, db, editor):
    for name in ["Council of Europe", "Port Authority", "100% Fact Check", "Harbour_News"]:
        db.add(Source(name=name))
    db.commit()
    db.add(SourceAlias(source_id=_source(db, "Port Authority").id, alias="PA council office"))
    db.commit()

    def suggested(text):
        response = client.get("/sources/suggest", query_string={"source_name": text})
        assert response.status_code == 200
        return [option["value"] for option in parse(response).find_all("option")]

    # the name starting with it first, then by name whatever the case; an alias brings Port Authority
    assert suggested("council") == ["Council of Europe", "city council", "Port Authority"]
    assert suggested("100%") == ["100% Fact Check"] and suggested("%") == ["100% Fact Check"]
    assert suggested("s_n") == [] and suggested("_") == ["Harbour_News"]  # % and _ are literal, not wildcards
    everything = suggested("")
    assert everything == sorted(everything, key=str.lower) and 4 < len(everything) <= 20
    assert (
        client.get("/sources/suggest", query_string={"new_source": "harb"}).get_data(as_text=True).count("<option") == 1
    )
