from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import gpxpy
import pytest

from gis_data.gpx import gpx_to_xml
from gis_data.gpx import validate_gpx_schema
from gis_data.poi_sources import read_csv_table
from poi.embedded import default_pois
from poi.errors import InvalidPoiError
from poi.export import geojson_text
from poi.export import pois_to_csv
from poi.export import pois_to_geojson
from poi.export import pois_to_gpx
from poi.model import check_opening_hours
from poi.model import gdf_to_pois
from poi.model import opening_state
from poi.search import pois_along
from poi.validate import Provenance
from poi.validate import parse_table
from routing import plan_route
from tests.conftest import GPX_SCHEMA

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    import networkx as nx


@pytest.fixture(scope="module")
def embedded(cremona_graph: nx.MultiDiGraph[int]) -> gpd.GeoDataFrame:
    return default_pois(cremona_graph)


@pytest.fixture(scope="module")
def along(embedded: gpd.GeoDataFrame, cremona_graph: nx.MultiDiGraph[int]) -> gpd.GeoDataFrame:
    route = plan_route(cremona_graph, [(45.1334, 10.0246), (45.1433, 10.0180)])
    return pois_along(embedded, route.geometry, buffer_m=300)


def test_gpx_waypoints_are_valid_gpx_1_1(along: gpd.GeoDataFrame) -> None:
    xml = gpx_to_xml(pois_to_gpx(along, name="POIs along the route"))
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    doc = gpxpy.parse(xml)
    assert len(doc.waypoints) == len(along)
    for wpt, (_, row) in zip(doc.waypoints, along.iterrows(), strict=True):
        assert wpt.type == row["category"]
        assert f"km {row['km']:.2f}" in (wpt.description or "")
        assert row["source"] in (wpt.source or "")
        assert wpt.symbol
    assert "OpenStreetMap" in (doc.description or "")


def test_gpx_leaves_out_unplaced_pois(embedded: gpd.GeoDataFrame) -> None:
    curated = embedded[embedded["source"] == "curated-pois-cremona"]
    xml = gpx_to_xml(pois_to_gpx(curated))
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    assert len(gpxpy.parse(xml).waypoints) == int(curated.geometry.notna().sum())


def test_geojson_keeps_unplaced_pois_with_null_geometry(embedded: gpd.GeoDataFrame) -> None:
    doc = json.loads(geojson_text(pois_to_geojson(embedded)))
    assert len(doc["features"]) == len(embedded)
    unplaced = [f for f in doc["features"] if f["geometry"] is None]
    assert len(unplaced) == int(embedded.geometry.isna().sum())
    assert "© OpenStreetMap contributors (ODbL)" in doc["attribution"]
    first = doc["features"][0]["properties"]
    assert {"source", "licence", "attribution", "last_checked"} <= set(first)


def test_csv_round_trip_keeps_every_record(embedded: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "all.csv"
    path.write_text(pois_to_csv(embedded), encoding="utf-8")
    report = parse_table(read_csv_table(path), Provenance("unused"))
    assert report.ok, report.problems[:3]
    assert list(report.pois) == gdf_to_pois(embedded)


def test_csv_of_a_query_starts_with_its_columns(along: gpd.GeoDataFrame) -> None:
    header = pois_to_csv(along).splitlines()[0].split(",")
    assert header[:2] == ["km", "off_route_m"]


def test_opening_hours_are_checked_and_evaluated() -> None:
    hours = check_opening_hours("Tu-Su 10:00-18:00; PH off")
    cremona = (45.1334, 10.0246)
    assert opening_state(hours, datetime(2026, 3, 3, 11), latlon=cremona) == "open"
    assert opening_state(hours, datetime(2026, 3, 2, 11), latlon=cremona) == "closed"  # Monday
    # 2 June, Festa della Repubblica: an Italian public holiday, found offline.
    assert opening_state(hours, datetime(2026, 6, 2, 11), latlon=cremona) == "closed"
    with pytest.raises(InvalidPoiError, match="OSM opening_hours syntax"):
        check_opening_hours("lunedì-venerdì 9-12")
