"""One query through a contraction hierarchy, searched among the ancestors of its entry junctions only.

In a customizable contraction hierarchy every arc runs from a junction to one
of its *ancestors* in the elimination tree (each junction's parent is its
lowest-ranked higher neighbour), so the upward search from a junction never
leaves the chain of its ancestors: a few hundred junctions however big the
network. A query here copies the arcs of the two chains (the start's upward
arcs, the end's downward ones) into a small per-thread graph, renumbered, with
a *super source* joined to the start's entry junctions at their entry costs and
a *super target* likewise for the end, and runs one
``scipy.sparse.csgraph.dijkstra`` pass over it.

:func:`routing.probe.climb` runs the same search over the whole hierarchy,
whose set-up (arrays as long as the graph, a check of every arc) grows with the
network: it is faster on a city or a small country, this one on a province and
beyond (see :data:`routing.search.CHAINS_FROM`).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.probe import Climb
from routing.probe import per_thread

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing.hierarchy import Hierarchy
    from routing.hierarchy import Shape


def parents(shape: Shape) -> list[int]:
    """Return each vertex's parent in the elimination tree (rank numbers; ``-1`` for a root).

    The parent is the lowest-ranked of the vertex's higher neighbours: the
    first head of its row, as the arcs of a row are sorted.

    Examples
    --------
    >>> from routing.hierarchy import build_shape
    >>> parents(build_shape(3, np.array([0, 2, 1]), np.array([0, 1]), np.array([1, 2])))
    [2, 2, -1]
    """
    if not len(shape.head):
        return [-1] * shape.n
    has_arcs = np.diff(shape.indptr) > 0
    first = np.minimum(shape.indptr[:-1], len(shape.head) - 1)
    parent: list[int] = np.where(has_arcs, shape.head[first], -1).tolist()
    return parent


def ancestors(parent: Sequence[int], entries: Sequence[int]) -> list[int]:
    """Return the entries and all their ancestors, each once.

    Examples
    --------
    >>> ancestors([2, 2, 3, -1], [1, 0])
    [0, 2, 3, 1]
    """
    if not entries:
        return []
    low = min(entries)
    chain = []
    at = low
    while at >= 0:
        chain.append(at)
        at = parent[at]
    # The entries of one snapped point are the ends of one edge: usually one is an ancestor of the other.
    strays = [e for e in entries if e != low and not _on_sorted(chain, e)]
    if strays:
        known = set(chain)
        for at in strays:
            while at >= 0 and at not in known:
                known.add(at)
                chain.append(at)
                at = parent[at]
    return chain


def _on_sorted(chain: list[int], value: int) -> bool:
    i = bisect.bisect_left(chain, value)
    return i < len(chain) and chain[i] == value


class _Chains:
    """A thread's small search graph for one hierarchy, rewritten for every query."""

    __slots__ = ("base", "data", "graph", "indices", "indptr", "n", "parent", "rank", "up_at", "vertex", "where")

    def __init__(self, hierarchy: Hierarchy) -> None:
        shape = hierarchy.shape
        self.n = shape.n
        self.base = hierarchy.graph
        self.parent = parents(shape)
        self.rank = shape.rank
        self.vertex = shape.vertex
        # Local number of each search-graph vertex in the current query (valid for the chains' vertices only).
        self.where = np.zeros(2 * shape.n, dtype=np.int32)
        # Local number of each upward-chain vertex in the current query, -1 elsewhere (reset after each query).
        self.up_at = np.full(shape.n, -1, dtype=np.int32)
        self._allocate(2 * shape.height + 16, 1024)

    def _allocate(self, vertices: int, arcs: int) -> None:
        # scipy trims arrays longer than the rows say: the matrix is made with every arc in use (self-loops of
        # vertex 0) so that it keeps these very arrays, which each query then rewrites in place.
        self.indptr = np.full(vertices + 1, arcs, dtype=np.int32)
        self.indptr[0] = 0
        self.indices = np.zeros(arcs, dtype=np.int32)
        # Arcs past the end of the last row are never read; they stay non-negative for scipy's check.
        self.data = np.ones(arcs)
        self.graph = csr_matrix((self.data, self.indices, self.indptr), shape=(vertices, vertices))
        kept = (self.graph.indptr, self.indptr), (self.graph.indices, self.indices), (self.graph.data, self.data)
        if not all(a is b or (np.shares_memory(a, b) and len(a) == len(b)) for a, b in kept):
            msg = "scipy copied the search graph's arrays: the chains' search cannot rewrite them"
            raise RuntimeError(msg)

    def climb(self, sources: dict[int, float], targets: dict[int, float]) -> Climb | None:
        n = self.n
        rank = self.rank
        up_entries = [int(rank[p]) for p in sources]
        down_entries = [int(rank[p]) for p in targets]
        up = ancestors(self.parent, up_entries)
        down = ancestors(self.parent, down_entries)
        k_up, k = len(up), len(up) + len(down)
        rows = np.array(up + [v + n for v in down], dtype=np.int64)
        base = self.base
        starts = base.indptr[rows].astype(np.int64)
        counts = base.indptr[rows + 1] - starts
        ends = np.cumsum(counts)
        total = int(ends[-1])
        heads = len(sources) + len(targets)
        if k + 2 > len(self.indptr) - 1 or heads + total > len(self.data):
            self._allocate(max(2 * (k + 2), len(self.indptr) - 1), max(2 * (heads + total), len(self.data)))
        where = self.where
        where[rows] = np.arange(2, k + 2, dtype=np.int32)
        gather = np.repeat(starts - (ends - counts), counts) + np.arange(total)
        # Row 0 is the super source, row 1 the super target, then the chains' vertices.
        indices, data, indptr = self.indices, self.data, self.indptr
        indices[:heads] = where[[*up_entries, *(v + n for v in down_entries)]]
        # A point snapped at the very end of an edge may enter at a rounding error below zero.
        data[:heads] = [max(c, 0.0) for c in (*sources.values(), *targets.values())]
        indices[heads : heads + total] = where[base.indices[gather]]
        data[heads : heads + total] = base.data[gather]
        indptr[1] = len(sources)
        indptr[2] = heads
        indptr[3 : k + 3] = ends + heads
        indptr[k + 3 :] = heads + total
        dist, pred, _ = dijkstra(self.graph, directed=True, indices=[0, 1], return_predecessors=True, min_only=True)
        # The searches meet on the junctions both chains hold.
        up_at = self.up_at
        up_at[up] = np.arange(2, k_up + 2, dtype=np.int32)
        on_up = up_at[down]
        up_at[up] = -1
        shared = np.flatnonzero(on_up >= 0)
        if not len(shared):
            return None
        through = dist[on_up[shared]] + dist[shared + k_up + 2]
        best = int(np.argmin(through))
        cost = float(through[best])
        if not np.isfinite(cost):
            return None
        local = [-1, -1, *up, *down]
        back = pred.tolist()
        rising = _walk(back, 0, int(on_up[shared[best]]))
        falling = _walk(back, 1, int(shared[best]) + k_up + 2)
        ranked = [local[x] for x in rising[1:]] + [local[x] for x in falling[-2:0:-1]]
        return Climb(cost, ranked, int(self.vertex[local[rising[1]]]), int(self.vertex[local[falling[1]]]))


def _walk(pred: list[int], source: int, meet: int) -> list[int]:
    """Follow predecessors from ``meet`` back to ``source``; the walk in search order."""
    out = [meet]
    at = meet
    while at != source:
        at = pred[at]
        out.append(at)
    out.reverse()
    return out


def climb_chains(hierarchy: Hierarchy, sources: dict[int, float], targets: dict[int, float]) -> Climb | None:
    """Find the cheapest ride from any source junction to any target junction, as :func:`routing.probe.climb`.

    The parameters and the result are those of :func:`routing.probe.climb`.
    """
    if not sources or not targets:
        return None
    return per_thread("chains", hierarchy, _Chains).climb(sources, targets)
