from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gis_data.errors import PlaceNotFoundError
from gis_data.places import parse_latlon
from gis_data.places import resolve_place
from gis_data.places import search_places

if TYPE_CHECKING:
    import networkx as nx


@pytest.mark.parametrize(
    ("query", "kind", "lat", "lon"),
    [
        ("Crema", "town", 45.36264, 9.68176),  # GeoNames town centre
        ("soncino", "town", 45.40033, 9.86845),
        ("Stazione di Cremona", "station", 45.143301, 10.017983),
        ("Piadena Drizzona", "comune", 45.1, 10.4),  # a merged comune: ISTAT point only
    ],
)
def test_reference_places(cremona_graph: nx.MultiDiGraph[int], query: str, kind: str, lat: float, lon: float) -> None:
    place = resolve_place(cremona_graph, query)
    assert place.kind == kind
    assert place.lat == pytest.approx(lat, abs=0.1)
    assert place.lon == pytest.approx(lon, abs=0.1)


def test_street_names_come_from_the_graph(cremona_graph: nx.MultiDiGraph[int]) -> None:
    place = resolve_place(cremona_graph, "via palestro")
    assert place.kind == "street"
    assert place.name == "Via Palestro"
    assert 45.13 < place.lat < 45.15


def test_osm_places_of_a_raw_extract(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    vaduz = resolve_place(liechtenstein_graph, "Vaduz")
    assert vaduz.lat == pytest.approx(47.14, abs=0.02)
    assert vaduz.lon == pytest.approx(9.52, abs=0.02)


def test_near_miss_gets_suggestions(cremona_graph: nx.MultiDiGraph[int]) -> None:
    with pytest.raises(PlaceNotFoundError, match="Did you mean") as info:
        resolve_place(cremona_graph, "Cremna")
    assert "Cremona" in info.value.suggestions
    assert info.value.query == "Cremna"


def test_unknown_name_still_suggests(cremona_graph: nx.MultiDiGraph[int]) -> None:
    with pytest.raises(PlaceNotFoundError, match="'foo'") as info:
        resolve_place(cremona_graph, "foo")
    assert info.value.suggestions


@pytest.mark.parametrize("query", ["95,10", "45,190", "", "   "])
def test_bad_queries(cremona_graph: nx.MultiDiGraph[int], query: str) -> None:
    with pytest.raises(PlaceNotFoundError):
        resolve_place(cremona_graph, query)


def test_search_lists_matches(cremona_graph: nx.MultiDiGraph[int]) -> None:
    found = search_places(cremona_graph, "palestro")
    assert [p.name for p in found] == ["Via Palestro"]
    assert len(search_places(cremona_graph, limit=10)) == 10


@given(
    lat=st.floats(min_value=-90, max_value=90, allow_nan=False),
    lon=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_coordinates_round_trip(lat: float, lon: float) -> None:
    text = f"{lat:.6f},{lon:.6f}"
    parsed = parse_latlon(text)
    assert parsed is not None
    assert parsed == pytest.approx((round(lat, 6), round(lon, 6)))
