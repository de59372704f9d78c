"""A webhook receiver for the tests: a local HTTP server thread that checks signatures and can answer 500 first."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The README's verification snippet, written independently of the workbench's own code."""
    fields = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp = fields.get("t", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


class Receiver:
    """Records each POST (event, signature check) and answers with the next scripted status (then 200)."""

    def __init__(self, secret: str = "", statuses: list[int] | None = None, path: str = "/hook"):
        self.secret, self.statuses, self.path = secret, list(statuses or []), path
        self.received: list[dict] = []  # every request, the refused ones too
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/moved":
                    self.send_response(303)
                    self.send_header("Location", receiver.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/kept":  # a 307 keeps the method and the body
                    self.send_response(307)
                    self.send_header("Location", receiver.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/to-metadata":  # a 307 towards a cloud metadata address
                    self.send_response(307)
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/huge":  # an answer far larger than a receiver should send
                    self.send_response(200)
                    self.send_header("Content-Length", str(200_000))
                    self.end_headers()
                    self.wfile.write(b"x" * 200_000)
                    return
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append(
                        {
                            "path": self.path,
                            "body": body,
                            "event": json.loads(body),
                            "headers": dict(self.headers),
                            "signed": verify(receiver.secret, self.headers.get("Workbench-Signature", ""), body),
                            "status": status,
                        }
                    )
                answer = b'{"ok": true}' if status < 300 else b"busy"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The receiver's address."""
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()
