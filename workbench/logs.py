"""Request and job logs: one line each (WORKBENCH_LOG_FORMAT): requests in the Common Log Format, or every line as
key=value text or JSON, which also carry the request id and duration."""

from __future__ import annotations

import datetime as dt
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
from urllib.parse import quote

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


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What would end a field (a space, outside the quoted request) or the line, escaped as \xNN the way Apache does.
_FIELD_UNSAFE = re.compile(r'[\x00-\x20"\\\x7f-\x9f]')
_QUOTED_UNSAFE = re.compile(r'[\x00-\x1f"\\\x7f-\x9f]')


def _escaped(pattern: re.Pattern, value: str) -> str:
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", value) or "-"


class CommonLogFormatter(PlainFormatter):
    """Request lines in the Common Log Format that log tools read (the remote user is the user id); others plain.

    host ident user [day/Mon/year:hh:mm:ss +0000] "METHOD target PROTOCOL" status bytes request-id milliseconds

    The two fields after the standard seven are appended the way Apache's `%{X-Request-ID}i %D` would be, so a
    line can still be followed to its jobs and audit events; tools that read the first seven fields ignore them.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render a request record as a Common Log Format line, anything else as a plain line."""
        fields = vars(record)
        if record.name != request_log.name or "status" not in fields:
            return super().format(record)
        at = dt.datetime.fromtimestamp(record.created, dt.UTC)
        when = f"{at.day:02d}/{_MONTHS[at.month - 1]}/{at.year}:{at:%H:%M:%S} +0000"
        user = fields.get("user_id")
        size = fields.get("bytes")
        request_line = f"{fields.get('method', '-')} {fields.get('target', '-')} {fields.get('protocol', '-')}"
        return (
            f"{_escaped(_FIELD_UNSAFE, str(fields.get('remote_addr') or '-'))} - {'-' if user is None else user} "
            f'[{when}] "{_escaped(_QUOTED_UNSAFE, request_line)}" {fields["status"]} {size if size else "-"} '
            f"{_escaped(_FIELD_UNSAFE, str(fields.get('request_id') or '-'))} {fields.get('duration_ms', '-')}"
        )


FORMATTERS = {"common": CommonLogFormatter, "plain": PlainFormatter, "json": JsonFormatter}


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
    handler.setFormatter(FORMATTERS.get(log_format, CommonLogFormatter)())


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
    query = request.query_string.decode("latin-1")
    target = quote(request.path, safe="/;:@&=+$,!~*'()%") + ("?" + query if query else "")
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
            "remote_addr": request.remote_addr,
            "target": target,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "bytes": response.content_length
            if response.content_length is not None
            else (None if response.is_streamed else response.calculate_content_length()),
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Give every request an id (kept from a valid X-Request-ID), log it when answered, and set up the format."""
    configure(app.config.get("LOG_FORMAT", "plain"))
    app.before_request(_start)
    app.after_request(_finish)
