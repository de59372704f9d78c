"""Exports: CSV safe for spreadsheets, JSON and ClaimReview parsed back, the HTML report, integrity checks."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from tests.conftest import login, parse
from tests.factories import make_article, make_user
from workbench.db import get_engine
from workbench.models import AuditEvent, Claim, Evidence, Role, Status
from workbench.services.exports import safe_cell

HOSTILE = (
    'Formula Test\n\n=HYPERLINK("http://evil.example") said the mayor on Monday, 3 people agreed.\n\n'
    "+44 people joined, according to Reuters.\n\n-2 degrees were recorded on Tuesday, the agency said.\n\n"
    "@handle posted that <script>alert('x')</script> 5 roads closed.\n"
)


@pytest.fixture
def exported(app, client, db):
    """An article whose claims carry a verdict, evidence and history; a signed-in checker."""
    app.config["PUBLIC_URL"] = "https://factcheck.example/"
    user = make_user(db, Role.checker)
    article = make_article(db, actor=user, text=HOSTILE, url="https://news.example/formula").article
    claims = db.exec(select(Claim).where(Claim.article_id == article.id).order_by(Claim.start)).all()
    db.add(Evidence(claim_id=claims[1].id, url="https://reuters.example/a", stance="supports", sha256="ab" * 32))
    db.add(Evidence(claim_id=claims[2].id, url="https://weather.example/b", stance="refutes"))  # "false" needs it
    claims[1].status, claims[1].rationale = Status.verified, "Reuters confirms 44."
    claims[2].status, claims[2].rationale = Status.false, "=SUM(A1) it was 2 degrees above"
    db.add_all(claims[1:3])
    db.commit()
    login(client, user.email)
    return {"article": article, "claims": claims}


def _get(client, **args):
    """Ask for an export (a GET that only offers it), then generate it through the offered POST form."""
    offer = client.get("/exports", query_string=args)
    assert offer.status_code == 200, offer.get_data(as_text=True)[:300]
    form = parse(offer).find("form", id="export-form")
    response = client.post(form["action"], data={i["name"]: i["value"] for i in form.find_all("input")})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_csv_neutralises_formulas_and_ends_with_its_integrity_row(client, exported):
    response = _get(client, article=exported["article"].id, format="csv")
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="article-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body, trailer = rows[0], rows[1:-1], rows[-1]
    assert header[:3] == ["claim_id", "article_id", "article_title"] and len(body) == len(exported["claims"])
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    claims = {row[0]: dict(zip(header, row)) for row in body}
    assert claims[str(exported["claims"][2].id)]["rationale"] == "'=SUM(A1) it was 2 degrees above"
    assert trailer[0] == "#integrity"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("fine", "fine"),
        (None, ""),
        (3.5, "3.5"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_json_export_parses_back_with_chain_head(client, db, exported):
    payload = json.loads(_get(client, article=exported["article"].id, format="json").get_data(as_text=True))
    head = db.exec(select(AuditEvent).where(AuditEvent.action != "export").order_by(AuditEvent.seq.desc())).first()
    assert payload["chain_head"] == {"seq": head.seq, "hash": head.hash}
    assert payload["integrity"]["chain_head_hash"] == head.hash
    verified = next(c for c in payload["claims"] if c["status"] == "verified")
    assert verified["evidence"] == [
        {
            "url": "https://reuters.example/a",
            "stance": "supports",
            "note": "",
            "sha256": "ab" * 32,
            "fetched_at": None,
            "fetch_state": "pending",
            "withdrawn": False,
        }
    ]
    article = exported["article"]
    assert all(article.text[c["start"] : c["end"]] == c["quote"] for c in payload["claims"])


def test_claimreview_fields(client, exported):
    payload = json.loads(_get(client, article=exported["article"].id, format="claimreview").get_data(as_text=True))
    reviews = payload["@graph"]
    assert [r["reviewRating"]["alternateName"] for r in reviews] == ["Verified", "False"]
    review = reviews[0]
    claim = exported["claims"][1]
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.text and review["url"] == f"https://factcheck.example/claims/{claim.id}"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Verified",
        "ratingExplanation": "Reuters confirms 44.",
    }
    assert review["author"] == {"@type": "Organization", "name": "Fact-checking desk"}
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "Reuters"}
    assert review["itemReviewed"]["datePublished"] == "2024-05-08"
    assert review["itemReviewed"]["appearance"]["url"] == "https://news.example/formula"
    assert len(review["datePublished"]) == 10 and reviews[1]["reviewRating"]["ratingValue"] == 1


def test_html_report_shows_claims_evidence_history_and_escapes_the_text(client, exported):
    response = _get(client, article=exported["article"].id, format="html")
    assert response.mimetype == "text/html" and "Content-Disposition" not in response.headers
    page = parse(response)
    assert page.find("h1").get_text() == "Fact-check audit report"
    assert len(page.select("section.claim")) == len(exported["claims"])
    assert page.find("script") is None and "<script>alert('x')</script>" in page.get_text()
    assert "ab" * 32 in page.get_text()
    assert page.select("section.claim table tbody tr")
    assert "<!-- integrity: " in response.get_data(as_text=True)[-400:]


@pytest.mark.parametrize("fmt", ["csv", "json", "html", "claimreview"])
def test_report_verification_catches_edits_forgeries_and_rewritten_history(
    app, client, runner, db, exported, tmp_path, fmt
):
    body = _get(client, article=exported["article"].id, format=fmt).get_data()
    report = tmp_path / f"report.{fmt}"
    report.write_bytes(body)
    result = runner.invoke(args=["audit", "verify", "--report", str(report)])
    assert result.exit_code == 0 and "Report intact" in result.output

    altered = tmp_path / "altered"
    altered.write_bytes(body.replace(b"44", b"45", 1))
    result = runner.invoke(args=["audit", "verify", "--report", str(altered)])
    assert result.exit_code == 1 and "was altered" in result.output

    forged = tmp_path / "forged"
    from workbench.services.exports import TRAILER_MARK, trailer

    cut = body.rfind(TRAILER_MARK[fmt].encode())
    content = body[:cut].replace(b"44", b"45", 1)
    import hashlib

    integrity = json.loads(body[cut + len(TRAILER_MARK[fmt]) :].decode().split("}")[0] + "}")
    forged.write_bytes(content + trailer(fmt, {**integrity, "sha256": hashlib.sha256(content).hexdigest()}).encode())
    result = runner.invoke(args=["audit", "verify", "--report", str(forged)])
    assert result.exit_code == 1 and "not in the audit chain" in result.output


def test_rewritten_history_fails_the_report_check(app, client, runner, db, exported, tmp_path):
    report = tmp_path / "r.json"
    report.write_bytes(_get(client, article=exported["article"].id, format="json").get_data())
    engine = get_engine(app)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        connection.execute(text("UPDATE audit_event SET reason = 'rewritten' WHERE seq = 1"))
    result = runner.invoke(args=["audit", "verify", "--report", str(report)])
    assert result.exit_code == 1 and "seq=1" in result.output


def test_cli_export_to_file_and_bad_scopes(runner, db, exported, tmp_path):
    out = tmp_path / "all.csv"
    result = runner.invoke(args=["export", "--since", "2024-01-01", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text().startswith("claim_id,")
    assert runner.invoke(args=["export", "--article", "999"]).output.strip().endswith("There is no article #999.")
    assert "exactly one of" in runner.invoke(args=["export", "--format", "csv"]).output
    assert "There is no source" in runner.invoke(args=["export", "--source", "Nobody"]).output


def test_export_route_refuses_bad_input_with_a_message(client, exported):
    response = client.get("/exports?format=pdf&article=1")
    assert response.status_code == 422 and "Unknown format" in parse(response).find(role="alert").get_text()
    response = client.get("/exports?format=csv&source=Nobody")
    assert response.status_code == 422 and "There is no source" in parse(response).find(role="alert").get_text()


def test_exports_stream_across_many_batches(client, db, exported, monkeypatch):
    monkeypatch.setattr("workbench.services.exports.BATCH", 2)
    make_article(
        db,
        text="Second\n\nThe dam released 40 cubic metres on Monday, the agency said.\n\n"
        "Police said 3 roads closed, according to Reuters.\n",
    )
    payload = json.loads(_get(client, since="2024-01-01", format="json").get_data(as_text=True))
    ids = [c["claim_id"] for c in payload["claims"]]
    assert len(ids) == len(set(ids)) == len(db.exec(select(Claim)).all())
    report = parse(_get(client, since="2024-01-01", format="html"))
    assert len(report.select("section.claim")) == len(ids) and len(report.select("h2")) == 2
