from __future__ import annotations

import json
import logging
import pickle
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import osmium
import pytest
from pyproj import Geod

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.network import load_network
from gis_data.network import prepared_path
from tests.conftest import ANDORRA
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    import networkx as nx

GEOD = Geod(ellps="WGS84")
EUROVELO_15 = 2171555  # the superroute
EUROVELO_15_SWITZERLAND = 2769483  # its Swiss part, whose ways run along the Rhine dam


def _source_ways(path: Path) -> dict[int, dict[str, str]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {
        int(f["properties"]["osmId"]): f["properties"]["tags"]
        for f in doc["features"]
        if f["geometry"]["type"] == "LineString"
    }


def test_cremona_graph_shape(cremona_graph: nx.MultiDiGraph[int]) -> None:
    G = cremona_graph
    assert G.graph["crs"] == "EPSG:4326"
    assert G.graph["proj_crs"] == "EPSG:32632"
    assert 1800 < G.number_of_nodes() < 1956  # some ways are closed to bicycles
    for u, v, data in G.edges(data=True):
        first, last = data["geometry"].coords[0], data["geometry"].coords[-1]
        assert first == (G.nodes[u]["x"], G.nodes[u]["y"])
        assert last == (G.nodes[v]["x"], G.nodes[v]["y"])


def test_lengths_agree_with_geodesic(cremona_graph: nx.MultiDiGraph[int]) -> None:
    for _, _, data in list(cremona_graph.edges(data=True))[:500]:
        geodesic = GEOD.geometry_length(data["geometry"])
        assert data["length"] == pytest.approx(geodesic, rel=2e-3, abs=0.05)


def test_ways_closed_to_bicycles_are_left_out(cremona_graph: nx.MultiDiGraph[int]) -> None:
    ways = _source_ways(settings.default_network)
    banned = {w for w, tags in ways.items() if tags.get("bicycle") in {"no", "private"}}
    assert len(banned) > 20
    in_graph = {d["osmid"] for _, _, d in cremona_graph.edges(data=True)}
    assert not banned & in_graph


def test_oneway_rules_on_real_streets(cremona_graph: nx.MultiDiGraph[int]) -> None:
    ways = _source_ways(settings.default_network)
    directions: dict[int, set[bool]] = {}
    for _, _, d in cremona_graph.edges(data=True):
        directions.setdefault(d["osmid"], set()).add(d["reversed"])
    oneway = [
        w
        for w, t in ways.items()
        if t.get("oneway") == "yes"
        and "oneway:bicycle" not in t
        and w in directions
        and not any(str(v).startswith("opposite") for k, v in t.items() if k.startswith("cycleway"))
    ]
    contraflow = [w for w, t in ways.items() if t.get("oneway:bicycle") == "no" and w in directions]
    assert len(oneway) > 100
    assert len(contraflow) > 5
    assert all(directions[w] == {False} for w in oneway)
    assert all(directions[w] == {False, True} for w in contraflow)


def test_liechtenstein_relations_on_edges(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    G = liechtenstein_graph
    routes = G.graph["routes"]
    assert routes[EUROVELO_15]["ref"] == "EV15"
    assert routes[EUROVELO_15]["network"] == "icn"
    names = {r["name"] for r in routes.values()}
    assert "10 Rheindammradweg" in names
    on_swiss_part = [d for _, _, d in G.edges(data=True) if EUROVELO_15_SWITZERLAND in d["routes"]]
    assert on_swiss_part
    # membership of a superroute is inherited by the ways of its parts
    assert all(EUROVELO_15 in d["routes"] for d in on_swiss_part)


def test_liechtenstein_highways_and_relation_members(
    liechtenstein_graph: nx.MultiDiGraph[int],
) -> None:
    highways = {d["highway"] for _, _, d in liechtenstein_graph.edges(data=True)}
    assert "cycleway" in highways
    assert "track" in highways
    assert not highways & {"motorway", "motorway_link", "steps", "construction"}
    # every edge tagged with the Rheindammradweg is a member of it (read again with osmium)
    rel_id = next(i for i, r in liechtenstein_graph.graph["routes"].items() if r["name"] == "10 Rheindammradweg")
    members: set[int] = set()
    for rel in osmium.FileProcessor(str(LIECHTENSTEIN), osmium.osm.RELATION):
        if rel.id == rel_id and isinstance(rel, osmium.osm.Relation):
            members = {m.ref for m in rel.members if m.type == "w"}
    tagged = {d["osmid"] for _, _, d in liechtenstein_graph.edges(data=True) if rel_id in d["routes"]}
    assert tagged
    assert tagged <= members


def test_andorra_has_no_relations_and_places() -> None:
    G = load_network(ANDORRA)
    assert G.graph["routes"] == {}
    kinds = {kind for _, kind, _, _ in G.graph["places"]}
    assert "street" in kinds
    assert "town" in kinds or "village" in kinds


def test_cache_is_reused_and_rebuilt_when_source_changes(tmp_path: Path) -> None:
    source = tmp_path / "centre.geojson"
    shutil.copy(Path(__file__).parent / "data" / "graph_cremona_centre.geojson", source)
    first = load_network(source)
    cache = prepared_path(source)
    assert cache.exists()
    assert not list(cache.parent.glob("*.tmp"))
    again = load_network(source)
    assert again.number_of_edges() == first.number_of_edges()
    doc = json.loads(source.read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["geometry"]["type"] == "Point" or f["id"] % 2 == 0]
    source.write_text(json.dumps(doc), encoding="utf-8")
    rebuilt = load_network(source)
    assert rebuilt.number_of_edges() < first.number_of_edges()


def test_corrupt_cache_is_rebuilt_with_a_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = tmp_path / "centre.geojson"
    shutil.copy(Path(__file__).parent / "data" / "graph_cremona_centre.geojson", source)
    good = load_network(source)
    prepared_path(source).write_bytes(b"CREMONA-BIKE-GRAPH\n\x80\x05garbage")
    with caplog.at_level(logging.WARNING, logger="gis_data.network"):
        again = load_network(source)
    assert "unreadable" in caplog.text
    assert again.number_of_edges() == good.number_of_edges()


def test_a_cache_whose_vertices_miss_an_edge_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The stored vertices must give one line per edge of the stored graph, or the file is not used."""
    source = tmp_path / "centre.geojson"
    shutil.copy(Path(__file__).parent / "data" / "graph_cremona_centre.geojson", source)
    good = load_network(source)
    path = prepared_path(source)
    magic = b"CREMONA-BIKE-GRAPH\n"
    header, bare, coords, counts, order = pickle.loads(path.read_bytes()[len(magic) :])
    # The last edge's vertices left out: the counts still add up to the coordinates, one edge short.
    short = (header, bare, coords[: len(coords) - int(counts[-1])], counts[:-1], order)
    path.write_bytes(magic + pickle.dumps(short, protocol=5))
    with caplog.at_level(logging.WARNING, logger="gis_data.network"):
        again = load_network(source)
    assert "unreadable" in caplog.text
    assert again.number_of_edges() == good.number_of_edges()
    assert all(d.get("geometry") is not None for _, _, d in again.edges(data=True))


def test_missing_and_unknown_sources(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match=re.escape("nope.osm.pbf")):
        load_network(tmp_path / "nope.osm.pbf")
    odd = tmp_path / "roads.shp"
    odd.write_bytes(b"\x00")
    with pytest.raises(DataNotFoundError, match=re.escape("roads.shp")):
        load_network(odd)
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"this is not a pbf")
    with pytest.raises(InvalidDataError, match=re.escape("broken.osm.pbf")):
        load_network(broken)
    not_graph = tmp_path / "other.geojson"
    not_graph.write_text('{"type": "FeatureCollection", "features": [{"geometry": 1}]}')
    with pytest.raises(InvalidDataError, match=re.escape("other.geojson")):
        load_network(not_graph)
