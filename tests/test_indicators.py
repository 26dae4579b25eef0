"""Usage indicators: the counter store (SQLite and PostgreSQL), the in-memory buffer, the request hook, the dashboard.

Counts come from real plans on the embedded Cremona city graph, with the EuroVelo 8
corridor matched onto it from the shared reference line (as ``cremona-bike routes
match`` does), so the plans ride a real named cycle route of the registry.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from shapely import LineString

from cli.main import cli
from gis_data import plan_store
from gis_data.errors import InvalidDataError
from gis_data.poi_sources import read_comuni
from gis_data.route_registry import read_route_registry
from gis_data.staff_store import create_account
from gis_data.usage_buffer import UsageBuffer
from gis_data.usage_store import DIMENSIONS
from gis_data.usage_store import EVENTS
from gis_data.usage_store import UsageCount
from gis_data.usage_store import UsageKey
from gis_data.usage_store import increment
from gis_data.usage_store import read_counts
from gis_data.usage_store import to_csv
from poi.categories import CATEGORIES
from routing.cycle_routes import match_track
from tests.foreign_tracks import SHARED
from tests.foreign_tracks import needs_shared
from tests.test_plan_store import database_url  # noqa: F401 - the SQLite and PostgreSQL databases
from web import create_app
from web import indicators
from web.graph import EXTENSION as GRAPH
from web.plans import close_store
from web.plans import get_store
from web.usage_facts import INFOPOINTS

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import networkx as nx
    from flask import Flask
    from flask.testing import FlaskClient

# Two points on EuroVelo 8 across Cremona (west of the centre, then by the Po) and a museum between them.
EV8_WEST = "45.1453,9.9854"
EV8_EAST = "45.1423,10.0138"
MUSEUM = "museum-museo-del-violino"
EV8_NAME = next(r.name for r in read_route_registry() if r.id == "ev8")
PASSWORD = "a long staff pass phrase"


def match_ev8(G: nx.MultiDiGraph[int]) -> nx.MultiDiGraph[int]:
    """Return a graph with the EuroVelo 8 stretch across Cremona (shared reference line) matched onto it."""
    doc = json.loads((SHARED / "eurovelo8-po-cremona" / "ev8_cremona_window.geojson").read_text(encoding="utf-8"))
    window = next(f for f in doc["features"] if f["properties"].get("part") == "inside_province")
    track = LineString([c[:2] for c in window["geometry"]["coordinates"][109:151]])
    H, report = match_track(G, track, name="EuroVelo 8", ref="EV8", network="icn")
    assert report.matched_edges > 50, report
    return H


@pytest.fixture(scope="module")
def ev8_graph(cremona_graph: nx.MultiDiGraph[int]) -> nx.MultiDiGraph[int]:
    """The Cremona city graph with the EuroVelo 8 corridor matched onto it."""
    return match_ev8(cremona_graph)


@contextmanager
def planner(url: str, graph: nx.MultiDiGraph[int] | None = None) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "TILES": None, "DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    if graph is not None:
        app.extensions[GRAPH].graph = graph
    try:
        yield app
    finally:
        close_store(app)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'plans.sqlite'}"


def stored(app: Flask) -> list[UsageCount]:
    indicators.flush(app)
    with app.app_context():
        return read_counts(get_store())


def as_dict(counts: list[UsageCount]) -> dict[tuple[str, str, str], int]:
    return {(c.event, c.dimension, c.value): c.count for c in counts}


def sign_in(app: Flask, client: FlaskClient, organisation: str) -> None:
    with app.app_context():
        create_account(get_store(), "desk", PASSWORD, role="editor", organisation=organisation, actor="test")
    assert client.post("/staff/sign-in", data={"username": "desk", "password": PASSWORD}).status_code == 302


# --- gis_data.usage_store ------------------------------------------------------------------


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:  # noqa: F811 - the fixture imported above
    engine = plan_store.connect(database_url)
    plan_store.upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM usage_counts"))
    yield engine
    engine.dispose()


def test_increment_adds_to_stored_counts(engine: sa.Engine) -> None:
    june, july = UsageKey("2026-06", "gpx", "total"), UsageKey("2026-07", "gpx", "comune", "Crema")
    assert increment(engine, {june: 2, july: 1}) == 2
    assert increment(engine, {june: 3, UsageKey("2026-07", "gpx", "comune", "Cremona"): 0}) == 1
    assert read_counts(engine) == [
        UsageCount("2026-06", "gpx", "total", "", 5),
        UsageCount("2026-07", "gpx", "comune", "Crema", 1),
    ]
    assert read_counts(engine, since_month="2026-07") == [UsageCount("2026-07", "gpx", "comune", "Crema", 1)]
    assert read_counts(engine, until_month="2026-06") == [UsageCount("2026-06", "gpx", "total", "", 5)]
    assert increment(engine, {}) == 0


@pytest.mark.parametrize(
    ("key", "count", "message"),
    [
        (UsageKey("2026-6", "gpx", "total"), 1, "'2026-6' is not a month"),
        (UsageKey("2026-06", "visit", "total"), 1, "Unknown usage event 'visit'"),
        (UsageKey("2026-06", "gpx", "ip"), 1, "Unknown usage dimension 'ip'"),
        (UsageKey("2026-06", "gpx", "total", "x"), 1, "cannot have the value 'x'"),
        (UsageKey("2026-06", "gpx", "comune", ""), 1, "cannot have the value ''"),
        (UsageKey("2026-06", "gpx", "comune", "x" * 201), 1, "longer than 200"),
        (UsageKey("2026-06", "gpx", "total"), -1, "negative count -1"),
    ],
)
def test_increment_refuses_bad_keys(engine: sa.Engine, key: UsageKey, count: int, message: str) -> None:
    with pytest.raises(InvalidDataError, match=message):
        increment(engine, {UsageKey("2026-06", "sheet", "total"): 1, key: count})
    assert read_counts(engine) == []  # nothing of a refused batch is written


def test_concurrent_increments_lose_nothing(engine: sa.Engine) -> None:
    keys = [UsageKey("2026-06", e, "total") for e in EVENTS] + [UsageKey("2026-06", "gpx", "comune", "Crema")]
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            for _ in range(10):
                increment(engine, {k: 1 + i % 2 for k in keys})
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {c.count for c in read_counts(engine)} == {10 * (4 * 1 + 4 * 2)}


def test_csv_round_trip(engine: sa.Engine) -> None:
    counts = {
        UsageKey("2026-05", "itinerary", "comune", "Crotta d'Adda"): 2,
        UsageKey("2026-05", "itinerary", "route", 'A "quoted", named route'): 1,
        UsageKey("2026-06", "sheet", "infopoint", "Soncino"): 4,
    }
    increment(engine, counts)
    rows = list(csv.DictReader(io.StringIO(to_csv(read_counts(engine)))))
    assert list(rows[0]) == ["month", "event", "dimension", "value", "count"]
    back = {UsageKey(r["month"], r["event"], r["dimension"], r["value"]): int(r["count"]) for r in rows}
    assert back == counts


# --- gis_data.usage_buffer -----------------------------------------------------------------


def test_buffer_keeps_counts_when_the_database_fails(tmp_path: Path) -> None:
    good = plan_store.connect(sqlite_url(tmp_path))
    plan_store.upgrade_database(good)
    broken = plan_store.connect(f"sqlite:///{tmp_path / 'missing-folder' / 'x.sqlite'}")
    engines = [broken, good]
    buffer = UsageBuffer(lambda: engines[0], background=False)
    key = UsageKey("2026-06", "gpx", "total")
    buffer.add([key, key])
    assert buffer.flush() == 0  # the failure is logged, not raised
    assert buffer.pending() == {key: 2}
    buffer.add([key])
    engines.pop(0)
    assert buffer.flush() == 1
    assert buffer.pending() == {}
    assert read_counts(good) == [UsageCount("2026-06", "gpx", "total", "", 3)]
    assert buffer._thread is None  # without background writing, no thread was started


def test_buffer_writes_in_the_background_and_when_stopped(tmp_path: Path) -> None:
    engine = plan_store.connect(sqlite_url(tmp_path))
    plan_store.upgrade_database(engine)
    buffer = UsageBuffer(lambda: engine, interval_s=0.05)
    key = UsageKey("2026-06", "sheet", "total")
    buffer.add([key])
    deadline = time.monotonic() + 5
    while buffer.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert read_counts(engine) == [UsageCount("2026-06", "sheet", "total", "", 1)]
    buffer.add([key])
    buffer.stop()
    assert read_counts(engine)[0].count == 2
    with pytest.raises(ValueError, match="must be positive, got 0"):
        UsageBuffer(lambda: engine, interval_s=0)


# --- the request hook ----------------------------------------------------------------------


@needs_shared
def test_planned_answers_are_counted_with_their_route_categories_and_comuni(
    tmp_path: Path, ev8_graph: nx.MultiDiGraph[int]
) -> None:
    plan = f"from={EV8_WEST}&via=poi:{MUSEUM}&to={EV8_EAST}"
    with planner(sqlite_url(tmp_path), ev8_graph) as app:
        client = app.test_client()
        route = client.get(f"/api/route?{plan}")
        assert route.status_code == 200
        feature = route.get_json()
        uses = {u["name"]: u["share"] for u in feature["properties"]["cycle_routes"]}
        assert uses["EuroVelo 8"] > 0.3
        assert client.get(f"/api/itinerary?kind=tour&{plan}&infopoint=soncino").status_code == 200
        assert client.get(f"/api/route.gpx?{plan}").status_code == 200
        assert client.get(f"/api/itinerary.gpx?kind=tour&{plan}&infopoint=Infopoint%20Casalmaggiore").status_code == 200
        counts = as_dict(stored(app))
    assert counts == {
        ("itinerary", "total", ""): 2,
        ("itinerary", "route", EV8_NAME): 2,
        ("itinerary", "category", "museum"): 2,
        ("itinerary", "comune", "Cremona"): 2,
        ("itinerary", "infopoint", "Soncino"): 1,
        ("gpx", "total", ""): 2,
        ("gpx", "route", EV8_NAME): 2,
        ("gpx", "category", "museum"): 2,
        ("gpx", "comune", "Cremona"): 2,
        ("gpx", "infopoint", "Casalmaggiore"): 1,
    }


def test_a_printed_sheet_counts_the_signed_in_infopoint(tmp_path: Path) -> None:
    with planner(sqlite_url(tmp_path)) as app:
        client = app.test_client()
        sign_in(app, client, "Infopoint Crema")
        sheet = client.get(f"/api/itinerary.pdf?kind=tour&from=poi:{MUSEUM}&to=45.1334,10.0246&infopoint=soncino")
        assert sheet.status_code == 200
        assert sheet.data.startswith(b"%PDF")
        counts = as_dict(stored(app))
    assert counts == {
        ("sheet", "total", ""): 1,
        ("sheet", "category", "museum"): 1,
        ("sheet", "comune", "Cremona"): 1,
        ("sheet", "infopoint", "Crema"): 1,  # the staff's own desk wins over the link's
    }


@pytest.mark.parametrize(
    "query",
    [
        "/api/route?from=45.1433,10.0180&to=Atlantis",  # 404: no such place
        "/api/route?from=45.1433,10.0180",  # 400: no end
        "/api/route?from=45.1433,10.0180&to=45.3637,9.6841",  # 422: Crema is off the city graph
        "/api/itinerary.gpx?kind=tour&from=45.1433,10.0180&to=45.1334,10.0246&day=9",  # 400 after planning
        "/?from=45.1433,10.0180&to=Atlantis",  # the page, with its error
        "/api/places?q=Piazza",  # not a counted answer
    ],
)
def test_failed_or_other_answers_are_not_counted(tmp_path: Path, query: str) -> None:
    with planner(sqlite_url(tmp_path)) as app:
        response = app.test_client().get(query)
        assert response.status_code in {200, 400, 404, 422}
        assert app.extensions[indicators.EXTENSION].pending() == {}
        assert stored(app) == []


def test_a_counting_failure_never_fails_the_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, list[str]]:
        raise RuntimeError("boom")

    monkeypatch.setattr(indicators, "plan_values", broken)
    with planner(sqlite_url(tmp_path)) as app:
        assert app.test_client().get("/api/route?from=45.1433,10.0180&to=45.1334,10.0246").status_code == 200
        assert stored(app) == []


def test_nothing_personal_is_stored(tmp_path: Path) -> None:
    crafted = "<script>alert(1)</script>Cremona"
    agent = "Mozilla/5.0 (tracking-test-agent)"
    with planner(sqlite_url(tmp_path)) as app:
        client = app.test_client()
        headers = {"User-Agent": agent, "X-Forwarded-For": "203.0.113.77"}
        for query in (
            f"/api/itinerary?kind=tour&from=Corso Campi&via=poi:{MUSEUM}&to=45.1334,10.0246&infopoint={crafted}",
            f"/api/route.gpx?from=45.1433,10.0180&to=45.1334,10.0246&infopoint={crafted}",
            "/?from=45.1433,10.0180&to=45.1334,10.0246&infopoint=Cremona OR 1=1",
        ):
            assert client.get(query, headers=headers, environ_base={"REMOTE_ADDR": "198.51.100.23"}).status_code == 200
        counts = stored(app)
    closed = {
        "total": {""},
        "route": {r.name for r in read_route_registry()},
        "category": set(CATEGORIES),
        "comune": set(read_comuni()),
        "infopoint": set(INFOPOINTS),
    }
    assert {c.dimension for c in counts} <= set(DIMENSIONS)
    assert {c.event for c in counts} == {"itinerary", "gpx"}
    assert all(c.value in closed[c.dimension] for c in counts), counts
    assert not [c for c in counts if c.dimension == "infopoint"]
    raw = (tmp_path / "plans.sqlite").read_bytes()
    for secret in (b"198.51.100.23", b"203.0.113.77", b"tracking-test-agent", b"script", b"Corso Campi", b"10.0246"):
        assert secret not in raw
    with sqlite3.connect(tmp_path / "plans.sqlite") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(usage_counts)")]
    assert columns == ["month", "event", "dimension", "value", "count"]


# --- the dashboard, the CSV export and the CLI ---------------------------------------------


def test_dashboard_and_export_are_for_staff(tmp_path: Path) -> None:
    with planner(sqlite_url(tmp_path)) as app:
        client = app.test_client()
        assert client.get("/api/route?from=45.1433,10.0180&to=45.1334,10.0246&infopoint=crema").status_code == 200
        for path in ("/indicators", "/indicators.csv"):
            assert client.get(path).status_code == 302  # to the sign-in page
        sign_in(app, client, "Pro Loco Soncino")
        page = client.get("/indicators?lang=en")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert 'id="per-month-chart"' in text
        assert "vendor/chartjs/chart.umd.js" in text
        assert '<th scope="row">Crema</th>' in text
        assert '<th scope="row">Cremona</th>' in text
        export = client.get("/indicators.csv?since=2020-01")
        assert export.status_code == 200
        assert export.headers["Content-Disposition"] == 'attachment; filename="cremona-bike_indicators-2020-01.csv"'
        rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
        assert {(r["event"], r["dimension"], r["value"], r["count"]) for r in rows} == {
            ("itinerary", "total", "", "1"),
            ("itinerary", "comune", "Cremona", "1"),
            ("itinerary", "infopoint", "Crema", "1"),
        }
        assert (
            client.get("/indicators.csv?since=2099-01").get_data(as_text=True) == "month,event,dimension,value,count\n"
        )
        bad = client.get("/indicators?since=2026-13")
        assert bad.status_code == 400
        assert "2026-13" in bad.get_data(as_text=True)
        assert client.get("/indicators.csv?since=2026-06&until=2026-01").json == {
            "error": "Parameter 'since' (2026-06) is after 'until' (2026-01)",
            "parameter": "since",
        }


def test_cli_export_writes_the_same_csv(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    with planner(url) as app:
        assert app.test_client().get("/api/route.gpx?from=45.1433,10.0180&to=45.1334,10.0246").status_code == 200
        expected = to_csv(stored(app))
    runner = CliRunner()
    result = runner.invoke(cli, ["indicators", "export", "--database", url])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    out = tmp_path / "counts.csv"
    result = runner.invoke(cli, ["indicators", "export", "--database", url, "--since", "2000-01", "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == expected
    result = runner.invoke(cli, ["indicators", "export", "--database", "nosuchdb://x"])
    assert result.exit_code == 1
    assert "Error: Not a usable database URL 'nosuchdb://x'" in result.output
