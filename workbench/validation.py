"""The one validation layer between a request and the services.

Every request passes `check_request` before its view runs: no NUL byte anywhere, every id in the path within
the database's integer range (the `int` URL converter), and each form or query field within the bounds
declared here for its endpoint — lengths taken from the model's `max_length`, integers bounded. A value that
fails answers 400 with a message and reaches no service. Fields no endpoint declares are still bounded by
DEFAULT_MAX_LENGTH, so a forgotten form cannot carry a megabyte into a column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request
from sqlmodel import SQLModel
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from . import models, models_desk
from .urls import MAX_URL_LENGTH

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL and SQLite alike
DEFAULT_MAX_LENGTH = 10_000
LONG_TEXT = 10_000  # rationales, notes, claim wording: Text columns with a sane bound


class RejectedInput(BadRequest):
    """A request refused by the validation layer; its description is the message for the user."""


def max_length(model: type[SQLModel], field: str) -> int:
    """Return the max_length a SQLModel table declares for a column (the one source of those limits)."""
    for meta in model.model_fields[field].metadata:
        limit = getattr(meta, "max_length", None)
        if limit:
            return int(limit)
    raise LookupError(f"{model.__name__}.{field} declares no max_length")


@dataclass(frozen=True)
class Text:
    """A text field of at most max_length characters."""

    max_length: int

    def check(self, name: str, value: str) -> None:
        """Raise RejectedInput when the value is too long."""
        if len(value) > self.max_length:
            raise RejectedInput(f"The field “{name}” is longer than {self.max_length:,} characters.")


@dataclass(frozen=True)
class Integer:
    """A whole number within [minimum, maximum]; words listed in `words` are allowed too ("me", "none")."""

    minimum: int = 0
    maximum: int = MAX_ID
    words: tuple[str, ...] = ()

    def check(self, name: str, value: str) -> None:
        """Raise RejectedInput when the value is not a bounded integer (empty is left to the view)."""
        value = value.strip()
        if not value or value in self.words:
            return
        digits = value.removeprefix("-")
        if (
            not digits.isascii()
            or not digits.isdigit()
            or len(digits) > 12
            or not self.minimum <= int(value) <= self.maximum
        ):
            raise RejectedInput(f"The field “{name}” must be a whole number from {self.minimum} to {self.maximum}.")


@dataclass(frozen=True)
class Pattern:
    """Text that must match a regular expression in full (empty is left to the view)."""

    regex: str
    description: str

    def check(self, name: str, value: str) -> None:
        """Raise RejectedInput when the value does not match."""
        if value and (len(value) > 200 or not re.fullmatch(self.regex, value)):
            raise RejectedInput(f"The field “{name}” must be {self.description}.")


class Id(Integer):
    """A database id: 1 to MAX_ID."""

    def __init__(self, *words: str):
        super().__init__(1, MAX_ID, tuple(words))


ID = Id()
# The queue's keyset cursor: an id, or "<score or timestamp>|<id>", each id within the database's range.
CURSOR = Pattern(
    r"(?:[0-9][0-9.eE+\-:T ]{0,39}\|)?(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|0)",
    "a position in the queue as the page wrote it",
)
VERSION = Integer(0, MAX_ID)
ARTICLE_TEXT = Text(10**9)  # bounded by MAX_ARTICLE_BYTES in the ingest service, with its own message

# The fields of every form and query, by endpoint. Fields not listed get DEFAULT_MAX_LENGTH.
FIELDS: dict[str, dict[str, Text | Integer | Pattern]] = {
    "auth.login": {"email": Text(max_length(models.User, "email")), "password": Text(1024)},
    "auth.account": {"current": Text(1024), "password": Text(1024)},
    "admin.create_user_view": {
        "email": Text(max_length(models.User, "email")),
        "name": Text(max_length(models.User, "name")),
        "role": Text(max_length(models.User, "role")),
        "password": Text(1024),
    },
    "admin.update_user_view": {
        "role": Text(max_length(models.User, "role")),
        "password": Text(1024),
        "action": Text(20),
    },
    "articles.create": {
        "title": Text(max_length(models.Article, "title")),
        "outlet": Text(max_length(models.Article, "outlet")),
        "url": Text(MAX_URL_LENGTH),
        "section": Text(max_length(models.Article, "section")),
        "published": Text(40),
        "text": ARTICLE_TEXT,
    },
    "articles.create_claim": {"start": Integer(), "end": Integer()},
    "claims.queue": {
        "source": ID,
        "article": ID,
        "assignee": Id("me", "none"),
        "q": Text(200),
        "status": Text(40),
        "sort": Text(40),
        "after": CURSOR,
        "min_score": Text(40),
        "published_from": Text(40),
        "published_to": Text(40),
        "review": Text(20),
        "source_name": Text(max_length(models.Source, "name")),
    },
    "claims.bulk": {
        "ids": ID,
        "assignee": Id("me", "none"),
        "rationale": Text(LONG_TEXT),
        "status": Text(40),
        "action": Text(40),
        "back": Text(MAX_URL_LENGTH),
    },
    "claims.set_status": {"status": Text(40), "rationale": Text(LONG_TEXT), "version": VERSION},
    "claims.assign": {"assignee": Id("me", "none"), "version": VERSION},
    "claims.approve": {"version": VERSION},
    "claims.edit_text": {"text": Text(LONG_TEXT), "version": VERSION},
    "claims.split": {"at": Integer(-MAX_ID, MAX_ID), "version": VERSION},
    "claims.merge": {"version": VERSION},
    "claims.add_evidence": {
        "url": Text(MAX_URL_LENGTH),
        "stance": Text(max_length(models.Evidence, "stance")),
        "note": Text(LONG_TEXT),
    },
    "claims.add_note": {"body": Text(LONG_TEXT)},
    "queue_views.save": {
        "name": Text(max_length(models_desk.SavedView, "name")),
        "query": Text(max_length(models_desk.SavedView, "query")),
    },
    "queue_views.rename": {"name": Text(max_length(models_desk.SavedView, "name"))},
    "queue_views.density": {
        "density": Text(max_length(models.User, "queue_density")),
        "back": Text(MAX_URL_LENGTH),
    },
    "notifications.read": {"back": Text(MAX_URL_LENGTH)},
    "notifications.read_all": {"back": Text(MAX_URL_LENGTH)},
    "sources.index": {"q": Text(200)},
    "sources.update": {
        "name": Text(max_length(models.Source, "name")),
        "kind": Text(max_length(models.Source, "kind")),
        "domain": Text(max_length(models.Source, "domain")),
        "notes": Text(LONG_TEXT),
    },
    "sources.add_alias": {"alias": Text(max_length(models.SourceAlias, "alias"))},
    "sources.merge": {"into": ID},
    "exports.download": {
        "article": ID,
        "source": Text(max_length(models.Source, "name")),
        "since": Text(40),
        "format": Text(20),
        "download": Text(10),
    },
    "exports.generate": {
        "article": ID,
        "source": Text(max_length(models.Source, "name")),
        "since": Text(40),
        "format": Text(20),
        "download": Text(10),
    },
}


# The queue's count and the source suggestions read the queue's and the correction form's fields.
FIELDS["claims.count"] = FIELDS["claims.queue"]
FIELDS["sources.suggest"] = {
    "source_name": Text(max_length(models.Source, "name")),
    "new_source": Text(max_length(models.Source, "name")),
    "q": Text(200),
}

# The JSON API's writes take the same fields as the forms they mirror, under the same rules.
FIELDS.update(
    {
        "api.set_claim_status": FIELDS["claims.set_status"],
        "api.assign_claim": FIELDS["claims.assign"],
        "api.reword_claim": FIELDS["claims.edit_text"],
        "api.dismiss_claim": {"reason": Text(LONG_TEXT)},
        "api.create_article": FIELDS["articles.create"],
        "api.add_evidence": FIELDS["claims.add_evidence"],
        "api.withdraw_evidence": {"reason": Text(LONG_TEXT)},
        "api.list_sources": FIELDS["sources.index"],
        "api.add_source_alias": FIELDS["sources.add_alias"],
        "api.merge_source": FIELDS["sources.merge"],
        "api.correct_claim": {
            "source_id": ID,
            "new_source": Text(max_length(models.Source, "name")),
            "speaker": Text(max_length(models.Claim, "speaker")),
            "field": Text(20),
        },
        "api.list_claims": {**FIELDS["claims.queue"], "limit": Integer(1, 200)},
        "api.list_articles": {
            "outlet": Text(max_length(models.Article, "outlet")),
            "published_from": Text(40),
            "published_to": Text(40),
            "after": ID,
            "limit": Integer(1, 200),
        },
    }
)


def _json_values(value, spec: dict, name: str = "", top: bool = True) -> None:
    """Walk a JSON body: no NUL byte in any key or string; top-level fields within their declared bounds."""
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                raise RejectedInput("The request contains a NUL byte; remove it and try again.")
            if top and isinstance(item, str | int) and not isinstance(item, bool):
                if "\x00" in str(item):
                    raise RejectedInput(f"The field “{key[:40]}” contains a NUL byte; remove it and try again.")
                spec.get(key, Text(DEFAULT_MAX_LENGTH)).check(key[:40], str(item))
            else:
                _json_values(item, spec, key[:40], top=False)
    elif isinstance(value, list):
        for item in value:
            _json_values(item, spec, name, top=False)
    elif isinstance(value, str):
        if "\x00" in value:
            raise RejectedInput(f"The field “{name}” contains a NUL byte; remove it and try again.")
        Text(DEFAULT_MAX_LENGTH).check(name, value)


def _fields_of(values: MultiDict[str, str], spec: dict[str, Text | Integer | Pattern], *, skip: set[str]) -> None:
    for name in values:
        if "\x00" in name:
            raise RejectedInput("The request contains a NUL byte; remove it and try again.")
        if name in skip:
            continue
        rule = spec.get(name, Text(DEFAULT_MAX_LENGTH))
        for value in values.getlist(name):
            if "\x00" in value:
                raise RejectedInput(f"The field “{name[:40]}” contains a NUL byte; remove it and try again.")
            rule.check(name[:40], value)


def check_values(endpoint: str, values: dict[str, str | None]) -> None:
    """Validate values that arrive outside a request (the command line) against an endpoint's fields."""
    spec = FIELDS[endpoint]
    for name, value in values.items():
        if value is None:
            continue
        if "\x00" in value:
            raise RejectedInput(f"The value of {name} contains a NUL byte.")
        spec.get(name, Text(DEFAULT_MAX_LENGTH)).check(name, value)


def check_request() -> None:
    """Validate the current request's query string and form against its endpoint's fields (before_request)."""
    spec = FIELDS.get(request.endpoint or "", {})
    _fields_of(request.args, spec, skip=set())
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        _fields_of(request.form, spec, skip={"csrf_token"})
        if request.is_json:
            _json_values(request.get_json(silent=True), spec)
        for upload in request.files.values():
            if "\x00" in (upload.filename or ""):
                raise RejectedInput("The file name contains a NUL byte.")


class BoundedIntegerConverter(IntegerConverter):
    """The `int` URL converter, bounded to the database's id range: a 30-digit id is a 404, not a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def init_app(app) -> None:
    """Bound every integer in paths and check every request before its view."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(check_request)
