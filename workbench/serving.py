"""Listening for requests: a port that is taken (or not ours to take) is one clear line with the fix."""

from __future__ import annotations

import errno
import socket


class PortUnavailable(Exception):
    """The server cannot listen on this address; the message says what to do instead."""


def _addresses(host: str, port: int) -> list[tuple]:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise PortUnavailable(f"Cannot listen on {host}: no such address here; try --host 127.0.0.1") from None


def _free_port_after(host: str, port: int, tries: int = 20) -> int | None:
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        try:
            probe_port(host, candidate)
        except PortUnavailable:
            continue
        return candidate
    return None


def _refusal(error: OSError, host: str, port: int) -> PortUnavailable:
    if error.errno == errno.EADDRINUSE:
        free = _free_port_after(host, port)
        fix = f"try --port {free}" if free else "stop the program using it or choose another --port"
        return PortUnavailable(f"Port {port} is in use: {fix}")
    if error.errno == errno.EACCES:
        return PortUnavailable(
            f"Port {port} needs more rights than this user has (ports below 1024 do): try --port 8000"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return PortUnavailable(f"Cannot listen on {host}: it is not an address of this machine; try --host 127.0.0.1")
    return PortUnavailable(f"Cannot listen on {host}:{port} ({error.strerror or error})")


def probe_port(host: str, port: int) -> None:
    """Raise PortUnavailable when no server could listen on host:port now (bound the way Waitress binds it)."""
    for family, kind, proto, _name, address in _addresses(host, port):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Waitress does: TIME_WAIT is not "in use"
            try:
                probe.bind(address)
            except OSError as error:
                raise _refusal(error, host, port) from None


def create_server(app, *, host: str, port: int, threads: int):
    """Create (and bind) the Waitress server; a bind that fails raises PortUnavailable."""
    import waitress

    try:
        return waitress.create_server(app, host=host, port=port, threads=threads, ident="workbench")
    except OSError as error:
        raise _refusal(error, host, port) from None
