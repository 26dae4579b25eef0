"""The audit trail: an append-only record of who changed what, when, with the values before and after.

Staff actions (account changes, sign-ins and sign-outs, content edits) each
add one row through :func:`record_audit`, inside the transaction of the change
itself, so a change and its audit row commit or roll back together. Nothing in
the package updates or deletes a row: the trail can only grow. Rows name staff
by username (that is the point of a trail); they never hold passwords or
password hashes, nor anything about visitors.

``before`` and ``after`` are JSON objects (dates and times as ISO text); a
creation has no ``before``, a deletion no ``after``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa

from gis_data.plan_store import metadata

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Longest texts the columns hold (see migration 0003).
MAX_ACTOR = 64
MAX_ACTION = 32
MAX_TARGET_KIND = 16
MAX_TARGET_ID = 64
#: Keys a ``before``/``after`` object may never have: secrets stay out of the trail.
FORBIDDEN_KEYS = frozenset({"password_hash", "password_hash_before", "password_hash_after"})

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(MAX_ACTOR), nullable=False),
    sa.Column("action", sa.String(MAX_ACTION), nullable=False),
    sa.Column("target_kind", sa.String(MAX_TARGET_KIND), nullable=False),
    sa.Column("target_id", sa.String(MAX_TARGET_ID), nullable=False),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_target", "target_kind", "target_id"),
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit trail."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    target_kind: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return a time read from the database as timezone-aware UTC (SQLite keeps no time zone).

    Examples
    --------
    >>> as_utc(dt.datetime(2026, 5, 1, 9, 30)).isoformat()
    '2026-05-01T09:30:00+00:00'
    """
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _checked(name: str, value: str, limit: int) -> str:
    if not value or len(value) > limit:
        msg = f"Audit {name} must be 1 to {limit} characters, not {value!r}"
        raise ValueError(msg)
    return value


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    secret = FORBIDDEN_KEYS.intersection(values)
    if secret:
        msg = f"Audit values may not hold {sorted(secret)!r}"
        raise ValueError(msg)
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)


def record_audit(
    connection: sa.Connection,
    *,
    actor: str,
    action: str,
    target_kind: str,
    target_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Add a row to the audit trail, in the caller's transaction.

    Parameters
    ----------
    connection
        A connection in a transaction (``with engine.begin() as connection``): the
        row commits with the change it describes, or not at all.
    actor
        Username of who acted (``"(anonymous)"`` for a failed sign-in).
    action
        What was done, e.g. ``"create"``, ``"update"``, ``"publish"``, ``"sign_in"``.
    target_kind, target_id
        What it was done to, e.g. ``"account"`` and a username, or ``"poi"`` and its id.
    before, after
        The target's values before and after (``None`` for none); JSON-ready,
        dates and times become ISO text.

    Raises
    ------
    ValueError
        If a text is empty or too long for its column, or the values hold a password hash.
    """
    row = {
        "at": dt.datetime.now(dt.UTC),
        "actor": _checked("actor", actor, MAX_ACTOR),
        "action": _checked("action", action, MAX_ACTION),
        "target_kind": _checked("target_kind", target_kind, MAX_TARGET_KIND),
        "target_id": _checked("target_id", target_id, MAX_TARGET_ID),
        "before": _json(before),
        "after": _json(after),
    }
    connection.execute(sa.insert(audit_log).values(**row))


def list_audit(
    engine: sa.Engine, *, limit: int = 200, target_kind: str | None = None, target_id: str | None = None
) -> list[AuditEntry]:
    """Return the newest audit rows first, optionally those of one kind or one target.

    Parameters
    ----------
    engine
        The database.
    limit
        Most rows returned (at least 1).
    target_kind, target_id
        Keep only the rows about this kind of target, and this target.

    Returns
    -------
    list of AuditEntry
        Newest first; times are timezone-aware UTC.
    """
    query = sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(max(1, limit))
    if target_kind is not None:
        query = query.where(audit_log.c.target_kind == target_kind)
    if target_id is not None:
        query = query.where(audit_log.c.target_id == target_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        AuditEntry(
            id=row.id,
            at=as_utc(row.at),
            actor=row.actor,
            action=row.action,
            target_kind=row.target_kind,
            target_id=row.target_id,
            before=json.loads(row.before) if row.before is not None else None,
            after=json.loads(row.after) if row.after is not None else None,
        )
        for row in rows
    ]


def count_actions(
    connection: sa.Connection, *, action: str, target_kind: str, target_id: str, since: dt.datetime
) -> int:
    """Count the rows of one action on one target at or after a time (e.g. recent failed sign-ins)."""
    query = (
        sa.select(sa.func.count())
        .select_from(audit_log)
        .where(
            audit_log.c.action == action,
            audit_log.c.target_kind == target_kind,
            audit_log.c.target_id == target_id,
            audit_log.c.at >= since,
        )
    )
    return int(connection.execute(query).scalar_one())


def last_action_at(connection: sa.Connection, *, action: str, target_kind: str, target_id: str) -> dt.datetime | None:
    """Return when one action was last done on one target, or ``None`` if never."""
    query = sa.select(sa.func.max(audit_log.c.at)).where(
        audit_log.c.action == action,
        audit_log.c.target_kind == target_kind,
        audit_log.c.target_id == target_id,
    )
    found: dt.datetime | None = connection.execute(query).scalar_one()
    return as_utc(found) if found is not None else None
