from __future__ import annotations

import time
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shapely import LineString

from gis_data import settings
from gis_data.network import load_network
from poi.embedded import default_pois
from poi.model import Poi
from poi.model import gdf_to_pois
from poi.model import pois_to_gdf
from poi.search import poi_index
from poi.search import pois_along
from poi.search import pois_near
from poi.search import project
from routing import plan_route

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

PIAZZA_DEL_COMUNE = (45.1334, 10.0246)
CREMONA_STATION = (45.1433, 10.0180)
UTM = "EPSG:32632"


@cache
def _embedded() -> gpd.GeoDataFrame:
    """The real embedded POIs, loaded once (hypothesis forbids function-scoped fixtures)."""
    return default_pois(load_network(settings.default_network))


def _brute_force(pois: gpd.GeoDataFrame, line: LineString, buffer_m: float) -> set[str]:
    projected = pois[pois.geometry.notna()].to_crs(UTM)
    dist = shapely.distance(project(line, UTM), np.asarray(projected.geometry.array))
    return set(projected["id"][dist <= buffer_m])


def test_drinking_water_along_a_route_through_cremona(cremona_graph: nx.MultiDiGraph[int]) -> None:
    route = plan_route(cremona_graph, [PIAZZA_DEL_COMUNE, CREMONA_STATION])
    found = pois_along(_embedded(), route.geometry, buffer_m=300, categories={"drinking_water"})
    assert len(found) >= 1
    assert set(found["category"]) == {"drinking_water"}
    assert (found["off_route_m"] <= 300).all()
    assert found["km"].is_monotonic_increasing
    assert found["km"].max() <= route.length_m / 1000 + 1e-6
    assert set(found["id"]) == _brute_force(
        _embedded()[_embedded()["category"] == "drinking_water"], route.geometry, 300
    )


def test_pois_near_the_station_finds_it_first() -> None:
    found = pois_near(_embedded(), CREMONA_STATION, radius_m=300, categories={"railway_station"})
    assert found["name"].iloc[0] == "Stazione di Cremona"
    assert found["distance_m"].iloc[0] < 100
    everything = pois_near(_embedded(), CREMONA_STATION, radius_m=300)
    assert everything["distance_m"].is_monotonic_increasing
    assert (everything["distance_m"] <= 300).all()
    assert len(everything) > len(found)


def test_unplaced_pois_are_skipped_and_results_are_new_frames() -> None:
    pois = pois_to_gdf([Poi("a", "A", "museum", 45.1334, 10.0246, "point"), Poi("b", "B", "museum")])
    before = pois.copy()
    found = pois_near(pois, PIAZZA_DEL_COMUNE, radius_m=10_000)
    assert list(found["id"]) == ["a"]
    found.loc[0, "name"] = "changed"
    assert pois.equals(before)


def test_empty_route_gives_an_empty_result() -> None:
    found = pois_along(_embedded(), LineString(), buffer_m=100)
    assert len(found) == 0
    assert {"km", "off_route_m"} <= set(found.columns)


def test_index_is_reused_and_rebuilt_when_positions_change() -> None:
    pois = _embedded()
    assert poi_index(pois, UTM) is poi_index(pois, UTM)
    records = gdf_to_pois(pois)
    moved = pois_to_gdf([replace(records[0], lat=45.0, lon=10.0), *records[1:]])
    assert poi_index(moved, UTM) is not poi_index(pois, UTM)


def test_a_query_over_a_thousand_pois_takes_milliseconds(
    cremona_graph: nx.MultiDiGraph[int],
) -> None:
    route = plan_route(cremona_graph, [PIAZZA_DEL_COMUNE, CREMONA_STATION])
    pois = _embedded()
    pois_along(pois, route.geometry, buffer_m=300)  # builds the index
    started = time.perf_counter()
    for _ in range(10):
        pois_along(pois, route.geometry, buffer_m=300)
    # Generous bound for a slow CI machine; typically about 2 ms per query.
    assert (time.perf_counter() - started) / 10 < 0.1


lons = st.floats(min_value=9.98, max_value=10.07)
lats = st.floats(min_value=45.11, max_value=45.17)


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(lons, lats), min_size=2, max_size=6),
    st.floats(min_value=1.0, max_value=1500.0),
)
def test_along_invariants(coords: list[tuple[float, float]], buffer_m: float) -> None:
    line = LineString(coords)
    found = pois_along(_embedded(), line, buffer_m=buffer_m)
    length_km = project(line, UTM).length / 1000
    assert (found["off_route_m"] <= buffer_m).all()
    assert (found["km"] >= 0).all()
    assert (found["km"] <= length_km + 1e-9).all()
    assert found["km"].is_monotonic_increasing
    assert set(found["id"]) == _brute_force(_embedded(), line, buffer_m)


@hsettings(max_examples=40, deadline=None)
@given(st.tuples(lats, lons), st.floats(min_value=1.0, max_value=2000.0))
def test_near_invariants(point: tuple[float, float], radius_m: float) -> None:
    found = pois_near(_embedded(), point, radius_m=radius_m, categories={"drinking_water"})
    assert (found["distance_m"] <= radius_m).all()
    assert found["distance_m"].is_monotonic_increasing
    assert set(found["category"]) <= {"drinking_water"}


@pytest.mark.parametrize("buffer_m", [50.0, 300.0])
def test_along_a_real_route_matches_brute_force(cremona_graph: nx.MultiDiGraph[int], buffer_m: float) -> None:
    route = plan_route(cremona_graph, [CREMONA_STATION, (45.1296, 10.0127)])
    found = pois_along(_embedded(), route.geometry, buffer_m=buffer_m)
    assert set(found["id"]) == _brute_force(_embedded(), route.geometry, buffer_m)
