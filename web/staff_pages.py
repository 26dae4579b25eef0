"""The ``staff`` blueprint: sign-in, sign-out, the staff home page and the (read-only) audit trail.

There is deliberately no view that changes or deletes audit rows: ``/staff/audit``
answers GET only, and every write to the trail goes through
:func:`gis_data.audit.record_audit`, in the transaction of the change it records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from gis_data.audit import MAX_TARGET_ID
from gis_data.audit import MAX_TARGET_KIND
from gis_data.staff_store import authenticate
from gis_data.staff_store import is_locked
from gis_data.staff_store import list_audit
from gis_data.staff_store import record_audit
from web.auth import current_staff
from web.auth import end_session
from web.auth import is_local_path
from web.auth import staff_required
from web.auth import start_session
from web.plans import get_store

if TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from gis_data.audit import AuditEntry

bp = Blueprint("staff", __name__, url_prefix="/staff")

#: Most audit rows one page shows.
MAX_AUDIT_ROWS = 1000
#: Longest username text the sign-in form reads.
MAX_USERNAME_INPUT = 200


@bp.get("/")
@staff_required("editor")
def home() -> str:
    """Show the staff home page: who is signed in, and where to go."""
    return render_template("staff/home.html")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse | str | tuple[str, int]:
    """Show the sign-in form, or check it and start a session."""
    target = request.values.get("next", "")
    target = target if is_local_path(target) else url_for("staff.home")
    if request.method == "GET":
        if current_staff() is not None:
            return redirect(target)
        return render_template("staff/sign_in.html", next=target, username="", error=None)
    username = request.form.get("username", "")[:MAX_USERNAME_INPUT]
    account = authenticate(get_store(), username, request.form.get("password", ""))
    if account is None:
        if is_locked(get_store(), username):
            error = _("Too many failed sign-ins for %(name)s: wait 15 minutes and try again.", name=username)
        else:
            error = _("Wrong username or password, or the account is disabled.")
        return render_template("staff/sign_in.html", next=target, username=username, error=error), 401
    start_session(account)
    return redirect(target)


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    """End the session (recorded in the audit trail) and go back to the sign-in page."""
    staff = current_staff()
    if staff is not None:
        with get_store().begin() as connection:
            record_audit(
                connection,
                actor=staff.username,
                action="sign_out",
                target_kind="account",
                target_id=staff.username,
                before=None,
                after=None,
            )
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("staff.sign_in"))


@bp.get("/audit")
@staff_required("editor")
def audit() -> str:
    """Show the newest audit rows, optionally of one kind of target or one target."""
    limit = min(max(request.args.get("limit", 200, type=int), 1), MAX_AUDIT_ROWS)
    kind = request.args.get("target_kind", "").strip()[:MAX_TARGET_KIND] or None
    target = request.args.get("target_id", "").strip()[:MAX_TARGET_ID] or None
    entries = list_audit(get_store(), limit=limit, target_kind=kind, target_id=target)
    rows = [(entry, audit_changes(entry)) for entry in entries]
    return render_template("staff/audit.html", rows=rows, limit=limit, target_kind=kind or "", target_id=target or "")


def audit_changes(entry: AuditEntry) -> list[tuple[str, Any, Any, bool]]:
    """Return an audit row's values as ``(key, before, after, changed)``, by key.

    Examples
    --------
    >>> import datetime as dt
    >>> from gis_data.audit import AuditEntry
    >>> e = AuditEntry(1, dt.datetime(2026, 5, 1), "anna", "update", "account", "bob", {"role": "editor"},
    ...                {"role": "admin", "active": True})
    >>> audit_changes(e)
    [('active', None, True, True), ('role', 'editor', 'admin', True)]
    """
    before, after = entry.before or {}, entry.after or {}
    keys = sorted(before.keys() | after.keys())
    return [(key, before.get(key), after.get(key), before.get(key) != after.get(key)) for key in keys]
