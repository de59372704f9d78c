"""A local HTTP server for the fetching tests: pages, redirects, slow and oversized answers, PDF and binary bodies."""

from __future__ import annotations

import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = (
    b"<html><head><title>Port authority figures</title></head><body><nav>Home</nav><article>"
    b"<h1>Port authority figures</h1><p>The terminal at Izmail handled 1,500,000 tonnes of grain in 2023, "
    b"the Ukrainian Ministry of Infrastructure said in its annual report published on Monday.</p>"
    b"<p>Officials called the result \xe2\x80\x9ca record for the Danube ports\xe2\x80\x9d and said exports would keep growing "
    b"through the winter months despite repeated attacks on the port.</p></article></body></html>"
)
OTHER = (
    b"<html><head><title>Weather</title></head><body><article><h1>Weather</h1><p>Rain is expected across the "
    b"region on Tuesday with temperatures dropping to five degrees in the afternoon, forecasters said.</p>"
    b"<p>The rest of the week will stay cloudy and cold, with winds from the north and light snow on the hills.</p>"
    b"</article></body></html>"
)
_counter = itertools.count()


class Handler(BaseHTTPRequestHandler):
    """Answers by path; see the module docstring."""

    def log_message(self, *_args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (the http.server name)
        """Serve one of the test answers."""
        path = self.path
        if path == "/page.html":
            self._send(200, PAGE)
        elif path == "/other.html":
            self._send(200, OTHER)
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": "/page.html"})
        elif path == "/redirect-private":
            self._send(302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path == "/redirect-loop":
            self._send(302, b"", headers={"Location": "/redirect-loop"})
        elif path == "/slow":
            time.sleep(2)
            self._send(200, PAGE)
        elif path == "/big":
            self._send(200, b"x" * (2 * 1024 * 1024))
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"y" * 65536)
        elif path == "/doc.pdf":
            self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf")
        elif path == "/binary":
            self._send(200, bytes(range(256)) * 4, "application/octet-stream")
        elif path == "/changing":
            self._send(200, PAGE.replace(b"Monday", f"Monday {next(_counter)}".encode()))
        else:
            self._send(404, b"not found")


def start() -> tuple[ThreadingHTTPServer, str]:
    """Start the server on a free loopback port; return it and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
