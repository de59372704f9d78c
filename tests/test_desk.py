"""A day at the desk: the dense queue's count, previous pages and evidence column; expired sessions on htmx
requests; the favicon."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from tests.conftest import login, parse
from tests.factories import make_article, make_user
from workbench.models import Claim, Evidence, Role

TEXT = (
    "Port Story {n}\n\nThe port of Gdansk handled {n} million tonnes of grain in 2023, Reuters reported.\n\n"
    "A spokesperson said the terminal will reopen on Monday.\n\nSome traders think prices are too high.\n"
)


def _seed(client, db, articles=12):
    checker = make_user(db, Role.checker)
    for n in range(articles):
        make_article(db, actor=checker, text=TEXT.format(n=n + 10), published=dt.date(2024, 5, 1 + n))
    login(client, checker.email)
    return checker


def _ids(html) -> list[str]:
    return [tr["id"][1:] for tr in html.select("#queue-results tr[data-v]")]


def test_result_count_is_exact_then_more_than(client, db, monkeypatch):
    _seed(client, db)
    total = len(db.exec(select(Claim)).all())
    html = parse(client.get("/claims"))
    assert html.select_one("[data-result-count]").get_text(strip=True) == f"{total} claims"
    assert parse(client.get("/claims?q=gdansk+11")).select_one("[data-result-count]").get_text(strip=True) == "1 claim"
    monkeypatch.setattr("workbench.services.queue.COUNT_CAP", 10)
    html = parse(client.get("/claims"))
    assert html.select_one("[data-result-count]").get_text(strip=True) == "More than 10 claims"


def test_previous_page_returns_exactly_the_page_before(client, db, monkeypatch):
    _seed(client, db)
    monkeypatch.setattr("workbench.services.queue.PAGE_SIZE", 10)
    for sort in ("score", "newest", "oldest", "updated"):
        pages, url = [], f"/claims?sort={sort}"
        while url:
            html = parse(client.get(url))
            pages.append((_ids(html), html))
            link = html.select_one('a[rel="next"]')
            url = link["href"] if link else None
        assert len(pages) >= 3, sort
        assert pages[0][1].select_one('a[rel="prev"]') is None  # the first page has no previous page
        for (before_ids, _), (_, html) in zip(pages, pages[1:]):
            back = html.select_one('a[rel="prev"]')["href"]
            assert "before" in parse_qs(urlsplit(back).query)
            previous = parse(client.get(back))
            assert _ids(previous) == before_ids, sort
            # from a previous page, "next" leads forward again
            assert _ids(parse(client.get(previous.select_one('a[rel="next"]')["href"]))) == _ids(html)


def test_queue_rows_are_one_line_with_the_evidence_count_and_no_row_forms(client, db):
    checker = _seed(client, db, articles=2)
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    db.add(Evidence(claim_id=claim.id, url="https://a.example/1", added_by_id=checker.id))
    db.add(Evidence(claim_id=claim.id, url="https://a.example/2", added_by_id=checker.id, fetch_state="failed"))
    db.commit()
    html = parse(client.get("/claims"))
    row = html.select_one(f"#c{claim.id}")
    assert row.select("td")[5].get_text(strip=True) == "1"  # the evidence column: a failed fetch backs nothing
    assert html.select("tr[data-v] form") == [] and html.select("tr[data-v] select") == []
    status = html.select_one("#bulk-status")
    assert status.has_attr("required")
    assert status.select_one("option[selected]")["value"] == "" and status.select_one("option[selected]").has_attr(
        "disabled"
    )


def test_bulk_status_without_a_choice_changes_nothing(client, db):
    _seed(client, db, articles=1)
    from tests.conftest import csrf_token

    ids = [str(c.id) for c in db.exec(select(Claim))]
    before = [c.status for c in db.exec(select(Claim).order_by(Claim.id))]
    response = client.post(
        "/claims/bulk",
        data={"csrf_token": csrf_token(client), "ids": ids, "action": "status", "status": "", "back": "/claims"},
        follow_redirects=True,
    )
    assert "is not a status" in response.get_data(as_text=True)
    db.expire_all()
    assert [c.status for c in db.exec(select(Claim).order_by(Claim.id))] == before


def test_expired_session_on_htmx_request_redirects_the_whole_page_and_comes_back(app, client, db):
    claim_page = "/claims?sort=newest&q=port"
    response = client.post(
        "/claims/1/status",
        data={"status": "in_progress"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://desk.example" + claim_page},
    )
    assert response.status_code == 401 and response.get_data() == b""
    target = response.headers["HX-Redirect"]
    assert urlsplit(target).path == "/login"
    assert parse_qs(urlsplit(target).query)["next"] == [claim_page]
    plain = client.get("/claims")  # an ordinary request still gets the ordinary redirect
    assert plain.status_code == 302 and "HX-Redirect" not in plain.headers


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    with client.get(response.headers["Location"]) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.get_data()


def _article_titles(html) -> list[str]:
    return [a.get_text(strip=True) for a in html.select("#article-list tbody tr td:first-child a")]


def test_articles_list_pages_by_keyset_in_every_sort_and_searches(client, db, monkeypatch):
    from workbench.models import Article, Status

    checker = make_user(db, Role.checker)
    for n in range(13):  # ties on the publication date, and some without one
        published = None if n % 5 == 0 else dt.date(2024, 5, 1 + n % 3)
        make_article(
            db,
            actor=checker,
            text=TEXT.format(n=n + 10),
            published=published,
            outlet="Harbour Gazette" if n % 4 == 0 else "Daily Grain",
        )
    verdicts = db.exec(select(Claim).order_by(Claim.id).limit(5)).all()
    for claim in verdicts:
        claim.status = Status.not_checkable
    db.commit()
    login(client, checker.email)
    monkeypatch.setattr("workbench.services.articles.ARTICLE_PAGE", 4)
    articles = db.exec(select(Article)).all()
    expected_orders = {
        "ingested": sorted(articles, key=lambda a: (a.ingested_at, a.id), reverse=True),
        "published": sorted(articles, key=lambda a: (a.published or dt.date(1, 1, 1), a.id), reverse=True),
    }
    for sort in ("ingested", "published", "progress"):
        seen, url = [], f"/articles?sort={sort}"
        while url:
            html = parse(client.get(url))
            titles = _article_titles(html)
            assert len(titles) <= 4
            seen += titles
            link = html.select_one('#article-list a[rel="next"]')
            url = link["href"] if link else None
        assert sorted(seen) == sorted(a.title for a in articles) and len(seen) == 13, sort
        if sort in expected_orders:
            assert seen == [a.title for a in expected_orders[sort]], sort
        else:  # the article with verdicts comes last: least verified first
            done_title = db.get(Article, verdicts[0].article_id).title
            assert seen[-1] == done_title and seen.index(done_title) == 12
    html = parse(client.get("/articles?q=harbour"))
    assert len(_article_titles(html)) == 4  # n = 0, 4, 8, 12
    assert parse(client.get("/articles?q=100%25")).select_one("#article-list .empty") is not None
    fragment = client.get("/articles?q=story+21", headers={"HX-Request": "true", "HX-Target": "article-list"})
    assert parse(fragment).select_one("h1") is None and _article_titles(parse(fragment)) == ["Port Story 21"]


def test_ready_made_views_link_to_their_filters(client, db):
    checker = _seed(client, db, articles=2)
    mine = db.exec(select(Claim).order_by(Claim.id)).first()
    mine.assignee_id = checker.id
    db.commit()
    html = parse(client.get("/claims"))
    views = {a.get_text(strip=True): a["href"] for a in html.select("#queue-views a")}
    assert "Awaiting my approval" not in views  # a checker approves nothing
    assert parse_qs(urlsplit(views["Sent back to me"]).query) == {"review": ["sent_back"]}
    assert _ids(parse(client.get(views["My queue"]))) == [str(mine.id)]
