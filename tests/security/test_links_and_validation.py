"""One URL validator for every link, one validation layer for every request: bad input is a 4xx and changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import func, select

from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.errors import InputError
from workbench.models import Article, AuditEvent, Claim, ClaimNote, Evidence, Role, Source, Status
from workbench.urls import link_href, validate_url

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

GOOD = [
    ("http://example.com", "http://example.com"),
    ("HTTPS://News.Example/a?b=1#c", "https://news.example/a?b=1#c"),
    ("https://[2001:db8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
    ("  https://example.org/  ", "https://example.org/"),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
    ("http://a_b.example.com/", "http://a_b.example.com/"),
]
BAD = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    "/relative/path",
    "http://",
    "http:///path",
    "http://127.0.0.1:99999/",
    "http://example.com:0/",
    "http://[::1",
    "http://user:pass@example.com/",
    "http://user@example.com/",
    "https://exa mple.com/",
    "http://example.com/\x00",
    "ftp://example.com/",
    "http://-bad-.example/",
    "http://" + "a" * 2000 + ".com/",
    "",
]


@pytest.mark.parametrize(("raw", "expected"), GOOD)
def test_validator_accepts_and_normalises_web_addresses(raw, expected):
    assert validate_url(raw) == expected
    assert link_href(raw) == expected


@pytest.mark.parametrize("raw", BAD)
def test_validator_refuses_everything_else(raw):
    with pytest.raises(InputError):
        validate_url(raw)
    assert link_href(raw) is None


def test_every_href_from_data_goes_through_the_link_helper():
    """A template may build links with url_for or the external_link macro; nothing else reaches an href."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        for expression in re.findall(
            r'(?:href|src|action|hx-get|hx-post)="\{\{\s*([^}]*?)\s*\}\}', template.read_text()
        ):
            if not (expression.startswith("url_for(") or expression in {"claim_url", "href", "action"}):
                offenders.append(f"{template.name}: {expression}")
    assert offenders == []


@pytest.fixture
def checker(client, db):
    user = make_user(db, Role.checker)
    login(client, user.email)
    return user


def _count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize(
    "url", ["javascript:fetch('/admin/users')", "java\tscript:alert(1)", "data:text/html,x", "http://127.0.0.1:99999/"]
)
def test_ingest_form_refuses_a_url_that_is_not_a_web_address(client, db, checker, url):
    response = client.post(
        "/articles",
        data={
            "csrf_token": csrf_token(client),
            "title": "T",
            "url": url,
            "text": "The council said 40 roads closed on Monday.",
        },
    )
    assert response.status_code == 422
    assert "web address" in parse(response).find(class_="error").get_text() or "port" in response.get_data(as_text=True)
    assert _count(db, Article) == 0


def test_a_stored_hostile_url_is_never_rendered_as_a_link(client, db, checker):
    article = make_article(db, actor=checker).article
    article.url = "javascript:alert(document.domain)"  # as an older version could have stored it
    db.add(article)
    db.commit()
    page = parse(client.get(f"/articles/{article.id}"))
    assert not [a for a in page.find_all("a") if "javascript" in (a.get("href") or "").lower()]
    assert page.find(class_="unlinked-url").get_text() == "original"


def test_evidence_refuses_a_script_url(client, db, checker):
    claim = db.exec(select(Claim).where(Claim.article_id == make_article(db, actor=checker).article.id)).first()
    response = client.post(
        f"/claims/{claim.id}/evidence",
        data={"csrf_token": csrf_token(client), "url": "JAVASCRIPT:alert(1)", "stance": "supports"},
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
    )
    assert response.status_code == 422
    assert _count(db, Evidence) == 0


def test_evidence_link_is_rendered_through_the_helper(client, db, checker):
    claim = db.exec(select(Claim).where(Claim.article_id == make_article(db, actor=checker).article.id)).first()
    db.add(Evidence(claim_id=claim.id, url="javascript:alert(1)", fetch_state="failed", fetch_error="x"))
    db.add(Evidence(claim_id=claim.id, url="https://ok.example/page", fetch_state="failed", fetch_error="x"))
    db.commit()
    page = parse(client.get(f"/claims/{claim.id}"))
    hrefs = [a["href"] for a in page.select(".evidence-item a[href]")]
    assert "https://ok.example/page" in hrefs and not [h for h in hrefs if "javascript" in h.lower()]


def test_cli_ingest_refuses_a_bad_url(runner, db, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("The council said 40 roads closed on Monday.\n")
    result = runner.invoke(args=["ingest", str(path), "--url", "javascript:alert(1)"])
    assert result.exit_code != 0 and "web address" in result.output
    assert _count(db, Article) == 0


def test_claimreview_publishes_only_a_valid_url_and_is_safe_inside_a_script_element(app, client, db, checker):
    app.config["PUBLIC_URL"] = "https://factcheck.example"  # ClaimReview is refused without a public address
    text = "Officials said </script><script>alert(1)</script> & 40 roads <b>closed</b> on Monday, Reuters reported.\n"
    article = make_article(db, actor=checker, text=text, url="https://news.example/a").article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id)).first()
    claim.status, claim.rationale = Status.false, "</script><!-- & -->"
    article.url = "javascript:alert(1)"
    db.add(Evidence(claim_id=claim.id, url="https://ok.example/", fetch_state="done"))  # a published "false" needs it
    db.add_all([claim, article])
    db.commit()
    body = client.post(
        "/exports", data={"csrf_token": csrf_token(client), "article": article.id, "format": "claimreview"}
    ).get_data(as_text=True)
    assert "<" not in body and ">" not in body and "&" not in body
    review = json.loads(body)["@graph"][0]
    assert review["reviewRating"]["ratingExplanation"] == "</script><!-- & -->"
    assert "url" not in review["itemReviewed"]["appearance"]


# --- the validation layer -------------------------------------------------------------------------------------


def _setup_claim(db, user):
    return db.exec(
        select(Claim).where(Claim.article_id == make_article(db, actor=user).article.id).order_by(Claim.start)
    ).first()


@pytest.mark.parametrize(
    "path",
    [
        "/claims/123456789012345678901234567890",
        "/articles/99999999999999999999",
        "/evidence/1000000000000000000000000/archive/1",
        "/sources/2147483648",
    ],
)
def test_huge_ids_in_paths_are_404_not_500(client, checker, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"source": "1" * 30},
        {"article": "9" * 30},
        {"assignee": "8" * 30},
        {"q": "fire\x00"},
        {"q": "x" * 201},
        {"status\x00": "x"},
    ],
)
def test_bad_query_strings_are_400_with_a_message(client, checker, query):
    response = client.get("/claims", query_string=query)
    assert response.status_code == 400
    assert parse(response).find("main").get_text(" ", strip=True)


def test_export_with_huge_id_is_400(client, checker):
    assert client.get("/exports", query_string={"article": "1" * 30, "format": "csv"}).status_code == 400
    assert client.post("/exports", data={"csrf_token": csrf_token(client), "article": "1" * 30}).status_code == 400


def test_get_exports_never_writes_and_the_post_needs_a_csrf_token(client, db, checker):
    article = make_article(db, actor=checker).article
    events = _count(db, AuditEvent)
    offer = client.get("/exports", query_string={"article": article.id, "format": "csv"})
    assert offer.status_code == 200 and parse(offer).find("form", id="export-form")["method"] == "post"
    assert _count(db, AuditEvent) == events
    assert client.post("/exports", data={"article": article.id, "format": "csv"}).status_code == 400
    assert _count(db, AuditEvent) == events
    done = client.post("/exports", data={"csrf_token": csrf_token(client), "article": article.id, "format": "csv"})
    done.get_data()
    assert done.status_code == 200 and _count(db, AuditEvent) == events + 1


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("text", "text", "reworded\x00"),
        ("text", "text", "x" * 10_001),
        ("notes", "body", "note \x00"),
        ("status", "rationale", "because\x00"),
        ("evidence", "note", "n\x00"),
        ("split", "at", "9" * 30),
        ("text", "version", "1" * 30),
        ("assign", "assignee", "7" * 30),
    ],
)
def test_bad_claim_forms_are_refused_and_change_nothing(client, db, checker, path, field, value):
    claim = _setup_claim(db, checker)
    events = _count(db, AuditEvent)
    data = {
        "csrf_token": csrf_token(client),
        "text": "ok",
        "body": "ok",
        "status": "in_progress",
        "url": "https://ok.example/",
        "stance": "context",
        "at": "3",
        "version": str(claim.version),
        "assignee": "me",
        field: value,
    }
    response = client.post(f"/claims/{claim.id}/{path}", data=data)
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Claim, claim.id).version == claim.version
    assert _count(db, AuditEvent) == events and _count(db, ClaimNote) == 0 and _count(db, Evidence) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "t" * 501),
        ("outlet", "o" * 301),
        ("section", "s" * 201),
        ("url", "https://x.example/" + "a" * 2000),
        ("text", "a\x00b"),
    ],
)
def test_bad_ingest_forms_are_refused(client, db, checker, field, value):
    data = {"csrf_token": csrf_token(client), "text": "The council said 40 roads closed on Monday.", field: value}
    assert client.post("/articles", data=data).status_code == 400
    assert _count(db, Article) == 0


def test_source_edit_over_long_or_nul_is_refused(client, db):
    editor = make_user(db, Role.editor)
    login(client, editor.email)
    source = Source(name="Reuters")
    db.add(source)
    db.commit()
    for data in (
        {"name": "R" * 301, "kind": "wire"},
        {"name": "Reuters", "kind": "wire", "notes": "\x00"},
        {"name": "Reuters", "kind": "wire", "domain": "d" * 256},
    ):
        response = client.post(f"/sources/{source.id}", data={"csrf_token": csrf_token(client), **data})
        assert response.status_code == 400
    db.expire_all()
    assert db.get(Source, source.id).notes == "" and db.get(Source, source.id).domain is None


def test_login_with_nul_is_400(client, db):
    user = make_user(db, Role.checker)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "email": user.email + "\x00", "password": "correct horse battery"},
    )
    assert response.status_code == 400


# --- a busy database, the command line ------------------------------------------------------------------------


@pytest.mark.skipif(bool(__import__("os").environ.get("WORKBENCH_TEST_DATABASE_URL")), reason="SQLite's write lock")
def test_a_busy_database_answers_503_with_retry_after(database_url, tmp_path):
    import sqlite3

    from workbench import create_app
    from workbench.db import get_engine

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": False,
            "DATABASE_BUSY_TIMEOUT": 0.2,
        }
    )
    client = app.test_client()
    from sqlmodel import Session

    with Session(get_engine(app), expire_on_commit=False) as db:
        user = make_user(db)
        claim = _setup_claim(db, user)
        claim_id, notes_before, email = claim.id, _count(db, ClaimNote), user.email
    login(client, email)
    token = csrf_token(client)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock (a long ingest, say)
    try:
        response = client.post(f"/claims/{claim_id}/notes", data={"csrf_token": token, "body": "a note"})
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "busy" in parse(response).find("main").get_text()
    with Session(get_engine(app)) as db:
        assert _count(db, ClaimNote) == notes_before
    get_engine(app).dispose()


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--article", "1", "-o", "/nonexistent-dir/out.csv"],
        ["export", "--source", "S" * 301],
        ["ingest", "{file}", "--title", "T" * 501],
        ["ingest", "{file}", "--url", "javascript:alert(1)"],
        ["users", "create", "a@b.example", "--name", "N" * 201, "--password-stdin"],
        ["users", "create", "a@b.example", "--name", "N", "--password-stdin"],
        ["audit", "verify", "--anchor", "{file}"],
    ],
)
def test_cli_errors_are_one_line_without_traceback(runner, db, tmp_path, args):
    article = tmp_path / "a.txt"
    article.write_text("The council said 40 roads closed on Monday.\n")
    make_article(db)
    result = runner.invoke(args=[a.replace("{file}", str(article)) for a in args], input="password\n")
    assert result.exit_code != 0
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.strip().splitlines() if line.strip()]
    assert 1 <= len(errors) <= 2 and errors[-1].startswith(("Error:", "error:")), result.output


@pytest.mark.parametrize(
    "query",
    [
        "after=" + "9" * 30,
        "sort=newest&after=" + "9" * 30,
        "sort=oldest&after=2147483648",
        "sort=updated&after=2024-01-01T00:00:00|" + "9" * 30,
        "after=1e999|99",
        "after=0.5|" + "9" * 12,
        "min_score=nan",
        "min_score=1e999",
        "min_score=-inf",
        "published_from=99999-01-01",
        "published_to=0000-00-00",
        "q=%00",
        "q=%25%00",
        "status=" + "x" * 41,
        "article=-1",
        "source=0",
        "assignee=-5",
    ],
)
def test_hostile_queue_queries_are_4xx_or_ignored_never_500(client, db, checker, query):
    make_article(db, actor=checker)
    response = client.get("/claims?" + query)
    assert response.status_code in {200, 400}, response.status_code


def test_a_real_cursor_still_pages(client, db, checker):
    make_article(db, actor=checker)
    for query in (
        "after=5",
        "sort=newest&after=3",
        "after=0.45|3",
        "sort=updated&after=2026-11-30T09:00:00.123456+00:00|2",
    ):
        assert client.get("/claims?" + query).status_code == 200, query
