"""Fetching a URL safely: only public addresses, bounded time, size and redirects, every hop re-checked.

The fetcher must not become a way into the newsroom's own network (SSRF): every host is resolved and each
address checked before connecting, after every redirect, and the connected peer is checked again (a DNS
answer can change between the check and the connection).
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

USER_AGENT = "FactCheckWorkbench/0.1 (+evidence archiver)"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


class FetchRefused(Exception):
    """The URL may not or could not be fetched; the message says why, for the checker."""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch."""

    allow_private: bool = False
    allowed_networks: tuple = ()  # explicitly allowed networks, e.g. a local test server
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5


@dataclass
class FetchResult:
    """What came back: the final address, status, type, body and its SHA-256."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    sha256: str
    redirects: list[str] = field(default_factory=list)


def address_allowed(address: str, policy: FetchPolicy) -> bool:
    """True when an IP address is public (or explicitly allowed by the operator)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip in network for network in policy.allowed_networks):
        return True
    if policy.allow_private:
        return True
    return ip.is_global and not ip.is_multicast


def check_host(host: str, port: int, policy: FetchPolicy) -> None:
    """Resolve a host and refuse it if any of its addresses is private, loopback, link-local or reserved."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise FetchRefused(f"The host {host} could not be resolved ({error.strerror or error}).") from None
    for *_rest, sockaddr in infos:
        if not address_allowed(sockaddr[0], policy):
            raise FetchRefused(f"Refused: {host} resolves to {sockaddr[0]}, a private or internal address.")


def _check_url(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchRefused(f"Only http and https addresses are fetched, not “{parts.scheme}:”.")
    if not parts.hostname:
        raise FetchRefused("The address has no host name.")
    if parts.username or parts.password:
        raise FetchRefused("Addresses with a user name or password are not fetched.")
    check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), policy)


def _peer_address(response: requests.Response) -> str | None:
    """The IP address the connection actually went to, where the transport exposes it."""
    try:
        return response.raw._connection.sock.getpeername()[0]  # noqa: SLF001 (urllib3 keeps it here)
    except AttributeError:
        return None


def fetch(url: str, *, policy: FetchPolicy, session: requests.Session | None = None) -> FetchResult:
    """Fetch a URL under the policy; raise FetchRefused with the reason when it is refused or fails."""
    if session is None:
        with requests.Session() as own:
            return fetch(url, policy=policy, session=own)
    http = session
    current, hops = url, []
    for _ in range(policy.max_redirects + 1):
        _check_url(current, policy)
        try:
            response = http.get(current, allow_redirects=False, stream=True,
                                timeout=(policy.connect_timeout, policy.read_timeout),
                                headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.5"})
        except requests.Timeout:
            raise FetchRefused(f"No answer from {urlsplit(current).hostname} in time (timed out).") from None
        except requests.RequestException as error:
            raise FetchRefused(f"Could not connect to {urlsplit(current).hostname}: {type(error).__name__}.") from None
        try:
            peer = _peer_address(response)
            if peer is not None and not address_allowed(peer, policy):
                raise FetchRefused(f"Refused: the connection went to {peer}, a private or internal address.")
            if response.is_redirect:
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchRefused(f"A redirect ({response.status_code}) without a destination.")
                hops.append(current)
                current = urljoin(current, location)
                continue
            body = _read_capped(response, policy)
            content_type = response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip().lower()
            return FetchResult(url=url, final_url=current, status=response.status_code, content_type=content_type,
                               body=body, sha256=hashlib.sha256(body).hexdigest(), redirects=hops)
        finally:
            response.close()
    raise FetchRefused(f"More than {policy.max_redirects} redirects; stopped following them.")


def _read_capped(response: requests.Response, policy: FetchPolicy) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchRefused(f"The page is {int(declared) / 1_048_576:.1f} MB; the limit is "
                           f"{policy.max_bytes / 1_048_576:g} MB.")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchRefused(f"The page is larger than the {policy.max_bytes / 1_048_576:g} MB limit; stopped reading.")
            chunks.append(chunk)
    except requests.Timeout:
        raise FetchRefused("The page took too long to arrive (read timed out).") from None
    except requests.RequestException as error:
        raise FetchRefused(f"The connection broke while reading: {type(error).__name__}.") from None
    return b"".join(chunks)


def page_text(result: FetchResult) -> tuple[str | None, str | None]:
    """Return (title, archived text) for a fetched page; (None, None) for bodies that are not text."""
    if result.content_type not in TEXT_TYPES:
        return None, None
    text = result.body.decode(_charset(result.body), "replace")
    if result.content_type == "text/plain":
        return None, text
    import claims

    meta = claims.extract_html_meta(text, url=result.final_url)
    return meta.title, meta.text or None


def _charset(body: bytes) -> str:
    head = body[:2048].lower()
    marker = head.find(b"charset=")
    if marker >= 0:
        name = head[marker + 8:marker + 40].strip(b"\"' ").split(b'"')[0].split(b";")[0].split(b" ")[0].split(b">")[0]
        try:
            "x".encode(name.decode("ascii", "ignore") or "utf-8")
            return name.decode("ascii", "ignore") or "utf-8"
        except LookupError:
            pass
    return "utf-8"
