"""Staff accounts and the audit trail: the store (gis_data.staff_store) and the ``cremona-bike staff`` CLI."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2 import Type
from click.testing import CliRunner

from cli.main import cli
from gis_data import staff_store
from gis_data.audit import audit_log
from gis_data.errors import AccountNotFoundError
from gis_data.errors import InvalidAccountError
from gis_data.plan_store import connect
from gis_data.plan_store import upgrade_database
from gis_data.staff_store import authenticate
from gis_data.staff_store import create_account
from gis_data.staff_store import find_account
from gis_data.staff_store import is_locked
from gis_data.staff_store import list_accounts
from gis_data.staff_store import list_audit
from gis_data.staff_store import record_audit
from gis_data.staff_store import staff_accounts
from gis_data.staff_store import update_account
from tests import test_plan_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ADMIN_PASSWORD = "correct horse battery"
EDITOR_PASSWORD = "violino e torrone 1"
#: Argon2id with small costs: the same algorithm as in production, quick enough for many sign-ins.
QUICK = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def quick_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_store, "hasher", QUICK)


#: Fixture: a fresh SQLite database, and a PostgreSQL one where a test server is given, for the module.
database_url = test_plan_store.database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """The module's database (SQLite, and PostgreSQL where available), emptied of staff after each test."""
    engine = connect(database_url)
    upgrade_database(engine)
    yield engine
    with engine.begin() as connection:
        connection.execute(sa.delete(audit_log))
        connection.execute(sa.delete(staff_accounts))
    engine.dispose()


def add_staff(engine: sa.Engine) -> tuple[staff_store.StaffAccount, staff_store.StaffAccount]:
    """Create the admin ``anna`` (Infopoint Cremona) and the editor ``bruno`` (Pro Loco Soncino)."""
    anna = create_account(engine, "Anna", ADMIN_PASSWORD, role="admin", organisation="Infopoint Cremona", actor="cli")
    bruno = create_account(
        engine, "bruno", EDITOR_PASSWORD, role="editor", organisation="pro loco  Soncino", actor="anna"
    )
    return anna, bruno


def raw_audit_text(engine: sa.Engine) -> str:
    with engine.connect() as connection:
        return repr(connection.execute(sa.select(audit_log)).all())


def stored_hash(engine: sa.Engine, username: str) -> str:
    query = sa.select(staff_accounts.c.password_hash).where(staff_accounts.c.username == username)
    with engine.connect() as connection:
        return str(connection.execute(query).scalar_one())


def test_accounts_are_canonical_and_listed(engine: sa.Engine) -> None:
    anna, bruno = add_staff(engine)
    assert (anna.username, anna.role, anna.organisation, anna.active) == ("anna", "admin", "Infopoint Cremona", True)
    assert bruno.organisation == "Pro Loco Soncino"
    assert anna.created_at.tzinfo is not None
    assert [a.username for a in list_accounts(engine)] == ["anna", "bruno"]
    assert find_account(engine, "BRUNO") == bruno


def test_only_an_argon2id_hash_is_stored(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_store, "hasher", PasswordHasher())  # the production parameters
    create_account(engine, "carla", ADMIN_PASSWORD, role="editor", organisation="Infopoint Crema", actor="anna")
    secret = stored_hash(engine, "carla")
    assert secret.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert ADMIN_PASSWORD not in secret
    assert PasswordHasher().type is Type.ID
    assert authenticate(engine, "carla", ADMIN_PASSWORD) is not None


def test_authenticate_right_wrong_unknown_and_disabled(engine: sa.Engine) -> None:
    anna, bruno = add_staff(engine)
    assert authenticate(engine, " ANNA ", ADMIN_PASSWORD) == anna
    assert authenticate(engine, "anna", ADMIN_PASSWORD.upper()) is None
    assert authenticate(engine, "nobody", ADMIN_PASSWORD) is None
    assert authenticate(engine, "anna", "x" * 10_000) is None
    update_account(engine, bruno.id, actor="anna", active=False)
    assert authenticate(engine, "bruno", EDITOR_PASSWORD) is None
    reasons = [e.after for e in list_audit(engine, target_kind="account") if e.action == "sign_in_failed"]
    assert reasons == [
        {"reason": "account disabled"},
        {"reason": "wrong password"},
        {"reason": "unknown username"},
        {"reason": "wrong password"},
    ]


def test_old_hash_parameters_are_upgraded_at_sign_in(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    add_staff(engine)
    assert ",t=1," in stored_hash(engine, "anna")
    monkeypatch.setattr(staff_store, "hasher", PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1))
    assert authenticate(engine, "anna", ADMIN_PASSWORD) is not None
    assert ",t=2," in stored_hash(engine, "anna")
    assert authenticate(engine, "anna", ADMIN_PASSWORD) is not None


def test_repeated_failures_lock_the_username_for_a_while(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    add_staff(engine)
    for _ in range(staff_store.MAX_FAILURES):
        assert not is_locked(engine, "anna")
        assert authenticate(engine, "anna", "not the password") is None
    assert is_locked(engine, "Anna")
    assert authenticate(engine, "anna", ADMIN_PASSWORD) is None  # even the right password, while locked
    assert list_audit(engine, limit=1)[0].after == {"reason": "locked"}
    assert not is_locked(engine, "bruno")
    monkeypatch.setattr(staff_store, "LOCKOUT", dt.timedelta(0))  # the window has passed
    assert authenticate(engine, "anna", ADMIN_PASSWORD) is not None


def test_changes_are_audited_with_before_and_after_never_a_secret(engine: sa.Engine) -> None:
    _, bruno = add_staff(engine)
    update_account(engine, bruno.id, actor="anna", role="admin", organisation="Infopoint Casalmaggiore")
    update_account(engine, bruno.id, actor="anna", password="un'altra parola d'ordine")
    assert update_account(engine, bruno.id, actor="anna", role="admin").role == "admin"  # no change: no row
    entries = list_audit(engine, target_kind="account", target_id="bruno")
    assert [(e.actor, e.action) for e in entries] == [("anna", "update"), ("anna", "update"), ("anna", "create")]
    reset, change, created = entries
    assert created.before is None
    assert created.after == {"username": "bruno", "role": "editor", "organisation": "Pro Loco Soncino", "active": True}
    assert change.before == created.after
    assert change.after == {**created.after, "role": "admin", "organisation": "Infopoint Casalmaggiore"}
    assert reset.after == {**change.after, "password": "changed"}
    assert entries[0].at >= entries[-1].at
    text = raw_audit_text(engine)
    for secret in ("$argon2", ADMIN_PASSWORD, EDITOR_PASSWORD, "un'altra parola", stored_hash(engine, "bruno")):
        assert secret not in text


@pytest.mark.parametrize(
    ("username", "role", "organisation", "password", "field", "named"),
    [
        ("a b", "editor", "Infopoint Crema", EDITOR_PASSWORD, "username", "'a b'"),
        ("x" * 65, "editor", "Infopoint Crema", EDITOR_PASSWORD, "username", "'xxx"),
        ("carla", "root", "Infopoint Crema", EDITOR_PASSWORD, "role", "'root'"),
        ("carla", "editor", "Infopoint Milano", EDITOR_PASSWORD, "organisation", "'Infopoint Milano'"),
        ("carla", "editor", "Pro Loco", EDITOR_PASSWORD, "organisation", "'Pro Loco'"),
        ("carla", "editor", "Pro Loco 42", EDITOR_PASSWORD, "organisation", "'Pro Loco 42'"),
        ("carla", "editor", "Pro Loco " + "a" * 120, EDITOR_PASSWORD, "organisation", "Pro Loco aaa"),
        ("carla", "editor", "Infopoint Crema", "short", "password", "5 characters"),
        ("carla", "editor", "Infopoint Crema", "carla-1234567890", "password", "'carla'"),
        ("anna", "editor", "Infopoint Crema", EDITOR_PASSWORD, "username", "'anna' is already taken"),
    ],
)
def test_bad_values_are_refused_naming_them(
    engine: sa.Engine, username: str, role: str, organisation: str, password: str, field: str, named: str
) -> None:
    add_staff(engine)
    with pytest.raises(InvalidAccountError) as caught:
        create_account(engine, username, password, role=role, organisation=organisation, actor="anna")
    assert caught.value.field == field
    assert named in str(caught.value)
    assert password not in str(caught.value)
    assert len(list_accounts(engine)) == 2


def test_the_last_active_admin_stays(engine: sa.Engine) -> None:
    anna, bruno = add_staff(engine)
    with pytest.raises(InvalidAccountError, match="'anna' is the last active admin"):
        update_account(engine, anna.id, actor="anna", active=False)
    with pytest.raises(InvalidAccountError, match="last active admin"):
        update_account(engine, anna.id, actor="anna", role="editor")
    update_account(engine, bruno.id, actor="anna", role="admin")
    assert update_account(engine, anna.id, actor="bruno", role="editor").role == "editor"
    with pytest.raises(AccountNotFoundError, match="999"):
        update_account(engine, 999, actor="anna", active=False)


def publish_then_fail(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        record_audit(
            connection, actor="anna", action="publish", target_kind="poi", target_id="p1", before=None, after={}
        )
        raise RuntimeError


def test_an_audit_row_commits_only_with_its_change(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError):
        publish_then_fail(engine)
    assert list_audit(engine) == []
    with engine.begin() as connection:
        record_audit(
            connection,
            actor="anna",
            action="publish",
            target_kind="poi",
            target_id="p1",
            before={"state": "draft", "day": dt.date(2026, 6, 1)},
            after={"state": "published"},
        )
    (entry,) = list_audit(engine, target_kind="poi", target_id="p1")
    assert entry.before == {"state": "draft", "day": "2026-06-01"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_kind": "x" * 17}, "target_kind must be 1 to 16"),
        ({"actor": ""}, "actor must be 1 to 64"),
        ({"after": {"password_hash": "$argon2id$"}}, "may not hold"),
    ],
)
def test_record_audit_refuses_bad_rows(engine: sa.Engine, changes: dict[str, object], message: str) -> None:
    row: dict[str, object] = {"actor": "anna", "action": "update", "target_kind": "account", "target_id": "bruno"}
    with pytest.raises(ValueError, match=message), engine.begin() as connection:
        record_audit(connection, **{"before": None, "after": None, **row, **changes})  # type: ignore[arg-type]
    assert list_audit(engine) == []


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CREMONA_BIKE_STAFF_PASSWORD", raising=False)
    return CliRunner()


def test_cli_adds_lists_and_disables_accounts(runner: CliRunner, database_url: str, engine: sa.Engine) -> None:
    db = ["--database", database_url]
    typed = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    added = runner.invoke(
        cli, ["staff", "add", "Anna", "--role", "admin", "--organisation", "Infopoint Cremona", *db], input=typed
    )
    assert added.exit_code == 0, added.output
    assert "Added anna (admin, Infopoint Cremona)" in added.output
    assert ADMIN_PASSWORD not in added.output  # the prompt hides what is typed
    env = {"CREMONA_BIKE_STAFF_PASSWORD": EDITOR_PASSWORD}
    scripted = runner.invoke(cli, ["staff", "add", "bruno", "--organisation", "Pro Loco Soncino", *db], env=env)
    assert scripted.exit_code == 0, scripted.output
    assert authenticate(engine, "bruno", EDITOR_PASSWORD) is not None
    disabled = runner.invoke(cli, ["staff", "disable", "BRUNO", *db])
    assert disabled.exit_code == 0
    listed = runner.invoke(cli, ["staff", "list", *db])
    lines = listed.stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [["anna", "admin", "active"], ["bruno", "editor", "disabled"]]
    assert lines[1].endswith("Pro Loco Soncino")
    assert "2 account(s)" in listed.stderr
    actors = {e.actor for e in list_audit(engine) if e.action in {"create", "update"}}
    assert len(actors) == 1
    assert actors.pop().startswith("cli:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "a b", "--organisation", "Infopoint Crema"], "Error: Username 'a b' is not 3 to 64"),
        (["add", "carla", "--organisation", "Comune di Milano"], "Error: Organisation 'Comune di Milano'"),
        (["add", "anna", "--organisation", "Infopoint Crema"], "Error: Username 'anna' is already taken"),
        (["add", "carla", "--organisation", "Infopoint Crema"], "Error: The password has 5 characters"),
        (["disable", "nobody"], "Error: No staff account is called 'nobody'"),
        (["disable", "anna"], "Error: 'anna' is the last active admin"),
    ],
)
def test_cli_errors_are_one_line(
    runner: CliRunner, database_url: str, engine: sa.Engine, args: list[str], message: str
) -> None:
    add_staff(engine)
    result = runner.invoke(
        cli, ["staff", *args, "--database", database_url], env={"CREMONA_BIKE_STAFF_PASSWORD": "short"}
    )
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_uses_the_web_apps_database_by_default(
    runner: CliRunner, database_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    env = {
        "FLASK_DATABASE_URL": database_url,
        "FLASK_SECRET_KEY": "k" * 32,
        "CREMONA_BIKE_STAFF_PASSWORD": ADMIN_PASSWORD,
    }
    result = runner.invoke(
        cli, ["staff", "add", "anna", "--role", "admin", "--organisation", "Infopoint Soncino"], env=env
    )
    assert result.exit_code == 0, result.output
    assert find_account(engine, "anna") is not None
    assert runner.invoke(cli, ["staff", "list", "--database", f"sqlite:///{tmp_path / 'other.sqlite'}"]).stdout == ""
