"""The SSRF matrix: literal, encoded and IPv6-embedded addresses, redirects, DNS rebinding with a fake resolver,
an HTTP/1.0 peer, a slow drip against the deadline, bad ports; a failing job ends "failed" with its reason."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from tests.conftest import csrf_token, login
from tests.factories import make_article, make_user
from workbench.fetching import FetchPolicy, FetchRefused, PinnedAdapter, address_allowed, fetch
from workbench.models import Claim, Evidence
from workbench.services import evidence_fetch

LOOPBACK = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=1, deadline=5)


class Handler(BaseHTTPRequestHandler):
    """/host echoes the Host header; /drip sends a byte every 0.3 s; / answers as an HTTP/1.0 server would."""

    hits: list[str] = []

    def log_message(self, *_args):
        pass

    def do_GET(self):  # noqa: N802
        """Answer by path, counting every request that arrives."""
        Handler.hits.append(self.path)
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.3)
            return
        body = f"<html><title>t</title><body>Host was {self.headers.get('Host')}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class Http10Handler(Handler):
    protocol_version = "HTTP/1.0"


@pytest.fixture(scope="module")
def servers():
    started = []
    for handler in (Handler, Http10Handler):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    yield {"http11": started[0].server_address[1], "http10": started[1].server_address[1]}
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """A fake DNS: names in `answers` resolve to the next address in their list; everything else as usual."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}
    asked: list[str] = []

    def fake(host, port, *args, **kwargs):
        if host in answers:
            asked.append(host)
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return answers, asked


REFUSED = [
    # literal
    "http://127.0.0.1/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://169.254.169.254/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://localhost/",
    # encoded IPv4 (the resolver decodes them to loopback)
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://127.1/",
    "http://0x7f.0.0.1/",
    # IPv4 inside IPv6
    "http://[::127.0.0.1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::a00:1]/",
    "http://[2002:7f00:1::1]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[fec0::1]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[::ffff:0:7f00:1]/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_internal_addresses_are_refused_in_every_spelling(url):
    with pytest.raises(FetchRefused, match="private or internal address|could not be resolved"):
        fetch(url, policy=FetchPolicy(connect_timeout=0.5, deadline=2))


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::808:808", "2002:808:808::1", "fec0::1", "2001::1"])
def test_special_ipv6_ranges_are_refused_even_when_they_embed_a_public_address(address):
    assert not address_allowed(address, FetchPolicy())


def test_public_addresses_pass():
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34"):
        assert address_allowed(address, FetchPolicy())


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/",
        "http://[::1",
        "http://example.com:0/",
        "http://u:p@example.com/",
        "javascript:alert(1)",
        "http://exa mple.com/",
    ],
)
def test_malformed_urls_are_refused_with_a_reason_not_an_exception(url):
    with pytest.raises(FetchRefused):
        fetch(url, policy=FetchPolicy())


def test_dns_rebinding_cannot_steer_the_connection(servers, resolver):
    """The name answers an allowed address first, then loopback: the fetch connects only where it checked."""
    answers, asked = resolver
    answers["rebind.test"] = ["127.0.0.2", "127.0.0.1", "127.0.0.1"]  # 127.0.0.2 stands for a public address
    Handler.hits.clear()
    policy = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.2/32"),), connect_timeout=1, deadline=3)
    with pytest.raises(FetchRefused, match="Could not connect"):
        fetch(f"http://rebind.test:{servers['http11']}/host", policy=policy)
    assert Handler.hits == [] and asked == ["rebind.test"]  # resolved once; the loopback server never heard from us


def test_the_pinned_connection_keeps_the_host_header(servers, resolver):
    answers, asked = resolver
    answers["pinned.test"] = ["127.0.0.1"]
    result = fetch(f"http://pinned.test:{servers['http11']}/host", policy=LOOPBACK)
    assert f"Host was pinned.test:{servers['http11']}".encode() in result.body
    assert result.final_url == f"http://pinned.test:{servers['http11']}/host" and asked == ["pinned.test"]


def test_tls_keeps_the_name_for_sni_and_the_certificate():
    adapter = PinnedAdapter("news.example", "93.184.216.34")
    assert adapter.poolmanager.connection_pool_kw["server_hostname"] == "news.example"
    assert adapter.poolmanager.connection_pool_kw["assert_hostname"] == "news.example"


def test_an_http_1_0_peer_is_fetched_and_still_pinned(servers, resolver):
    answers, _ = resolver
    answers["old.test"] = ["127.0.0.1"]
    result = fetch(f"http://old.test:{servers['http10']}/host", policy=LOOPBACK)
    assert result.status == 200 and b"Host was old.test" in result.body
    answers["old-rebind.test"] = ["127.0.0.2", "127.0.0.1"]
    with pytest.raises(FetchRefused):
        fetch(
            f"http://old-rebind.test:{servers['http10']}/host",
            policy=FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.2/32"),), connect_timeout=1, deadline=3),
        )


def test_a_dripping_page_meets_the_overall_deadline(servers):
    policy = FetchPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),), read_timeout=2, deadline=1.5)
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="longer than 1.5 s"):
        fetch(f"http://127.0.0.1:{servers['http11']}/drip", policy=policy)
    assert time.monotonic() - started < 3  # per-read timeouts alone would have taken 12 s


def test_a_bad_port_is_refused_before_queueing(client, db):
    user = make_user(db)
    login(client, user.email)
    claim = db.exec(select(Claim).where(Claim.article_id == make_article(db, actor=user).article.id)).first()
    for url in ("http://127.0.0.1:99999/", "http://[::1", "http://example.com:0/"):
        response = client.post(
            f"/claims/{claim.id}/evidence", data={"csrf_token": csrf_token(client), "url": url, "stance": "context"}
        )
        assert response.status_code in {302, 303, 422}
    assert db.exec(select(Evidence)).all() == []


def test_a_job_that_fails_for_any_reason_ends_failed_with_the_reason(app, db, monkeypatch):
    user = make_user(db)
    claim = db.exec(select(Claim).where(Claim.article_id == make_article(db, actor=user).article.id)).first()
    evidence = Evidence(claim_id=claim.id, url="https://news.example/", fetch_state="fetching")
    db.add(evidence)
    db.commit()

    def explode(*_args, **_kwargs):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(evidence_fetch, "fetch", explode)
    with app.app_context():
        result = evidence_fetch.run_fetch(session=db, evidence_id=evidence.id, policy=FetchPolicy())
    db.expire_all()
    stored = db.get(Evidence, evidence.id)
    assert result.fetch_state == stored.fetch_state == "failed" and "RuntimeError" in stored.fetch_error


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/", "http://[::127.0.0.1]/", "http://2130706433/"]
)
def test_ingest_from_a_bad_or_internal_url_is_a_422_not_a_500(client, db, url):
    from workbench.models import Article

    user = make_user(db)
    login(client, user.email)
    response = client.post("/articles", data={"csrf_token": csrf_token(client), "url": url, "text": ""})
    assert response.status_code == 422
    assert db.exec(select(Article)).all() == []
