"""Ingest through the form and the command line: good input stored whole, bad input refused with a reason."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlmodel import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import csrf_token, login, parse
from tests.factories import ARTICLE_TEXT, make_user
from workbench.models import Article, AuditEvent, Claim, Source
from workbench.services import ingest as ingest_service

SAMPLES = Path(__file__).resolve().parents[1] / "workbench" / "samples"


def _counts(db) -> tuple[int, int, int, int]:
    db.expire_all()
    return tuple(
        db.exec(select(func.count()).select_from(model)).one() for model in (Article, Claim, Source, AuditEvent)
    )


@pytest.fixture
def checker_client(client, db):
    user = make_user(db)
    login(client, user.email)
    return client


def _post(client, **fields):
    data = {"csrf_token": csrf_token(client), "published": "2024-05-08", **fields}
    return client.post("/articles", data=data, content_type="multipart/form-data")


def test_pasted_article_is_stored_with_claims_and_audit_events(checker_client, db):
    response = _post(checker_client, text=ARTICLE_TEXT, outlet="Harbour Times")
    assert response.status_code == 303
    article = db.exec(select(Article)).one()
    assert response.headers["Location"] == f"/articles/{article.id}"
    assert article.text == ARTICLE_TEXT and article.outlet == "Harbour Times"
    assert article.title == "Harbour Bridge Reopens"
    claims = db.exec(select(Claim).where(Claim.article_id == article.id)).all()
    assert all(ARTICLE_TEXT[c.start : c.end] == c.quote for c in claims)
    assert any(c.dates and c.dates[0]["value"] == "2024-05-06" for c in claims)
    actions = {(e.entity_type, e.action) for e in db.exec(select(AuditEvent))}
    assert ("article", "ingest") in actions and ("claim", "create") in actions

    page = parse(checker_client.get(response.headers["Location"]))
    assert "Ingested" in page.find(class_="flash").get_text()
    assert len(page.select("#article-claims li.claim")) == len(claims)
    assert page.select_one("article.article-text a.hl")


def test_uploaded_html_page_is_reduced_to_its_article(checker_client, db):
    html = (SAMPLES / "budget-vote.html").read_bytes()
    response = _post(checker_client, file=(io.BytesIO(html), "budget.html"), published="")
    assert response.status_code == 303
    article = db.exec(select(Article)).one()
    assert article.title == "Parliament passes budget with record defence spending"
    assert article.outlet == "Workbench Sample Desk" and str(article.published) == "2025-03-21"
    assert "document.write" not in article.text and "Most read" not in article.text


def test_same_text_twice_is_recognised_not_stored_again(checker_client, db):
    first = _post(checker_client, text=ARTICLE_TEXT)
    counts = _counts(db)
    second = _post(checker_client, text=ARTICLE_TEXT)
    assert second.headers["Location"] == first.headers["Location"]
    assert _counts(db) == counts
    page = parse(checker_client.get(second.headers["Location"]))
    assert "already ingested" in page.find(class_="flash").get_text()


BAD_UPLOADS = [
    ("empty", b"   \n", "is empty"),
    ("binary", bytes(range(256)) * 40, "looks like binary data"),
    ("latin-1", "Café au lait coûte 3 €.\n".encode("cp1252") * 20, "is not UTF-8 text"),
]


@pytest.mark.parametrize(("name", "payload", "message"), BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_upload_gets_a_clear_message_and_changes_nothing(checker_client, db, name, payload, message):
    before = _counts(db)
    response = _post(checker_client, file=(io.BytesIO(payload), f"{name}.txt"))
    assert response.status_code == 422
    error = parse(response).find(id="ingest-error").get_text()
    assert message in error
    assert _counts(db) == before


def test_twenty_megabyte_upload_is_refused_and_changes_nothing(checker_client, db):
    before = _counts(db)
    # Encoded in memory: the test client would spool a body this large to a temporary file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": csrf_token(checker_client), "file": FileStorage(io.BytesIO(b"word " * 4_200_000), "huge.txt")}
    )
    response = checker_client.post("/articles", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "larger than the" in parse(response).find(role="alert").get_text()
    assert _counts(db) == before


def test_malformed_date_and_empty_form_are_explained(checker_client, db):
    before = _counts(db)
    response = _post(checker_client, text=ARTICLE_TEXT, published="2024-13-45")
    assert response.status_code == 422
    assert "is not a date" in parse(response).find(id="ingest-error").get_text()
    response = _post(checker_client, text="   ")
    assert "Nothing to ingest" in parse(response).find(id="ingest-error").get_text()
    assert _counts(db) == before


def test_crash_mid_ingest_leaves_no_half_article(db, monkeypatch):
    def explode(**_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_service, "record_events", explode)
    before = _counts(db)
    with pytest.raises(RuntimeError):
        ingest_service.ingest_article(session=db, text=ARTICLE_TEXT, actor=None)
    assert _counts(db) == before


def test_article_text_is_escaped_not_executed(checker_client, db):
    text = "Evil Page Test\n\n<script>alert('x')</script> The mayor said on Monday that 3 bridges <b>closed</b>.\n"
    response = _post(checker_client, text=text)
    page = parse(checker_client.get(response.headers["Location"]))
    assert page.select("article.article-text script") == []
    assert "<script>alert('x')</script>" in page.select_one("article.article-text").get_text()


def test_cli_ingest_json_and_duplicates(runner, db, tmp_path):
    path = tmp_path / "bridge.txt"
    path.write_text(ARTICLE_TEXT, encoding="utf-8")
    result = runner.invoke(args=["ingest", str(path), "--published", "2024-05-08", "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)
    assert first["duplicate"] is False and first["claims"] > 0
    again = json.loads(runner.invoke(args=["ingest", str(path), "--published", "2024-05-08", "--json"]).output)
    assert again == {**first, "duplicate": True}


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\x00\x01\x02binary", "looks like binary"), (b"caf\xe9 bar", "is not UTF-8")],
)
def test_cli_ingest_bad_file_is_explained_and_changes_nothing(runner, db, tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    before = _counts(db)
    result = runner.invoke(args=["ingest", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert _counts(db) == before


def test_cli_ingest_bad_date_and_missing_file(runner, db, tmp_path):
    result = runner.invoke(args=["ingest", str(tmp_path / "nope.txt"), "--published", "09/07/2024"])
    assert result.exit_code != 0 and "is not a date" in result.output
    result = runner.invoke(args=["ingest", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1 and "There is no file" in result.output


def test_speaker_affiliation_is_stored_and_shown(client, db):
    """'A CDC spokesperson told CNN …': CNN is on record, the spokesperson speaks, for the CDC (issue 8)."""
    from tests.factories import make_article
    from workbench.models import Claim, Role

    editor = make_user(db, Role.editor)
    make_article(db, actor=editor, text="Measles\n\nA CDC spokesperson told CNN that 40 cases were confirmed in May.\n")
    claim = db.exec(select(Claim)).one()
    assert (claim.speaker, claim.speaker_affiliation) == ("CDC spokesperson", "CDC")
    login(client, editor.email)
    page = parse(client.get(f"/claims/{claim.id}"))
    facts = page.select_one("dl.facts").get_text(" ", strip=True)
    assert "CDC spokesperson (for CDC)" in facts
