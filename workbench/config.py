"""Configuration: one typed table of settings read from the environment, refusing what it cannot parse."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import click

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
DEFAULT_AUDIT_KEY = "dev-only-insecure-audit-key"
PREFIX = "WORKBENCH_"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
# Read elsewhere (before the app exists, or only by the test suite and benchmarks); known so they are not typos.
OTHER_VARIABLES = {
    "WORKBENCH_INSTANCE_PATH",
    "WORKBENCH_TEST_DATABASE_URL",
    "WORKBENCH_TEST_REDIS_URL",
    "WORKBENCH_BENCH_PG",
    "WORKBENCH_CHROMIUM",
}


class SettingsError(click.ClickException, RuntimeError):
    """A setting that cannot be used; its message is one line naming the variable (a RuntimeError, as before)."""


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected one of {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}")


def _number(raw: str, kind: type, minimum: float, message: str) -> Any:
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ValueError(message) from None
    if not minimum <= value < float("inf"):
        raise ValueError(message)
    return value


def _positive_int(raw: str) -> int:
    return int(_number(raw, int, 1, "expected a whole number above 0"))


def _count(raw: str) -> int:
    return int(_number(raw, int, 0, "expected a whole number, 0 or more"))


def _positive_float(raw: str) -> float:
    return float(_number(raw, float, 1e-9, "expected a number above 0"))


def _url(*schemes: str) -> Callable[[str], str | None]:
    def parse(raw: str) -> str | None:
        raw = raw.strip()
        if not raw:
            return None
        parts = urlsplit(raw)
        scheme = parts.scheme.split("+")[0]
        if scheme not in schemes:
            raise ValueError(f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}")
        if scheme != "sqlite" and not parts.hostname and not parts.path.strip("/"):
            raise ValueError("the URL names no host")
        if scheme == "sqlite" and not raw.startswith("sqlite:///"):
            raise ValueError("expected sqlite:///path/to/file.sqlite3")
        return raw

    return parse


def _rate(raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError("expected a rate such as '10 per 15 minutes'") from None
    return raw


def _text(raw: str) -> str:
    return raw


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        word = raw.strip().lower()
        if word not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return word

    return parse


@dataclass(frozen=True)
class Setting:
    """One setting: its Flask config key, its type (a parser of the raw text) and its default."""

    key: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    secret: bool = False
    aliases: tuple[str, ...] = ()  # earlier names of the variable, still read

    @property
    def variable(self) -> str:
        """The environment variable that sets it."""
        return PREFIX + self.key


SETTINGS = (
    Setting("SECRET_KEY", _text, DEFAULT_SECRET_KEY, "Signs sessions; a long random value.", secret=True),
    Setting(
        "AUDIT_KEY",
        _text,
        DEFAULT_AUDIT_KEY,
        "Keys the audit chain's HMAC; kept outside the database so its rows cannot be re-chained.",
        secret=True,
    ),
    Setting(
        "DATABASE_URL",
        _url("sqlite", "postgresql"),
        None,
        "sqlite:///… or postgresql://…; empty: a SQLite file in the instance folder.",
    ),
    Setting(
        "REDIS_URL",
        _url("redis", "rediss", "unix"),
        None,
        "Background jobs, rate limits and notifications go through Redis (RQ) when set.",
    ),
    Setting("MAX_ARTICLE_BYTES", _positive_int, 5 * 1024 * 1024, "Largest article accepted."),
    Setting("COOKIE_SECURE", _boolean, True, "Session cookies only over HTTPS."),
    Setting("SESSION_IDLE_MINUTES", _positive_float, 60.0, "A session ends after this long without a request."),
    Setting("SESSION_MAX_HOURS", _positive_float, 12.0, "A session ends this long after sign-in whatever happens."),
    Setting("THROTTLE_LOGIN_PER_ACCOUNT", _rate, "10 per 15 minutes", "Failed sign-ins allowed per account."),
    Setting("THROTTLE_LOGIN_PER_ADDRESS", _rate, "50 per 15 minutes", "Failed sign-ins allowed per address."),
    Setting(
        "THROTTLE_STORAGE_URI",
        _text,
        "",
        "Where the counts live; empty: Redis when WORKBENCH_REDIS_URL is set, else this process's memory.",
    ),
    Setting("REQUIRE_APPROVAL", _boolean, False, "An editor approves each verdict before it counts as final."),
    Setting(
        "ALLOW_SELF_APPROVAL",
        _boolean,
        False,
        "Four eyes: the author of a verdict may not approve it, unless a one-person desk turns this on.",
    ),
    Setting(
        "PUBLIC_URL",
        _url("http", "https"),
        None,
        "The public address of the published fact-checks; ClaimReview URLs are built from it (none without).",
    ),
    Setting("FETCH_ALLOW_PRIVATE", _boolean, False, "Evidence may be fetched from private and internal addresses."),
    Setting("FETCH_ALLOW_NETWORKS", _text, "", "Networks (CIDR, comma-separated) evidence may be fetched from."),
    Setting("FETCH_MAX_BYTES", _positive_int, 5 * 1024 * 1024, "Largest evidence page fetched."),
    Setting("FETCH_CONNECT_TIMEOUT", _positive_float, 5.0, "Seconds to connect to an evidence host."),
    Setting("FETCH_READ_TIMEOUT", _positive_float, 15.0, "Seconds to wait between received bytes."),
    Setting("FETCH_DEADLINE", _positive_float, 30.0, "Seconds for a whole fetch, all redirects included."),
    Setting(
        "FETCH_STALE_SECONDS",
        _positive_float,
        300.0,
        "A fetch still 'fetching' after this long was left by a dead worker and is taken again.",
    ),
    Setting(
        "WEBHOOK_RETRY_SECONDS", _positive_float, 30.0, "First wait before a failed webhook is sent again; it doubles."
    ),
    Setting(
        "WEBHOOK_GIVE_UP_HOURS", _positive_float, 24.0, "A webhook delivery is retried for this long, then given up."
    ),
    Setting("WEBHOOK_DEADLINE", _positive_float, 10.0, "Seconds a receiver has to answer one webhook delivery."),
    Setting("ORGANISATION", _text, "Fact-checking desk", "The newsroom named as author of ClaimReview exports."),
    Setting(
        "TRUSTED_PROXIES",
        _count,
        0,
        "How many proxies in front set X-Forwarded-For/-Proto/-Host (ProxyFix); 0 trusts none.",
        aliases=("WORKBENCH_PROXY_HOPS",),
    ),
    Setting("LOG_FORMAT", _choice("plain", "json"), "plain", "Request and job log lines as plain text or JSON."),
)


def _check_names(environ: Mapping[str, str]) -> None:
    """Refuse a WORKBENCH_ variable that is not a setting but is spelled like one (a typo would be ignored)."""
    known = {setting.variable for setting in SETTINGS} | OTHER_VARIABLES
    known |= {alias for setting in SETTINGS for alias in setting.aliases}
    for name in sorted(environ):
        if name.startswith(PREFIX) and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
            if close:
                raise SettingsError(f"{name} is not a setting; did you mean {close[0]}?")


def read_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read every setting from the environment, typed; raise SettingsError naming the first bad variable."""
    environ = os.environ if environ is None else environ
    _check_names(environ)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        variable, raw = setting.variable, environ.get(setting.variable)
        for alias in setting.aliases:
            if raw is None and environ.get(alias) is not None:
                variable, raw = alias, environ[alias]
        if raw is None or (raw.strip() == "" and setting.default is None):
            values[setting.key] = setting.default
            continue
        try:
            values[setting.key] = setting.parse(raw)
        except ValueError as error:
            shown = "(hidden)" if setting.secret else repr(raw)
            raise SettingsError(f"{variable}={shown} is not valid: {error}.") from None
    if values["FETCH_STALE_SECONDS"] <= values["FETCH_DEADLINE"]:  # a live fetch must never look abandoned
        raise SettingsError(
            f"WORKBENCH_FETCH_STALE_SECONDS={values['FETCH_STALE_SECONDS']:g} is not valid: it must "
            f"exceed WORKBENCH_FETCH_DEADLINE ({values['FETCH_DEADLINE']:g})."
        )
    return values


def describe(config: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Return (variable, effective value with secrets masked, help) for every setting, for `workbench config`."""
    from sqlalchemy.engine import make_url

    rows = []
    for setting in SETTINGS:
        value = config.get(setting.key, setting.default)
        if setting.secret:
            shown = "(development default: set it)" if value in (DEFAULT_SECRET_KEY, DEFAULT_AUDIT_KEY) else "********"
        elif setting.key in ("DATABASE_URL", "REDIS_URL") and value:
            shown = make_url(value).render_as_string(hide_password=True) if "://" in value else value
        elif value is None:
            shown = "(not set)"
        else:
            shown = str(value)
        rows.append((setting.variable, shown, setting.help))
    return rows


def require_secrets(app_config: Mapping[str, Any]) -> None:
    """Refuse the development secret and audit keys (where requests are served); one line naming the variable."""
    if app_config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise SettingsError(
            "WORKBENCH_SECRET_KEY is not set: refusing to serve with the development secret key. "
            "Set it to a long random value (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if app_config["AUDIT_KEY"] == DEFAULT_AUDIT_KEY:
        raise SettingsError(
            "WORKBENCH_AUDIT_KEY is not set: refusing to serve with the development audit key. Set it "
            "to a long random value kept outside the database; `workbench init` re-keys an existing chain."
        )


def require_audit_key(app_config: Mapping[str, Any], *, debug: bool, testing: bool) -> None:
    """Refuse the development audit key in a command that writes audit events (worker, users, ingest…).

    Events signed with the development key would not verify under the real one, so a desk's chain would break
    the day the key is set. Debug and test apps may use it; the demo has its own key. One line, like serve.
    """
    if not (debug or testing) and app_config["AUDIT_KEY"] == DEFAULT_AUDIT_KEY:
        raise SettingsError(
            "WORKBENCH_AUDIT_KEY is not set: refusing to write audit events with the development audit key. "
            "Set it to the key the server uses (every process that writes events needs the same key)."
        )


def dev_secrets_allowed(app_config: Mapping[str, Any], *, debug: bool, testing: bool) -> bool:
    """Tell whether the app may be built with the development keys: tests, debug, or a command line.

    Commands (`workbench init`, `flask --app workbench users list`…) sign no session; `serve` checks again.
    """
    if debug or testing or app_config.get("ALLOW_DEV_SECRET"):
        return True
    return click.get_current_context(silent=True) is not None


class Config:
    """Settings for a running workbench; tests and the demo pass overrides to create_app."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        values = read_settings(environ)
        self.SECRET_KEY = values["SECRET_KEY"]
        self.AUDIT_KEY = values["AUDIT_KEY"]
        # None means: a SQLite file in the instance folder (filled in by create_app).
        self.DATABASE_URL = values["DATABASE_URL"]
        self.MAX_ARTICLE_BYTES = values["MAX_ARTICLE_BYTES"]
        # Uploads a little larger than the article cap still reach the view, which explains the limit.
        self.MAX_CONTENT_LENGTH = self.MAX_ARTICLE_BYTES + 1024 * 1024
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = values["COOKIE_SECURE"]
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session (and is replaced at sign-in)
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]
        for key in (
            "SESSION_IDLE_MINUTES",
            "SESSION_MAX_HOURS",
            "THROTTLE_LOGIN_PER_ACCOUNT",
            "THROTTLE_LOGIN_PER_ADDRESS",
            "THROTTLE_STORAGE_URI",
            "REQUIRE_APPROVAL",
            "ALLOW_SELF_APPROVAL",
            "PUBLIC_URL",
            "REDIS_URL",
            "FETCH_ALLOW_PRIVATE",
            "FETCH_ALLOW_NETWORKS",
            "FETCH_MAX_BYTES",
            "FETCH_CONNECT_TIMEOUT",
            "FETCH_READ_TIMEOUT",
            "FETCH_DEADLINE",
            "FETCH_STALE_SECONDS",
            "WEBHOOK_RETRY_SECONDS",
            "WEBHOOK_GIVE_UP_HOURS",
            "WEBHOOK_DEADLINE",
            "ORGANISATION",
            "TRUSTED_PROXIES",
            "LOG_FORMAT",
        ):
            setattr(self, key, values[key])

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as a mapping for app.config.from_mapping."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
