"""Sign-in, sign-out and the one place where roles are enforced."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from . import throttle
from .db import get_session
from .errors import InputError
from .models import Role, User
from .services.users import authenticate, change_own_password, end_sessions, record_sign_in
from .throttle import login_throttle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"

PUBLIC_ENDPOINTS = {
    "auth.login",
    "static",
    "assets.htmx",
    "assets.favicon",
    "health.healthz",
    "health.readyz",
    "api.openapi",
}


class SessionUser:
    """The signed-in user as Flask-Login sees it, wrapping the stored User."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.is_authenticated = True
        self.is_active = user.active
        self.is_anonymous = False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session."""
        return str(self.id)

    def has_role(self, role: Role | str) -> bool:
        """True when the user's role is at least the given one."""
        return Role(self.user.role).rank >= Role(role).rank


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    """Reload the signed-in user on each request; None when the session was ended, timed out or the user left."""
    if not user_id.isdigit() or len(user_id) > 10:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or session.get("session_version") != user.session_version:
        return None
    now = time.time()
    signed_in_at, seen_at = session.get("signed_in_at", 0), session.get("seen_at", 0)
    if (
        now - signed_in_at > current_app.config["SESSION_MAX_HOURS"] * 3600
        or now - seen_at > current_app.config["SESSION_IDLE_MINUTES"] * 60
    ):
        session.clear()
        return None
    if now - seen_at > 30:  # refresh the idle clock without rewriting the cookie on every request
        session["seen_at"] = int(now)
    return SessionUser(user)


def start_session(user: User) -> None:
    """Sign a user in on a fresh session: a new CSRF token, the user's session version and the clocks."""
    session.clear()  # nothing from before sign-in survives it, the CSRF token included
    login_user(SessionUser(user))
    now = int(time.time())
    session.update(session_version=user.session_version, signed_in_at=now, seen_at=now)


def require_role(role: Role | str):
    """Decorate a view so that only users with at least this role reach it (403 for the others)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = Role(role)
        return wrapped

    return decorator


def acting_user() -> User | None:
    """Return the stored User behind the current request, if signed in."""
    return current_user.user if current_user.is_authenticated else None


def signed_in_user() -> User:
    """The signed-in user, in a view that require_role guards (which has already refused everyone else)."""
    user = acting_user()
    if user is None:
        abort(401)
    return user


def htmx_sign_in():
    """An htmx request without a session: send the whole page to sign-in (not a login form swapped into a row),
    coming back afterwards to the page the user was on."""
    here = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = here.path + ("?" + here.query if here.query else "") if here.path else request.path
    response = make_response("", 401)
    response.headers["HX-Redirect"] = url_for("auth.login", next=_safe_next(back))
    return response


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("articles.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in; repeated failures per account or address answer 429."""
    error = None
    status = 200
    headers = {}
    if request.method == "POST":
        email, address = request.form.get("email", ""), request.remote_addr or ""
        limiter = login_throttle()
        wait = limiter.retry_after(account=email, address=address)
        if wait is not None:
            error = f"Too many failed sign-ins; wait {wait // 60} min {wait % 60} s and try again."
            status, headers = 429, {"Retry-After": str(wait)}
        else:
            user = authenticate(session=get_session(), email=email, password=request.form.get("password", ""))
            if user is not None:
                limiter.succeeded(account=email)
                start_session(user)
                record_sign_in(session=get_session(), user=user)
                return redirect(_safe_next(request.args.get("next")), code=303)
            limiter.failed(account=email, address=address)
            error = "That email and password do not match an active account."
            status = 401
    return render_template("login.html", error=error, email=request.form.get("email", "")), status, headers


@bp.post("/logout")
def logout():
    """Sign the user out, ending every session of the account (a copied cookie stops working too)."""
    if current_user.is_authenticated:
        db = get_session()
        end_sessions(session=db, user=current_user.user)
        db.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
def account():
    """Change one's own password; every other session of the account ends, this one starts afresh."""
    error, status, headers = None, 200, {}
    if request.method == "POST":
        db, email, address = get_session(), current_user.user.email, request.remote_addr or ""
        limiter = login_throttle()  # guessing the current password counts as failed sign-ins
        wait = limiter.retry_after(account=email, address=address)
        try:
            if wait is not None:
                status, headers = 429, {"Retry-After": str(wait)}
                raise InputError(f"Too many wrong passwords; wait {wait // 60} min {wait % 60} s and try again.")
            user = change_own_password(
                session=db,
                user=current_user.user,
                current=request.form.get("current", ""),
                new=request.form.get("password", ""),
            )
        except InputError as problem:
            error, status = str(problem), status if status == 429 else 422
            if status == 422 and "current password" in error:
                limiter.failed(account=email, address=address)
        else:
            start_session(user)
            flash("Password changed; your other sessions have ended.", "success")
            return redirect(url_for("auth.account"), code=303)
    return render_template("account.html", error=error), status, headers


def init_app(app) -> None:
    """Wire Flask-Login in and require sign-in for every endpoint but the public ones."""
    login_manager.init_app(app)
    throttle.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def _require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if request.blueprint == "api":  # the API authenticates each request itself: a token, or a session + CSRF
            return None
        if not current_user.is_authenticated:
            return htmx_sign_in() if request.headers.get("HX-Request") else login_manager.unauthorized()
        return None
