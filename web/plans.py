"""The saved-plan database as an app resource (flaskr's ``get_db``, one engine per app).

The engine is a connection pool, made on first use from ``DATABASE_URL`` and
shared by the app's threads; the schema is brought up to date then
(:func:`gis_data.plan_store.upgrade_database`). Workers share nothing else, so
any number of them, on any number of machines, can serve one PostgreSQL store.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

from gis_data import plan_store

if TYPE_CHECKING:
    import sqlalchemy as sa
    from flask import Flask

EXTENSION = "cremona_bike.plans"


class _StoreSlot:
    __slots__ = ("engine", "lock")

    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        self.lock = threading.Lock()


def database_url(app: Flask) -> str:
    """Return the configured database URL, by default a SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return str(url)
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'plans.sqlite'}"


def get_store() -> sa.Engine:
    """Return the current app's plan database, connecting and migrating it on first use.

    Raises
    ------
    gis_data.errors.InvalidDataError
        If the URL is not usable.
    sqlalchemy.exc.OperationalError
        If the database cannot be reached.
    """
    slot: _StoreSlot = current_app.extensions[EXTENSION]
    if slot.engine is None:
        with slot.lock:
            if slot.engine is None:
                engine = plan_store.connect(database_url(current_app))
                plan_store.upgrade_database(engine)
                slot.engine = engine
    return slot.engine


def init_app(app: Flask) -> None:
    """Give an app its (not yet opened) plan database, closed with the app's process."""
    app.extensions[EXTENSION] = _StoreSlot()


def close_store(app: Flask) -> None:
    """Close the app's database connections (tests and shutdown hooks; a later use reopens them)."""
    slot: _StoreSlot = app.extensions[EXTENSION]
    with slot.lock:
        if slot.engine is not None:
            slot.engine.dispose()
            slot.engine = None
