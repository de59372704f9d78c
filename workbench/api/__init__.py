"""The JSON API under /api/v1: Bearer tokens or a session, the same services as the HTML routes, problem+json errors.

A request that carries `Authorization: Bearer …` is authenticated by that token alone and is exempt from CSRF
(a browser cannot be made to send the header cross-site); a request with only a session cookie is a browser
request and passes the same CSRF check as every form.
"""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from spectree import SpecTree
from werkzeug.exceptions import HTTPException

from ..auth import PUBLIC_ENDPOINTS, SessionUser
from ..db import get_session
from ..services.tokens import authenticate_token
from .problems import ApiProblem, field_errors, problem_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_csrf = None  # the app's CSRFProtect, set by init_app


def _before_validation(req, resp, req_validation_error, instance, model_adapter) -> None:
    """Refuse a body that is not JSON (415), then turn validation errors into a 422 that names each field.

    Runs inside the view's decorators, so a role check (require_role) answers 403 before the body is judged.
    """
    if req.method not in SAFE_METHODS and req.content_length and not req.is_json:
        raise ApiProblem(415, "Send a JSON body with Content-Type: application/json.")
    if req_validation_error is not None:
        errors = field_errors(model_adapter.validation_errors(req_validation_error))
        names = ", ".join(sorted({error["field"] for error in errors}))
        raise ApiProblem(422, f"Invalid input in: {names}.", errors=errors)


spec = SpecTree(
    "flask",
    title="Fact-checking workbench API",
    version="1.0.0",
    mode="strict",
    path="apidoc-unmounted",
    before=_before_validation,  # its doc pages are not mounted
    security_schemes=[{"name": "bearer", "data": {"type": "http", "scheme": "bearer"}}],
    security={"bearer": []},
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
)  # plain schema names an integrator can read


def json_body():
    """Return the request's validated JSON body; 415 when it was sent as anything but JSON (or not at all)."""
    body = getattr(getattr(request, "context", None), "json", None)
    if body is None:
        raise ApiProblem(415, "Send a JSON body with Content-Type: application/json.")
    return body


def bearer_secret() -> str | None:
    """Return the token of an `Authorization: Bearer` header, or None when there is none."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


@bp.before_request
def _authenticate():
    """Authenticate by token (CSRF-exempt) or by session (CSRF-checked); enforce the token's scope."""
    if request.endpoint in PUBLIC_ENDPOINTS:  # the contract itself is public
        return None
    secret = bearer_secret()
    if secret is not None:
        found = authenticate_token(session=get_session(), secret=secret)
        if found is None:
            raise ApiProblem(
                401,
                "The API token is unknown, expired or revoked.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        user, token = found
        g._login_user = SessionUser(user)  # Flask-Login's per-request user: this request only, no session written
        if request.method not in SAFE_METHODS and token.scope != "write":
            raise ApiProblem(403, "This token has the read scope; create a token with the write scope to change data.")
    elif not current_user.is_authenticated:
        raise ApiProblem(
            401, "Send an API token: Authorization: Bearer <token>.", headers={"WWW-Authenticate": "Bearer"}
        )
    elif request.method not in SAFE_METHODS:
        _csrf.protect()  # a session alone is a browser: the same CSRF check as every form
    return None


@bp.errorhandler(ApiProblem)
def _problem(error: ApiProblem):
    return problem_response(error.status, error.detail, error.headers, **error.extra)


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError):
    return problem_response(
        400,
        "A request with only a session cookie needs a CSRF token (X-CSRFToken); "
        "integrations should send Authorization: Bearer <token> instead.",
    )


def _http(error: HTTPException):
    detail = (
        error.description
        if error.code in {400, 413}
        else {
            403: "Your role does not allow this.",
            404: "There is nothing at this address.",
            405: "This address does not accept that method.",
        }.get(error.code or 500, error.description)
    )
    return problem_response(error.code or 500, detail or "")


# By code as well as by class: the app's HTML handlers are registered by code, and Flask prefers a code match.
bp.register_error_handler(HTTPException, _http)
for _code in (400, 403, 404, 405, 413):
    bp.register_error_handler(_code, _http)


def init_app(app, csrf) -> None:
    """Register the API, exempt it from the form-level CSRF hook (it checks CSRF itself), and bind the spec."""
    global _csrf
    from . import articles, audit, claims, docs, evidence, exports, sources, webhooks  # noqa: F401  (their routes join bp)

    _csrf = csrf
    csrf.exempt(bp)
    app.register_blueprint(bp)
