"""Named cycle routes as first-class parts of the graph: list, measure, extract, match.

Routes come from OSM ``route=bicycle`` relations (read with the graph) or from an
official itinerary GPX matched onto the graph with :func:`match_track`. Both end up
the same way: a relation id in ``G.graph["routes"]`` and on the ``routes`` tuple of
each member edge. Matched routes get negative ids, so they never clash with OSM.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from shapely import LineString
from shapely import MultiLineString
from shapely.ops import linemerge

from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError
from routing.search import shortest_pieces
from routing.search import twin_edges
from routing.snapping import edge_index
from routing.snapping import project_geometry
from routing.snapping import snap_point
from routing.weighting import search_index

if TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx

    from gis_data.route_registry import RegisteredRoute
    from routing.snapping import Snap


@dataclass(frozen=True, slots=True)
class CycleRouteInfo:
    """A named cycle route as found in the data."""

    relation_id: int
    name: str
    ref: str
    network: str
    length_km: float
    source: str


@dataclass(frozen=True, slots=True)
class MatchReport:
    """How well an official track matched the graph.

    ``gaps_km`` lists the stretches of the track, as (from km, to km) along it,
    that no matched edge covers.
    """

    name: str
    relation_id: int
    track_km: float
    matched_share: float
    matched_edges: int
    gaps_km: tuple[tuple[float, float], ...]


def _ways(G: nx.MultiDiGraph[int], relation_id: int) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Yield each member edge once (either direction of a two-way street counts once)."""
    seen: set[tuple[int, int, int]] = set()
    for u, v, data in G.edges(data=True):
        if relation_id not in data.get("routes", ()):
            continue
        key = (int(data.get("osmid", 0)), min(u, v), max(u, v))
        if key not in seen:
            seen.add(key)
            yield u, v, data


def list_cycle_routes(G: nx.MultiDiGraph[int]) -> list[CycleRouteInfo]:
    """List the graph's named cycle routes with their length in the data.

    Parameters
    ----------
    G
        The bicycle graph.

    Returns
    -------
    list of CycleRouteInfo
        Sorted by network level (icn, ncn, rcn, lcn, then others), then name.
    """
    order = {"icn": 0, "ncn": 1, "rcn": 2, "lcn": 3}
    found = []
    for rel, info in G.graph.get("routes", {}).items():
        metres = sum(float(d["length"]) for _, _, d in _ways(G, rel))
        found.append(
            CycleRouteInfo(
                relation_id=int(rel),
                name=info.get("name", ""),
                ref=info.get("ref", ""),
                network=info.get("network", ""),
                length_km=round(metres / 1000, 3),
                source=info.get("source", "osm relation"),
            )
        )
    return sorted(found, key=lambda r: (order.get(r.network, 9), r.name, r.relation_id))


def find_cycle_route(G: nx.MultiDiGraph[int], query: str) -> CycleRouteInfo:
    """Find a route by relation id, ref or (part of) its name, case-insensitively.

    Raises
    ------
    NoRouteError
        Listing the known names when nothing matches or the query is ambiguous.
    """
    routes = list_cycle_routes(G)
    key = query.strip().casefold()
    exact = [r for r in routes if key in {str(r.relation_id), r.ref.casefold(), r.name.casefold()}]
    partial = exact or [r for r in routes if key and key in r.name.casefold()]
    catalogue = G.graph.get("routes", {})
    supers = [r for r in partial if catalogue.get(r.relation_id, {}).get("type") == "superroute"]
    if len(partial) == 1 or len(supers) == 1:
        # A super-route (EuroVelo 15) wins over its parts, which share its ref.
        return partial[0] if len(partial) == 1 else supers[0]
    names = ", ".join(f"{r.name or r.ref} ({r.relation_id})" for r in (partial or routes))
    problem = "is ambiguous" if partial else "matches no cycle route"
    msg = f"{query!r} {problem}; routes: {names or 'none in this data'}"
    raise NoRouteError(msg)


def cycle_route_geometry(G: nx.MultiDiGraph[int], relation_id: int) -> MultiLineString:
    """Return the member edges of a route as one MultiLineString (lon/lat), merged where they join."""
    lines = [d["geometry"] for _, _, d in _ways(G, relation_id)]
    if not lines:
        return MultiLineString()
    out = linemerge(MultiLineString(lines))
    return out if isinstance(out, MultiLineString) else MultiLineString([out])


def match_track(
    G: nx.MultiDiGraph[int],
    track: LineString | MultiLineString,
    *,
    name: str,
    ref: str = "",
    network: str = "official",
    tolerance_m: float = 25.0,
    step_m: float = 50.0,
) -> tuple[nx.MultiDiGraph[int], MatchReport]:
    """Tag the edges an official track (e.g. an Infopoint GPX) runs along with a route name.

    Route-based matching: points sampled every ``step_m`` along the track are
    snapped to the network (within ``tolerance_m``) and joined by the shortest
    ride between consecutive ones. A join much longer than the track between the
    two points (more than twice, plus 100 m) is dropped, because the track went
    where the network does not. The matched edges are those ridden for at least
    half their length; the report gives the share of the track within
    ``tolerance_m`` of them and the stretches that are not.

    Parameters
    ----------
    G
        The bicycle graph; it is not modified.
    track
        The official itinerary (lon/lat), one line per GPX segment.
    name, ref, network
        What to call the route.
    tolerance_m
        Largest distance between the track and the network.
    step_m
        Spacing of the sampled points.

    Returns
    -------
    tuple
        A new graph with the route added, and the :class:`MatchReport`.
    """
    index = edge_index(G)
    projected: LineString | MultiLineString = project_geometry(track, index.to_proj)
    lines = list(projected.geoms) if isinstance(projected, MultiLineString) else [projected]
    search = search_index(G, "length")
    matched: set[tuple[int, int, int]] = set()
    ridden_on: dict[tuple[int, int, int], float] = {}
    for line in lines:
        snaps: list[tuple[float, Snap]] = []
        for mark in [*np.arange(0.0, line.length, step_m), line.length]:
            at = line.interpolate(float(mark))
            lon, lat = index.to_wgs84.transform(at.x, at.y)
            try:
                snaps.append((float(mark), snap_point(G, (lat, lon), limit_m=tolerance_m)))
            except PointOffNetworkError:
                continue
        for (m0, a), (m1, b) in itertools.pairwise(snaps):
            try:
                _, pieces = shortest_pieces(G, a, b, index=search)
            except NoRouteError:
                continue
            ridden = sum(p.end_m - p.start_m for p in pieces)
            if ridden > 2 * (m1 - m0) + 100:
                continue
            for p in pieces:
                ridden_on[p.edge] = ridden_on.get(p.edge, 0.0) + p.end_m - p.start_m
    for edge, metres in ridden_on.items():
        if metres >= 0.5 * float(G.edges[edge]["length"]):
            matched.update(twin for twin, _ in twin_edges(G, edge))
    existing: Mapping[int, Any] = G.graph.get("routes", {})
    relation_id = min([0, *existing]) - 1
    H = G.copy()
    H.graph["routes"] = {
        **existing,
        relation_id: {"name": name, "ref": ref, "network": network, "type": "gpx", "source": "matched GPX"},
    }
    for edge in matched:
        data = H.edges[edge]
        data["routes"] = (*data.get("routes", ()), relation_id)
    cover = MultiLineString([index.line(e) for e in matched]).buffer(tolerance_m)
    gaps = _gaps(projected, cover)
    track_km = projected.length / 1000
    report = MatchReport(
        name=name,
        relation_id=relation_id,
        track_km=round(track_km, 3),
        matched_share=round(1 - sum(b - a for a, b in gaps) / track_km, 4) if track_km > 0 else 0.0,
        matched_edges=len(matched),
        gaps_km=gaps,
    )
    return H, report


def _gaps(track: LineString | MultiLineString, cover: Any, step_m: float = 10.0) -> tuple[tuple[float, float], ...]:
    """Return the (from km, to km) stretches of a projected track outside a covering area.

    The km count along the track's pieces one after the other.
    """
    pieces = list(track.geoms) if isinstance(track, MultiLineString) else [track]
    gaps: list[tuple[float, float]] = []
    offset = 0.0
    for line in pieces:
        if line.length <= 0:
            continue
        marks = np.append(np.arange(0.0, line.length, step_m), line.length)
        start: float | None = None
        for mark in marks:
            inside = cover.contains(line.interpolate(float(mark)))
            if not inside and start is None:
                start = float(mark)
            elif inside and start is not None:
                gaps.append((round((offset + start) / 1000, 3), round((offset + float(mark)) / 1000, 3)))
                start = None
        if start is not None:
            gaps.append((round((offset + start) / 1000, 3), round((offset + line.length) / 1000, 3)))
        offset += line.length
    return tuple(g for g in gaps if g[1] > g[0])


@dataclass(frozen=True, slots=True)
class RegistryCheck:
    """A registered route compared with what the loaded data holds."""

    id: str
    name: str
    official_km: float | None
    data_km: float
    relation_ids: tuple[int, ...]

    @property
    def found(self) -> bool:
        """Tell whether any route in the data matched."""
        return bool(self.relation_ids)


def check_registry(G: nx.MultiDiGraph[int], registry: Sequence[RegisteredRoute]) -> list[RegistryCheck]:
    """Match the registry's routes to the data's by name/ref patterns and compare lengths.

    Parameters
    ----------
    G
        The bicycle graph.
    registry
        From :func:`gis_data.route_registry.read_route_registry`.

    Returns
    -------
    list of RegistryCheck
        One per registered route, in registry order; ``data_km`` is the length of
        the union of the matching relations' ways.
    """
    routes = list_cycle_routes(G)
    checks = []
    for entry in registry:
        hits = tuple(r.relation_id for r in routes if any(p in f"{r.name} {r.ref}".casefold() for p in entry.patterns))
        metres = 0.0
        seen: set[tuple[int, int, int]] = set()
        for rel in hits:
            for u, v, d in _ways(G, rel):
                key = (int(d.get("osmid", 0)), min(u, v), max(u, v))
                if key not in seen:
                    seen.add(key)
                    metres += float(d["length"])
        checks.append(RegistryCheck(entry.id, entry.name, entry.official_km, round(metres / 1000, 3), hits))
    return checks
