"""Sign-in, sign-out and the one place where roles are enforced."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user

from .db import get_session
from .models import Role, User
from .services.users import authenticate

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"

PUBLIC_ENDPOINTS = {"auth.login", "static", "assets.htmx"}


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
    """Reload the signed-in user from the database on each request."""
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return SessionUser(user) if user is not None and user.active else None


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


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("articles.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    error = None
    status = 200
    if request.method == "POST":
        user = authenticate(session=get_session(), email=request.form.get("email", ""),
                            password=request.form.get("password", ""))
        if user is not None:
            login_user(SessionUser(user))
            return redirect(_safe_next(request.args.get("next")), code=303)
        error = "That email and password do not match an active account."
        status = 401
    return render_template("login.html", error=error, email=request.form.get("email", "")), status


@bp.post("/logout")
def logout():
    """Sign the user out."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


def init_app(app) -> None:
    """Wire Flask-Login in and require sign-in for every endpoint but the public ones."""
    login_manager.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def _require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None
