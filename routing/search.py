"""Shortest paths between two snapped points, on a compressed sparse copy of the graph.

The graph's edge weights are copied once into a SciPy CSR matrix (the cheapest
parallel edge per node pair) and searched with ``scipy.sparse.csgraph.dijkstra``.
A route may start and end part-way along an edge: each snap offers up to two
entries into the network (towards either end of its edge, where the bicycle may
ride that way) and the best combination wins.
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

from routing.errors import NoRouteError

if TYPE_CHECKING:
    import networkx as nx

    from routing.snapping import EdgeKey
    from routing.snapping import Snap

#: Weights must be positive for the sparse search; zero-length edges get this.
MIN_WEIGHT = 1e-6


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The graph's weights as a CSR matrix, with the edge key behind each entry."""

    nodes: tuple[int, ...]
    position: dict[int, int]
    matrix: csr_matrix
    best_key: dict[tuple[int, int], int]


@dataclass(frozen=True, slots=True)
class Piece:
    """A directed edge, or the part of it between two offsets (metres from ``u``)."""

    edge: EdgeKey
    start_m: float
    end_m: float


_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, SearchIndex]] = weakref.WeakKeyDictionary()


def search_index(G: nx.MultiDiGraph[int], weight: str) -> SearchIndex:
    """Return the sparse search index of a graph for one weight, building it once.

    Parameters
    ----------
    G
        The bicycle graph.
    weight
        Edge attribute to minimise (e.g. ``"length"``).

    Returns
    -------
    SearchIndex
        Shared by later calls with the same graph object and weight.
    """
    per_graph = _INDEXES.setdefault(G, {})
    if weight in per_graph:
        return per_graph[weight]
    nodes = tuple(G.nodes)
    position = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], tuple[float, int]] = {}
    w: Any
    for u, v, k, w in G.edges(keys=True, data=weight):
        cost = max(float(w), MIN_WEIGHT)
        if (u, v) not in best or cost < best[(u, v)][0]:
            best[(u, v)] = (cost, k)
    rows = np.array([position[u] for u, _ in best], dtype=np.int64)
    cols = np.array([position[v] for _, v in best], dtype=np.int64)
    data = np.array([c for c, _ in best.values()], dtype=float)
    matrix = csr_matrix((data, (rows, cols)), shape=(len(nodes), len(nodes)))
    index = SearchIndex(nodes, position, matrix, {uv: k for uv, (_, k) in best.items()})
    per_graph[weight] = index
    return index


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


def _edge_cost(G: nx.MultiDiGraph[int], edge: EdgeKey, weight: str, metres: float) -> float:
    data = G.edges[edge]
    length = float(data["length"])
    full = max(float(data[weight]), MIN_WEIGHT)
    return full * (metres / length) if length > 0 else 0.0


def shortest_pieces(
    G: nx.MultiDiGraph[int], start: Snap, end: Snap, *, weight: str
) -> tuple[float, list[Piece]]:
    """Find the cheapest ride from one snapped point to another.

    Parameters
    ----------
    G
        The bicycle graph.
    start, end
        Snapped points (see :func:`routing.snapping.snap_point`).
    weight
        Edge attribute to minimise.

    Returns
    -------
    tuple
        The cost, and the ridden pieces of edges in order.

    Raises
    ------
    NoRouteError
        If no ride joins the two points.
    """
    index = search_index(G, weight)
    starts: list[tuple[float, int, Piece]] = []
    for edge, flipped in twin_edges(G, start.edge):
        length = float(G.edges[edge]["length"])
        off = length - start.offset_m if flipped else start.offset_m
        starts.append(
            (_edge_cost(G, edge, weight, length - off), edge[1], Piece(edge, off, length))
        )
    ends: list[tuple[float, int, Piece]] = []
    for edge, flipped in twin_edges(G, end.edge):
        length = float(G.edges[edge]["length"])
        off = length - end.offset_m if flipped else end.offset_m
        ends.append((_edge_cost(G, edge, weight, off), edge[0], Piece(edge, 0.0, off)))

    best_cost = np.inf
    best: list[Piece] = []
    # Both points on the same way, the end ahead of the start: ride straight there.
    for _, _, s_piece in starts:
        for _, _, e_piece in ends:
            if s_piece.edge == e_piece.edge and s_piece.start_m <= e_piece.end_m:
                cost = _edge_cost(G, s_piece.edge, weight, e_piece.end_m - s_piece.start_m)
                if cost < best_cost:
                    best_cost = cost
                    best = [Piece(s_piece.edge, s_piece.start_m, e_piece.end_m)]
    sources = sorted({index.position[n] for _, n, _ in starts})
    dist, pred = dijkstra(index.matrix, directed=True, indices=sources, return_predecessors=True)
    row_of = {src: row for row, src in enumerate(sources)}
    choice: tuple[int, Piece, Piece] | None = None
    for s_cost, s_node, s_piece in starts:
        row = row_of[index.position[s_node]]
        for e_cost, e_node, e_piece in ends:
            cost = s_cost + float(dist[row, index.position[e_node]]) + e_cost
            if cost < best_cost:
                best_cost = cost
                choice = (row, s_piece, e_piece)
    if choice is not None:
        row, s_piece, e_piece = choice
        best = [
            s_piece,
            *_path_pieces(G, index, pred[row], s_piece.edge[1], e_piece.edge[0]),
            e_piece,
        ]
    if not np.isfinite(best_cost):
        msg = (
            f"No bike route from {start.query[0]:.5f},{start.query[1]:.5f} "
            f"to {end.query[0]:.5f},{end.query[1]:.5f}: "
            "they are on unconnected parts of the network"
        )
        raise NoRouteError(msg)
    return float(best_cost), best


def _path_pieces(
    G: nx.MultiDiGraph[int],
    index: SearchIndex,
    pred: np.ndarray[Any, Any],
    source: int,
    target: int,
) -> list[Piece]:
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
