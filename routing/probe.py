"""One upward search per direction from several weighted entry points of a contraction hierarchy.

A snapped point enters the network at up to four junctions (both ends of its
edge and of the edge's twin), each at its own cost. Searching from each of them
costs one ``scipy.sparse.csgraph.dijkstra`` pass per junction, and most of a
pass is setting up arrays as long as the graph. Here the search graph gets two
extra vertices: a *super source* with an arc to every entry junction of the
start, weighted with its entry cost, and a *super target* likewise for the end
(on the reversed, downward half). One call searches from both, so a query
costs two passes whatever the number of entries.

The entry arcs are written into a per-thread copy of the graph's arrays before
each search (the copy shares nothing with other threads, so concurrent
requests never see each other's entries).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.hierarchy import walk

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    from routing.hierarchy import Hierarchy

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Most entry junctions per end (a snapped point has at most four).
SLOTS = 8


@dataclass(frozen=True, slots=True)
class Climb:
    """The cheapest meeting of the two searches.

    ``cost`` includes both entry costs; ``ranked`` is the ride's vertices in rank
    numbers (upwards, then downwards), from an entry junction of the start to one
    of the end; ``first``/``last`` are the positions of those two junctions.
    """

    cost: float
    ranked: list[int]
    first: int
    last: int


class _Probe:
    """A thread's copy of a hierarchy's search graph with the two super vertices and their entry slots."""

    __slots__ = ("data", "entry_slots", "graph", "indices", "n", "source_slots", "target_slots")

    def __init__(self, hierarchy: Hierarchy) -> None:
        base = hierarchy.graph
        size = base.shape[0]
        nnz = int(base.indptr[-1])
        self.n = hierarchy.shape.n
        indptr = np.concatenate([base.indptr, [nnz + SLOTS, nnz + 2 * SLOTS]]).astype(np.int32)
        # Unused slots are self-loops of the super vertex, which no search can profit from.
        self.indices = np.concatenate([base.indices[:nnz], np.full(SLOTS, size), np.full(SLOTS, size + 1)]).astype(
            np.int32
        )
        self.data = np.concatenate([base.data[:nnz], np.ones(2 * SLOTS)])
        self.source_slots = slice(nnz, nnz + SLOTS)
        self.target_slots = slice(nnz + SLOTS, nnz + 2 * SLOTS)
        self.entry_slots = slice(nnz, nnz + 2 * SLOTS)
        self.graph = csr_matrix((self.data, self.indices, indptr), shape=(size + 2, size + 2))

    def write(self, slots: slice, *sides: tuple[Sequence[int], Sequence[float], int]) -> None:
        """Fill entry slots, each side's ``(vertices, costs, idle vertex)`` in turn, in two array writes."""
        vertices: list[int] = []
        costs: list[float] = []
        for side_vertices, side_costs, idle in sides:
            count = len(side_vertices)
            if count > SLOTS:
                msg = f"{count} entry junctions, at most {SLOTS} supported"
                raise ValueError(msg)
            vertices += [*side_vertices, *[idle] * (SLOTS - count)]
            # A point snapped at the very end of an edge may enter at a rounding error below zero.
            costs += [*(max(c, 0.0) for c in side_costs), *[1.0] * (SLOTS - count)]
        self.indices[slots] = vertices
        self.data[slots] = costs


_LOCAL = threading.local()


#: Search graphs kept per thread and kind (one per customised hierarchy in use).
KEPT_PER_THREAD = 8

Made = TypeVar("Made")


def per_thread(kind: str, hierarchy: Hierarchy, make: Callable[[Hierarchy], Made]) -> Made:
    """Return this thread's ``make(hierarchy)``, made once per thread and hierarchy (and kind of object)."""
    kept: dict[int, tuple[Hierarchy, Made]] = _LOCAL.__dict__.setdefault(kind, {})
    found = kept.get(id(hierarchy))
    if found is None or found[0] is not hierarchy:
        if len(kept) >= KEPT_PER_THREAD:
            kept.clear()
        found = kept[id(hierarchy)] = (hierarchy, make(hierarchy))
    return found[1]


def _probe(hierarchy: Hierarchy) -> _Probe:
    return per_thread("probes", hierarchy, _Probe)


def climb(hierarchy: Hierarchy, sources: dict[int, float], targets: dict[int, float]) -> Climb | None:
    """Find the cheapest ride from any source junction to any target junction, entry costs included.

    Parameters
    ----------
    hierarchy
        The customised hierarchy of the weighting.
    sources, targets
        Junction position → cost of reaching it from the start (of reaching the end from it).

    Returns
    -------
    Climb or None
        ``None`` when no target can be reached.
    """
    probe = _probe(hierarchy)
    n = probe.n
    rank = hierarchy.shape.rank
    size = 2 * n
    up_entries = [int(rank[p]) for p in sources]
    down_entries = [int(rank[p]) + n for p in targets]
    entries = (up_entries, list(sources.values()), size), (down_entries, list(targets.values()), size + 1)
    probe.write(probe.entry_slots, *entries)
    # The two searches never meet (no arc joins the halves), so one multi-source pass runs both.
    dist, pred, _ = dijkstra(
        probe.graph, directed=True, indices=[size, size + 1], return_predecessors=True, min_only=True
    )
    through: FloatArray = dist[:n] + dist[n:size]
    meet = int(np.argmin(through))
    cost = float(through[meet])
    if not np.isfinite(cost):
        return None
    up = walk(pred, size, meet)
    down = walk(pred[n:], n + 1, meet, shift=n)
    vertex = hierarchy.shape.vertex
    return Climb(cost, up[1:] + down[-2:0:-1], int(vertex[up[1]]), int(vertex[down[1]]))


def _upward(probe: _Probe, hierarchy: Hierarchy, entries: dict[int, float], *, backward: bool) -> FloatArray:
    """Return the costs of one search (rank numbers) from a set of entry junctions."""
    n = probe.n
    size = 2 * n
    rank = hierarchy.shape.rank
    shift = n if backward else 0
    slots = probe.target_slots if backward else probe.source_slots
    probe.write(slots, ([int(rank[p]) + shift for p in entries], list(entries.values()), size + backward))
    dist = dijkstra(probe.graph, directed=True, indices=[size + backward])
    row: FloatArray = dist[0, shift : shift + n]
    return row


def many_to_many(
    hierarchy: Hierarchy, sources: Sequence[dict[int, float]], targets: Sequence[dict[int, float]]
) -> FloatArray:
    """Return the cheapest cost from every source to every target (``inf``: unreachable).

    One upward search per source and per target, then the cheapest meeting
    vertex of every pair, vectorised (a min-plus product over the vertices the
    searches reached).

    Parameters
    ----------
    hierarchy
        The customised hierarchy of the weighting.
    sources, targets
        Per point: junction position → cost of reaching it from the point (of
        reaching the point from it), as for :func:`climb`.
    """
    probe = _probe(hierarchy)
    up = np.array([_upward(probe, hierarchy, entries, backward=False) for entries in sources]).reshape(len(sources), -1)
    down = np.array([_upward(probe, hierarchy, entries, backward=True) for entries in targets]).reshape(
        len(targets), -1
    )
    out = np.full((len(sources), len(targets)), np.inf)
    met = np.flatnonzero(np.isfinite(up).any(axis=0) & np.isfinite(down).any(axis=0))
    if not len(met) or not len(targets):
        return out
    up_met, down_met = up[:, met], down[:, met]
    for i in range(len(sources)):
        out[i] = (up_met[i] + down_met).min(axis=1)
    return out
