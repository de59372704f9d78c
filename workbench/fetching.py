"""Fetching a URL safely: only public addresses, bounded time, size and redirects, every hop re-checked.

The fetcher must not become a way into the newsroom's own network (SSRF). Each hop's URL passes the one URL
validator (scheme, host, port), its host is resolved once, every address is vetted (IPv4 hidden inside IPv6
forms is decoded or refused), and the connection goes to that vetted address: a transport adapter pins it
while keeping the name for TLS (SNI and certificate) and the Host header, so a DNS answer that changes
between the check and the connection (rebinding) cannot steer the socket. One deadline bounds the whole fetch.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error

from .errors import InputError
from .urls import validate_url

USER_AGENT = "FactCheckWorkbench/0.1 (+evidence archiver)"
ACCEPT_PAGES = "text/html,text/plain;q=0.9,*/*;q=0.5"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
# IPv6 ranges that carry or translate IPv4 (or are deprecated) and that is_global does not reliably reject:
# IPv4-compatible, SIIT, NAT64 (well-known and local-use), 6to4, Teredo, site-local.
SPECIAL_IPV6 = tuple(
    ipaddress.ip_network(n)
    for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "fec0::/10")
)


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
    deadline: float = 30.0  # the whole fetch, every hop and every byte, however slowly they come


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
    """True when an IP address is public (or explicitly allowed by the operator); IPv4 inside IPv6 is decoded."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in policy.allowed_networks):
        return True
    if policy.allow_private:
        return True
    if ip.version == 6 and any(ip in network for network in SPECIAL_IPV6):
        return False
    return ip.is_global and not ip.is_multicast


def check_host(host: str, port: int, policy: FetchPolicy) -> str:
    """Resolve a host once; refuse it if any address is not public; return the vetted address to connect to."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(
            f"The host {host} could not be resolved ({getattr(error, 'strerror', None) or error})."
        ) from None
    addresses = [str(sockaddr[0]) for *_rest, sockaddr in infos]
    if not addresses:
        raise FetchRefused(f"The host {host} has no address.")
    for address in addresses:
        if not address_allowed(address, policy):
            raise FetchRefused(f"Refused: {host} resolves to {address}, a private or internal address.")
    return addresses[0]


def check_url(url: str, policy: FetchPolicy) -> tuple[str, str]:
    """Validate a URL for fetching and resolve its host: return (normalised URL, vetted address)."""
    try:
        url = validate_url(url)
    except InputError as error:
        raise FetchRefused(str(error)) from None
    parts = urlsplit(url)
    if parts.hostname is None:  # validate_url requires a host; kept as a refusal rather than a crash
        raise FetchRefused("The address has no host.")
    return url, check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), policy)


class PinnedAdapter(HTTPAdapter):
    """Connects to one vetted IP address while TLS (SNI, certificate) and the Host header keep the name."""

    def __init__(self, hostname: str, address: str):
        self.hostname, self.address = hostname, address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        """Check the certificate against the host name, not the IP address the URL now carries."""
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)

    def send(self, request, **kwargs):
        """Send to the pinned address, with the original Host header."""
        parts = urlsplit(request.url)
        if parts.hostname != self.hostname:
            raise FetchRefused("Internal error: a request left its pinned host.")
        ip = f"[{self.address}]" if ":" in self.address else self.address
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit(parts._replace(netloc=ip + (f":{parts.port}" if parts.port else "")))
        return super().send(request, **kwargs)


def _host_of(url: str) -> str:
    host = urlsplit(url).hostname
    if host is None:  # every URL here passed check_url, which refuses one without a host
        raise FetchRefused("The address has no host.")
    return host


def _send(
    method: str, url: str, address: str, *, timeout: tuple[float, float], body: bytes | None, headers: dict
) -> requests.Response:
    with requests.Session() as http:
        http.trust_env = False  # no proxy from the environment: the connection goes where it was vetted
        adapter = PinnedAdapter(_host_of(url), address)
        http.mount("http://", adapter)
        http.mount("https://", adapter)
        return http.request(
            method,
            url,
            data=body,
            allow_redirects=False,
            stream=True,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, **headers},
        )


def fetch(url: str, *, policy: FetchPolicy) -> FetchResult:
    """Fetch a URL under the policy; raise FetchRefused with the reason when it is refused or fails."""
    return _request("GET", url, policy=policy, body=None, headers={"Accept": ACCEPT_PAGES})


def post(url: str, *, body: bytes, headers: dict, policy: FetchPolicy) -> FetchResult:
    """POST a body under the same policy as a fetch (vetted addresses, deadline, size cap on the answer).

    Only 307 and 308 redirects are followed (they keep the method and the body), each hop vetted again; any
    other redirect is returned as the answer, never turned into a GET.
    """
    return _request("POST", url, policy=policy, body=body, headers=headers)


def _request(method: str, url: str, *, policy: FetchPolicy, body: bytes | None, headers: dict) -> FetchResult:
    deadline = time.monotonic() + policy.deadline
    current, hops = url, []
    for _ in range(policy.max_redirects + 1):
        current, address = check_url(current, policy)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchRefused(f"The fetch took longer than {policy.deadline:g} s in all; stopped.")
        host = _host_of(current)
        try:
            response = _send(
                method,
                current,
                address,
                timeout=(min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining)),
                body=body,
                headers=headers,
            )
        except requests.Timeout:
            raise FetchRefused(f"No answer from {host} in time (timed out).") from None
        except (requests.RequestException, Urllib3Error, OSError) as error:
            raise FetchRefused(f"Could not connect to {host}: {type(error).__name__}.") from None
        try:
            if response.is_redirect and (method == "GET" or response.status_code in (307, 308)):
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchRefused(f"A redirect ({response.status_code}) without a destination.")
                hops.append(current)
                current = urljoin(current, location)
                continue
            content = _read_capped(response, policy, deadline)
            content_type = (
                response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip().lower()
            )
            return FetchResult(
                url=url,
                final_url=current,
                status=response.status_code,
                content_type=content_type,
                body=content,
                sha256=hashlib.sha256(content).hexdigest(),
                redirects=hops,
            )
        finally:
            response.close()
    raise FetchRefused(f"More than {policy.max_redirects} redirects; stopped following them.")


def _read_capped(response: requests.Response, policy: FetchPolicy, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchRefused(
            f"The page is {int(declared) / 1_048_576:.1f} MB; the limit is {policy.max_bytes / 1_048_576:g} MB."
        )
    chunks, size = [], 0
    try:
        while True:
            # read1 returns whatever one receive brings, so a page dripping bytes meets the deadline check
            chunk = response.raw.read1(65536, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchRefused(
                    f"The page is larger than the {policy.max_bytes / 1_048_576:g} MB limit; stopped reading."
                )
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FetchRefused(f"The page took longer than {policy.deadline:g} s to arrive; stopped reading.")
    except (requests.Timeout, TimeoutError):
        raise FetchRefused("The page took too long to arrive (read timed out).") from None
    except Urllib3Error as error:
        if "timed out" in str(error).lower():
            raise FetchRefused("The page took too long to arrive (read timed out).") from None
        raise FetchRefused(f"The connection broke while reading: {type(error).__name__}.") from None
    except (requests.RequestException, OSError) as error:
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
        name = head[marker + 8 : marker + 40].strip(b"\"' ").split(b'"')[0].split(b";")[0].split(b" ")[0].split(b">")[0]
        try:
            "x".encode(name.decode("ascii", "ignore") or "utf-8")
            return name.decode("ascii", "ignore") or "utf-8"
        except LookupError:
            pass
    return "utf-8"
