"""Errors of the JSON API as application/problem+json (RFC 9457), with a detail a person can act on."""

from __future__ import annotations

import json

from flask import Response

PROBLEM_TYPE = "about:blank"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiProblem(Exception):
    """An API error that answers as problem+json; extra members (errors, current) go into the body."""

    def __init__(self, status: int, detail: str, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def problem_response(status: int, detail: str, headers: dict | None = None, **extra) -> Response:
    """Return a problem+json response."""
    body = {"type": PROBLEM_TYPE, "title": TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}
    response = Response(
        json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype="application/problem+json"
    )
    response.headers.update(headers or {})
    return response


def field_errors(validation_errors: list[dict]) -> list[dict]:
    """Turn pydantic's errors into [{field, message}] naming each field by its dotted path."""
    return [
        {"field": ".".join(str(part) for part in error.get("loc", ())) or "body", "message": error.get("msg", "")}
        for error in validation_errors
    ]
