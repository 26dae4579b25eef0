"""Nested-dissection order of a graph's junctions, the shape behind a contraction hierarchy.

A contraction hierarchy ranks every junction; a search then only climbs in rank.
The order used here depends on the shape of the network alone, not on any
weighting, so it is computed once when a graph is prepared, stored with it, and
serves every bicycle profile (a *customizable* contraction hierarchy, as in
Dibbelt, Strasser and Wagner, 2016). It is found by nested dissection: the
junctions are split in two halves by a straight line (trying four directions),
the junctions touching the cut are ranked highest, and each half is split again.

Any order gives correct routes; a good one only makes them faster.
"""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

if TYPE_CHECKING:
    import networkx as nx

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Parts this small are ranked by degree instead of being split again.
LEAF_SIZE = 16

_ORDERS: weakref.WeakKeyDictionary[Any, IntArray] = weakref.WeakKeyDictionary()


def dissection_ranks(x: FloatArray, y: FloatArray, tail: IntArray, head: IntArray) -> IntArray:
    """Rank the vertices of an undirected graph by nested dissection.

    Parameters
    ----------
    x, y
        Planar coordinates of the vertices (any units, the same on both axes).
    tail, head
        The edges, as vertex positions; direction, loops and repeats do not matter.

    Returns
    -------
    numpy.ndarray
        ``rank[v]``: a permutation of ``0 .. n-1``; the vertices of the first
        separator get the highest ranks.

    Examples
    --------
    >>> ranks = dissection_ranks(np.arange(5.0), np.zeros(5), np.arange(4), np.arange(1, 5))
    >>> sorted(ranks.tolist())
    [0, 1, 2, 3, 4]
    """
    n = len(x)
    rank = np.full(n, -1, dtype=np.int64)
    a = np.minimum(tail, head).astype(np.int64)
    b = np.maximum(tail, head).astype(np.int64)
    keep = a != b
    key = np.unique(a[keep] * max(n, 1) + b[keep])
    ea, eb = key // max(n, 1), key % max(n, 1)
    directions = (x, y, x + y, x - y)
    side = np.zeros(n, dtype=bool)
    separated = np.zeros(n, dtype=bool)
    # (vertices of a part, its edges, lowest rank it gets)
    stack: list[tuple[IntArray, IntArray, IntArray, int]] = [(np.arange(n, dtype=np.int64), ea, eb, 0)]
    while stack:
        nodes, pa, pb, low = stack.pop()
        if len(nodes) <= LEAF_SIZE or len(pa) == 0:
            rank[nodes] = low + _by_degree(nodes, pa, pb)
            continue
        best: tuple[IntArray, IntArray, IntArray] | None = None
        for coord in directions:
            values = coord[nodes]
            lower = nodes[values <= np.median(values)]
            side[nodes] = False
            side[lower] = True
            cut = side[pa] != side[pb]
            in_a = np.where(side[pa[cut]], pa[cut], pb[cut])
            in_b = np.where(side[pa[cut]], pb[cut], pa[cut])
            sep_a, sep_b = np.unique(in_a), np.unique(in_b)
            sep = sep_a if len(sep_a) <= len(sep_b) else sep_b
            if best is None or len(sep) < len(best[0]):
                best = (sep, lower, nodes[values > np.median(values)])
        assert best is not None
        sep, part_a, part_b = best
        separated[sep] = True
        part_a = part_a[~separated[part_a]]
        part_b = part_b[~separated[part_b]]
        if len(part_a) == 0 or len(part_b) == 0:
            separated[sep] = False
            rank[nodes] = low + _by_degree(nodes, pa, pb)
            continue
        rank[sep] = np.arange(low + len(nodes) - len(sep), low + len(nodes))
        inner = ~separated[pa] & ~separated[pb]
        separated[sep] = False
        pa, pb = pa[inner], pb[inner]
        side[nodes] = False
        side[part_a] = True
        both_a = side[pa] & side[pb]
        both_b = ~side[pa] & ~side[pb]
        stack.append((part_a, pa[both_a], pb[both_a], low))
        stack.append((part_b, pa[both_b], pb[both_b], low + len(part_a)))
    return rank


def _by_degree(nodes: IntArray, pa: IntArray, pb: IntArray) -> IntArray:
    """Rank a small part's vertices by their degree inside it, lowest first (0-based)."""
    where = {int(v): i for i, v in enumerate(nodes.tolist())}
    degree = np.zeros(len(nodes), dtype=np.int64)
    for u, v in zip(pa.tolist(), pb.tolist(), strict=True):
        degree[where[u]] += 1
        degree[where[v]] += 1
    order = np.argsort(degree, kind="stable")
    out = np.empty(len(nodes), dtype=np.int64)
    out[order] = np.arange(len(nodes))
    return out


def contraction_order(G: nx.MultiDiGraph[int]) -> IntArray:
    """Return the graph's node ids from least to most important, computing them once.

    Graphs read by :func:`gis_data.network.load_network` carry the order saved
    with the prepared graph; others get it computed on first use.

    Parameters
    ----------
    G
        A graph whose nodes carry ``x`` (lon) and ``y`` (lat).

    Returns
    -------
    numpy.ndarray
        Every node id of ``G`` once.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([(1, {"x": 10.0, "y": 45.0}), (2, {"x": 10.1, "y": 45.0})])
    >>> G.add_edge(1, 2)
    0
    >>> sorted(contraction_order(G).tolist())
    [1, 2]
    """
    found = _ORDERS.get(G)
    if found is not None and len(found) == G.number_of_nodes():
        return found
    order = compute_order(G)
    _ORDERS[G] = order
    return order


def compute_order(G: nx.MultiDiGraph[int]) -> IntArray:
    """Compute the nested-dissection order of a graph's node ids (see :func:`contraction_order`)."""
    nodes = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    position = {int(n): i for i, n in enumerate(nodes.tolist())}
    lon = np.fromiter((float(d["x"]) for _, d in G.nodes(data=True)), dtype=np.float64, count=len(nodes))
    lat = np.fromiter((float(d["y"]) for _, d in G.nodes(data=True)), dtype=np.float64, count=len(nodes))
    scale = math.cos(math.radians(float(np.mean(lat)))) if len(lat) else 1.0
    m = G.number_of_edges()
    tail = np.fromiter((position[u] for u, _ in G.edges()), dtype=np.int64, count=m)
    head = np.fromiter((position[v] for _, v in G.edges()), dtype=np.int64, count=m)
    rank = dissection_ranks(lon * scale, lat, tail, head)
    order = np.empty(len(nodes), dtype=np.int64)
    order[rank] = nodes
    return order


def remember_order(G: nx.MultiDiGraph[int], order: IntArray) -> None:
    """Attach a stored order to a graph just read, so :func:`contraction_order` returns it."""
    if len(order) == G.number_of_nodes():
        _ORDERS[G] = order
