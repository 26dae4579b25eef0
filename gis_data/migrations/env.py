"""Alembic environment of the plan store: migrations run on the connection the caller hands in.

:func:`gis_data.plan_store.upgrade_database` puts an open connection in
``config.attributes["connection"]``; without one (the ``alembic`` command line
with ``-x url=...``), a connection is made from that URL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from gis_data.plan_store import engine_url
from gis_data.plan_store import metadata


def run_migrations() -> None:
    """Run the pending migrations online, on the given or a new connection."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        msg = "Give the database as `alembic -x url=DATABASE_URL ...`"
        raise SystemExit(msg)
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


# Alembic sets up ``context`` before it runs this file; an import from elsewhere (pytest
# collecting doctests) finds no ``context.config`` and must not migrate anything.
if hasattr(context, "config"):
    run_migrations()
