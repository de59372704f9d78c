"""The one validator for web addresses that are stored, fetched or rendered as links.

Every URL that enters the workbench (ingest form, command line, fetched page metadata, evidence, source
records) passes `validate_url`; every URL from data that becomes an `href` passes `link_href` (the Jinja
filter `link_href`), which applies the same rules and renders nothing clickable when they fail.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from .errors import InputError

MAX_URL_LENGTH = 2000
SCHEMES = ("http", "https")
# Letters, digits, hyphens and dots (IDNA-encoded or Unicode letters), no empty labels.
_HOST_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def validate_url(value: str | None, *, label: str = "The address") -> str:
    """Return the URL normalised (scheme and host lower-case) or raise InputError: http/https, a host, a sane port, no credentials."""
    url = (value or "").strip()
    if not url:
        raise InputError(f"{label} is empty; give a full http:// or https:// URL.")
    if len(url) > MAX_URL_LENGTH:
        raise InputError(f"{label} is longer than {MAX_URL_LENGTH:,} characters.")
    shown = _CONTROL.sub("", url)[:80]
    if _CONTROL.search(url):
        raise InputError(f"{label} “{shown}” contains spaces or control characters; give a single full URL.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InputError(f"{label} “{shown}” is not a valid web address (bad host or port).") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InputError(f"{label} “{shown}” is not a web address; give a full http:// or https:// URL.")
    host = parts.hostname or ""
    if not host:
        raise InputError(f"{label} “{shown}” has no host name.")
    if parts.username is not None or parts.password is not None:
        raise InputError(f"{label} may not carry a user name or password.")
    if port is not None and not 1 <= port <= 65535:
        raise InputError(f"{label} “{shown}” has a port outside 1–65535.")
    if not _valid_host(host):
        raise InputError(f"{label} “{shown}” has an invalid host name.")
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if "%" in host or len(host) > 253:
        return False
    labels = host.rstrip(".").split(".")
    return all(_HOST_LABEL.match(label) for label in labels)


def optional_url(value: str | None, *, label: str = "The address") -> str | None:
    """Validate a URL that may be left empty: None when blank, the normalised URL otherwise."""
    if value is None or not value.strip():
        return None
    return validate_url(value, label=label)


def link_href(value: str | None) -> str | None:
    """Return a URL fit for an href (the validator's rules), or None: anything else is never a link."""
    try:
        return optional_url(value)
    except InputError:
        return None
