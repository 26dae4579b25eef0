"""Read real OSM inputs into edge segments, the common form the graph builder takes.

Two kinds of input are read:

* raw OpenStreetMap extracts (``.osm.pbf``, ``.osm``, ``.osm.bz2``/``.gz``) through
  pyosmium, with the ``route=bicycle`` relations and ``place=*`` nodes;
* the "nodes + edges" GeoJSON export of the city of Cremona shipped as the
  embedded default, whose edges are already split at intersections.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import osmium

from gis_data.bike_access import bicycle_directions
from gis_data.bike_access import is_bicycle_way
from gis_data.errors import InvalidDataError

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

#: Way tags copied onto every edge of the graph.
EDGE_TAGS: tuple[str, ...] = (
    "highway",
    "name",
    "ref",
    "surface",
    "smoothness",
    "tracktype",
    "maxspeed",
    "bicycle",
    "access",
    "oneway",
    "oneway:bicycle",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "cycleway:both",
    "segregated",
    "lit",
    "bridge",
    "tunnel",
    "junction",
)

#: ``place=*`` values kept as named places of a raw extract.
PLACE_KINDS: frozenset[str] = frozenset(
    {"city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood", "locality"}
)

OSM_SUFFIXES: tuple[str, ...] = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m")


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a way between two graph nodes, with its bicycle directions."""

    way_id: int
    u: int
    v: int
    coords: tuple[tuple[float, float], ...]
    tags: dict[str, str]
    forward: bool
    backward: bool


@dataclass(slots=True)
class RawNetwork:
    """Everything read from one input before the graph is built."""

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    #: relation id -> {"name", "ref", "network", "type"} for route=bicycle relations
    routes: dict[int, dict[str, str]] = field(default_factory=dict)
    #: way id -> ids of the route relations (and their super-routes) it belongs to
    way_routes: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: (name, kind, lon, lat) of place=* nodes
    places: list[tuple[str, str, float, float]] = field(default_factory=list)


def is_osm_file(path: Path) -> bool:
    """Tell whether a path names a raw OSM extract by its suffix.

    Examples
    --------
    >>> from pathlib import Path
    >>> is_osm_file(Path("x/liechtenstein.osm.pbf")), is_osm_file(Path("g.geojson"))
    (True, False)
    """
    return path.name.lower().endswith(OSM_SUFFIXES)


def _edge_tags(tags: dict[str, str]) -> dict[str, str]:
    return {k: tags[k] for k in EDGE_TAGS if k in tags}


def _read_route_relations(
    path: Path,
) -> tuple[dict[int, dict[str, str]], dict[int, tuple[int, ...]]]:
    """Collect route=bicycle relations and map each member way to them and their parents."""
    routes: dict[int, dict[str, str]] = {}
    children: dict[int, list[int]] = {}
    way_members: dict[int, list[int]] = {}
    for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        tags = rel.tags
        if tags.get("route") != "bicycle" or tags.get("type") not in {"route", "superroute"}:
            continue
        routes[rel.id] = {
            "name": tags.get("name") or "",
            "ref": tags.get("ref") or "",
            "network": tags.get("network") or "",
            "type": tags.get("type") or "route",
        }
        assert isinstance(rel, osmium.osm.Relation)
        for member in rel.members:
            if member.type == "w":
                way_members.setdefault(member.ref, []).append(rel.id)
            elif member.type == "r":
                children.setdefault(rel.id, []).append(member.ref)
    parents: dict[int, set[int]] = {}
    for parent, kids in children.items():
        for kid in kids:
            parents.setdefault(kid, set()).add(parent)

    def ancestors(rel_id: int, seen: set[int]) -> set[int]:
        found: set[int] = set()
        for parent in parents.get(rel_id, ()):
            if parent in routes and parent not in seen:
                seen.add(parent)
                found |= {parent} | ancestors(parent, seen)
        return found

    way_routes: dict[int, tuple[int, ...]] = {}
    for way_id, rel_ids in way_members.items():
        ids: set[int] = set()
        for rel_id in rel_ids:
            ids |= {rel_id} | ancestors(rel_id, {rel_id})
        way_routes[way_id] = tuple(sorted(ids))
    return routes, way_routes


def read_osm(path: Path) -> RawNetwork:
    """Read a raw OSM extract into the bicycle network's segments.

    Ways are split at every node shared by two kept ways and at their ends.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm`` or compressed ``.osm`` file.

    Returns
    -------
    RawNetwork
        Nodes, segments, bicycle route relations and named places.

    Raises
    ------
    InvalidDataError
        If pyosmium cannot read the file.
    """
    raw = RawNetwork()
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    try:
        raw.routes, raw.way_routes = _read_route_relations(path)
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        for obj in processor.with_locations():
            if isinstance(obj, osmium.osm.Node):
                kind = obj.tags.get("place")
                name = obj.tags.get("name")
                if kind in PLACE_KINDS and name and obj.location.valid():
                    raw.places.append((name, kind, obj.location.lon, obj.location.lat))
                continue
            if not isinstance(obj, osmium.osm.Way) or "highway" not in obj.tags:
                continue
            tags = dict(obj.tags)
            if not is_bicycle_way(tags):
                continue
            refs: list[int] = []
            for nd in obj.nodes:
                if not nd.location.valid():
                    continue
                raw.nodes[nd.ref] = (nd.location.lon, nd.location.lat)
                refs.append(nd.ref)
            if len(refs) >= 2:
                ways.append((obj.id, refs, tags))
    except RuntimeError as exc:
        msg = f"Cannot read OSM file {str(path)!r}: {exc}"
        raise InvalidDataError(msg) from exc
    use = Counter(ref for _, refs, _ in ways for ref in refs)
    for _, refs, _ in ways:
        use[refs[0]] += 1
        use[refs[-1]] += 1
    for way_id, refs, tags in ways:
        forward, backward = bicycle_directions(tags)
        kept = _edge_tags(tags)
        start = 0
        for i in range(1, len(refs)):
            if i == len(refs) - 1 or use[refs[i]] > 1:
                piece = refs[start : i + 1]
                raw.segments.append(
                    Segment(
                        way_id=way_id,
                        u=piece[0],
                        v=piece[-1],
                        coords=tuple(raw.nodes[r] for r in piece),
                        tags=kept,
                        forward=forward,
                        backward=backward,
                    )
                )
                start = i
    logger.info(
        "Read %s: %d bicycle ways, %d segments, %d bicycle routes, %d places",
        path.name,
        len(ways),
        len(raw.segments),
        len(raw.routes),
        len(raw.places),
    )
    return raw


def read_graph_geojson(path: Path) -> RawNetwork:
    """Read a "nodes + edges" GeoJSON export of OSM ways (the Cremona city graph).

    Point features are nodes (``properties.osmId``); LineString features are
    edges already split at intersections (``src``/``tgt`` name node feature ids,
    ``properties.tags`` holds the way's OSM tags).

    Parameters
    ----------
    path
        The GeoJSON file.

    Returns
    -------
    RawNetwork
        Nodes (by OSM node id) and the bicycle-usable segments.

    Raises
    ------
    InvalidDataError
        If the file is not JSON or not in this nodes + edges form.
    """
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        features: list[dict[str, Any]] = doc["features"]
        osm_ids: dict[int, int] = {}
        raw = RawNetwork()
        for feat in features:
            if feat["geometry"]["type"] == "Point":
                osm_id = int(feat["properties"]["osmId"])
                osm_ids[int(feat["id"])] = osm_id
                lon, lat = feat["geometry"]["coordinates"][:2]
                raw.nodes[osm_id] = (float(lon), float(lat))
        for feat in features:
            if feat["geometry"]["type"] != "LineString":
                continue
            tags = {str(k): str(v) for k, v in feat["properties"].get("tags", {}).items()}
            if not is_bicycle_way(tags):
                continue
            forward, backward = bicycle_directions(tags)
            coords = tuple((float(x), float(y)) for x, y, *_ in feat["geometry"]["coordinates"])
            raw.segments.append(
                Segment(
                    way_id=int(feat["properties"]["osmId"]),
                    u=osm_ids[int(feat["src"])],
                    v=osm_ids[int(feat["tgt"])],
                    coords=coords,
                    tags=_edge_tags(tags),
                    forward=forward,
                    backward=backward,
                )
            )
    except (ValueError, KeyError, TypeError) as exc:
        msg = f"{str(path)!r} is not a nodes + edges graph GeoJSON: {exc!r}"
        raise InvalidDataError(msg) from exc
    logger.info("Read %s: %d bicycle segments", path.name, len(raw.segments))
    return raw
