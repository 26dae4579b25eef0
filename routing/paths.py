"""Plan a bicycle route through any number of points."""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING
from typing import Any

from shapely import LineString
from shapely.ops import substring

from gis_data import settings
from routing.errors import InvalidPointError
from routing.search import Piece
from routing.search import shortest_pieces
from routing.snapping import edge_index
from routing.snapping import snap_point
from routing.summary import CycleRouteUse
from routing.summary import Route
from routing.summary import duration_s
from routing.summary import shares

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from routing.snapping import LatLon

logger = logging.getLogger(__name__)


def plan_route(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    weight: str = "length",
    speed_kmh: float | None = None,
    snap_limit_m: float | None = None,
) -> Route:
    """Plan the cheapest bicycle route from the first point through the others in order.

    Each point is snapped to the nearest edge, so a route starts and ends where
    the rider is, not at the nearest junction. Each leg between consecutive
    points is cheapest on its own.

    Parameters
    ----------
    G
        The bicycle graph (see :func:`gis_data.network.load_network`).
    points
        Start, via points and end as ``(lat, lon)``; at least two.
    weight
        Edge attribute to minimise.
    speed_kmh
        Riding speed for the duration; default ``gis_data.settings.speed_kmh``.
    snap_limit_m
        Farthest a point may be from the network; default
        ``gis_data.settings.snap_limit_m``.

    Returns
    -------
    Route
        Geometry, distance, duration and shares of the ride.

    Raises
    ------
    InvalidPointError
        If fewer than two points are given, a point is not a valid coordinate
        pair, or the speed is not positive.
    PointOffNetworkError
        If a point lies farther than the limit from the network.
    NoRouteError
        If two consecutive points are not connected.
    """
    if len(points) < 2:
        msg = f"A route needs a start and an end, got {len(points)} point(s)"
        raise InvalidPointError(msg)
    speed = settings.speed_kmh if speed_kmh is None else float(speed_kmh)
    if not speed > 0:
        msg = f"Speed must be a positive number of km/h, got {speed_kmh!r}"
        raise InvalidPointError(msg)
    limit = settings.snap_limit_m if snap_limit_m is None else float(snap_limit_m)
    snaps = tuple(snap_point(G, p, limit_m=limit) for p in points)
    pieces: list[Piece] = []
    for start, end in itertools.pairwise(snaps):
        _, leg = shortest_pieces(G, start, end, weight=weight)
        pieces.extend(leg)
    return _assemble(G, pieces, snaps, speed)


def _assemble(
    G: nx.MultiDiGraph[int], pieces: list[Piece], snaps: tuple[Any, ...], speed: float
) -> Route:
    """Join the ridden pieces into one Route with its summary."""
    index = edge_index(G)
    coords: list[tuple[float, float]] = []
    nodes: list[int] = []
    rows: list[tuple[dict[str, Any], float]] = []
    for piece in pieces:
        data = G.edges[piece.edge]
        full = float(data["length"])
        part = max(piece.end_m - piece.start_m, 0.0)
        if part <= 0 and full > 0:
            continue
        if piece.start_m <= 0 and piece.end_m >= full:
            line: LineString = data["geometry"]
        else:
            cut = substring(index.line(piece.edge), piece.start_m, piece.end_m)
            xs, ys = index.to_wgs84.transform(*cut.xy) if cut.geom_type == "LineString" else cut.xy
            line = LineString(list(zip(xs, ys, strict=True))) if len(xs) > 1 else LineString([])
        part_coords = [(float(x), float(y)) for x, y, *_ in line.coords]
        if coords and part_coords and coords[-1] == part_coords[0]:
            part_coords = part_coords[1:]
        coords.extend(part_coords)
        for n in piece.edge[:2]:
            if not nodes or nodes[-1] != n:
                nodes.append(n)
        rows.append((data, part))
    if not coords:
        lat, lon = snaps[0].snapped
        coords = [(lon, lat)]
    if len(coords) == 1:
        coords.append(coords[0])
    length = sum(part for _, part in rows)
    used: dict[int, float] = {}
    for data, part in rows:
        for rel in data.get("routes", ()):
            used[rel] = used.get(rel, 0.0) + part
    catalogue: dict[int, dict[str, str]] = G.graph.get("routes", {})
    cycle_routes = tuple(
        CycleRouteUse(
            relation_id=rel,
            name=catalogue.get(rel, {}).get("name", ""),
            ref=catalogue.get(rel, {}).get("ref", ""),
            network=catalogue.get(rel, {}).get("network", ""),
            length_m=metres,
            share=metres / length if length > 0 else 0.0,
        )
        for rel, metres in sorted(used.items(), key=lambda kv: -kv[1])
    )
    return Route(
        geometry=LineString(coords),
        nodes=tuple(nodes),
        length_m=length,
        duration_s=duration_s(length, speed),
        speed_kmh=speed,
        surface_shares=shares((str(d.get("surface", "unknown")), m) for d, m in rows),
        highway_shares=shares((str(d.get("highway", "unknown")), m) for d, m in rows),
        cycle_routes=cycle_routes,
        snaps=snaps,
    )
