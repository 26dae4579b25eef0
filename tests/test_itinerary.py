from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
import time
from typing import TYPE_CHECKING

import numpy as np
import pytest
from click.testing import CliRunner

from cli.main import cli
from gis_data.gpx import validate_gpx_schema
from poi import default_pois
from poi.model import opening_state
from routing import NoRouteError
from routing.errors import InvalidPointError
from routing.errors import ItineraryFormatError
from routing.itinerary import Stop
from routing.itinerary import plan_tour
from routing.itinerary import stops_from_frame
from routing.itinerary_doc import VERSION
from routing.itinerary_doc import ItineraryRequest
from routing.itinerary_doc import itinerary_document
from routing.itinerary_doc import request_from_document
from routing.itinerary_plan import plan_itinerary
from routing.loops import plan_loop
from routing.stages import split_stages
from routing.tour import EXACT_LIMIT
from routing.tour import best_order
from routing.tour import route_matrices
from routing.tour import tour_cost
from tests.conftest import GPX_SCHEMA
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

STATION = Stop("railway-station-cremona", "Stazione di Cremona", 45.143301, 10.017983, "railway_station")
MONDAY = dt.datetime(2026, 11, 30, 9, 30)
TUESDAY = dt.datetime(2026, 12, 1, 9, 30)


def _hours(expression: str, when: dt.datetime, latlon: tuple[float, float]) -> str:
    return opening_state(expression, when, latlon=latlon)


@pytest.fixture(scope="module")
def museums() -> list[Stop]:
    pois = default_pois()
    ids = ["museum-museo-del-violino", "museum-museo-archeologico-san-lorenzo", "music-teatro-ponchielli"]
    chosen = stops_from_frame(pois[pois["id"].isin(ids)])
    assert len(chosen) == 3
    return chosen


def _brute_force(matrix: np.ndarray, start: int, end: int | None) -> float:
    n = matrix.shape[0]
    middle = [i for i in range(n) if i not in {start, end}]
    tail = [start] if end is None else [end]
    return min(tour_cost(matrix, [start, *p, *tail]) for p in itertools.permutations(middle))


def test_order_equals_brute_force_on_random_instances() -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    for instance in range(20):
        n = 7  # start + 6 stops (loop) or start + 5 stops + end
        pts = [(rng.random(), rng.random()) for _ in range(n)]
        matrix = np.array([[math.dist(a, b) * (1 + 0.3 * rng.random()) for b in pts] for a in pts])
        end = None if instance % 2 else n - 1
        order = best_order(matrix, start=0, end=end)
        assert sorted(order[:-1] if end is None else order) == list(range(n))
        assert tour_cost(matrix, order) == pytest.approx(_brute_force(matrix, 0, end))
    assert time.perf_counter() - started < 60  # generous; the figure is in the closing note


def test_heuristic_beyond_the_exact_limit_is_a_valid_tour() -> None:
    rng = random.Random(3)
    n = EXACT_LIMIT + 4
    pts = [(rng.random(), rng.random()) for _ in range(n)]
    matrix = np.array([[math.dist(a, b) for b in pts] for a in pts])
    order = best_order(matrix, start=0)
    assert order[0] == order[-1] == 0
    assert sorted(order[:-1]) == list(range(n))
    nearest_neighbour = [0]
    while len(nearest_neighbour) < n:
        at = nearest_neighbour[-1]
        nearest_neighbour.append(min((j for j in range(n) if j not in nearest_neighbour), key=lambda j: matrix[at, j]))
    assert tour_cost(matrix, order) <= tour_cost(matrix, [*nearest_neighbour, 0]) + 1e-9


def test_unreachable_stop_is_named(cremona_graph: nx.MultiDiGraph[int]) -> None:
    matrix = np.array([[0, 1, math.inf], [1, 0, math.inf], [math.inf, math.inf, 0]])
    with pytest.raises(NoRouteError, match="not connected"):
        best_order(matrix, start=0)


def test_real_matrix_order_matches_brute_force(cremona_graph: nx.MultiDiGraph[int], museums: list[Stop]) -> None:
    points = [STATION.latlon, *(m.latlon for m in museums)]
    cost, length = route_matrices(cremona_graph, points)
    assert np.all(length[~np.eye(len(points), dtype=bool)] > 0)
    order = best_order(cost, start=0)
    assert tour_cost(cost, order) == pytest.approx(_brute_force(cost, 0, None))


def test_tour_with_etas_and_closed_warnings(cremona_graph: nx.MultiDiGraph[int], museums: list[Stop]) -> None:
    monday = plan_tour(cremona_graph, STATION, museums, loop=True, depart=MONDAY, hours=_hours)
    assert monday.visits[0].stop.id == monday.visits[-1].stop.id == STATION.id
    assert monday.optimised
    kms = [v.km for v in monday.visits]
    assert kms == sorted(kms)
    assert kms[-1] == pytest.approx(monday.route.length_m / 1000, rel=0.01)
    arrivals = [v.arrive for v in monday.visits]
    assert all(a is not None for a in arrivals)
    assert arrivals == sorted(arrivals)  # type: ignore[type-var]
    violino = next(v for v in monday.visits if v.stop.id == "museum-museo-del-violino")
    assert violino.opening == "closed"  # closed on Mondays
    assert any("Museo del Violino is closed" in w for w in monday.warnings)
    tuesday = plan_tour(cremona_graph, STATION, museums, loop=True, depart=TUESDAY, hours=_hours)
    assert next(v for v in tuesday.visits if v.stop.id == "museum-museo-del-violino").opening == "open"
    assert tuesday.total_time_s == pytest.approx(tuesday.route.duration_s + 60 * (90 + 90 + 30))


def test_lunch_break_and_bad_requests(cremona_graph: nx.MultiDiGraph[int], museums: list[Stop]) -> None:
    late = dt.datetime(2026, 12, 1, 11, 45)
    plan = plan_tour(cremona_graph, STATION, museums, loop=True, depart=late, lunch=True)
    assert any("Lunch break" in w for w in plan.warnings)
    with pytest.raises(InvalidPointError, match="not both"):
        plan_tour(cremona_graph, STATION, museums, end=STATION, loop=True)
    with pytest.raises(InvalidPointError, match="at least one stop"):
        plan_tour(cremona_graph, STATION, [])


def test_stages_end_near_stations_with_bailouts(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    from poi.osm import osm_extract_pois

    pois = osm_extract_pois(LIECHTENSTEIN)
    stations = stops_from_frame(pois[pois["category"] == "railway_station"])
    lodging = stops_from_frame(pois[pois["category"] == "lodging"])
    balzers = Stop("b", "Balzers", 47.0667, 9.5000)
    ruggell = Stop("r", "Ruggell", 47.2398, 9.5263)
    plan = plan_tour(liechtenstein_graph, balzers, [ruggell], loop=True)
    stages = split_stages(plan.route, km_per_day=15, overnight=lodging + stations, stations=stations)
    assert len(stages) >= 3
    assert stages[0].start_km == 0
    assert stages[-1].end_km == pytest.approx(plan.route.length_m / 1000, abs=0.01)
    for a, b in itertools.pairwise(stages):
        assert a.end_km == b.start_km
    for stage in stages:
        assert stage.bailout_station
        assert 0 <= stage.bailout_distance_m < 10_000
        assert stage.end_kind == "end" or stage.end_off_route_m <= 2000 or stage.note
        assert 0 < stage.length_km <= 15 * 1.25 + 0.01
    with pytest.raises(InvalidPointError, match="either km per day or hours per day"):
        split_stages(plan.route)


def test_loop_is_within_tolerance_and_deterministic(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    vaduz = (47.1393, 9.5228)
    a = plan_loop(liechtenstein_graph, vaduz, target_km=40, seed=4)
    b = plan_loop(liechtenstein_graph, vaduz, target_km=40, seed=4)
    assert a.error_share <= 0.10
    assert a.route.geometry.equals(b.route.geometry)
    first, last = a.route.geometry.coords[0], a.route.geometry.coords[-1]
    assert math.dist(first, last) < 0.002
    with pytest.raises(NoRouteError, match=r"No loop of 400 km"):
        plan_loop(liechtenstein_graph, vaduz, target_km=400, tries=2)


def test_document_round_trip_and_versions(cremona_graph: nx.MultiDiGraph[int], museums: list[Stop]) -> None:
    request = ItineraryRequest(kind="tour", start=STATION, visits=tuple(museums), loop=True, depart=TUESDAY)
    planned = plan_itinerary(cremona_graph, request, hours=_hours, stations=[STATION])
    doc = itinerary_document(request, planned.plan, planned.stages, notes=planned.notes)
    text = json.dumps(doc)
    again = request_from_document(json.loads(text))
    assert again == request
    assert doc["summary"]["length_m"] == pytest.approx(planned.plan.route.length_m, abs=0.1)
    assert len(doc["stops"]) == 5
    newer = {**doc, "version": VERSION + 1}
    with pytest.raises(ItineraryFormatError, match=f"version {VERSION + 1}, newer"):
        request_from_document(newer)
    with pytest.raises(ItineraryFormatError, match="Not a cremona-bike itinerary"):
        request_from_document({"type": "FeatureCollection"})
    broken = {**doc, "request": {**doc["request"], "start": {"name": "x"}}}
    with pytest.raises(ItineraryFormatError, match=r"request.start is not a valid stop"):
        request_from_document(broken)


def test_cli_tour_writes_valid_gpx_and_replans(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "giro"
    args = [
        "itinerary",
        "plan",
        "--start",
        "Stazione di Cremona",
        "--visit",
        "museum-museo-del-violino",
        "--visit",
        "Museo Archeologico San Lorenzo",
        "--visit",
        "music-teatro-ponchielli",
        "--loop",
        "--date",
        "2026-11-30",
        "--time",
        "09:30",
        "-o",
        str(out),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Museo del Violino is closed at" in result.stderr
    for gpx in out.glob("*.gpx"):
        assert validate_gpx_schema(gpx.read_bytes(), GPX_SCHEMA) == []
    doc = json.loads((out / "itinerary.json").read_text())
    assert doc["format"] == "cremona-bike/itinerary"
    assert "| Museo del Violino | museum |" in (out / "itinerary.md").read_text()
    again = runner.invoke(cli, ["itinerary", "replan", str(out / "itinerary.json"), "-o", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    replanned = json.loads((tmp_path / "again" / "itinerary.json").read_text())
    assert replanned["summary"]["length_m"] == doc["summary"]["length_m"]


def test_cli_bad_inputs(tmp_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(
        cli, ["itinerary", "plan", "--start", "Stazione di Cremona", "--visit", "Museo del Violna", "-o", str(tmp_path)]
    )
    assert unknown.exit_code == 1
    assert "No POI or place matches 'Museo del Violna'. Did you mean" in unknown.stderr
    both = runner.invoke(
        cli, ["itinerary", "plan", "--start", "Crema", "--end", "Crema", "--loop", "-o", str(tmp_path)]
    )
    assert both.exit_code == 2
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps({"format": "cremona-bike/itinerary", "version": 99, "request": {}}))
    newer = runner.invoke(cli, ["itinerary", "replan", str(bad), "-o", str(tmp_path / "x")])
    assert newer.exit_code == 1
    assert "newer than this program's" in newer.stderr
    assert "Traceback" not in unknown.output + both.output + newer.output


def test_cli_multi_day_on_liechtenstein(tmp_path: Path) -> None:
    out = tmp_path / "reno"
    result = CliRunner().invoke(
        cli,
        [
            "itinerary",
            "plan",
            "--start",
            "Balzers",
            "--visit",
            "Ruggell",
            "--loop",
            "--km-per-day",
            "30",
            "--data",
            str(LIECHTENSTEIN),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "day-1.gpx").exists()
    assert (out / "day-2.gpx").exists()
    doc = json.loads((out / "itinerary.json").read_text())
    assert [s["day"] for s in doc["stages"]] == [1, 2]
    assert all(s["bailout_station"] for s in doc["stages"])
    assert any("No timetable data" in n for n in doc["notes"])
