"""The web app's database from the command line: ``--database URL`` and opening it.

Commands that work on what the web app stores (staff accounts, usage counts)
default to the app's own database: what ``gunicorn "web:create_app()"`` would
use (``FLASK_DATABASE_URL``, the instance ``config.py``, else ``plans.sqlite``
in the instance folder).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from sqlalchemy.exc import SQLAlchemyError

from cli.options import one_line
from gis_data.errors import AccountNotFoundError
from gis_data.errors import InvalidAccountError
from gis_data.errors import InvalidDataError
from gis_data.plan_store import connect
from gis_data.plan_store import upgrade_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    import sqlalchemy as sa

database_option = click.option(
    "--database",
    metavar="URL",
    default=None,
    help="sqlite:///path or postgresql://user@host/db  [default: the web app's database]",
)


def web_database_url() -> str:
    """Return the database URL the web app would use, configured as for gunicorn."""
    from web import create_app
    from web.plans import database_url

    return database_url(create_app())


@contextmanager
def open_database(url: str | None) -> Iterator[sa.Engine]:
    """Open (and migrate) the database; bad values and database failures become ``Error: ...``."""
    engine = None
    try:
        engine = connect(url or web_database_url())
        upgrade_database(engine)
        yield engine
    except (InvalidAccountError, AccountNotFoundError, InvalidDataError) as exc:
        raise click.ClickException(one_line(exc)) from exc
    except SQLAlchemyError as exc:
        msg = f"The database cannot be used: {one_line(exc)}"
        raise click.ClickException(msg) from exc
    finally:
        if engine is not None:
            engine.dispose()
