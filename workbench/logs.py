"""Request and job logs: one line each, plain or JSON (WORKBENCH_LOG_FORMAT), carrying a request id."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, Response, g, has_request_context, request

request_log = logging.getLogger("workbench.request")
_job_log = logging.getLogger("workbench.job")
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # a proxy's id is kept only when it cannot smuggle anything in
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as JSON."""
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """A readable line: time, level, logger, message, then key=value for the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as text."""
        extra = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        line = f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} {record.levelname} {record.name} {record.getMessage()}"
        line = f"{line} {extra}" if extra else line
        return line + ("\n" + self.formatException(record.exc_info) if record.exc_info else "")


def configure(log_format: str) -> None:
    """Send the workbench's log lines to standard error in the chosen format (once per process; later calls re-format)."""
    root = logging.getLogger("workbench")
    handler = next((h for h in root.handlers if getattr(h, "workbench_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.workbench_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        if root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    handler.setFormatter(JsonFormatter() if log_format == "json" else PlainFormatter())


_job_request_id: ContextVar[str | None] = ContextVar("workbench_job_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, or of the request that queued the running job; else None."""
    return g.get("request_id") if has_request_context() else _job_request_id.get()


@contextmanager
def on_behalf_of(request_id: str | None) -> Iterator[None]:
    """Run a background job as the continuation of a request: its audit events carry that request's id."""
    token = _job_request_id.set(request_id)
    try:
        yield
    finally:
        _job_request_id.reset(token)


def job_log(**fields: Any) -> None:
    """Log one finished background job with its fields (job, state, request_id, duration_ms…)."""
    _job_log.info("job %s %s", fields.get("job", "?"), fields.get("state", "?"), extra=fields)


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    from flask_login import current_user

    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    user_id = getattr(getattr(current_user, "user", None), "id", None) if current_user else None
    duration = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    request_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration, 1),
            "user_id": user_id,
            "request_id": g.get("request_id"),
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Give every request an id (kept from a valid X-Request-ID), log it when answered, and set up the format."""
    configure(app.config.get("LOG_FORMAT", "plain"))
    app.before_request(_start)
    app.after_request(_finish)
