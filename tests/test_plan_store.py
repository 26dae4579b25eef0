"""Saved plans on SQLite and on a real PostgreSQL server: the store, its migrations and the web endpoints.

The PostgreSQL runs need a server: ``eval "$(bash scripts/pg_test_server.sh start /tmp/cb-pg)"``
exports ``CREMONA_BIKE_TEST_PG_URL``. Without it they are skipped on a developer's machine and
fail on CI (``CI=true``), so that CI cannot pass without testing PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING
from typing import Any

import gpxpy
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gis_data import plan_store
from gis_data.errors import InvalidDataError
from gis_data.errors import PlanNotFoundError
from gis_data.gpx import validate_gpx_schema
from tests.conftest import GPX_SCHEMA
from web import create_app
from web.plans import close_store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask

PG_ENV = "CREMONA_BIKE_TEST_PG_URL"
PIAZZA = "45.1334,10.0246"
STATION = "45.1433,10.0180"
MUSEUM = "museum-museo-del-violino"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database of each kind for this module."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.sqlite'}"
        return
    server = os.environ.get(PG_ENV, "")
    if not server:
        msg = f'{PG_ENV} is not set: start a server with `eval "$(bash scripts/pg_test_server.sh start DIR)"`'
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must test PostgreSQL: {msg}")
        pytest.skip(msg)
    name = f"cb_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(plan_store.engine_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = plan_store.connect(database_url)
    plan_store.upgrade_database(engine)
    yield engine
    engine.dispose()


@contextmanager
def planner(database_url: str) -> Iterator[Flask]:
    """An app on the database, its connections closed afterwards (as when a worker stops)."""
    app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": database_url})
    try:
        yield app
    finally:
        close_store(app)


def doc(**extra: Any) -> dict[str, Any]:
    return {"format": "cremona-bike/itinerary", "version": 1, "request": {"kind": "tour"}, **extra}


# --- gis_data.plan_store -------------------------------------------------------------------


def test_migrations_create_the_schema_once(engine: sa.Engine) -> None:
    plan_store.upgrade_database(engine)  # a second run changes nothing
    inspector = sa.inspect(engine)
    assert {"plans", "alembic_version"} <= set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("plans")}
    assert columns == {"id", "created_at", "format_version", "document"}
    with engine.connect() as connection:
        assert (
            connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            == plan_store.schema_head()
        )


def test_concurrent_upgrades_are_safe(database_url: str) -> None:
    engines = [plan_store.connect(database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def upgrade(e: sa.Engine) -> None:
        try:
            plan_store.upgrade_database(e)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upgrade, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert errors == []


def test_save_and_load_round_trip(engine: sa.Engine) -> None:
    document = doc(title="Cremona → Crema, caffè e torrone", stops=[{"lat": 45.1, "lon": 10.0}])
    plan_id = plan_store.save_plan(engine, document)
    assert plan_store.is_plan_id(plan_id)
    saved = plan_store.load_plan(engine, plan_id)
    assert saved.id == plan_id
    assert saved.document == document
    assert saved.created_at.tzinfo is not None


def test_ids_are_random_and_distinct(engine: sa.Engine) -> None:
    before = plan_store.count_plans(engine)
    ids = {plan_store.save_plan(engine, doc(n=i)) for i in range(20)}
    assert len(ids) == 20
    assert plan_store.count_plans(engine) == before + 20
    assert all(len(i) == 12 for i in ids)


@pytest.mark.parametrize("plan_id", ["AAAAAAAAAAAA", "x' OR '1'='1", "", "a" * 40])
def test_unknown_or_malformed_id(engine: sa.Engine, plan_id: str) -> None:
    with pytest.raises(PlanNotFoundError) as info:
        plan_store.load_plan(engine, plan_id)
    assert info.value.plan_id == plan_id
    assert plan_store.count_plans(engine) >= 0  # the table is still there


def test_oversized_document_is_refused(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_store, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(InvalidDataError, match="bytes"):
        plan_store.save_plan(engine, doc(padding="x" * 200))


def test_bad_url_is_invalid_data() -> None:
    with pytest.raises(InvalidDataError, match="not-a-db"):
        plan_store.connect("not-a-db://x")


# --- the web endpoints, across an app restart ----------------------------------------------


def test_save_then_reload_after_restart(database_url: str) -> None:
    plan = {"kind": "tour", "from": STATION, "via": [f"poi:{MUSEUM}"], "to": PIAZZA, "profile": "family", "days": 1}
    with planner(database_url) as first:
        created = first.test_client().post("/api/plans", json=plan)
        assert created.status_code == 201, created.get_data(as_text=True)
        body = created.get_json()
        plan_id = body["id"]
        assert body["url"] == f"/plan/{plan_id}"
        assert created.headers["Location"].endswith(f"/plan/{plan_id}")
        saved = first.test_client().get(body["api"]).get_json()

    # A new app (as after a restart, or another worker) reads the same store.
    with planner(database_url) as app:
        _check_reloaded(app.test_client(), plan_id, saved)


def _check_reloaded(second: Any, plan_id: str, saved: dict[str, Any]) -> None:
    again = second.get(f"/api/plans/{plan_id}").get_json()
    assert again["itinerary"] == saved["itinerary"]
    assert again["query"] == {
        "kind": "tour",
        "from": STATION,
        "via": [f"poi:{MUSEUM}"],
        "to": PIAZZA,
        "profile": "family",
        "days": "1",
    }
    page = second.get(f"/plan/{plan_id}", query_string={"lang": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'value="{STATION}"' in html
    assert f"poi:{MUSEUM}</textarea>" in html
    assert '<option value="family" selected>' in html
    assert 'value="tour" checked' in html
    assert plan_id in html
    gpx = second.get(f"/plan/{plan_id}.gpx")
    assert gpx.status_code == 200
    assert validate_gpx_schema(gpx.data, GPX_SCHEMA) == []
    names = [w.name for w in gpxpy.parse(gpx.get_data(as_text=True)).waypoints]
    assert "Museo del Violino" in names


def test_save_bad_input_stores_nothing(database_url: str) -> None:
    engine = plan_store.connect(database_url)
    plan_store.upgrade_database(engine)
    before = plan_store.count_plans(engine)
    with planner(database_url) as app:
        client = app.test_client()
        resp = client.post("/api/plans", json={"from": PIAZZA, "to": STATION, "profile": "moped"})
        assert resp.status_code == 400
        assert resp.get_json()["parameter"] == "profile"
        assert client.post("/api/plans", data="x", content_type="text/plain").status_code == 415
    assert plan_store.count_plans(engine) == before
    engine.dispose()


def test_a_document_without_page_parameters_is_planned_from_its_request(database_url: str) -> None:
    with planner(database_url) as app:
        client = app.test_client()
        args = {"from": PIAZZA, "to": STATION}
        document = client.get("/api/itinerary", query_string=args).get_json()["itinerary"]
        del document["request"]["extra"]["page"]  # as written by `cremona-bike itinerary`
        engine = plan_store.connect(database_url)
        plan_id = plan_store.save_plan(engine, document)
        engine.dispose()
        gpx = client.get(f"/plan/{plan_id}.gpx")
        assert gpx.status_code == 200
        assert validate_gpx_schema(gpx.data, GPX_SCHEMA) == []
