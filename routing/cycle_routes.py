"""Named cycle routes as first-class parts of the graph: list, measure, extract, match.

Routes come from OSM ``route=bicycle`` relations (read with the graph) or from an
official itinerary GPX matched onto the graph with :func:`match_track`. Both end up
the same way: a relation id in ``G.graph["routes"]`` and on the ``routes`` tuple of
each member edge. Matched routes get negative ids, so they never clash with OSM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from shapely import LineString
from shapely import MultiLineString
from shapely.ops import linemerge

from routing.errors import NoRouteError
from routing.snapping import edge_index
from routing.snapping import project_geometry

if TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx

    from gis_data.route_registry import RegisteredRoute


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
    if len(partial) == 1:
        return partial[0]
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
    track: LineString,
    *,
    name: str,
    ref: str = "",
    network: str = "official",
    tolerance_m: float = 25.0,
    min_cover: float = 0.8,
) -> tuple[nx.MultiDiGraph[int], MatchReport]:
    """Tag the edges an official track (e.g. an Infopoint GPX) runs along with a route name.

    Geometric matching: an edge is matched when at least ``min_cover`` of its
    length lies within ``tolerance_m`` of the track. The report gives the share of
    the track that lies within ``tolerance_m`` of a matched edge, and the
    uncovered stretches.

    Parameters
    ----------
    G
        The bicycle graph; it is not modified.
    track
        The official itinerary as a lon/lat LineString.
    name, ref, network
        What to call the route.
    tolerance_m
        Largest distance between the track and a matched edge.
    min_cover
        Share of an edge that must lie near the track.

    Returns
    -------
    tuple
        A new graph with the route added, and the :class:`MatchReport`.
    """
    index = edge_index(G)
    line: LineString = project_geometry(track, index.to_proj)
    corridor = line.buffer(tolerance_m)
    matched: list[tuple[int, int, int]] = []
    for i in index.tree.query(corridor, predicate="intersects"):
        edge_line = index.lines[int(i)]
        if edge_line.length <= 0:
            continue
        if edge_line.intersection(corridor).length >= min_cover * edge_line.length:
            matched.append(index.edges[int(i)])
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
    cover = MultiLineString([index.lines[index.positions[e]] for e in matched]).buffer(tolerance_m)
    gaps = _gaps(line, cover)
    covered_km = line.length / 1000 - sum(b - a for a, b in gaps)
    report = MatchReport(
        name=name,
        relation_id=relation_id,
        track_km=round(line.length / 1000, 3),
        matched_share=round(covered_km / (line.length / 1000), 4) if line.length > 0 else 0.0,
        matched_edges=len(matched),
        gaps_km=gaps,
    )
    return H, report


def _gaps(line: LineString, cover: Any, step_m: float = 10.0) -> tuple[tuple[float, float], ...]:
    """Return the (from km, to km) stretches of a projected line outside a covering area."""
    if line.length <= 0:
        return ()
    marks = np.append(np.arange(0.0, line.length, step_m), line.length)
    inside = np.array([cover.contains(line.interpolate(float(m))) for m in marks])
    gaps: list[tuple[float, float]] = []
    start: float | None = None
    for mark, ok in zip(marks, inside, strict=True):
        if not ok and start is None:
            start = float(mark)
        elif ok and start is not None:
            gaps.append((round(start / 1000, 3), round(float(mark) / 1000, 3)))
            start = None
    if start is not None:
        gaps.append((round(start / 1000, 3), round(line.length / 1000, 3)))
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
        hits = tuple(
            r.relation_id for r in routes if any(p in f"{r.name} {r.ref}".casefold() for p in entry.patterns)
        )
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
