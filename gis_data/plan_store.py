"""Saved plans: itinerary documents kept under short, non-guessable ids in a SQL database.

SQLite is the embedded default (one file, for a single machine); PostgreSQL,
named by URL, lets an Infopoint network share one store. Access goes through
SQLAlchemy 2 Core with bound parameters only; PostgreSQL is reached with
psycopg 3. The schema is owned by Alembic migrations in
``gis_data/migrations`` (:func:`upgrade_database`), never by ``create_all``,
so a deployed database can be moved to a new schema in place.

An id is 12 URL-safe characters from :func:`secrets.token_urlsafe` (72 random
bits): short enough to read out at a counter, too many to guess.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError

from gis_data.errors import InvalidDataError
from gis_data.errors import PlanNotFoundError

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

#: Random bytes in an id; ``token_urlsafe`` turns 9 bytes into 12 characters.
ID_BYTES = 9
#: What an id looks like; anything else is refused before it reaches the database.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{12}")
#: Largest document stored, in bytes of JSON (a long multi-day trip is well under 1 MB).
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
#: Key of the advisory lock that serialises migrations of one PostgreSQL database.
MIGRATION_LOCK = 7_162_534_001

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Alembic keeps its migration context in module globals: one migration at a time per process.
_MIGRATING = threading.Lock()

metadata = sa.MetaData()

#: The table the migrations create; the code reads and writes it through this description.
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("format_version", sa.Integer, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Index("ix_plans_created_at", "created_at"),
)


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A stored itinerary document and when it was saved."""

    id: str
    created_at: dt.datetime
    document: dict[str, Any]


def engine_url(url: str) -> str:
    """Return a database URL with the driver this package uses (psycopg 3 for PostgreSQL).

    Examples
    --------
    >>> engine_url("postgresql://u@127.0.0.1:5432/plans")
    'postgresql+psycopg://u@127.0.0.1:5432/plans'
    >>> engine_url("sqlite:///plans.sqlite")
    'sqlite:///plans.sqlite'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def connect(url: str) -> sa.Engine:
    """Open (lazily) the database of a URL.

    Parameters
    ----------
    url
        ``sqlite:///path/plans.sqlite`` or ``postgresql://user@host:port/db``
        (``postgresql+psycopg://`` is implied).

    Returns
    -------
    sqlalchemy.Engine
        A pooled engine, safe to share between threads; no connection is made yet.

    Raises
    ------
    InvalidDataError
        If the URL names no database SQLAlchemy knows.
    """
    try:
        if url.startswith("sqlite"):
            # One engine serves a threaded server: let its pool hand the file to any thread.
            return sa.create_engine(url, connect_args={"check_same_thread": False})
        return sa.create_engine(engine_url(url), pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        msg = f"Not a usable database URL {_redacted(url)!r}: {exc}"
        raise InvalidDataError(msg) from exc


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def schema_head() -> str:
    """Return the id of the newest migration (what :func:`upgrade_database` brings a database to)."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        msg = f"No migrations in {str(_MIGRATIONS)!r}"
        raise InvalidDataError(msg)
    return head


def upgrade_database(engine: sa.Engine) -> None:
    """Bring the database's schema to the newest migration.

    Safe to call from several threads and processes at once: threads take
    turns under a lock, and processes on PostgreSQL under an advisory lock
    (SQLite serialises writers itself).

    Parameters
    ----------
    engine
        The database, from :func:`connect`.
    """
    config = _alembic_config()
    with _MIGRATING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("Plan store %s is at the newest schema", _redacted(str(engine.url)))


def new_plan_id() -> str:
    """Return a fresh random id.

    Examples
    --------
    >>> bool(ID_PATTERN.fullmatch(new_plan_id()))
    True
    """
    return secrets.token_urlsafe(ID_BYTES)


def is_plan_id(text: str) -> bool:
    """Return whether a text has the shape of a plan id.

    Examples
    --------
    >>> is_plan_id("AbC-_12345xy"), is_plan_id("1; DROP TABLE plans")
    (True, False)
    """
    return ID_PATTERN.fullmatch(text) is not None


def save_plan(engine: sa.Engine, document: Mapping[str, Any], *, created: dt.datetime | None = None) -> str:
    """Store an itinerary document under a new id.

    Parameters
    ----------
    engine
        The database, with its schema up to date (:func:`upgrade_database`).
    document
        A JSON-ready itinerary document (see :mod:`routing.itinerary_doc`).
    created
        When it was saved; now (UTC) by default.

    Returns
    -------
    str
        The new id.

    Raises
    ------
    InvalidDataError
        If the document is larger than :data:`MAX_DOCUMENT_BYTES`.
    """
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    size = len(text.encode())
    if size > MAX_DOCUMENT_BYTES:
        msg = f"Plan document is {size} bytes, more than the {MAX_DOCUMENT_BYTES} a plan may have"
        raise InvalidDataError(msg)
    row = {
        "created_at": created or dt.datetime.now(dt.UTC),
        "format_version": int(document.get("version") or 0),
        "document": text,
    }
    for _ in range(5):
        plan_id = new_plan_id()
        try:
            with engine.begin() as connection:
                connection.execute(sa.insert(plans).values(id=plan_id, **row))
        except IntegrityError:  # 72 random bits: a clash is next to impossible, but never fatal
            logger.warning("Plan id %s already taken; drawing another", plan_id)
            continue
        return plan_id
    msg = "Could not draw an unused plan id in 5 tries"
    raise InvalidDataError(msg)


def load_plan(engine: sa.Engine, plan_id: str) -> SavedPlan:
    """Read a stored plan.

    Parameters
    ----------
    engine
        The database.
    plan_id
        An id :func:`save_plan` returned.

    Returns
    -------
    SavedPlan
        The document and its save time (timezone-aware, UTC).

    Raises
    ------
    PlanNotFoundError
        If no plan has that id (or the text is not an id at all).
    """
    if not is_plan_id(plan_id):
        msg = f"{plan_id!r} is not a plan id (12 letters, digits, '-' or '_')"
        raise PlanNotFoundError(msg, plan_id)
    query = sa.select(plans.c.created_at, plans.c.document).where(plans.c.id == plan_id)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        msg = f"No saved plan has the id {plan_id!r}"
        raise PlanNotFoundError(msg, plan_id)
    created: dt.datetime = row.created_at
    if created.tzinfo is None:  # SQLite keeps no time zone; the value was written in UTC
        created = created.replace(tzinfo=dt.UTC)
    return SavedPlan(plan_id, created, json.loads(row.document))


def count_plans(engine: sa.Engine) -> int:
    """Return how many plans are stored."""
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(plans)).scalar_one())


def _redacted(url: str) -> str:
    """Hide the password of a database URL for messages and logs.

    Examples
    --------
    >>> _redacted("postgresql://kiosk:s3cret@db:5432/plans")
    'postgresql://kiosk:***@db:5432/plans'
    """
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
