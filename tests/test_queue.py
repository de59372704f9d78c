"""The review queue: filters, full-text search, sorting, keyset paging, bulk actions, query counts."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import event
from sqlmodel import select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.db import get_engine
from workbench.models import AuditEvent, Claim, Role, Source, Status

TEXTS = [
    (
        "Port Story {n}\n\nThe port of Gdansk handled {n} million tonnes of grain in 2023, Reuters reported.\n\n"
        "A spokesperson said the terminal will reopen on Monday.\n\nSome traders think prices are too high.\n"
    ),
]


@pytest.fixture
def many(client, db):
    """Twelve articles (36 claims) from two months, a checker signed in."""
    checker = make_user(db, Role.checker)
    for n in range(12):
        make_article(db, actor=checker, text=TEXTS[0].format(n=n + 10), published=dt.date(2024, 5 + n % 2, 1 + n))
    login(client, checker.email)
    return checker


def _rows(response) -> list[str]:
    return [tr["id"][1:] for tr in parse(response).select("#queue-results tr[data-v]")]


def _change_first_claim(db, **values) -> Claim:
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    for name, value in values.items():
        setattr(claim, name, value)
    db.add(claim)
    db.commit()
    return claim


def test_status_source_and_score_filters(client, db, many):
    claim = _change_first_claim(db, status=Status.in_progress)
    assert _rows(client.get("/claims?status=in_progress")) == [str(claim.id)]
    assert len(_rows(client.get("/claims?status=in_progress&status=unverified"))) == 36
    reuters = db.exec(select(Source).where(Source.name == "Reuters")).one()
    rows = _rows(client.get(f"/claims?source={reuters.id}"))
    assert len(rows) == 12
    scores = [c.checkworthiness for c in db.exec(select(Claim))]
    threshold = sorted(scores)[-10]
    assert len(_rows(client.get(f"/claims?min_score={threshold}"))) == sum(s >= threshold for s in scores)


def test_a_typed_source_name_or_alias_filters_and_the_url_keeps_the_id(client, db, many):
    from workbench.models import SourceAlias

    reuters = db.exec(select(Source).where(Source.name == "Reuters")).one()
    db.add(SourceAlias(source_id=reuters.id, alias="Thomson Reuters"))
    db.commit()
    plain = client.get("/claims?source_name=reuters&q=")
    assert plain.status_code == 303 and parse_qs(urlsplit(plain.headers["Location"]).query)["source"] == [
        str(reuters.id)
    ]
    page = parse(client.get(plain.headers["Location"]))
    assert page.find("input", id="source")["value"] == "Reuters" and len(page.select("tr[data-v]")) == 12
    assert not page.select("select#source option")  # no list of every source in the page
    typed = client.get(
        "/claims?source_name=Thomson+Reuters", headers={"HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert len(_rows(typed)) == 12
    assert parse_qs(urlsplit(typed.headers["HX-Push-Url"]).query) == {"source": [str(reuters.id)]}
    unknown = client.get("/claims?source_name=Nobody+Press&status=unverified")
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 200 and "No source is called &#39;Nobody Press&#39;; ignored." in text
    assert len(_rows(unknown)) == 36  # the status filter stands, the unknown source is dropped
    cleared = client.get(f"/claims?source={reuters.id}&source_name=")
    assert cleared.status_code == 303 and "source" not in parse_qs(urlsplit(cleared.headers["Location"]).query)
    assert len(_rows(client.get(f"/claims?source={reuters.id}"))) == 12  # a link with the id alone still filters


def test_assignee_and_publication_date_filters(client, db, many):
    claim = _change_first_claim(db, assignee_id=many.id)
    assert _rows(client.get("/claims?assignee=me")) == [str(claim.id)]
    assert len(_rows(client.get("/claims?assignee=none"))) == 35
    june = _rows(client.get("/claims?published_from=2024-06-01&published_to=2024-06-30"))
    assert len(june) == 18


def test_full_text_search_as_you_type(client, db, many):
    response = client.get("/claims?q=terminal+reop", headers={"HX-Request": "true", "HX-Target": "queue-results"})
    rows = parse(response).select("tr[data-v]")
    assert len(rows) == 12 and all(
        "terminal will reopen" in r.select_one("td:nth-child(2) > a").get_text() for r in rows
    )
    assert parse(response).find("html") is None
    assert _rows(client.get("/claims?q=gdansk+2023")) and not _rows(client.get("/claims?q=nonexistentword"))
    assert client.get('/claims?q=" OR *').status_code == 200  # search syntax is never passed through raw


def test_search_for_a_common_word_walks_the_sort_order(client, many, monkeypatch):
    monkeypatch.setattr("workbench.services.queue.SELECTIVE_MATCHES", 5)  # "port" matches 12 claims: common
    common = _rows(client.get("/claims?q=port"))
    monkeypatch.setattr("workbench.services.queue.SELECTIVE_MATCHES", 2000)
    assert common == _rows(client.get("/claims?q=port")) and len(common) == 12


def test_keyset_pages_cover_every_claim_once_in_order(client, db, many):
    seen, url = [], "/claims?sort=score&q="
    for _ in range(10):
        page = parse(client.get(url))
        seen += [tr["id"][1:] for tr in page.select("tr[data-v]")]
        next_link = page.select_one('a[rel="next"]')
        if next_link is None:
            break
        url = next_link["href"]
        assert parse_qs(urlsplit(url).query)["after"]
    claims = db.exec(select(Claim)).all()
    expected = [str(c.id) for c in sorted(claims, key=lambda c: (-c.checkworthiness, -c.id))]
    assert seen == expected


@pytest.mark.parametrize("sort", ["newest", "oldest", "updated"])
def test_other_sorts_page_through_everything(app, client, db, many, sort, monkeypatch):
    monkeypatch.setattr("workbench.services.queue.PAGE_SIZE", 10)
    seen, url = [], f"/claims?sort={sort}"
    while url:
        page = parse(client.get(url))
        seen += [tr["id"][1:] for tr in page.select("tr[data-v]")]
        link = page.select_one('a[rel="next"]')
        url = link["href"] if link else None
    assert sorted(seen, key=int) == sorted({str(c.id) for c in db.exec(select(Claim))}, key=int) and len(seen) == 36


def test_filters_stay_in_the_url_and_bad_values_are_reported(client, many):
    response = client.get("/claims?status=verified&status=bogus&min_score=high&sort=sideways&q=port")
    page = parse(response)
    problems = " ".join(p.get_text() for p in page.select("#queue-results .flash-error"))
    assert "unknown status" in problems and "not a number" in problems and "unknown sort" in problems
    assert page.select_one('input[name="status"][value="verified"]').has_attr("checked")
    assert page.select_one("#q")["value"] == "port"


def test_bulk_status_change_is_all_or_nothing_with_events(client, db, many):
    ids = [c.id for c in db.exec(select(Claim).order_by(Claim.id).limit(3))]
    events_before = len(db.exec(select(AuditEvent)).all())
    token = csrf_token(client)
    refused = client.post(
        "/claims/bulk",
        data={"csrf_token": token, "ids": ids, "action": "status", "status": "false", "rationale": "Wrong"},
    )
    assert refused.status_code == 303
    page = parse(client.get(refused.headers["Location"]))
    assert "needs at least one evidence item" in page.select_one(".flash-error").get_text()
    db.expire_all()
    assert all(db.get(Claim, i).status == Status.unverified for i in ids)
    assert len(db.exec(select(AuditEvent)).all()) == events_before

    client.post(
        "/claims/bulk",
        data={
            "csrf_token": token,
            "ids": ids,
            "action": "status",
            "status": "not_checkable",
            "rationale": "Opinion pieces",
        },
    )
    client.post("/claims/bulk", data={"csrf_token": token, "ids": ids[:2], "action": "assign", "assignee": "me"})
    db.expire_all()
    assert [db.get(Claim, i).status for i in ids] == [Status.not_checkable] * 3
    assert [db.get(Claim, i).assignee_id for i in ids] == [many.id, many.id, None]
    # The same claims in the other sample articles follow these leads: one audited change each (issue 12).
    followers = db.exec(select(Claim.id).where(Claim.lead_id.in_(ids))).all()
    followed = db.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "follow_lead")).all()
    assert sorted(followed) == sorted(followers)
    assert all(db.get(Claim, i).status == Status.not_checkable for i in followers)
    assert len(db.exec(select(AuditEvent)).all()) == events_before + 5 + len(followers)


def _count_queries(app, client, url) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_no_n_plus_one_behind_queue_article_claim_and_dashboard(app, client, db, many):
    editor = make_user(db, Role.editor)
    login(client, editor.email)
    small = make_article(db, text="Small\n\nThe mayor said on Monday that 3 roads closed.\n").article
    big = db.exec(select(Claim.article_id).order_by(Claim.id)).first()
    for claim in db.exec(select(Claim)):
        claim.assignee_id = editor.id
        db.add(claim)
    db.commit()
    article_queries = {_count_queries(app, client, f"/articles/{i}") for i in (small.id, big)}
    assert len(article_queries) == 1, article_queries
    few = _count_queries(app, client, f"/claims?article={small.id}")
    lots = _count_queries(app, client, "/claims")
    # Fixed costs beside the rows: every page's nav counts unread notifications (1 query) and the queue page lists
    # the person's saved views (1 query); neither grows with the number of claims shown.
    assert few == lots <= 8
    first_claim = db.exec(select(Claim).where(Claim.article_id == big)).first()
    # 14: the nav's unread count (1) and the claim's group of duplicates (1, whatever the group's size).
    assert _count_queries(app, client, f"/claims/{first_claim.id}") <= 14
    assert _count_queries(app, client, "/dashboard") <= 10


def test_a_search_shows_its_rows_at_once_and_fetches_its_count_apart(client, db, many, monkeypatch):
    monkeypatch.setattr("workbench.services.queue.PAGE_SIZE", 10)
    page = parse(client.get("/claims?q=grain&status=unverified"))
    counter = page.select_one("[data-result-count]")
    assert len(page.select("#queue-results tr[data-v]")) == 10
    assert counter.get_text() == "More than 10 claims · counting…" and counter["hx-trigger"] == "load"
    assert parse_qs(urlsplit(counter["hx-get"]).query) == {"status": ["unverified"], "q": ["grain"]}
    counted = parse(client.get(counter["hx-get"], headers={"HX-Request": "true"})).select_one("[data-result-count]")
    assert counted.get_text() == "12 claims" and not counted.has_attr("hx-get")  # the 12 port stories
    plain = parse(client.get("/claims?status=unverified")).select_one("[data-result-count]")
    assert plain.get_text() == "36 claims"  # without a search the count comes with the page, as before
    few = parse(client.get("/claims?q=gdansk+reopen")).select_one("[data-result-count]")
    assert few.get_text() == "0 claims"  # a first page that holds every match needs no count at all


def test_the_count_takes_the_queues_inputs_through_the_same_validation(client, db, many):
    before = client.get("/claims/count?status=unverified").get_data(as_text=True)
    for bad in [
        "source=99999999999999999999",
        "assignee=99999999999999999999",
        "article=-1",
        "source_name=" + "x" * 400,
    ]:
        response = client.get(f"/claims/count?{bad}")
        assert response.status_code == 400, (bad, response.status_code)
        assert client.get(f"/claims?{bad}").status_code == 400
    assert client.get("/claims/count?status=unverified").get_data(as_text=True) == before


def test_a_typed_source_keeps_its_id_and_finds_names_in_any_case_and_script(client, db, many):
    for name in ["AP", "ap", "Österreich Presse"]:
        db.add(Source(name=name))
    db.commit()
    ids = {s.name: s.id for s in db.exec(select(Source).where(Source.name.in_(["AP", "ap", "Österreich Presse"])))}

    def chosen(query):
        response = client.get(f"/claims?{query}")
        assert response.status_code == 303, query
        return parse_qs(urlsplit(response.headers["Location"]).query).get("source")

    assert chosen("source_name=ap") == [str(ids["ap"])] and chosen("source_name=AP") == [str(ids["AP"])]
    assert chosen("source_name=%C3%96sterreich+Presse") == [str(ids["Österreich Presse"])]
    if db.get_bind().dialect.name == "postgresql":  # SQLite's lower() folds ASCII letters only
        assert chosen("source_name=%C3%B6sterreich+presse") == [str(ids["Österreich Presse"])]
    # The form sends the id it shows with its name: typing a search keeps that exact source.
    assert chosen(f"source={ids['ap']}&source_name=ap&q=port") == [str(ids["ap"])]
    assert chosen(f"source={ids['ap']}&source_name=Reuters") != [str(ids["ap"])]  # a new name replaces it


def test_the_source_column_names_a_quoted_person_when_no_organisation_is_given(client, db):
    checker = make_user(db, Role.checker)
    make_article(
        db,
        actor=checker,
        text="Budget Story\n\nOpposition leader Eva Lind said the plan cut health funding by 2 billion euros.\n\n"
        "The budget was approved by 251 votes to 188 on Thursday.\n",
    )
    login(client, checker.email)
    claims = {c.text: c for c in db.exec(select(Claim))}
    quoted = next(c for text, c in claims.items() if "Eva Lind" in text)
    plain = next(c for text, c in claims.items() if "251 votes" in text)
    assert quoted.source_id is None and quoted.speaker == "Eva Lind" and plain.speaker is None
    page = parse(client.get("/claims"))
    source_cell = {tr["id"][1:]: tr.select("td")[2].get_text(strip=True) for tr in page.select("tr[data-v]")}
    assert source_cell[str(quoted.id)] == "Eva Lind" and source_cell[str(plain.id)] == "the article"
    article = parse(client.get(f"/articles/{quoted.article_id}"))
    facts = {li["id"]: li.select_one("dl.facts").get_text(" ", strip=True) for li in article.select("li.claim")}
    # the person quoted is the speaker; "the article itself" would say nobody was
    assert facts[f"claim-{quoted.id}"].startswith("Speaker Eva Lind")
    assert facts[f"claim-{plain.id}"].startswith("Source the article itself")
