"""Route costs between every ordered pair of points, for ordering the stops of a tour.

Each point is snapped once; one upward search of the contraction hierarchy per
point and direction (see :func:`routing.probe.many_to_many`) gives the whole
matrix, so a 20 × 20 matrix costs 40 searches instead of 380 route queries.
Pairs of points on the same way, where the cheapest ride may not reach a
junction at all, are answered by a single route query each.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from gis_data import settings
from routing.errors import NoRouteError
from routing.paths import SHORTEST
from routing.paths import resolve_profile
from routing.probe import many_to_many
from routing.search import cheapest
from routing.search import leg_entries
from routing.search import shortest_leg
from routing.search import twin_edges
from routing.snapping import snap_points
from routing.weighting import search_index

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from routing.profiles import Profile
    from routing.snapping import LatLon
    from routing.snapping import Snap
    from routing.weighting import SearchIndex

FloatMatrix = np.ndarray[tuple[int, int], np.dtype[np.float64]]


def cost_matrix(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    profile: str | Profile | None = None,
    snap_limit_m: float | None = None,
) -> FloatMatrix:
    """Return the route cost from every point to every other (``inf``: unreachable, 0 on the diagonal).

    The costs are those :func:`routing.plan_route` finds for each pair.

    Parameters
    ----------
    G
        The bicycle graph.
    points
        ``(lat, lon)`` of each point.
    profile
        As for :func:`routing.plan_route` (``"shortest"`` for distance alone).
    snap_limit_m
        Farthest a point may be from the network; default ``gis_data.settings.snap_limit_m``.

    Raises
    ------
    PointOffNetworkError
        If a point is too far from the network.
    """
    index, snaps = snapped(G, points, profile=profile, snap_limit_m=snap_limit_m)
    entries = [leg_entries(G, index, snap) for snap in snaps]
    position = index.position
    departures = [{p: c for p, (c, _) in cheapest(out, position).items()} for out, _ in entries]
    arrivals = [{p: c for p, (c, _) in cheapest(into, position).items()} for _, into in entries]
    cost: FloatMatrix = many_to_many(index.hierarchy, departures, arrivals)
    np.fill_diagonal(cost, 0.0)
    ways = [{edge for edge, _ in twin_edges(G, snap.edge)} for snap in snaps]
    for i, j in _same_way_pairs(ways):
        try:
            cost[i, j] = shortest_leg(G, snaps[i], snaps[j], index=index).cost
        except NoRouteError:
            cost[i, j] = math.inf
    return cost


def snapped(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    profile: str | Profile | None = None,
    snap_limit_m: float | None = None,
) -> tuple[SearchIndex, tuple[Snap, ...]]:
    """Return a profile's search index and the points snapped onto the ways it may use.

    Raises
    ------
    PointOffNetworkError
        If a point is too far from the network.
    """
    index = search_index(G, "length" if profile == SHORTEST else resolve_profile(profile))
    limit = settings.snap_limit_m if snap_limit_m is None else float(snap_limit_m)
    weights, edge_id = index.edge_weight, index.compact.edge_id

    def usable(edge: tuple[int, int, int]) -> bool:
        return bool(weights[edge_id[edge]] < np.inf)

    return index, snap_points(G, points, limit_m=limit, usable=usable)


def _same_way_pairs(ways: Sequence[set[Any]]) -> list[tuple[int, int]]:
    """Return the ordered pairs of different points snapped onto the same way.

    Examples
    --------
    >>> _same_way_pairs([{1, 2}, {3}, {2}])
    [(0, 2), (2, 0)]
    """
    return [(i, j) for i, a in enumerate(ways) for j, b in enumerate(ways) if i != j and a & b]
