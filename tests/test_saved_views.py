"""Queue views: the built-in ones (my queue, sent back to me, awaiting my approval), filter sets saved under a name
(per person; renamed, deleted; bad input refused with nothing changed) and the compact/comfortable row layout."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.models import Claim, Role, Status, User
from workbench.models_desk import SavedView
from workbench.services import review

HTMX = {"HX-Request": "true"}


def _ids(html) -> list[str]:
    return [tr["id"][1:] for tr in html.select("#queue-results tr[data-v]")]


def _views(html) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in html.select("#queue-views a")}


@pytest.fixture
def desk(db):
    """A checker, a second checker and an editor; five claims in one article."""
    checker = make_user(db, Role.checker, email="casey@desk.example")
    other = make_user(db, Role.checker, email="olive@desk.example")
    editor = make_user(db, Role.editor, email="eden@desk.example")
    make_article(db, actor=checker)
    make_article(db, actor=checker, text="Port News\n\nThe port handled 4 million tonnes in 2023, Reuters reported.\n")
    claims = db.exec(select(Claim).order_by(Claim.id)).all()
    assert len(claims) >= 4
    return {"checker": checker, "other": other, "editor": editor, "claims": claims}


def _verdict(db, claim, actor):
    return review.set_status(
        session=db,
        claim=claim,
        status=Status.unverifiable,
        rationale="No record of it anywhere.",
        actor=actor,
        expected_version=claim.version,
    )


def test_built_in_views_show_my_queue_what_was_sent_back_and_what_awaits_my_approval(client, db, desk):
    checker, other, editor, claims = desk["checker"], desk["other"], desk["editor"], desk["claims"]
    mine = claims[0]
    mine.assignee_id = checker.id
    db.add(mine)
    db.commit()
    sent_back = _verdict(db, claims[1], checker)
    review.send_back(session=db, claim=sent_back, actor=editor, comment="Which record?", expected_version=None)
    by_other = _verdict(db, claims[2], other)
    by_editor = _verdict(db, claims[3], editor)

    login(client, checker.email)
    views = _views(parse(client.get("/claims")))
    assert "Awaiting my approval" not in views  # a checker approves nothing
    assert _ids(parse(client.get(views["My queue"]))) == [str(mine.id)]
    assert _ids(parse(client.get(views["Sent back to me"]))) == [str(sent_back.id)]

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, editor.email)
    views = _views(parse(client.get("/claims")))
    awaiting = parse(client.get(views["Awaiting my approval"]))
    assert _ids(awaiting) == [str(by_other.id)]  # not the editor's own verdict, nor the one sent back
    assert by_editor.id not in {int(i) for i in _ids(awaiting)}
    current = awaiting.select_one('#queue-views a[aria-current="page"]')
    assert current.get_text(strip=True) == "Awaiting my approval"
    assert _ids(parse(client.get(views["Sent back to me"]))) == []  # sent back to the checker, not to the editor


def test_an_unknown_review_stage_is_ignored_with_a_message(client, db, desk):
    login(client, desk["checker"].email)
    html = parse(client.get("/claims?review=everything"))
    assert "Ignored review='everything'." in html.select_one("#queue-results").get_text()
    assert len(_ids(html)) == len(desk["claims"])


def _save(client, name, query, **headers):
    return client.post(
        "/claims/views", data={"csrf_token": csrf_token(client), "name": name, "query": query}, headers=headers
    )


def test_saving_a_view_keeps_the_filters_and_shows_it_in_the_queue_bar(client, db, desk):
    checker = desk["checker"]
    login(client, checker.email)
    response = _save(client, "  Port   claims ", "q=port&status=unverified&after=0.5%7C3&sort=newest")
    assert response.status_code == 303
    view = db.exec(select(SavedView)).one()
    assert (view.user_id, view.name) == (checker.id, "Port claims")
    assert parse_qs(view.query) == {"q": ["port"], "status": ["unverified"], "sort": ["newest"]}  # no page position
    assert parse_qs(urlsplit(response.headers["Location"]).query) == parse_qs(view.query)
    page = parse(client.get(response.headers["Location"]))
    link = page.select_one("#queue-views a.saved-view")
    assert link.get_text(strip=True) == "Port claims" and link["aria-current"] == "page"
    assert page.select_one("#queue-views input[name=query]")["value"] == view.query
    assert all("port" in row.select_one("td:nth-child(2) > a").get_text().lower() for row in page.select("tr[data-v]"))


def test_saving_a_view_through_htmx_answers_the_views_bar(client, db, desk):
    login(client, desk["checker"].email)
    response = _save(client, "Open", "status=unverified&status=in_progress", **HTMX, **{"HX-Target": "queue-views"})
    assert response.status_code == 200
    bar = parse(response)
    assert bar.select_one("nav#queue-views") is not None and bar.select_one("form#queue-filters") is None
    assert "Open" in _views(bar)
    assert bar.select_one("[role=status]").get_text(strip=True) == "Saved “Open”."


@pytest.mark.parametrize(
    "name, query, message",
    [
        ("", "status=unverified", "Give the view a name."),
        ("   ", "status=unverified", "Give the view a name."),
        ("Odd", "status=maybe", "This view cannot be saved: Ignored unknown status 'maybe'."),
        ("Odd", "min_score=high", "This view cannot be saved: Ignored min_score='high': not a number."),
    ],
)
def test_a_bad_view_is_refused_with_its_message_and_nothing_saved(client, db, desk, name, query, message):
    login(client, desk["checker"].email)
    response = _save(client, name, query, **HTMX, **{"HX-Target": "queue-views"})
    assert response.status_code == 422
    assert parse(response).select_one("#view-error").get_text(strip=True) == message
    assert db.exec(select(SavedView)).all() == []
    plain = _save(client, name, query)  # without htmx: back to the queue with the message
    assert plain.status_code == 303
    assert message in parse(client.get(plain.headers["Location"])).get_text()
    assert db.exec(select(SavedView)).all() == []


def test_the_validation_layer_refuses_an_over_long_name_or_a_nul_byte(client, db, desk):
    login(client, desk["checker"].email)
    too_long = _save(client, "x" * 81, "status=unverified")
    assert too_long.status_code == 400 and "longer than 80 characters" in too_long.get_data(as_text=True)
    nul = _save(client, "bad\x00name", "status=unverified")
    assert nul.status_code == 400 and "NUL byte" in nul.get_data(as_text=True)
    long_query = _save(client, "Long", "q=" + "a" * 2100)
    assert long_query.status_code == 400
    assert db.exec(select(SavedView)).all() == []


def test_a_name_is_used_once_per_person_but_each_person_has_their_own(client, db, desk):
    login(client, desk["checker"].email)
    assert _save(client, "Mine", "status=unverified").status_code == 303
    again = _save(client, "mine", "status=verified", **HTMX, **{"HX-Target": "queue-views"})
    assert again.status_code == 200  # names differ in case: two views
    third = _save(client, "Mine", "status=false", **HTMX, **{"HX-Target": "queue-views"})
    assert third.status_code == 422 and "already have a view called “Mine”" in third.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, desk["other"].email)
    assert "Mine" not in _views(parse(client.get("/claims")))  # another person's views are not shown
    assert _save(client, "Mine", "status=false").status_code == 303
    owners = sorted((v.user_id, v.name, v.query) for v in db.exec(select(SavedView)))
    assert owners == sorted(
        [
            (desk["checker"].id, "Mine", "status=unverified"),
            (desk["checker"].id, "mine", "status=verified"),
            (desk["other"].id, "Mine", "status=false"),
        ]
    )


def test_rename_and_delete_a_view_page_and_fragment(client, db, desk):
    login(client, desk["checker"].email)
    _save(client, "First", "status=unverified")
    _save(client, "Second", "status=verified")
    first, second = db.exec(select(SavedView).order_by(SavedView.id)).all()
    page = parse(client.get("/claims/views"))
    assert [a.get_text(strip=True) for a in page.select("#saved-view-table td:first-child a")] == ["First", "Second"]

    renamed = client.post(f"/claims/views/{first.id}", data={"csrf_token": csrf_token(client), "name": "Unchecked"})
    assert renamed.status_code == 303
    db.refresh(first)
    assert first.name == "Unchecked"

    clash = client.post(
        f"/claims/views/{first.id}",
        data={"csrf_token": csrf_token(client), "name": "Second"},
        headers={**HTMX, "HX-Target": "saved-view-table"},
    )
    assert clash.status_code == 422
    table = parse(clash)
    assert table.select_one("[role=alert]").get_text(strip=True) == "You already have a view called “Second”."
    db.refresh(first)
    assert first.name == "Unchecked"

    deleted = client.post(
        f"/claims/views/{second.id}/delete",
        data={"csrf_token": csrf_token(client)},
        headers={**HTMX, "HX-Target": "saved-view-table"},
    )
    assert deleted.status_code == 200
    assert [a.get_text(strip=True) for a in parse(deleted).select("td:first-child a")] == ["Unchecked"]
    assert [v.name for v in db.exec(select(SavedView))] == ["Unchecked"]


def test_nobody_renames_or_deletes_another_persons_view(client, db, desk):
    login(client, desk["checker"].email)
    _save(client, "Private", "status=unverified")
    view = db.exec(select(SavedView)).one()
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, desk["other"].email)
    token = csrf_token(client)
    assert client.post(f"/claims/views/{view.id}", data={"csrf_token": token, "name": "Mine now"}).status_code == 404
    assert client.post(f"/claims/views/{view.id}/delete", data={"csrf_token": token}).status_code == 404
    db.refresh(view)
    assert (view.name, view.user_id) == ("Private", desk["checker"].id)


def _density(client, value, **headers):
    return client.post(
        "/account/queue-density",
        data={"csrf_token": csrf_token(client), "density": value, "back": "/claims?sort=newest"},
        headers=headers,
    )


def _density_of(db, user_id):
    db.expire_all()
    return db.get(User, user_id).queue_density


def test_the_row_layout_is_remembered_per_person(client, db, desk):
    checker = desk["checker"]
    login(client, checker.email)
    page = parse(client.get("/claims"))
    assert "density-compact" in page.select_one("#queue-area")["class"]  # the default: one line per claim
    assert page.select_one('#density-toggle button[aria-pressed="true"]')["value"] == "compact"

    response = _density(client, "comfortable")
    assert response.status_code == 303 and response.headers["Location"] == "/claims?sort=newest"
    assert _density_of(db, checker.id) == "comfortable"
    page = parse(client.get("/claims"))
    assert "density-comfortable" in page.select_one("#queue-area")["class"]

    fragment = _density(client, "compact", **HTMX, **{"HX-Target": "density-toggle"})
    toggle = parse(fragment)
    assert fragment.status_code == 200 and toggle.select_one("form#density-toggle")["data-density"] == "compact"
    assert toggle.select_one("#queue-area") is None  # the toggle alone; the script moves the container's class
    assert _density_of(db, checker.id) == "compact"

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, desk["other"].email)
    _density(client, "comfortable")
    assert _density_of(db, checker.id) == "compact"  # one person's choice is theirs alone
    assert _density_of(db, desk["other"].id) == "comfortable"


def test_a_bad_row_layout_is_refused_and_nothing_changes(client, db, desk):
    checker = desk["checker"]
    login(client, checker.email)
    response = _density(client, "tiny", **HTMX, **{"HX-Target": "density-toggle"})
    assert response.status_code == 422
    assert parse(response).select_one("[role=alert]").get_text(strip=True) == "Choose a layout: compact or comfortable."
    assert _density(client, "x" * 13).status_code == 400  # longer than the column: the validation layer
    assert _density_of(db, checker.id) == "compact"


def test_the_queue_filters_fold_into_a_disclosure_that_names_how_many_are_set(client, db, desk):
    login(client, desk["checker"].email)
    plain = parse(client.get("/claims"))
    disclosure = plain.select_one("#queue-filters details.filter-more")
    assert disclosure.has_attr("open")  # open without script; the page's script folds it on narrow screens
    assert disclosure.select_one("summary").get_text(strip=True) == "Filters"
    assert disclosure.select_one("fieldset.filter-status") is not None and disclosure.select_one("#sort") is not None
    assert plain.select_one("#queue-filters > .filter-search #q") is not None  # the search stays outside it
    filtered = parse(client.get("/claims?status=unverified&sort=newest&min_score=0.2"))
    assert filtered.select_one(".filter-more summary").get_text(" ", strip=True) == "Filters (3 set)"


def test_the_manage_page_says_in_words_what_each_view_shows(client, db, desk):
    from workbench.models import Source

    source = db.exec(select(Source).where(Source.name == "Reuters")).one()
    login(client, desk["checker"].email)
    _save(client, "Reuters open", f"source={source.id}&status=unverified&status=in_progress&sort=newest")
    _save(client, "Olive's", f"assignee={desk['other'].id}&min_score=0.5&q=port")
    _save(client, "Everything", "")
    page = parse(client.get("/claims/views"))
    shown = {
        row.select_one("td a").get_text(strip=True): row.select_one(".view-query").get_text(strip=True)
        for row in page.select("#saved-view-table tbody tr")
    }
    assert shown == {
        "Reuters open": "Unverified or In progress · source Reuters · newest first",
        "Olive's": f"Words “port” · assigned to {desk['other'].name} · score at least 0.5",
        "Everything": "Every claim in the queue",
    }


def test_a_review_stage_shows_in_the_filter_bar_with_a_way_back_to_all_claims(client, db, desk):
    login(client, desk["checker"].email)
    html = parse(client.get("/claims?review=sent_back&sort=newest"))
    note = html.select_one("#queue-filters .review-filter")
    assert note.select_one("strong").get_text() == "Sent back to me"
    assert parse_qs(urlsplit(note.select_one("a")["href"]).query) == {"sort": ["newest"]}
    assert html.select_one("#queue-filters input[type=hidden][name=review]")["value"] == "sent_back"
    assert parse(client.get("/claims")).select_one(".review-filter") is None


@pytest.mark.parametrize("cap", [2000, 0])
def test_sent_back_to_me_is_the_same_by_id_list_or_by_condition(client, db, desk, monkeypatch, cap):
    monkeypatch.setattr("workbench.services.queue.SELECTIVE_MATCHES", cap)  # 0: always the plain condition
    checker, editor, claims = desk["checker"], desk["editor"], desk["claims"]
    returned = []
    for claim in claims[:2]:
        _verdict(db, claim, checker)
        returned.append(
            review.send_back(session=db, claim=claim, actor=editor, comment="Source?", expected_version=None)
        )
    login(client, checker.email)
    shown = _ids(parse(client.get("/claims?review=sent_back&sort=oldest")))
    assert shown == [str(c.id) for c in sorted(returned, key=lambda c: c.id)]
