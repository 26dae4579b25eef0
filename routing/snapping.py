"""Snap requested points onto the nearest edge of the bicycle graph (not only a node).

An :class:`EdgeIndex` (a shapely STRtree over the edges, projected to the graph's
UTM zone) is built once per graph and kept while the graph lives.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely import LineString
from shapely import STRtree

from routing.errors import InvalidPointError
from routing.errors import PointOffNetworkError

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    import networkx as nx

LatLon = tuple[float, float]
ObjectArray = np.ndarray[Any, np.dtype[np.object_]]
EdgeKey = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a requested point meets the network.

    ``edge`` is the directed edge ``(u, v, key)`` the point was snapped to and
    ``offset_m`` the distance along it from ``u``.
    """

    query: LatLon
    snapped: LatLon
    distance_m: float
    edge: EdgeKey
    offset_m: float


@dataclass(frozen=True, slots=True)
class EdgeIndex:
    """Projected edge geometries of one graph and a spatial index over them."""

    edges: tuple[EdgeKey, ...]
    lines: tuple[LineString, ...]
    tree: STRtree
    to_proj: Transformer
    to_wgs84: Transformer
    positions: dict[EdgeKey, int]

    def line(self, edge: EdgeKey) -> LineString:
        """Return the projected geometry of an edge."""
        return self.lines[self.positions[edge]]


_INDEXES: weakref.WeakKeyDictionary[Any, EdgeIndex] = weakref.WeakKeyDictionary()
#: Children per node of the edge tree: narrower than shapely's default of 10, a nearest-edge query looks at
#: fewer edges (twice as fast on Liechtenstein's 13 thousand edges) for a tree about twice as big.
SNAP_NODE_CAPACITY = 4


def project_geometry(geoms: Any, transformer: Transformer) -> Any:
    """Apply a pyproj transformer to a shapely geometry or an array of them."""

    def apply(xy: Any) -> Any:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, apply)


def edge_index(G: nx.MultiDiGraph[int]) -> EdgeIndex:
    """Return the graph's edge index, building it on first use.

    Parameters
    ----------
    G
        A bicycle graph with ``geometry`` on every edge and ``proj_crs`` in ``G.graph``.

    Returns
    -------
    EdgeIndex
        Shared by every later call with the same graph object.
    """
    found = _INDEXES.get(G)
    if found is not None:
        return found
    to_proj = Transformer.from_crs(4326, G.graph["proj_crs"], always_xy=True)
    to_wgs84 = Transformer.from_crs(G.graph["proj_crs"], 4326, always_xy=True)
    edges: list[EdgeKey] = []
    geoms: list[LineString] = []
    geom: Any
    for u, v, k, geom in G.edges(keys=True, data="geometry"):
        edges.append((u, v, k))
        geoms.append(geom)
    projected = project_geometry(np.array(geoms, dtype=object), to_proj)
    lines = tuple(projected.tolist())
    positions = {e: i for i, e in enumerate(edges)}
    tree = STRtree(lines, node_capacity=SNAP_NODE_CAPACITY)
    index = EdgeIndex(tuple(edges), lines, tree, to_proj, to_wgs84, positions)
    _INDEXES[G] = index
    return index


def check_point(point: LatLon) -> LatLon:
    """Return a point as floats, or raise if it is not a valid latitude/longitude.

    Examples
    --------
    >>> check_point((45.13, 10.02))
    (45.13, 10.02)
    """
    lat, lon = float(point[0]), float(point[1])
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        msg = f"Point {point!r} is not a valid (latitude, longitude) pair"
        raise InvalidPointError(msg)
    return lat, lon


def snap_point(
    G: nx.MultiDiGraph[int],
    point: LatLon,
    *,
    limit_m: float,
    usable: Callable[[EdgeKey], bool] | None = None,
) -> Snap:
    """Snap a point to the nearest edge of the graph.

    Parameters
    ----------
    G
        The bicycle graph.
    point
        ``(lat, lon)`` in WGS84.
    limit_m
        Farthest the point may be from the network, in metres.
    usable
        Tells whether an edge may be snapped to (e.g. the profile allows it and
        it is not closed); default: every edge.

    Returns
    -------
    Snap
        The edge, the position along it and the snap distance.

    Raises
    ------
    InvalidPointError
        If the point is not a valid coordinate pair.
    PointOffNetworkError
        If the nearest edge is farther than ``limit_m``.
    """
    return snap_points(G, [point], limit_m=limit_m, usable=usable)[0]


def snap_points(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    limit_m: float,
    usable: Callable[[EdgeKey], bool] | None = None,
) -> tuple[Snap, ...]:
    """Snap several points at once (one index query for all), as :func:`snap_point` snaps one.

    Raises
    ------
    InvalidPointError
        If a point is not a valid coordinate pair.
    PointOffNetworkError
        For the first point, in order, farther than ``limit_m`` from any usable edge.
    """
    checked = [check_point(p) for p in points]
    if not checked:
        return ()
    index = edge_index(G)
    # pyproj answers a pair of floats several times faster than a pair of arrays, for a few points.
    forward = index.to_proj.transform
    where: ObjectArray = shapely.points(np.array([forward(lon, lat) for lat, lon in checked]))  # type: ignore[assignment]
    found, distances = index.tree.query_nearest(where, return_distance=True, all_matches=False)
    # One match per point, in the points' order (none at all in a network without ways).
    chosen = found[1] if len(distances) == len(checked) else np.full(len(checked), -1)
    if len(distances) != len(checked):
        distances = np.full(len(checked), np.inf)
    for k, (lat, lon) in enumerate(checked):
        i, distance = int(chosen[k]), float(distances[k])
        if usable is not None and (i < 0 or not usable(index.edges[i])):
            distance, i = _nearest_usable(index, where[k], limit_m, usable, fallback=i)
            chosen[k], distances[k] = i, distance
        if distance > limit_m:
            if np.isfinite(distance):
                msg = (
                    f"Point {lat:.5f},{lon:.5f} is {distance / 1000:.1f} km from the bicycle network "
                    f"(limit {limit_m / 1000:g} km)"
                )
            else:
                msg = f"Point {lat:.5f},{lon:.5f} has no way open to this profile within {limit_m / 1000:g} km"
            raise PointOffNetworkError(msg, (lat, lon), distance)
    lines = index.tree.geometries[chosen]
    offsets = shapely.line_locate_point(lines, where)
    on_line = shapely.get_coordinates(shapely.line_interpolate_point(lines, offsets)).tolist()
    back = index.to_wgs84.transform
    edges = index.edges
    return tuple(
        Snap(q, _lat_lon(back(x, y)), d, edges[i], off)
        for q, (x, y), d, i, off in zip(
            checked, on_line, distances.tolist(), chosen.tolist(), offsets.tolist(), strict=True
        )
    )


def _lat_lon(lon_lat: tuple[float, float]) -> LatLon:
    return lon_lat[1], lon_lat[0]


#: First search radius (metres) for the nearest usable edge; it grows fourfold up to the limit.
_FIRST_RADIUS_M = 50.0


def _nearest_usable(
    index: EdgeIndex, where: shapely.Point, limit_m: float, usable: Callable[[EdgeKey], bool], *, fallback: int
) -> tuple[float, int]:
    """Return the distance and position of the nearest usable edge within ``limit_m`` (``inf`` if none).

    Searches growing circles: a usable edge found within a radius is the
    nearest usable one, since every edge closer than the radius was looked at.
    Ties go to the lower position, as everywhere in the index.
    """
    radius = min(_FIRST_RADIUS_M, limit_m)
    while True:
        near = index.tree.query(where, predicate="dwithin", distance=radius)
        if len(near):
            dist = shapely.distance(index.tree.geometries[near], where)
            for j in np.lexsort((near, dist)).tolist():
                if usable(index.edges[int(near[j])]):
                    return float(dist[j]), int(near[j])
        if radius >= limit_m:
            return np.inf, fallback
        radius = min(radius * 4, limit_m)
