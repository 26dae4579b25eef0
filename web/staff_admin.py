"""The ``staff_admin`` blueprint (``/staff/accounts``, admins only): create, change, disable and re-key accounts.

Every change goes through :mod:`gis_data.staff_store`, which validates it and
records it in the audit trail with the admin as actor. A bad value re-shows
the form with a message naming it (status 400).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from gis_data.errors import AccountNotFoundError
from gis_data.errors import InvalidAccountError
from gis_data.staff_rules import INFOPOINTS
from gis_data.staff_rules import MIN_PASSWORD_LENGTH
from gis_data.staff_rules import ROLES
from gis_data.staff_store import StaffAccount
from gis_data.staff_store import create_account
from gis_data.staff_store import get_account
from gis_data.staff_store import list_accounts
from gis_data.staff_store import update_account
from web.auth import current_staff
from web.auth import keep_session
from web.auth import staff_required
from web.plans import get_store

if TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

bp = Blueprint("staff_admin", __name__, url_prefix="/staff/accounts")


def _actor() -> str:
    staff = current_staff()
    if staff is None:  # pragma: no cover - every view is guarded by staff_required
        abort(401)
    return staff.username


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    options = {"roles": ROLES, "infopoints": INFOPOINTS, "min_password": MIN_PASSWORD_LENGTH}
    return render_template(template, **options, **context), status


def _new_password() -> str:
    """Return the password typed twice in the form."""
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        msg = _("The two passwords differ: type the same password twice.")
        raise InvalidAccountError(msg, "password")
    return password


@bp.get("")
@staff_required("admin")
def accounts() -> tuple[str, int]:
    """List the accounts, with the form to create one."""
    return _page("staff/accounts.html", accounts=list_accounts(get_store()), form={}, error=None)


@bp.post("")
@staff_required("admin")
def create() -> BaseResponse | tuple[str, int]:
    """Create an account from the form."""
    form = {key: request.form.get(key, "") for key in ("username", "role", "organisation")}
    try:
        account = create_account(get_store(), form["username"], _new_password(), **form_values(form), actor=_actor())
    except InvalidAccountError as exc:
        return _page("staff/accounts.html", 400, accounts=list_accounts(get_store()), form=form, error=exc)
    flash(_("Account %(name)s created.", name=account.username), "info")
    return redirect(url_for("staff_admin.accounts"))


def form_values(form: dict[str, str]) -> dict[str, str]:
    """Return the role and organisation of a submitted account form.

    Examples
    --------
    >>> form_values({"username": "anna", "role": "editor", "organisation": "Infopoint Crema"})
    {'role': 'editor', 'organisation': 'Infopoint Crema'}
    """
    return {"role": form.get("role", ""), "organisation": form.get("organisation", "")}


def _account_or_404(account_id: int) -> StaffAccount:
    account = get_account(get_store(), account_id)
    if account is None:
        abort(404, description=f"No staff account has the id {account_id}")
    return account


@bp.get("/<int:account_id>")
@staff_required("admin")
def edit(account_id: int) -> tuple[str, int]:
    """Show one account with the forms that change it."""
    return _page("staff/account.html", account=_account_or_404(account_id), form=None, error=None)


def _change(account_id: int, **changes: Any) -> BaseResponse | tuple[str, int]:
    """Apply a change from one of the account's forms; re-show the page with the problem if refused."""
    account = _account_or_404(account_id)
    try:
        update_account(get_store(), account_id, actor=_actor(), **changes)
        if "password" in changes and account.username == _actor():
            keep_session()  # a new password ends the other sessions, not this one
    except InvalidAccountError as exc:
        typed = request.form if "organisation" in request.form else None
        return _page("staff/account.html", 400, account=account, form=typed, error=exc)
    except AccountNotFoundError:
        abort(404)
    flash(_("Account %(name)s saved.", name=account.username), "info")
    return redirect(url_for("staff_admin.edit", account_id=account_id))


@bp.post("/<int:account_id>")
@staff_required("admin")
def update(account_id: int) -> BaseResponse | tuple[str, int]:
    """Change an account's role and organisation."""
    return _change(account_id, **form_values({k: request.form.get(k, "") for k in ("role", "organisation")}))


@bp.post("/<int:account_id>/status")
@staff_required("admin")
def status(account_id: int) -> BaseResponse | tuple[str, int]:
    """Disable (``active=0``) or enable (``active=1``) an account."""
    value = request.form.get("active", "")
    if value not in {"0", "1"}:
        abort(400, description=f"active must be 0 or 1, not {value!r}")
    return _change(account_id, active=value == "1")


@bp.post("/<int:account_id>/password")
@staff_required("admin")
def password(account_id: int) -> BaseResponse | tuple[str, int]:
    """Give an account a new password (its other sessions end)."""
    try:
        new = _new_password()
    except InvalidAccountError as exc:
        return _page("staff/account.html", 400, account=_account_or_404(account_id), form=None, error=exc)
    return _change(account_id, password=new)
