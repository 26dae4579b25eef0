"""Cheapest paths between two snapped points, on a compressed sparse copy of the graph.

The graph's edge weights are copied once per weighting into a SciPy CSR matrix
(the cheapest parallel edge per node pair; edges a profile forbids are left out)
and searched with ``scipy.sparse.csgraph.dijkstra``. A route may start and end
part-way along an edge: each snap offers up to two entries into the network
(towards either end of its edge, where the bicycle may ride that way) and the
best combination wins. Alternatives and no-go areas reuse the same arrays with
some entries scaled or removed.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.costs import edge_cost
from routing.errors import NoRouteError
from routing.profiles import Profile

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Collection
    from collections.abc import Mapping

    import networkx as nx

    from routing.snapping import EdgeKey
    from routing.snapping import Snap

#: Weights must be positive for the sparse search; zero-length edges get this.
MIN_WEIGHT = 1e-6
#: A snap this close to the end of its edge counts as on the junction itself.
AT_NODE_M = 1e-6

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """One weighting of a graph as sparse arrays, with the edge key behind each entry."""

    nodes: tuple[int, ...]
    position: dict[int, int]
    rows: IntArray
    cols: IntArray
    data: FloatArray
    entry: dict[tuple[int, int], int]
    best_key: dict[tuple[int, int], int]
    matrix: csr_matrix
    weigh: Callable[[Mapping[str, Any]], float]


@dataclass(frozen=True, slots=True)
class Piece:
    """A directed edge, or the part of it between two offsets (metres from ``u``)."""

    edge: EdgeKey
    start_m: float
    end_m: float


_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, SearchIndex]] = weakref.WeakKeyDictionary()


def weight_function(weight: str | Profile) -> Callable[[Mapping[str, Any]], float]:
    """Return the function giving an edge's weight: an attribute, or a profile's cost.

    Examples
    --------
    >>> weight_function("length")({"length": 12.5})
    12.5
    """
    if isinstance(weight, Profile):
        profile = weight
        return lambda data: edge_cost(data, profile)
    name = weight
    return lambda data: float(data[name])


def search_index(G: nx.MultiDiGraph[int], weight: str | Profile) -> SearchIndex:
    """Return the sparse search index of a graph for one weighting, building it once.

    Parameters
    ----------
    G
        The bicycle graph.
    weight
        Edge attribute to minimise (e.g. ``"length"``) or a :class:`Profile`.

    Returns
    -------
    SearchIndex
        Shared by later calls with the same graph object and weighting.
    """
    key = weight.key if isinstance(weight, Profile) else f"attr:{weight}"
    per_graph = _INDEXES.setdefault(G, {})
    if key in per_graph:
        return per_graph[key]
    weigh = weight_function(weight)
    nodes = tuple(G.nodes)
    position = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for u, v, k, attrs in G.edges(keys=True, data=True):
        cost = max(weigh(attrs), MIN_WEIGHT)
        if np.isfinite(cost) and ((u, v) not in best or cost < best[(u, v)][0]):
            best[(u, v)] = (cost, k)
    pairs = list(best)
    rows = np.array([position[u] for u, _ in pairs], dtype=np.int64)
    cols = np.array([position[v] for _, v in pairs], dtype=np.int64)
    data = np.array([best[p][0] for p in pairs], dtype=np.float64)
    index = SearchIndex(
        nodes=nodes,
        position=position,
        rows=rows,
        cols=cols,
        data=data,
        entry={p: i for i, p in enumerate(pairs)},
        best_key={p: best[p][1] for p in pairs},
        matrix=_matrix(rows, cols, data, len(nodes)),
        weigh=weigh,
    )
    per_graph[key] = index
    return index


def _matrix(rows: IntArray, cols: IntArray, data: FloatArray, n: int) -> csr_matrix:
    keep = np.isfinite(data)
    return csr_matrix((data[keep], (rows[keep], cols[keep])), shape=(n, n))


def adjusted_matrix(
    index: SearchIndex,
    *,
    blocked: Collection[tuple[int, int]] = (),
    scale: Mapping[tuple[int, int], float] | None = None,
) -> csr_matrix:
    """Return the index's matrix with some node pairs removed and others scaled.

    Parameters
    ----------
    index
        The search index.
    blocked
        ``(u, v)`` pairs that may not be used (no-go areas, closures).
    scale
        ``(u, v)`` → factor, e.g. a penalty on the edges of earlier alternatives.

    Returns
    -------
    scipy.sparse.csr_matrix
        A new matrix; the index is unchanged.
    """
    if not blocked and not scale:
        return index.matrix
    data = index.data.copy()
    for pair, factor in (scale or {}).items():
        if pair in index.entry:
            data[index.entry[pair]] *= factor
    for pair in blocked:
        if pair in index.entry:
            data[index.entry[pair]] = np.inf
    return _matrix(index.rows, index.cols, data, len(index.nodes))


def twin_edges(G: nx.MultiDiGraph[int], edge: EdgeKey) -> list[tuple[EdgeKey, bool]]:
    """Return an edge and its reverse (the same way ridden the other way), if any.

    Each item is ``(edge, flipped)``; ``flipped`` tells that offsets along it run
    from the other end.
    """
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
    data = G.edges[edge]
    length = float(data["length"])
    full = max(index.weigh(data), MIN_WEIGHT)
    return full * (metres / length) if length > 0 else 0.0


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
        The weighting to minimise (see :func:`search_index`).
    matrix
        The index's matrix as adjusted by :func:`adjusted_matrix`, if it was.
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
    starts: list[tuple[float, int, Piece]] = []
    for edge, flipped in twin_edges(G, start.edge):
        length = float(G.edges[edge]["length"])
        off = length - start.offset_m if flipped else start.offset_m
        cost = partial_cost(G, index, edge, length - off)
        if edge[:2] not in blocked and np.isfinite(cost):
            starts.append((cost, edge[1], Piece(edge, off, length)))
        if off <= AT_NODE_M:
            # Snapped onto a junction: any way out of it will do.
            starts.append((0.0, edge[0], Piece(edge, off, off)))
    ends: list[tuple[float, int, Piece]] = []
    for edge, flipped in twin_edges(G, end.edge):
        length = float(G.edges[edge]["length"])
        off = length - end.offset_m if flipped else end.offset_m
        cost = partial_cost(G, index, edge, off)
        if edge[:2] not in blocked and np.isfinite(cost):
            ends.append((cost, edge[0], Piece(edge, 0.0, off)))
        if length - off <= AT_NODE_M:
            ends.append((0.0, edge[1], Piece(edge, off, off)))

    best_cost = np.inf
    best: list[Piece] = []
    # Both points on the same way, the end ahead of the start: ride straight there.
    for (_, _, s_piece), (_, _, e_piece) in itertools.product(starts, ends):
        same_way = s_piece.edge == e_piece.edge and s_piece.edge[:2] not in blocked
        if same_way and s_piece.start_m <= e_piece.end_m:
            cost = partial_cost(G, index, s_piece.edge, e_piece.end_m - s_piece.start_m)
            if cost < best_cost:
                best_cost = cost
                best = [Piece(s_piece.edge, s_piece.start_m, e_piece.end_m)]
    if starts and ends:
        sources = sorted({index.position[n] for _, n, _ in starts})
        dist, pred = dijkstra(
            index.matrix if matrix is None else matrix,
            directed=True,
            indices=sources,
            return_predecessors=True,
        )
        row_of = {src: row for row, src in enumerate(sources)}
        choice: tuple[int, int, int, Piece, Piece] | None = None
        for (s_cost, s_node, s_piece), (e_cost, e_node, e_piece) in itertools.product(starts, ends):
            row = row_of[index.position[s_node]]
            cost = s_cost + float(dist[row, index.position[e_node]]) + e_cost
            if cost < best_cost:
                best_cost = cost
                choice = (row, s_node, e_node, s_piece, e_piece)
        if choice is not None:
            row, s_node, e_node, s_piece, e_piece = choice
            inner = _path_pieces(G, index, pred[row], s_node, e_node)
            best = [s_piece, *inner, e_piece]
    if not np.isfinite(best_cost):
        msg = (
            f"No bike route from {start.query[0]:.5f},{start.query[1]:.5f} "
            f"to {end.query[0]:.5f},{end.query[1]:.5f}: "
            "they are on unconnected parts of the network"
        )
        raise NoRouteError(msg, start.query, end.query)
    return float(best_cost), best


def _path_pieces(G: nx.MultiDiGraph[int], index: SearchIndex, pred: IntArray, source: int, target: int) -> list[Piece]:
    """Follow Dijkstra's predecessors back from ``target`` to ``source``."""
    nodes = [target]
    at = index.position[target]
    stop = index.position[source]
    while at != stop:
        at = int(pred[at])
        nodes.append(index.nodes[at])
    nodes.reverse()
    pieces = []
    for a, b in itertools.pairwise(nodes):
        edge = (a, b, index.best_key[(a, b)])
        pieces.append(Piece(edge, 0.0, float(G.edges[edge]["length"])))
    return pieces
