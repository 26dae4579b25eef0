"""Cheapest paths between two snapped points, from the arrays of one weighting of the graph.

The weighting's arrays (:mod:`routing.weighting`) hold a SciPy CSR matrix and a
contraction hierarchy customised for it (:mod:`routing.hierarchy`). A plain
search climbs the hierarchy from both ends;
a search on adjusted weights (no-go areas, alternatives) runs
``scipy.sparse.csgraph.dijkstra`` on the adjusted matrix. A route may start and
end part-way along an edge: each snap offers up to two entries into the network
(towards either end of its edge, where the bicycle may ride that way) and the
best combination wins.
"""

from __future__ import annotations

import itertools
import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from routing.chains import climb_chains
from routing.errors import NoRouteError
from routing.hierarchy import expand_arcs
from routing.probe import climb
from routing.weighting import MIN_WEIGHT

if TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Mapping

    import networkx as nx
    from scipy.sparse import csr_matrix

    from routing.snapping import EdgeKey
    from routing.snapping import Snap
    from routing.weighting import SearchIndex

#: A snap this close to the end of its edge counts as on the junction itself.
AT_NODE_M = 1e-6
#: Junctions from which a query searches the ancestor chains of its ends (:mod:`routing.chains`) rather than
#: the whole hierarchy (:func:`routing.probe.climb`), whose set-up grows with the graph. Measured on the bench's
#: tiled grids (median of a complete query): 22 thousand junctions 0.72 ms whole, 0.96 ms chains; 89 thousand
#: 1.39 ms whole, 1.07 ms chains; 445 thousand 5.7 ms whole, 3.3 ms chains.
CHAINS_FROM = 50_000

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class Piece:
    """A directed edge, or the part of it between two offsets (metres from ``u``)."""

    edge: EdgeKey
    start_m: float
    end_m: float


_TWINS: weakref.WeakKeyDictionary[Any, dict[EdgeKey, tuple[tuple[EdgeKey, bool], ...]]] = weakref.WeakKeyDictionary()


def twin_edges(G: nx.MultiDiGraph[int], edge: EdgeKey) -> tuple[tuple[EdgeKey, bool], ...]:
    """Return an edge and its reverse (the same way ridden the other way), if any.

    Each item is ``(edge, flipped)``; ``flipped`` tells that offsets along it run
    from the other end. Answers are remembered per graph (the graph is read-only).
    """
    known = _TWINS.get(G)
    if known is None:
        known = _TWINS.setdefault(G, {})
    found = known.get(edge)
    if found is None:
        found = known[edge] = tuple(_find_twins(G, edge))
    return found


def _find_twins(G: nx.MultiDiGraph[int], edge: EdgeKey) -> list[tuple[EdgeKey, bool]]:
    u, v, k = edge
    data = G.edges[u, v, k]
    twins = [(edge, False)]
    if G.has_edge(v, u):
        for k2, d2 in G[v][u].items():
            other = (v, u, int(k2))
            if (
                other != edge
                and d2.get("osmid") == data.get("osmid")
                and abs(float(d2["length"]) - float(data["length"])) < 1e-6
            ):
                twins.append((other, True))
                break
    return twins


def partial_cost(G: nx.MultiDiGraph[int], index: SearchIndex, edge: EdgeKey, metres: float) -> float:
    """Return the weight of riding ``metres`` along one edge."""
    length, full = _length_and_weight(G, index, edge)
    return full * (metres / length) if length > 0 else 0.0


def _length_and_weight(G: nx.MultiDiGraph[int], index: SearchIndex, edge: EdgeKey) -> tuple[float, float]:
    """Return an edge's length and whole weight (from the arrays, or its attributes if it is not in them)."""
    eid = index.compact.edge_id.get(edge)
    if eid is None:
        data = G.edges[edge]
        return float(data["length"]), max(index.weigh(data), MIN_WEIGHT)
    return float(index.compact.length[eid]), float(index.edge_weight[eid])


@dataclass(frozen=True, slots=True)
class Leg:
    """The cheapest ride between two snapped points: a partial first and last edge, whole ones between.

    ``inner`` holds the edge ids (see :class:`~routing.compact.CompactGraph`) of
    the whole edges; ``first`` or ``last`` is ``None`` when there is none.
    """

    cost: float
    first: Piece | None
    inner: IntArray
    last: Piece | None

    def pieces(self, index: SearchIndex) -> list[Piece]:
        """Return the leg as pieces in riding order."""
        edges = index.compact.edges
        lengths = index.compact.length[self.inner].tolist()
        inner = [Piece(edges[e], 0.0, m) for e, m in zip(self.inner.tolist(), lengths, strict=True)]
        return [p for p in (self.first, *inner, self.last) if p is not None]


_NO_EDGES: IntArray = np.zeros(0, dtype=np.int64)


def shortest_pieces(
    G: nx.MultiDiGraph[int],
    start: Snap,
    end: Snap,
    *,
    index: SearchIndex,
    matrix: csr_matrix | None = None,
    blocked: Collection[tuple[int, int]] = frozenset(),
) -> tuple[float, list[Piece]]:
    """Find the cheapest ride from one snapped point to another.

    Parameters
    ----------
    G
        The bicycle graph.
    start, end
        Snapped points (see :func:`routing.snapping.snap_point`).
    index
        The weighting to minimise (see :func:`routing.weighting.search_index`).
    matrix
        The index's matrix as adjusted by :func:`routing.weighting.adjusted_matrix`, if it was.
    blocked
        Node pairs the adjusted matrix leaves out; the snapped edges may not be
        ridden on them either.

    Returns
    -------
    tuple
        The cost, and the ridden pieces of edges in order.

    Raises
    ------
    NoRouteError
        If no ride joins the two points.
    """
    leg = shortest_leg(G, start, end, index=index, matrix=matrix, blocked=blocked)
    return leg.cost, leg.pieces(index)


def shortest_leg(
    G: nx.MultiDiGraph[int],
    start: Snap,
    end: Snap,
    *,
    index: SearchIndex,
    matrix: csr_matrix | None = None,
    blocked: Collection[tuple[int, int]] = frozenset(),
) -> Leg:
    """Find the cheapest ride from one snapped point to another, as a :class:`Leg`.

    Parameters and errors are those of :func:`shortest_pieces`.
    """
    starts, _ = leg_entries(G, index, start, blocked, arrivals=False)
    _, ends = leg_entries(G, index, end, blocked, departures=False)
    best = Leg(np.inf, None, _NO_EDGES, None)
    # Both points on the same way, the end ahead of the start: ride straight there.
    for (_, _, s_piece), (_, _, e_piece) in itertools.product(starts, ends):
        same_way = s_piece.edge == e_piece.edge and s_piece.edge[:2] not in blocked
        if same_way and s_piece.start_m <= e_piece.end_m:
            cost = partial_cost(G, index, s_piece.edge, e_piece.end_m - s_piece.start_m)
            if cost < best.cost:
                best = Leg(cost, Piece(s_piece.edge, s_piece.start_m, e_piece.end_m), _NO_EDGES, None)
    if starts and ends:
        if matrix is None or matrix is index.matrix:
            found = _climb(index, starts, ends, best.cost)
        else:
            found = _sweep(index, matrix, starts, ends, best.cost)
        best = found or best
    if not np.isfinite(best.cost):
        msg = (
            f"No bike route from {start.query[0]:.5f},{start.query[1]:.5f} "
            f"to {end.query[0]:.5f},{end.query[1]:.5f}: "
            "they are on unconnected parts of the network"
        )
        raise NoRouteError(msg, start.query, end.query)
    return Leg(float(best.cost), best.first, best.inner, best.last)


Entry = tuple[float, int, Piece]


def leg_entries(
    G: nx.MultiDiGraph[int],
    index: SearchIndex,
    snap: Snap,
    blocked: Collection[tuple[int, int]] = frozenset(),
    *,
    departures: bool = True,
    arrivals: bool = True,
) -> tuple[list[Entry], list[Entry]]:
    """Return how a ride leaves a snapped point and how it arrives there.

    Each entry is ``(cost, junction, piece)``: the cost of the partial edge
    ``piece`` between the point and the junction, in both directions of its way.
    ``departures``/``arrivals`` ``False`` leave that list empty.

    Returns
    -------
    tuple of list
        The departures (point → junction) and the arrivals (junction → point).
    """
    leaving: list[Entry] = []
    arriving: list[Entry] = []
    for edge, flipped in twin_edges(G, snap.edge):
        length, full = _length_and_weight(G, index, edge)
        off = length - snap.offset_m if flipped else snap.offset_m
        open_ = edge[:2] not in blocked
        if departures:
            # As partial_cost: the cost of part of an edge is in proportion to the part.
            cost = full * ((length - off) / length) if length > 0 else 0.0
            if open_ and math.isfinite(cost):
                leaving.append((cost, edge[1], Piece(edge, off, length)))
            if off <= AT_NODE_M:
                # Snapped onto a junction: any way out of it will do.
                leaving.append((0.0, edge[0], Piece(edge, off, off)))
        if arrivals:
            cost = full * (off / length) if length > 0 else 0.0
            if open_ and math.isfinite(cost):
                arriving.append((cost, edge[0], Piece(edge, 0.0, off)))
            if length - off <= AT_NODE_M:
                arriving.append((0.0, edge[1], Piece(edge, off, off)))
    return leaving, arriving


def _climb(index: SearchIndex, starts: list[Entry], ends: list[Entry], bound: float) -> Leg | None:
    """Join the entries through the contraction hierarchy; ``None`` if nothing beats ``bound``."""
    position = index.position
    first = cheapest(starts, position)
    last = cheapest(ends, position)
    search = climb_chains if index.hierarchy.shape.n >= CHAINS_FROM else climb
    found = search(index.hierarchy, {p: c for p, (c, _) in first.items()}, {p: c for p, (c, _) in last.items()})
    if found is None or not found.cost < bound:
        return None
    inner = np.array(expand_arcs(index.hierarchy, found.ranked, index.arc_edge, index.expanded), dtype=np.int64)
    return Leg(found.cost, first[found.first][1], inner, last[found.last][1])


def cheapest(entries: list[Entry], position: Mapping[int, int]) -> dict[int, tuple[float, Piece]]:
    """Keep the cheapest entry per junction position (the first of equal ones)."""
    out: dict[int, tuple[float, Piece]] = {}
    for cost, node, piece in entries:
        at = position[node]
        if at not in out or cost < out[at][0]:
            out[at] = (cost, piece)
    return out


def _edges_along(index: SearchIndex, positions: IntArray) -> IntArray:
    """Return the cheapest edge between each two consecutive node positions of a walk."""
    if len(positions) < 2:
        return _NO_EDGES
    keys = positions[:-1] * len(index.nodes) + positions[1:]
    found: IntArray = index.pair_edge[np.searchsorted(index.pair_keys, keys)]
    return found


def _sweep(index: SearchIndex, matrix: csr_matrix, starts: list[Entry], ends: list[Entry], bound: float) -> Leg | None:
    """Join the entries with a Dijkstra search over a whole adjusted matrix."""
    sources = sorted({index.position[n] for _, n, _ in starts})
    dist, pred = dijkstra(matrix, directed=True, indices=sources, return_predecessors=True)
    row_of = {src: row for row, src in enumerate(sources)}
    choice: tuple[int, int, int, Piece, Piece] | None = None
    for (s_cost, s_node, s_piece), (e_cost, e_node, e_piece) in itertools.product(starts, ends):
        row = row_of[index.position[s_node]]
        cost = s_cost + float(dist[row, index.position[e_node]]) + e_cost
        if cost < bound:
            bound = cost
            choice = (row, s_node, e_node, s_piece, e_piece)
    if choice is None:
        return None
    row, s_node, e_node, s_piece, e_piece = choice
    positions = [index.position[e_node]]
    stop = index.position[s_node]
    at = positions[0]
    while at != stop:
        at = int(pred[row, at])
        positions.append(at)
    positions.reverse()
    return Leg(bound, s_piece, _edges_along(index, np.array(positions, dtype=np.int64)), e_piece)
