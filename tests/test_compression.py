"""Bytes on the wire: compressed answers when the client asks, streamed exports untouched, a small queue page."""

from __future__ import annotations

import csv
import gzip
import io

import brotli
import pytest
from sqlmodel import select

from tests.conftest import login, parse
from tests.factories import make_article, make_user
from workbench.db import get_engine
from workbench.models import Claim, Role
from workbench.services.exports import TRAILER_MARK, verify_report
from workbench.services.generate import generate
from workbench.services.tokens import create_token


@pytest.fixture
def checker(client, db):
    """A signed-in checker and one ingested article."""
    user = make_user(db, Role.checker)
    make_article(db, actor=user)
    login(client, user.email)
    return user


def _row_ids(html: str) -> list[str]:
    return [tr["id"][1:] for tr in parse_text(html).select("#queue-results tr[data-v]")]


def parse_text(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_pages_are_gzip_or_brotli_encoded_when_asked_and_plain_otherwise(client, checker):
    plain = client.get("/claims")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    html = plain.get_data(as_text=True)
    zipped = client.get("/claims", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert len(zipped.get_data()) < len(html.encode()) // 2
    assert _row_ids(gzip.decompress(zipped.get_data()).decode()) == _row_ids(html) != []
    squeezed = client.get("/claims", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"  # preferred when offered
    assert _row_ids(brotli.decompress(squeezed.get_data()).decode()) == _row_ids(html)
    fragment = client.get(
        "/claims", headers={"Accept-Encoding": "gzip", "HX-Request": "true", "HX-Target": "queue-results"}
    )
    assert fragment.headers["Content-Encoding"] == "gzip"
    assert parse_text(gzip.decompress(fragment.get_data()).decode()).find("html") is None
    # The security headers are still there on a compressed answer.
    assert "script-src 'self'" in zipped.headers["Content-Security-Policy"]


def test_small_answers_and_refused_ones_are_not_compressed(client, checker):
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers
    missing = client.get("/claims/999999", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


def test_exports_keep_streaming_with_their_trailer_when_compression_is_asked(app, client, db, checker):
    article = db.exec(select(Claim)).first().article_id
    offer = client.get("/exports", query_string={"article": article, "format": "csv"})
    form = parse(offer).find("form", id="export-form")
    response = client.post(
        form["action"],
        data={i["name"]: i["value"] for i in form.find_all("input")},
        headers={"Accept-Encoding": "gzip, br"},
        buffered=False,
    )
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Encoding" not in response.headers and "Content-Length" not in response.headers
    chunks = list(response.response)
    assert len(chunks) > 1  # it still arrives in pieces, the trailer last
    content = b"".join(chunks)
    assert chunks[-1].decode().startswith(TRAILER_MARK["csv"])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows[0][0] == "claim_id" and len(rows) > 2
    with app.app_context():
        from sqlmodel import Session

        with Session(get_engine(app)) as session:
            assert verify_report(session=session, content=content).ok


def test_a_compressed_claim_keeps_an_etag_that_writes_accept(client, db, checker):
    _, secret = create_token(session=db, user=checker, name="compressed", scope="write", actor=checker)
    headers = {"Authorization": f"Bearer {secret}", "Accept-Encoding": "gzip"}
    claim = db.exec(select(Claim).order_by(Claim.id)).first()
    read = client.get(f"/api/v1/claims/{claim.id}", headers=headers)
    assert read.headers["Content-Encoding"] == "gzip"
    etag = read.headers["ETag"]
    assert etag.startswith(f'"claim-{claim.id}-v{claim.version}')
    assert client.get(f"/api/v1/claims/{claim.id}", headers={**headers, "If-None-Match": etag}).status_code == 304
    moved = client.post(
        f"/api/v1/claims/{claim.id}/status", json={"status": "in_progress"}, headers={**headers, "If-Match": etag}
    )
    assert moved.status_code == 200
    stale = client.post(
        f"/api/v1/claims/{claim.id}/status", json={"status": "unverified"}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    db.refresh(claim)
    assert claim.status.value == "in_progress"


def test_a_queue_page_of_50_generated_claims_stays_small_before_compression(app, client, db):
    """A guard on the trimmed page: 50 generated claims made a 66 KB page, 47 KB with the trimmed row, 43.7 KB
    with sources typed (suggested as one types) instead of listed in a menu, 29.8 KB (29,843 bytes; 5.6 KB gzip)
    with class-free rows of about 400 bytes (id, version and status in short attributes, the chip's icon from CSS,
    the rationale only in a change's answer), the shortcut lists fetched on demand and the markup's indentation gone.
    The bound is the issue's 30 KB in its stricter reading, 30,000 bytes.
    """
    generate(engine=get_engine(app), articles=3, claims_per_article=20)  # the load tests' claims and sources
    login(client, make_user(db, Role.editor).email)
    response = client.get("/claims")
    assert len(parse(response).select("#queue-results tr[data-v]")) == 50
    size = len(response.get_data())
    print(f"queue page of 50 claims: {size:,} bytes")
    assert size < 30_000, f"the queue page of 50 claims is {size:,} bytes"
    zipped = client.get("/claims", headers={"Accept-Encoding": "gzip"})
    assert len(zipped.get_data()) < 6_000
