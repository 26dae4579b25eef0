"""``cremona-bike staff``: add, list, disable and enable the staff accounts of the web app.

The commands work on the web app's own database: ``--database`` defaults to
what ``gunicorn "web:create_app()"`` would use (``FLASK_DATABASE_URL``, the
instance ``config.py``, else ``plans.sqlite`` in the instance folder). That is
how the first admin is made::

    cremona-bike staff add anna --role admin --organisation "Infopoint Cremona"

Every change is recorded in the audit trail with the actor ``cli:<system user>``.
"""

from __future__ import annotations

import getpass
import os

import click

from cli.database import database_option
from cli.database import open_database
from gis_data.errors import AccountNotFoundError
from gis_data.errors import InvalidAccountError
from gis_data.staff_rules import ROLES
from gis_data.staff_rules import check_organisation
from gis_data.staff_rules import check_username
from gis_data.staff_store import create_account
from gis_data.staff_store import find_account
from gis_data.staff_store import list_accounts
from gis_data.staff_store import update_account

#: Environment variable a script can give the new account's password in (instead of the prompt).
PASSWORD_VARIABLE = "CREMONA_BIKE_STAFF_PASSWORD"


def _actor() -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        user = "unknown"
    return f"cli:{user}"[:64]


@click.group(short_help="Staff accounts: add, list, disable, enable.")
def staff() -> None:
    """Manage the web app's staff accounts (Infopoint and Pro Loco staff)."""


@staff.command(short_help="Add an account.")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@click.option("--organisation", required=True, help='"Infopoint Cremona", ... or "Pro Loco <comune>".')
@database_option
def add(username: str, role: str, organisation: str, database: str | None) -> None:
    """Add the account USERNAME; the password is asked twice (or read from $CREMONA_BIKE_STAFF_PASSWORD)."""
    with open_database(database) as engine:
        # Refuse a bad or taken name before asking for the password.
        name = check_username(username)
        check_organisation(organisation)
        if find_account(engine, name) is not None:
            msg = f"Username {name!r} is already taken"
            raise InvalidAccountError(msg, "username")
        password = _password()
        account = create_account(engine, username, password, role=role, organisation=organisation, actor=_actor())
    click.echo(f"Added {account.username} ({account.role}, {account.organisation})")


def _password() -> str:
    given = os.environ.get(PASSWORD_VARIABLE)
    if given:
        return given
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@staff.command("list", short_help="List the accounts.")
@database_option
def list_(database: str | None) -> None:
    """List the accounts: username, role, organisation, state and creation day."""
    with open_database(database) as engine:
        found = list_accounts(engine)
    for a in found:
        state = "active" if a.active else "disabled"
        click.echo(f"{a.username:24} {a.role:7} {state:9} {a.created_at:%Y-%m-%d}  {a.organisation}")
    click.echo(f"{len(found)} account(s)", err=True)


def _set_active(username: str, database: str | None, *, active: bool) -> None:
    with open_database(database) as engine:
        account = find_account(engine, username)
        if account is None:
            msg = f"No staff account is called {username!r}"
            raise AccountNotFoundError(msg)
        update_account(engine, account.id, actor=_actor(), active=active)
    click.echo(f"{'Enabled' if active else 'Disabled'} {account.username}")


@staff.command(short_help="Disable an account (it can no longer sign in).")
@click.argument("username")
@database_option
def disable(username: str, database: str | None) -> None:
    """Disable the account USERNAME: its sessions end and it can no longer sign in."""
    _set_active(username, database, active=False)


@staff.command(short_help="Enable a disabled account.")
@click.argument("username")
@database_option
def enable(username: str, database: str | None) -> None:
    """Enable the account USERNAME again."""
    _set_active(username, database, active=True)
