"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from . import api, assets, auth, cli, compression, db, headers, health, logs, validation
from .config import Config, dev_secrets_allowed, require_secrets
from .rendering import with_mentions
from .urls import link_href
from .views import (
    activity,
    admin,
    api_access,
    article_meta,
    articles,
    claims,
    dashboard,
    desk,
    evidence,
    exports,
    matching,
    notifications,
    queue_views,
    sources,
    webhooks,
)

csrf = CSRFProtect()
htmx = Htmx()


def _templates_folder() -> str:
    """Find the templates: packaged inside workbench/ in a wheel, beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return str(candidate)
    raise RuntimeError("templates folder not found; reinstall the workbench package")


def create_app(config: dict | None = None) -> Flask:
    """Create the workbench app; config overrides settings read from the environment."""
    instance_path = os.environ.get("WORKBENCH_INSTANCE_PATH") or None
    app = Flask(
        __name__,
        instance_path=instance_path and os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=_templates_folder(),
    )
    app.config.from_mapping(Config().as_dict())
    if config:
        app.config.from_mapping(config)
    if not app.config.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "workbench.sqlite3")
    if not dev_secrets_allowed(app.config, debug=app.debug, testing=app.testing):
        require_secrets(app.config)  # a WSGI server importing the app: it will serve requests
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]  # the client's address, scheme and host as the proxies saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]

    logs.init_app(app)  # first: every answer, a refused one included, is logged with its request id
    validation.init_app(app)  # before any route is added: it bounds the int converter
    db.init_app(app)
    headers.init_app(app)
    compression.init_app(app)  # registered after the headers, so it runs before them on the way out
    csrf.init_app(app)
    htmx.init_app(app)
    auth.init_app(app)
    cli.init_app(app)
    app.register_blueprint(assets.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(activity.bp)
    app.register_blueprint(articles.bp)
    app.register_blueprint(article_meta.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(claims.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(sources.bp)
    app.register_blueprint(matching.bp)
    app.register_blueprint(api_access.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(queue_views.bp)
    notifications.init_app(app)
    api.init_app(app, csrf)
    app.jinja_env.filters["link_href"] = link_href
    app.jinja_env.filters["with_mentions"] = with_mentions
    _register_error_pages(app)
    return app


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: "The request could not be understood.",
        403: "Your role does not allow this. Ask an editor or an admin.",
        404: "There is nothing at this address.",
        405: "This address does not accept that kind of request.",
        413: f"The upload is larger than the {app.config['MAX_CONTENT_LENGTH'] / 1_048_576:g} MB limit; "
        "split the document or ingest only the article text.",
        500: "Something went wrong on our side; nothing was saved. Try again, and tell an admin if it persists.",
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        message = messages.get(code, "Something went wrong.")
        if isinstance(error, validation.RejectedInput):
            message = error.description
        if isinstance(error, CSRFError) and request.headers.get("HX-Request") and not current_user.is_authenticated:
            return auth.htmx_sign_in()  # the session expired: its CSRF token went with it
        if isinstance(error, CSRFError):
            message = "The form expired or was sent from elsewhere (missing or bad CSRF token); reload the page and try again."
        if code == 413 and request.endpoint == "articles.create":
            return render_template("articles/new.html", form={}, error=message), 413
        return render_template("error.html", code=code, message=message), code

    for code in messages:
        app.register_error_handler(code, handler)
    app.register_error_handler(CSRFError, handler)
    app.register_error_handler(DBAPIError, _database_error)


BUSY_MARKERS = (
    "database is locked",
    "database table is locked",
    "lock timeout",
    "could not obtain lock",
    "deadlock detected",
    "could not serialize access",
    "canceling statement due to statement timeout",
)


def _database_error(error: DBAPIError):
    """A busy database is a 503 with Retry-After; input the database refuses is a 400; neither is ever a 500."""
    from .db import get_session

    get_session().rollback()  # whatever the request had begun is undone: nothing was saved
    reason = str(getattr(error, "orig", error)).lower()
    if isinstance(error, OperationalError) and any(marker in reason for marker in BUSY_MARKERS):
        message = "The database is busy with other work; nothing was saved. Try again in a few seconds."
        return render_template("error.html", code=503, message=message), 503, {"Retry-After": "5"}
    if isinstance(error, (DataError, IntegrityError)):
        message = "The database refused that input (too long, out of range or invalid characters); nothing was saved."
        return render_template("error.html", code=400, message=message), 400
    raise error
