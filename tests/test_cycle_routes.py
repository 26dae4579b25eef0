from __future__ import annotations

import json
from typing import TYPE_CHECKING

import osmium
import pytest
from click.testing import CliRunner
from pyproj import Geod
from shapely import LineString

from cli.main import cli
from gis_data.route_registry import read_route_registry
from routing import NoRouteError
from routing.cycle_routes import check_registry
from routing.cycle_routes import cycle_route_geometry
from routing.cycle_routes import find_cycle_route
from routing.cycle_routes import list_cycle_routes
from routing.cycle_routes import match_track
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

GEOD = Geod(ellps="WGS84")


def _member_way_km() -> dict[int, float]:
    """Length of each route relation's member ways (super-routes: their parts'), read with osmium."""
    members: dict[int, list[tuple[str, int]]] = {}
    for rel in osmium.FileProcessor(str(LIECHTENSTEIN), osmium.osm.RELATION):
        if rel.tags.get("route") == "bicycle" and isinstance(rel, osmium.osm.Relation):
            members[rel.id] = [(m.type, m.ref) for m in rel.members]
    ways: dict[int, float] = {}
    for way in osmium.FileProcessor(str(LIECHTENSTEIN)).with_locations():
        if isinstance(way, osmium.osm.Way):
            coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
            if len(coords) >= 2:
                ways[way.id] = GEOD.geometry_length(LineString(coords))

    def way_ids(rel: int, seen: set[int]) -> set[int]:
        found: set[int] = set()
        for kind, ref in members.get(rel, []):
            if kind == "w":
                found.add(ref)
            elif kind == "r" and ref not in seen:
                seen.add(ref)
                found |= way_ids(ref, seen)
        return found

    return {rel: sum(ways.get(w, 0.0) for w in way_ids(rel, {rel})) / 1000 for rel in members}


def test_route_km_agree_with_member_ways(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    independent = _member_way_km()
    listed = list_cycle_routes(liechtenstein_graph)
    assert {r.name for r in listed} >= {
        "EuroVelo 15",
        "10 Rheindammradweg",
        "ncn 2 - Rhein-Route (Andermatt–Basel)",
    }
    for route in listed:
        assert route.length_km == pytest.approx(independent[route.relation_id], rel=0.02), route.name


def test_find_by_ref_prefers_the_superroute(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    assert find_cycle_route(liechtenstein_graph, "EV15").name == "EuroVelo 15"
    assert find_cycle_route(liechtenstein_graph, "rheindamm").name == "10 Rheindammradweg"
    with pytest.raises(NoRouteError, match="'Postumia' matches no cycle route"):
        find_cycle_route(liechtenstein_graph, "Postumia")


def test_matching_a_relation_track_recovers_it(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    rel = find_cycle_route(liechtenstein_graph, "rheindamm")
    track = cycle_route_geometry(liechtenstein_graph, rel.relation_id)
    H, report = match_track(liechtenstein_graph, track, name="Argine del Reno")
    assert report.matched_share > 0.98
    assert report.track_km == pytest.approx(rel.length_km, rel=0.01)
    matched = find_cycle_route(H, "Argine del Reno")
    assert matched.relation_id < 0
    assert matched.length_km == pytest.approx(rel.length_km, rel=0.05)
    # the input graph is untouched
    assert report.relation_id not in liechtenstein_graph.graph["routes"]


def test_matching_reports_gaps_off_the_network(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    # a real dam stretch, then 2 km straight east across the Rhine and fields: no way there
    rel = find_cycle_route(liechtenstein_graph, "rheindamm")
    piece = max(cycle_route_geometry(liechtenstein_graph, rel.relation_id).geoms, key=lambda g: g.length)
    x, y = piece.coords[-1]
    track = LineString([*piece.coords, (x + 0.026, y)])
    _, report = match_track(liechtenstein_graph, track, name="with a detour")
    assert report.gaps_km
    start, end = report.gaps_km[-1]
    assert end == pytest.approx(report.track_km, abs=0.02)
    assert 1.0 < end - start < 2.1
    assert report.matched_share < 0.95


def test_registry_has_public_figures() -> None:
    registry = {r.id: r for r in read_route_registry()}
    assert registry["vacchelli"].official_km == 38
    assert registry["golena-po"].official_km == 61.4
    assert registry["pcir10"].official_km is None
    assert all(r.sources for r in registry.values())


def test_registry_check_on_data_without_them(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    checks = check_registry(liechtenstein_graph, read_route_registry())
    assert not any(c.found for c in checks)


def test_cli_routes_list_show_match(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data", str(LIECHTENSTEIN)]
    listed = runner.invoke(cli, ["routes", "list", *data, "--registry"])
    assert listed.exit_code == 0, listed.output
    assert "EuroVelo 15" in listed.output
    assert "Ciclabile del Canale Vacchelli: 38 km; not in this data" in listed.output
    out = tmp_path / "rheindamm.gpx"
    shown = runner.invoke(cli, ["routes", "show", "Rheindamm", *data, "-o", str(out)])
    assert shown.exit_code == 0, shown.output
    matched = runner.invoke(cli, ["routes", "match", str(out), "--name", "Ufficiale", *data])
    assert matched.exit_code == 0, matched.output
    assert "matched 100.0%" in matched.output
    geojson = runner.invoke(cli, ["routes", "show", "EV15", *data])
    assert json.loads(geojson.stdout)["properties"]["ref"] == "EV15"
    missing = runner.invoke(cli, ["routes", "show", "Vacchelli", *data])
    assert missing.exit_code == 1
    assert "'Vacchelli' matches no cycle route" in missing.output
