"""Evidence fetching: safe fetcher (SSRF refusals, limits), archive and hash, source trace, re-check, the worker."""

from __future__ import annotations

import ipaddress

import pytest
from sqlmodel import select

from tests import fetch_server
from tests.conftest import csrf_token, login, parse
from tests.factories import make_article, make_user
from workbench.fetching import FetchPolicy, FetchRefused, address_allowed, fetch, page_text
from workbench.models import AuditEvent, Claim, Evidence, EvidenceSnapshot, Role
from workbench.services.source_trace import key_terms, trace

LOCAL = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=0.5, max_bytes=1024 * 1024)


@pytest.fixture(scope="module")
def server():
    instance, base = fetch_server.start()
    yield base
    instance.shutdown()
    instance.server_close()


def test_fetch_archives_a_page_with_its_hash(server):
    result = fetch(server + "/redirect", policy=LOCAL)
    assert result.status == 200 and result.final_url == server + "/page.html"
    assert result.redirects == [server + "/redirect"] and len(result.sha256) == 64
    title, text = page_text(result)
    assert title == "Port authority figures" and "1,500,000 tonnes" in text and "Home" not in text


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/redirect-private", "169.254.169.254, a private or internal address"),
        ("/redirect-loop", "More than 5 redirects"),
        ("/slow", "timed out"),
        ("/big", "the limit is 1 MB"),
        ("/big-chunked", "larger than the 1 MB limit"),
    ],
)
def test_fetch_refusals_say_why(server, path, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch(server + path, policy=LOCAL)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost/",
        "http://10.0.0.8/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(url):
    with pytest.raises(FetchRefused, match="private or internal address"):
        fetch(url, policy=FetchPolicy())


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/", "http://user:pw@example.org/"]
)
def test_only_plain_http_and_https_urls(url):
    with pytest.raises(FetchRefused):
        fetch(url, policy=FetchPolicy())


def test_address_rules():
    assert address_allowed("93.184.216.34", FetchPolicy())
    assert not address_allowed("::ffff:10.0.0.1", FetchPolicy())
    assert address_allowed("10.0.0.1", FetchPolicy(allow_private=True))


def test_non_html_bodies_are_stored_with_their_type(server):
    pdf = fetch(server + "/doc.pdf", policy=LOCAL)
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF") and page_text(pdf) == (None, None)
    binary = fetch(server + "/binary", policy=LOCAL)
    assert binary.content_type == "application/octet-stream" and len(binary.body) == 1024


def test_source_trace_finds_numbers_names_and_quotes():
    claim = "The Izmail terminal handled 1.5 million tonnes, or 1500000, as the Ministry of Infrastructure said: “a record for the Danube ports”."
    terms = dict(key_terms(claim))
    assert terms["1500000"] == "number" and terms["a record for the Danube ports"] == "quote"
    page = "Officials called it “a record for the Danube ports”. Izmail handled 1,500,000 tonnes, said the Ministry of Infrastructure."
    found = {t.term: t for t in trace(claim, page)}
    assert found["1500000"].found and "1,500,000" in found["1500000"].snippet
    assert found["a record for the Danube ports"].found and found["Ministry of Infrastructure"].found
    assert not found["1.5"].found
    assert trace(claim, None) == []


@pytest.fixture
def fetching_app(app, server):
    app.config["FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"
    app.config["FETCH_READ_TIMEOUT"] = 0.5
    return app


@pytest.fixture
def signed_in_claim(client, db):
    """A checker signed in, and the first claim of an article they ingested."""
    user = make_user(db, Role.checker)
    make_article(db, actor=user)
    login(client, user.email)
    return db.exec(select(Claim)).first()


def _fetched(client, runner, db, claim_id, url) -> Evidence:
    """Add evidence through the claim panel, let the worker run, and return the stored item."""
    _add_evidence(client, claim_id, url)
    runner.invoke(args=["worker", "--burst"])
    evidence = db.exec(select(Evidence)).one()
    db.refresh(evidence)
    return evidence


def _add_evidence(client, claim_id, url):
    response = client.post(
        f"/claims/{claim_id}/evidence",
        headers={"HX-Request": "true", "HX-Target": "claim-panel"},
        data={"csrf_token": csrf_token(client), "url": url, "stance": "supports", "note": ""},
    )
    assert response.status_code == 200
    return parse(response)


def test_evidence_is_fetched_in_the_background_and_traced(fetching_app, client, runner, db, server):
    user = make_user(db, Role.checker)
    text = (
        "Grain Record\n\nThe terminal at Izmail handled 1,500,000 tonnes of grain in 2023, the Ukrainian "
        "Ministry of Infrastructure said.\n"
    )
    article = make_article(db, actor=user, text=text).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id)).first()
    login(client, user.email)
    panel = _add_evidence(client, claim.id, server + "/page.html")
    item = panel.select_one(".evidence-item")
    assert "Fetching and archiving" in item.get_text() and item["hx-trigger"] == "load delay:1s"
    evidence = db.exec(select(Evidence)).one()
    assert evidence.fetch_state == "pending"  # nothing was fetched inside the request

    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0 and "Ran 1 fetch" in result.output
    db.expire_all()
    evidence = db.get(Evidence, evidence.id)
    assert evidence.fetch_state == "done" and evidence.http_status == 200 and len(evidence.sha256) == 64
    assert "1,500,000 tonnes" in evidence.archived_text
    snapshot = db.exec(select(EvidenceSnapshot)).one()
    assert snapshot.sha256 == evidence.sha256
    assert db.exec(select(AuditEvent).where(AuditEvent.entity_type == "evidence", AuditEvent.action == "fetch")).one()

    fragment = parse(
        client.get(f"/evidence/{evidence.id}", headers={"HX-Request": "true", "HX-Target": f"evidence-{evidence.id}"})
    )
    item = fragment.select_one(".evidence-item")
    assert not item.has_attr("hx-get"), "the fragment stops polling once the fetch is done"
    trace_items = {li.get_text(" ", strip=True) for li in item.select(".trace li")}
    assert any("1,500,000" in t and "✔" in t for t in trace_items)
    archive = parse(client.get(f"/evidence/{evidence.id}/archive/{snapshot.id}"))
    assert "1,500,000 tonnes" in archive.select_one("#archive-text").get_text()


def test_trace_shows_missing_terms_on_an_unrelated_page(fetching_app, client, runner, db, server):
    user = make_user(db, Role.checker)
    article = make_article(
        db, actor=user, text="Grain\n\nIzmail handled 1,500,000 tonnes in 2023, officials said.\n"
    ).article
    claim = db.exec(select(Claim).where(Claim.article_id == article.id)).first()
    login(client, user.email)
    _add_evidence(client, claim.id, server + "/other.html")
    runner.invoke(args=["worker", "--burst"])
    page = parse(client.get(f"/claims/{claim.id}"))
    assert "0 of" in page.select_one(".trace summary").get_text()
    assert all("not on the page" in li.get_text() for li in page.select(".trace li"))


def test_failed_fetch_shows_why_and_can_be_retried(fetching_app, client, runner, db, server, signed_in_claim):
    claim = signed_in_claim
    evidence = _fetched(client, runner, db, claim.id, server + "/redirect-private")
    assert evidence.fetch_state == "failed" and "169.254.169.254" in evidence.fetch_error
    item = parse(client.get(f"/claims/{claim.id}")).select_one(".evidence-item")
    assert "Fetch failed" in item.get_text() and item.find("button").get_text() == "Retry"
    retry = client.post(
        f"/evidence/{evidence.id}/recheck",
        data={"csrf_token": csrf_token(client)},
        headers={"HX-Request": "true", "HX-Target": f"evidence-{evidence.id}"},
    )
    assert "Fetching and archiving" in parse(retry).get_text()
    db.refresh(evidence)
    assert evidence.fetch_state == "pending"
    assert db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first().action == "retry"


def test_recheck_flags_a_changed_page_and_keeps_every_archive(fetching_app, client, runner, db, server):
    user = make_user(db, Role.checker)
    article = make_article(db, actor=user).article
    claim = db.exec(select(Claim)).first()
    login(client, user.email)
    _add_evidence(client, claim.id, server + "/changing")
    runner.invoke(args=["worker", "--burst"])
    first = db.exec(select(Evidence)).one().sha256
    client.post(f"/articles/{article.id}/recheck", data={"csrf_token": csrf_token(client)})
    runner.invoke(args=["worker", "--burst"])
    db.expire_all()
    evidence = db.exec(select(Evidence)).one()
    assert evidence.flag == "changed" and evidence.sha256 != first
    snapshots = db.exec(select(EvidenceSnapshot).order_by(EvidenceSnapshot.id)).all()
    assert [s.sha256 for s in snapshots][0] == first and len(snapshots) == 2
    assert "page changed" in parse(client.get(f"/claims/{claim.id}")).select_one(".flag").get_text()


def test_a_dead_link_is_flagged_and_the_archive_stays(fetching_app, client, runner, db, server, signed_in_claim):
    claim = signed_in_claim
    _add_evidence(client, claim.id, server + "/page.html")
    runner.invoke(args=["worker", "--burst"])
    evidence = db.exec(select(Evidence)).one()
    evidence.url = server + "/gone"  # the page has since disappeared
    db.add(evidence)
    db.commit()
    client.post(f"/evidence/{evidence.id}/recheck", data={"csrf_token": csrf_token(client)})
    runner.invoke(args=["worker", "--burst"])
    db.refresh(evidence)
    assert evidence.flag == "dead" and evidence.fetch_state == "failed" and "HTTP 404" in evidence.fetch_error
    assert "1,500,000 tonnes" in evidence.archived_text


def test_jobs_go_through_redis_when_configured(
    fetching_app, client, db, server, monkeypatch, database_url, signed_in_claim
):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    from rq import SimpleWorker

    import workbench.worker as worker_module

    connection.flushdb()
    fetching_app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    for key, value in {
        "WORKBENCH_DATABASE_URL": database_url,
        "WORKBENCH_FETCH_ALLOW_NETWORKS": "127.0.0.1/32",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(worker_module, "_job_app", None)
    claim = signed_in_claim
    _add_evidence(client, claim.id, server + "/page.html")
    queue = worker_module.redis_queue(fetching_app)
    assert queue.count == 1
    try:
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        if worker_module._job_app is not None:  # the job built its own app: close its connections
            from workbench.db import get_engine

            get_engine(worker_module._job_app).dispose()
        connection.flushdb()
        connection.close()
    evidence = db.exec(select(Evidence)).one()
    db.refresh(evidence)
    assert evidence.fetch_state == "done" and evidence.sha256


def test_article_from_a_url_through_the_form_and_the_command_line(fetching_app, client, runner, db, server):
    from workbench.models import Article

    user = make_user(db, Role.checker)
    login(client, user.email)
    response = client.post(
        "/articles", data={"csrf_token": csrf_token(client), "url": server + "/redirect", "published": "2024-07-09"}
    )
    assert response.status_code == 303
    article = db.exec(select(Article)).one()
    assert article.title == "Port authority figures" and article.url == server + "/page.html"
    assert article.source_sha256 and "<nav>Home</nav>" in article.source_snapshot and "Home" not in article.text
    assert db.exec(select(Claim).where(Claim.article_id == article.id)).all()
    page = parse(client.get(response.headers["Location"]))
    assert "page fetched" in page.select_one(".meta").get_text()

    refused = client.post("/articles", data={"csrf_token": csrf_token(client), "url": server + "/redirect-private"})
    assert refused.status_code == 422 and "169.254.169.254" in parse(refused).find(id="ingest-error").get_text()
    result = runner.invoke(args=["ingest", server + "/doc.pdf"])
    assert result.exit_code == 1 and "application/pdf, not a web page" in result.output
    result = runner.invoke(args=["ingest", server + "/other.html", "--json"])
    assert result.exit_code == 0 and '"duplicate": false' in result.output


def test_a_pdf_is_archived_byte_for_byte_and_offered_as_a_download(
    fetching_app, client, runner, db, server, signed_in_claim
):
    claim = signed_in_claim
    evidence = _fetched(client, runner, db, claim.id, server + "/doc.pdf")
    snapshot = db.exec(select(EvidenceSnapshot)).one()
    assert evidence.fetch_state == "done" and evidence.content_type == "application/pdf"
    assert snapshot.body.startswith(b"%PDF") and evidence.archived_text is None
    page = parse(client.get(f"/evidence/{evidence.id}"))
    link = page.find("a", string=lambda s: s and s.startswith("download the original"))
    response = client.get(link["href"])
    assert response.data == snapshot.body and response.headers["X-Archived-Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    import hashlib

    assert hashlib.sha256(response.data).hexdigest() == evidence.sha256
