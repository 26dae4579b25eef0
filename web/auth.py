"""Staff sign-in: sessions, roles, CSRF protection, and the ``/staff`` sign-in, sign-out and audit pages.

Staff of the Infopoints and Pro Loco sign in with a username and password
(:mod:`gis_data.staff_store`, Argon2id hashes). Flask-Login keeps who is signed
in, in Flask's signed session cookie, with ``session_protection = "strong"``
(a cookie replayed from another address or browser is dropped). At sign-in
the session is emptied and filled anew, so its cookie and its CSRF token
change; sign-out empties it. A session also holds a fingerprint of the
password hash (a password reset ends every other session of the account) and
its start time: it ends after ``STAFF_SESSION_HOURS``. The account is read
again on every request, so a disabled account or a new role counts at once.

Every HTML form is protected by Flask-WTF's :class:`~flask_wtf.csrf.CSRFProtect`
(a hidden ``csrf_token`` field; a POST without it gets 400). The JSON API
blueprint is exempt on purpose: it changes nothing but ``POST /api/plans``,
which :mod:`web.security` protects with the Origin check and the JSON content
type (which a cross-site form cannot send), and API clients hold no session.

Configuration keys
------------------
SECRET_KEY : str
    Signs the session cookie. Unset, a random key is made once and kept in
    ``secret_key`` (mode 0600) in the instance folder, so every worker shares
    it; under ``TESTING`` a random key per app instead.
COOKIE_SECURE : bool or "auto"
    Whether the session cookie has the ``Secure`` flag. ``"auto"`` (the default):
    yes, except on plain http to a loopback address (``make run`` at
    http://127.0.0.1:5000, where the browser would drop a Secure cookie);
    Flask's own ``SESSION_COOKIE_SECURE = True`` forces it too. Set ``True``
    behind a TLS proxy that passes ``Host: 127.0.0.1``.
STAFF_SESSION_HOURS : float
    Longest a sign-in lasts (default 10: a working day).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar
from typing import cast
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import has_request_context
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect

from gis_data import settings
from gis_data.staff_rules import ROLES
from gis_data.staff_rules import check_role
from gis_data.staff_store import StaffAccount
from gis_data.staff_store import credential_stamp
from gis_data.staff_store import get_account
from web.plans import get_store

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask
    from werkzeug.wrappers import Response as BaseResponse

F = TypeVar("F", bound="Callable[..., Any]")

SECRET_FILE = "secret_key"
#: Session keys of a sign-in besides Flask-Login's own.
STAMP, SINCE = "staff_stamp", "staff_since"

login_manager = LoginManager()
csrf = CSRFProtect()


class SignedIn(UserMixin):  # type: ignore[misc]
    """The Flask-Login user of a signed-in staff member."""

    def __init__(self, account: StaffAccount) -> None:
        self.account = account

    def get_id(self) -> str:
        """Return the account id, as Flask-Login keeps it in the session."""
        return str(self.account.id)

    @property
    def is_active(self) -> bool:
        """Tell whether the account may sign in."""
        return self.account.active


def current_staff() -> StaffAccount | None:
    """Return the account of the staff member signed in to this request, or ``None``."""
    if not has_request_context():
        return None
    user = current_user._get_current_object()
    return user.account if isinstance(user, SignedIn) else None


def staff_required(role: str = "editor") -> Callable[[F], F]:
    """Make a view answer only staff of a role or above (``"editor"`` < ``"admin"``).

    Anonymous requests are sent to the sign-in page (or get 401 JSON under
    ``/api``); signed-in staff of a lesser role get 403.

    Parameters
    ----------
    role
        The least role allowed, one of :data:`gis_data.staff_rules.ROLES`.

    Returns
    -------
    callable
        The decorator.
    """
    least = ROLES.index(check_role(role))

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                return login_manager.unauthorized()
            if ROLES.index(staff.role) < least:
                abort(403)
            return view(*args, **kwargs)

        return cast("F", guarded)

    return decorate


def start_session(account: StaffAccount) -> None:
    """Sign an account in on a fresh session (new cookie, new CSRF token)."""
    session.clear()
    login_user(SignedIn(account))
    session[STAMP] = credential_stamp(get_store(), account.id)
    session[SINCE] = time.time()


def keep_session() -> None:
    """Keep the current session valid after its own account's password changed."""
    staff = current_staff()
    if staff is not None:
        session[STAMP] = credential_stamp(get_store(), staff.id)


def end_session() -> None:
    """Sign out and forget everything the session held."""
    logout_user()
    session.clear()


def _load_user(user_id: str) -> SignedIn | None:
    """Return the signed-in account, unless it is gone, disabled, re-keyed or the session has expired."""
    if not user_id.isdigit():
        return None
    started = session.get(SINCE)
    hours = float(current_app.config["STAFF_SESSION_HOURS"])
    if not isinstance(started, float) or time.time() - started > hours * 3600:
        return None
    engine = get_store()
    account = get_account(engine, int(user_id))
    if account is None or not account.active or session.get(STAMP) != credential_stamp(engine, account.id):
        return None
    return SignedIn(account)


def _unauthorized() -> BaseResponse | tuple[BaseResponse, int]:
    if request.path.startswith("/api/"):
        return jsonify({"error": "Sign in as staff first"}), 401
    return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))


def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    """Explain a refused form (no or a stale CSRF token) on a page, with status 400."""
    current_app.logger.info("Form refused at %s: %s", request.path, exc.description)
    return render_template("staff/refused.html", reason=exc.description), 400


def is_local_path(target: str) -> bool:
    """Tell whether a ``next`` target is a path on this site (not another site's URL).

    Examples
    --------
    >>> is_local_path("/staff/audit?limit=5"), is_local_path("//evil.example/"), is_local_path("https://x.org")
    (True, False, False)
    """
    parts = urlsplit(target)
    return target.startswith("/") and not target.startswith("//") and "\\" not in target and not parts.netloc


def plain_http_loopback(host_url: str) -> bool:
    """Tell whether a request came over plain http to a loopback address.

    Examples
    --------
    >>> plain_http_loopback("http://127.0.0.1:5000/"), plain_http_loopback("http://localhost/")
    (True, True)
    >>> plain_http_loopback("https://127.0.0.1/"), plain_http_loopback("http://cremona.example/")
    (False, False)
    """
    parts = urlsplit(host_url)
    if parts.scheme != "http" or parts.hostname is None:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, with the ``Secure`` flag chosen by ``COOKIE_SECURE``."""

    def get_cookie_secure(self, app: Flask) -> bool:
        mode = app.config["COOKIE_SECURE"]
        if app.config["SESSION_COOKIE_SECURE"] or mode is True:
            return True
        if mode is False:
            return False
        return not plain_http_loopback(request.host_url)


def secret_key(app: Flask) -> str:
    """Return the configured secret key, else the instance folder's (made once, mode 0600).

    Two workers starting at once agree: the key is written to a private
    temporary file that is then linked into place, which only one can do.
    """
    if app.config.get("SECRET_KEY"):
        return str(app.config["SECRET_KEY"])
    if app.config.get("TESTING"):
        return secrets.token_hex(32)
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    if not path.exists():
        temporary = folder / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            temporary.unlink()
    return path.read_text().strip()


def init_app(app: Flask) -> None:
    """Set up staff sessions, CSRF protection and the staff pages on an app.

    Parameters
    ----------
    app
        The app being created (after its blueprints are known: the API is exempted from CSRF).
    """
    from web import api
    from web import staff_admin
    from web import staff_pages

    app.config.setdefault("COOKIE_SECURE", "auto")
    app.config.setdefault("STAFF_SESSION_HOURS", 10)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a form stays valid for the whole sign-in
    app.config["SECRET_KEY"] = secret_key(app)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.session_interface = _SessionInterface()

    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.init_app(app)
    csrf.init_app(app)
    # The JSON API has its own CSRF defence (see the module docstring and web.security).
    csrf.exempt(api.bp)
    app.register_error_handler(CSRFError, _csrf_error)
    app.jinja_env.globals.update(current_staff=current_staff, data_attribution=lambda: settings.attribution)
    app.register_blueprint(staff_pages.bp)
    app.register_blueprint(staff_admin.bp)
