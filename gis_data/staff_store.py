"""Staff accounts of the Infopoints and Pro Loco: creation, sign-in checks and changes, each audited.

Passwords are hashed with Argon2id (``argon2-cffi``'s :class:`~argon2.PasswordHasher`,
RFC 9106 parameters); only the hash is stored, and neither the password nor
the hash is ever logged or written to the audit trail. A sign-in with an
unknown username still spends the time of a hash check, so timing does not
tell which usernames exist. After :data:`MAX_FAILURES` failed sign-ins of one
username within :data:`LOCKOUT` (counted from the audit trail, so all server
workers agree), that username is refused until the window has passed.

The audit trail itself lives in :mod:`gis_data.audit`; :func:`record_audit`
and :func:`list_audit` are re-exported here for the callers of this module.

Module globals
--------------
hasher : argon2.PasswordHasher
    The hasher used by every function here, read at call time (tests may swap it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy.exc import IntegrityError

from gis_data.audit import AuditEntry
from gis_data.audit import as_utc
from gis_data.audit import count_actions
from gis_data.audit import last_action_at
from gis_data.audit import list_audit
from gis_data.audit import record_audit
from gis_data.errors import AccountNotFoundError
from gis_data.errors import InvalidAccountError
from gis_data.plan_store import metadata
from gis_data.staff_rules import INFOPOINTS
from gis_data.staff_rules import MAX_PASSWORD_LENGTH
from gis_data.staff_rules import ROLES
from gis_data.staff_rules import USERNAME_PATTERN
from gis_data.staff_rules import check_organisation
from gis_data.staff_rules import check_password
from gis_data.staff_rules import check_role
from gis_data.staff_rules import check_username

__all__ = [
    "INFOPOINTS",
    "ROLES",
    "AuditEntry",
    "StaffAccount",
    "authenticate",
    "create_account",
    "credential_stamp",
    "find_account",
    "get_account",
    "is_locked",
    "list_accounts",
    "list_audit",
    "record_audit",
    "update_account",
]

logger = logging.getLogger(__name__)

#: Failed sign-ins of one username within :data:`LOCKOUT` after which it is refused.
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
#: Who the audit trail names for a sign-in nobody has proven.
ANONYMOUS = "(anonymous)"
hasher = PasswordHasher()

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("organisation", sa.String(120), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
_PUBLIC = [c for c in staff_accounts.c if c.name != "password_hash"]


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A staff member's account (never with its password hash)."""

    id: int
    username: str
    role: str
    organisation: str
    active: bool
    created_at: dt.datetime

    def audit_values(self) -> dict[str, Any]:
        """Return what the audit trail records of the account."""
        return {"username": self.username, "role": self.role, "organisation": self.organisation, "active": self.active}


def _account(row: sa.Row[Any]) -> StaffAccount:
    return StaffAccount(
        id=row.id,
        username=row.username,
        role=row.role,
        organisation=row.organisation,
        active=bool(row.active),
        created_at=as_utc(row.created_at),
    )


def create_account(
    engine: sa.Engine, username: str, password: str, *, role: str, organisation: str, actor: str
) -> StaffAccount:
    """Create an active account and record it in the audit trail.

    Parameters
    ----------
    engine
        The database, with its schema up to date.
    username
        3 to 64 letters, digits, ``.``, ``_`` or ``-``; stored in lower case.
    password
        12 to 256 characters, not containing the username; only its hash is stored.
    role
        One of :data:`ROLES`.
    organisation
        An Infopoint of :data:`INFOPOINTS`, or ``"Pro Loco <comune>"``.
    actor
        Username of who creates it (the audit trail's ``actor``).

    Returns
    -------
    StaffAccount
        The new account.

    Raises
    ------
    InvalidAccountError
        If a value is not acceptable or the username is taken (``field`` names which).
    """
    name = check_username(username)
    values = {"username": name, "role": check_role(role), "organisation": check_organisation(organisation)}
    secret = hasher.hash(check_password(password, username=name))
    created = dt.datetime.now(dt.UTC)
    row = {**values, "password_hash": secret, "active": True, "created_at": created}
    try:
        with engine.begin() as connection:
            query = sa.insert(staff_accounts).values(**row).returning(staff_accounts.c.id)
            account = StaffAccount(id=connection.execute(query).scalar_one(), active=True, created_at=created, **values)
            record_audit(
                connection,
                actor=actor,
                action="create",
                target_kind="account",
                target_id=name,
                before=None,
                after=account.audit_values(),
            )
    except IntegrityError as exc:
        msg = f"Username {name!r} is already taken"
        raise InvalidAccountError(msg, "username") from exc
    logger.info("Staff account %s (%s, %s) created by %s", name, values["role"], values["organisation"], actor)
    return account


def get_account(engine: sa.Engine, account_id: int) -> StaffAccount | None:
    """Return the account with an id, or ``None``."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(*_PUBLIC).where(staff_accounts.c.id == account_id)).first()
    return _account(row) if row is not None else None


def find_account(engine: sa.Engine, username: str) -> StaffAccount | None:
    """Return the account with a username (any case), or ``None``."""
    name = username.strip().lower()
    with engine.connect() as connection:
        row = connection.execute(sa.select(*_PUBLIC).where(staff_accounts.c.username == name)).first()
    return _account(row) if row is not None else None


def list_accounts(engine: sa.Engine) -> list[StaffAccount]:
    """Return every account, by username."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(*_PUBLIC).order_by(staff_accounts.c.username)).all()
    return [_account(row) for row in rows]


def credential_stamp(engine: sa.Engine, account_id: int) -> str | None:
    """Return a short fingerprint of an account's password hash (``None`` if no such account).

    A sign-in session keeps the stamp it started with; a new password changes it,
    which ends every other session of the account.
    """
    query = sa.select(staff_accounts.c.password_hash).where(staff_accounts.c.id == account_id)
    with engine.connect() as connection:
        secret = connection.execute(query).scalar_one_or_none()
    return hashlib.sha256(secret.encode()).hexdigest()[:32] if secret is not None else None


def update_account(
    engine: sa.Engine,
    account_id: int,
    *,
    actor: str,
    role: str | None = None,
    organisation: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> StaffAccount:
    """Change an account's role, organisation, active state or password, and audit the change.

    Parameters
    ----------
    engine
        The database.
    account_id
        The account.
    actor
        Username of who changes it.
    role, organisation, active, password
        New values; ``None`` keeps the current one. The audit row's ``after``
        says ``"password": "changed"`` for a new password, never the password.

    Returns
    -------
    StaffAccount
        The account as it is now (unchanged, and not audited, if nothing changed).

    Raises
    ------
    AccountNotFoundError
        If no account has the id.
    InvalidAccountError
        If a value is not acceptable, or the change would leave no active admin.
    """
    old = get_account(engine, account_id)
    if old is None:
        msg = f"No staff account has the id {account_id!r}"
        raise AccountNotFoundError(msg)
    changes: dict[str, Any] = {}
    if role is not None and check_role(role) != old.role:
        changes["role"] = check_role(role)
    if organisation is not None and check_organisation(organisation) != old.organisation:
        changes["organisation"] = check_organisation(organisation)
    if active is not None and active != old.active:
        changes["active"] = active
    if password is not None:
        changes["password_hash"] = hasher.hash(check_password(password, username=old.username))
    if not changes:
        return old
    new = dataclasses.replace(old, **{k: v for k, v in changes.items() if k != "password_hash"})
    after = new.audit_values() | ({"password": "changed"} if password is not None else {})
    with engine.begin() as connection:
        if old.role == "admin" and old.active and not (new.role == "admin" and new.active):
            _keep_an_admin(connection, old)
        connection.execute(sa.update(staff_accounts).where(staff_accounts.c.id == account_id).values(**changes))
        record_audit(
            connection,
            actor=actor,
            action="update",
            target_kind="account",
            target_id=old.username,
            before=old.audit_values(),
            after=after,
        )
    logger.info("Staff account %s changed by %s: %s", old.username, actor, sorted(after.keys() - {"username"}))
    return new


def _keep_an_admin(connection: sa.Connection, account: StaffAccount) -> None:
    others = connection.execute(
        sa.select(sa.func.count())
        .select_from(staff_accounts)
        .where(staff_accounts.c.role == "admin", staff_accounts.c.active, staff_accounts.c.id != account.id)
    ).scalar_one()
    if not others:
        msg = f"{account.username!r} is the last active admin: make another admin first"
        raise InvalidAccountError(msg, "role")


def is_locked(engine: sa.Engine, username: str) -> bool:
    """Tell whether a username has had :data:`MAX_FAILURES` failed sign-ins within :data:`LOCKOUT`.

    Failures before the username's last successful sign-in do not count.
    """
    name = username.strip().lower()
    now = dt.datetime.now(dt.UTC)
    with engine.connect() as connection:
        last_ok = last_action_at(connection, action="sign_in", target_kind="account", target_id=name)
        since = max(now - LOCKOUT, last_ok) if last_ok is not None else now - LOCKOUT
        failures = count_actions(
            connection, action="sign_in_failed", target_kind="account", target_id=name, since=since
        )
    return failures >= MAX_FAILURES


def authenticate(engine: sa.Engine, username: str, password: str) -> StaffAccount | None:
    """Check a username and password, and record the sign-in (or its failure) in the audit trail.

    Parameters
    ----------
    engine
        The database.
    username, password
        As typed at the sign-in form.

    Returns
    -------
    StaffAccount or None
        The account, if it exists, is active, is not locked out (:func:`is_locked`)
        and the password matches; else ``None``. A hash made with older
        parameters is replaced by one made with the current ones.
    """
    name = username.strip().lower()
    target = name if USERNAME_PATTERN.fullmatch(name) else "(not a username)"
    with engine.connect() as connection:
        row = connection.execute(sa.select(staff_accounts).where(staff_accounts.c.username == name)).first()
    reason = "locked" if is_locked(engine, target) else None
    # Unknown users cost one hash check too: the answer's timing names no usernames.
    secret = row.password_hash if row is not None else _dummy_hash()
    if not _verify(secret, password):
        reason = reason or ("unknown username" if row is None else "wrong password")
    elif row is not None and not row.active:
        reason = reason or "account disabled"
    with engine.begin() as connection:
        if reason is not None or row is None:
            record_audit(
                connection,
                actor=ANONYMOUS,
                action="sign_in_failed",
                target_kind="account",
                target_id=target,
                before=None,
                after={"reason": reason or "unknown username"},
            )
            logger.info("Failed sign-in for %r: %s", target, reason)
            return None
        if hasher.check_needs_rehash(row.password_hash):
            rehashed = hasher.hash(password)
            connection.execute(
                sa.update(staff_accounts).where(staff_accounts.c.id == row.id).values(password_hash=rehashed)
            )
        record_audit(
            connection, actor=name, action="sign_in", target_kind="account", target_id=name, before=None, after=None
        )
    return _account(row)


def _verify(secret: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return hasher.verify(secret, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    """Return the hash of a random text nobody knows, made once per set of hasher parameters."""
    key = repr((hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len))
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY[key]
