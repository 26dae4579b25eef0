"""Visiting order of a tour: exact for small sets, a documented heuristic beyond.

The order minimises the sum of route costs between consecutive stops, with a
fixed first stop and either a fixed last stop or a return to the first (a loop).

* Up to :data:`EXACT_LIMIT` stops to order, Held-Karp dynamic programming finds
  the optimum (checked against brute force in the tests).
* Beyond, nearest-neighbour construction improved by 2-opt and Or-opt moves
  until no move helps (a standard local search; typically within a few percent
  of the optimum on road networks, with no guarantee).
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np

from routing.errors import NoRouteError
from routing.matrix import snapped
from routing.search import shortest_pieces

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx

    from routing.profiles import Profile
    from routing.snapping import LatLon

#: Largest number of stops (besides the fixed ends) ordered exactly.
EXACT_LIMIT = 10

FloatMatrix = np.ndarray[tuple[int, int], np.dtype[np.float64]]


def route_matrices(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    profile: str | Profile | None = None,
    snap_limit_m: float | None = None,
) -> tuple[FloatMatrix, FloatMatrix]:
    """Return the route cost and length (m) between every ordered pair of points.

    Unreachable pairs are ``inf``. Each point is snapped once.

    Raises
    ------
    PointOffNetworkError
        If a point is too far from the network.
    """
    index, snaps = snapped(G, points, profile=profile, snap_limit_m=snap_limit_m)
    n = len(points)
    cost = np.zeros((n, n))
    length = np.zeros((n, n))
    for i, j in itertools.permutations(range(n), 2):
        try:
            c, pieces = shortest_pieces(G, snaps[i], snaps[j], index=index)
        except NoRouteError:
            cost[i, j] = length[i, j] = math.inf
            continue
        cost[i, j] = c
        length[i, j] = sum(p.end_m - p.start_m for p in pieces)
    return cost, length


def tour_cost(matrix: FloatMatrix, order: Sequence[int]) -> float:
    """Return the cost of visiting the points in order.

    Examples
    --------
    >>> m = np.array([[0, 1, 5], [1, 0, 2], [5, 2, 0]], dtype=float)
    >>> tour_cost(m, [0, 1, 2]), tour_cost(m, [0, 2, 1, 0])
    (3.0, 8.0)
    """
    return float(sum(matrix[a, b] for a, b in itertools.pairwise(order)))


def best_order(matrix: FloatMatrix, *, start: int = 0, end: int | None = None) -> list[int]:
    """Order the points to visit from ``start`` to ``end`` (``None``: back to ``start``).

    Parameters
    ----------
    matrix
        Square matrix of costs between points (``inf`` = unreachable).
    start
        Index of the first point.
    end
        Index of the last point, or ``None`` for a loop back to ``start``.

    Returns
    -------
    list of int
        Every index once, from ``start`` to ``end`` (a loop ends with ``start``
        again).

    Raises
    ------
    NoRouteError
        If no order joins all the points.

    Examples
    --------
    >>> m = np.array([[0, 9, 1, 9], [9, 0, 1, 1], [1, 1, 0, 9], [9, 1, 9, 0]], dtype=float)
    >>> best_order(m, start=0, end=3)
    [0, 2, 1, 3]
    """
    n = matrix.shape[0]
    middle = [i for i in range(n) if i not in {start, end}]
    if len(middle) <= EXACT_LIMIT:
        order = _held_karp(matrix, start, end, middle)
    else:
        order = _local_search(matrix, start, end, middle)
    full = [start, *order] + ([start] if end is None else [end] if end != start else [])
    if not math.isfinite(tour_cost(matrix, full)):
        msg = "No order joins all the stops: some are not connected by the network"
        raise NoRouteError(msg)
    return full


def _held_karp(matrix: FloatMatrix, start: int, end: int | None, middle: list[int]) -> list[int]:
    """Exact order of ``middle`` by dynamic programming over subsets."""
    k = len(middle)
    if k == 0:
        return []
    target = start if end is None else end
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for i, node in enumerate(middle):
        best[(1 << i, i)] = (float(matrix[start, node]), -1)
    for size in range(2, k + 1):
        for subset in itertools.combinations(range(k), size):
            mask = sum(1 << i for i in subset)
            for last in subset:
                prev_mask = mask & ~(1 << last)
                options = (
                    (best[(prev_mask, p)][0] + float(matrix[middle[p], middle[last]]), p) for p in subset if p != last
                )
                best[(mask, last)] = min(options)
    full = (1 << k) - 1
    _cost, last = min((best[(full, i)][0] + float(matrix[middle[i], target]), i) for i in range(k))
    order = []
    mask = full
    while last != -1:
        order.append(middle[last])
        mask, last = mask & ~(1 << last), best[(mask, last)][1]
    return order[::-1]


def _local_search(matrix: FloatMatrix, start: int, end: int | None, middle: list[int]) -> list[int]:
    """Nearest neighbour, then 2-opt and Or-opt moves until none improves."""
    left = set(middle)
    order: list[int] = []
    at = start
    while left:
        at = min(left, key=lambda j: (float(matrix[at, j]), j))
        order.append(at)
        left.remove(at)
    target = start if end is None else end

    def total(seq: list[int]) -> float:
        return tour_cost(matrix, [start, *seq, target])

    current = total(order)
    improved = True
    while improved:
        improved = False
        for i, j in itertools.combinations(range(len(order)), 2):
            candidate = order[:i] + order[i : j + 1][::-1] + order[j + 1 :]
            value = total(candidate)
            if value < current - 1e-9:
                order, current, improved = candidate, value, True
        for i in range(len(order)):
            for j in range(len(order)):
                if i == j:
                    continue
                rest = order[:i] + order[i + 1 :]
                candidate = [*rest[:j], order[i], *rest[j:]]
                value = total(candidate)
                if value < current - 1e-9:
                    order, current, improved = candidate, value, True
    return order
