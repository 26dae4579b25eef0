"""A customizable contraction hierarchy: exact cheapest paths by climbing a fixed ranking.

Every junction has a rank (see :mod:`gis_data.ordering`). Contracting the
junctions from the lowest rank up adds *shortcuts* between the higher
neighbours of each one; the result (:class:`Shape`) depends only on the
network's shape. :func:`customize` then gives every arc, real or shortcut, the
cheapest cost of a ride between its ends through lower junctions, for one
weighting, in a few vectorised passes over the arc triangles. A query searches
upwards from the start and, on reversed arcs, upwards from the end: the
cheapest meeting point gives the exact cheapest cost (Dibbelt, Strasser and
Wagner, *Customizable Contraction Hierarchies*, 2016). The searches run in
``scipy.sparse.csgraph.dijkstra`` over the small upward graphs, so the cost of
a query grows with the height of the ranking, not with the size of the network.

Vertices here are positions ``0 .. n-1``; inside a :class:`Shape` they are
renumbered by rank, so an arc always runs from a lower to a higher number.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
#: scipy's predecessor arrays.
PredArray = np.ndarray[Any, np.dtype[np.int32]]


@dataclass(frozen=True, slots=True)
class Shape:
    """The arcs of a contraction hierarchy and the triangles among them, for any weighting.

    ``rank[v]`` renumbers vertex ``v``; arcs are ``(tail[a], head[a])`` in rank
    numbers with ``tail < head``, sorted. Triangle ``t`` joins the lowest vertex
    ``low[t]`` to two higher ones through arcs ``lower[t]`` and ``upper[t]``,
    which are joined by arc ``top[t]``; ``batches`` cuts the triangles into
    groups that can be relaxed at once (each group only reads arcs that earlier
    groups finished), bottom-up; ``descent`` cuts them top-down, by the depth
    of the lowest vertex in the elimination tree.
    """

    n: int
    rank: IntArray
    vertex: IntArray
    tail: IntArray
    head: IntArray
    keys: IntArray
    indptr: IntArray
    low: IntArray
    lower: IntArray
    upper: IntArray
    top: IntArray
    batches: tuple[tuple[int, int], ...]
    descent: tuple[IntArray, ...]
    height: int


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """A :class:`Shape` customised for one weighting.

    ``up[a]`` is the cheapest cost from ``tail[a]`` to ``head[a]``, ``down[a]``
    the other way; ``up_mid``/``down_mid`` name the lower vertex a shortcut
    passes through (``-1``: the arc is a real edge). ``via`` maps ``x * n + y``
    to the vertex the shortcut from ``x`` to ``y`` passes through. ``graph``
    holds both searches on ``2 n`` vertices: the upward arcs on the first ``n``,
    the downward ones reversed on the others, without the arcs that are never on
    a cheapest path. ``unpacked`` remembers expanded shortcuts.
    """

    shape: Shape
    up: FloatArray
    down: FloatArray
    up_mid: IntArray
    down_mid: IntArray
    via: dict[int, int]
    graph: csr_matrix
    unpacked: dict[int, tuple[int, ...]]


def build_shape(n: int, rank: IntArray, tail: IntArray, head: IntArray) -> Shape:
    """Contract a graph's vertices in rank order and list the arcs and triangles that result.

    Parameters
    ----------
    n
        Number of vertices.
    rank
        ``rank[v]``, a permutation of ``0 .. n-1``.
    tail, head
        The graph's edges as vertex positions, in either direction.

    Returns
    -------
    Shape
        Arcs (real edges and shortcuts) and triangles, independent of any weighting.

    Examples
    --------
    >>> path = build_shape(3, np.array([0, 2, 1]), np.array([0, 1]), np.array([1, 2]))
    >>> len(path.tail), len(path.low)  # the middle vertex is ranked highest: no shortcut
    (2, 0)
    """
    a = rank[tail]
    b = rank[head]
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    keep = lo != hi
    pairs = np.unique(lo[keep] * max(n, 1) + hi[keep])
    higher: list[set[int]] = [set() for _ in range(n)]
    for x, y in zip((pairs // max(n, 1)).tolist(), (pairs % max(n, 1)).tolist(), strict=True):
        higher[x].add(y)
    parent = np.full(n, -1, dtype=np.int64)
    for x in range(n):
        above = higher[x]
        if above:
            p = min(above)
            parent[x] = p
            up_p = higher[p]
            up_p |= above
            up_p.discard(p)
    counts = np.fromiter((len(s) for s in higher), dtype=np.int64, count=n)
    arc_tail = np.repeat(np.arange(n, dtype=np.int64), counts)
    arc_head = np.fromiter(
        itertools.chain.from_iterable(sorted(s) for s in higher), dtype=np.int64, count=int(counts.sum())
    )
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    keys = arc_tail * max(n, 1) + arc_head
    # Every pair of higher neighbours of a vertex is a triangle: arcs i < j of one row.
    row_pos = np.arange(len(arc_tail), dtype=np.int64) - indptr[arc_tail]
    partners = counts[arc_tail] - 1 - row_pos
    lower = np.repeat(np.arange(len(arc_tail), dtype=np.int64), partners)
    starts = np.cumsum(partners) - partners
    upper = lower + 1 + (np.arange(len(lower), dtype=np.int64) - np.repeat(starts, partners))
    top = np.searchsorted(keys, arc_head[lower] * max(n, 1) + arc_head[upper]).astype(np.int64)
    low = arc_tail[lower]
    level = _levels(parent)
    depth = _depths(parent)
    order = np.argsort(level[low], kind="stable")
    low, lower, upper, top = low[order], lower[order], upper[order], top[order]
    cuts = np.flatnonzero(np.diff(level[low])) + 1
    bounds = [0, *cuts.tolist(), len(low)]
    vertex = np.empty(n, dtype=np.int64)
    vertex[rank] = np.arange(n, dtype=np.int64)
    return Shape(
        n=n,
        rank=rank,
        vertex=vertex,
        tail=arc_tail,
        head=arc_head,
        keys=keys,
        indptr=indptr,
        low=low,
        lower=lower,
        upper=upper,
        top=top,
        batches=tuple((s, e) for s, e in itertools.pairwise(bounds) if e > s),
        descent=_groups(depth[low]),
        height=int(level.max()) + 1 if n else 0,
    )


def _levels(parent: IntArray) -> IntArray:
    """Height of each vertex above the leaves of the elimination tree."""
    level = [0] * len(parent)
    for x, p in enumerate(parent.tolist()):
        if p >= 0 and level[p] <= level[x]:
            level[p] = level[x] + 1
    return np.array(level, dtype=np.int64)


def _depths(parent: IntArray) -> IntArray:
    """Depth of each vertex below the root of its elimination tree (parents rank higher)."""
    depth = [0] * len(parent)
    up = parent.tolist()
    for x in range(len(up) - 1, -1, -1):
        if up[x] >= 0:
            depth[x] = depth[up[x]] + 1
    return np.array(depth, dtype=np.int64)


def _groups(keys: IntArray) -> tuple[IntArray, ...]:
    """Positions of equal keys, one array per key, in increasing key order."""
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.diff(keys[order])) + 1
    return tuple(np.split(order, cuts)) if len(order) else ()


def customize(shape: Shape, tail: IntArray, head: IntArray, weight: FloatArray) -> Hierarchy:
    """Give every arc of a shape its cheapest cost under one weighting.

    Parameters
    ----------
    shape
        From :func:`build_shape` on the same vertices.
    tail, head, weight
        Directed edges as vertex positions with their positive costs; at most
        one edge per ordered pair (the cheapest); ``inf`` leaves an edge out.

    Returns
    -------
    Hierarchy
        Ready for :func:`search`.
    """
    n = max(shape.n, 1)
    a = shape.rank[tail]
    b = shape.rank[head]
    use = (a != b) & np.isfinite(weight)
    a, b, w = a[use], b[use], weight[use]
    rising = a < b
    arcs = np.searchsorted(shape.keys, np.minimum(a, b) * n + np.maximum(a, b))
    up = np.full(len(shape.keys), np.inf)
    down = np.full(len(shape.keys), np.inf)
    up[arcs[rising]] = w[rising]
    down[arcs[~rising]] = w[~rising]
    real_up = up.copy()
    real_down = down.copy()
    for s, e in shape.batches:
        lower, upper, top = shape.lower[s:e], shape.upper[s:e], shape.top[s:e]
        np.minimum.at(up, top, down[lower] + up[upper])
        np.minimum.at(down, top, down[upper] + up[lower])
    # Which lower vertex a shortcut passes through (any one that gives its cost).
    up_mid = np.full(len(up), -1, dtype=np.int64)
    down_mid = np.full(len(up), -1, dtype=np.int64)
    via_up = down[shape.lower] + up[shape.upper]
    via_down = down[shape.upper] + up[shape.lower]
    hit = (via_up == up[shape.top]) & (up[shape.top] < real_up[shape.top])
    up_mid[shape.top[hit]] = shape.low[hit]
    hit = (via_down == down[shape.top]) & (down[shape.top] < real_down[shape.top])
    down_mid[shape.top[hit]] = shape.low[hit]
    # Perfect customization, top-down: an arc whose cost a ride through higher vertices beats is
    # never on a cheapest up-down path, so the searches can skip it (the middles above stay valid
    # for the arcs kept).
    best_up = up.copy()
    best_down = down.copy()
    for group in shape.descent:
        lower, upper, top = shape.lower[group], shape.upper[group], shape.top[group]
        np.minimum.at(best_up, lower, best_up[upper] + best_down[top])
        np.minimum.at(best_down, lower, best_up[top] + best_down[upper])
        np.minimum.at(best_up, upper, best_up[lower] + best_up[top])
        np.minimum.at(best_down, upper, best_down[top] + best_down[lower])
    rises = up_mid >= 0
    falls = down_mid >= 0
    via = dict(
        zip(
            np.concatenate([shape.keys[rises], shape.head[falls] * n + shape.tail[falls]]).tolist(),
            np.concatenate([up_mid[rises], down_mid[falls]]).tolist(),
            strict=True,
        )
    )
    return Hierarchy(
        shape=shape,
        up=up,
        down=down,
        up_mid=up_mid,
        down_mid=down_mid,
        via=via,
        graph=_search_graph(shape, np.where(best_up < up, np.inf, up), np.where(best_down < down, np.inf, down)),
        unpacked={},
    )


def _search_graph(shape: Shape, up: FloatArray, down: FloatArray) -> csr_matrix:
    n = shape.n
    tails = np.concatenate([shape.tail, shape.tail + n])
    heads = np.concatenate([shape.head, shape.head + n])
    costs = np.concatenate([up, down])
    finite = np.isfinite(costs)
    counts = np.bincount(tails[finite], minlength=2 * n)
    indptr = np.zeros(2 * n + 1, dtype=np.int32)
    np.cumsum(counts, out=indptr[1:])
    return csr_matrix((costs[finite], heads[finite].astype(np.int32), indptr), shape=(2 * n, 2 * n))


def search(
    hierarchy: Hierarchy, sources: Sequence[int], targets: Sequence[int]
) -> tuple[FloatArray, PredArray, FloatArray, PredArray]:
    """Search upwards from the sources and, on reversed arcs, from the targets (vertex positions).

    Returns
    -------
    tuple of numpy.ndarray
        Costs and predecessors from each source, then to each target: one row
        per source or target, columns in rank numbers. The backward searches'
        predecessors are rank numbers plus ``n`` (read them with ``walk(..., shift=n)``).
    """
    n = hierarchy.shape.n
    rank = hierarchy.shape.rank
    starts = [int(rank[s]) for s in sources] + [int(rank[t]) + n for t in targets]
    dist, pred = dijkstra(hierarchy.graph, directed=True, indices=starts, return_predecessors=True)
    k = len(sources)
    # Predecessors in the backward half are numbered from n: shifted where a path is read (see walk).
    return dist[:k, :n], pred[:k, :n], dist[k:, n:], pred[k:, n:]


def unpack(hierarchy: Hierarchy, ranked: Sequence[int]) -> IntArray:
    """Expand a walk over arcs (in rank numbers) into the positions of the real edges' ends, in order.

    Examples
    --------
    >>> shape = build_shape(3, np.array([0, 2, 1]), np.array([0, 1]), np.array([1, 2]))
    >>> h = customize(shape, np.array([0, 1]), np.array([1, 2]), np.array([1.0, 2.0]))
    >>> unpack(h, [0, 2, 1]).tolist()
    [0, 1, 2]
    """
    if not ranked:
        return np.zeros(0, dtype=np.int64)
    heads = expand_arcs(hierarchy, ranked, _head, hierarchy.unpacked)
    vertex: IntArray = hierarchy.shape.vertex[[ranked[0], *heads]]
    return vertex


def _head(_tail: int, head: int) -> int:
    return head


def expand_arcs(
    hierarchy: Hierarchy, ranked: Sequence[int], leaf: Callable[[int, int], int], memo: dict[int, tuple[int, ...]]
) -> list[int]:
    """Expand a walk over arcs (in rank numbers) into one item per real edge ridden, in order.

    ``leaf(x, y)`` gives the item of the real arc from ``x`` to ``y`` (rank
    numbers); ``memo`` keeps expanded shortcuts for later walks (up to
    :data:`_REMEMBERED`), keyed ``x * n + y``.

    Examples
    --------
    >>> shape = build_shape(3, np.array([0, 2, 1]), np.array([0, 1]), np.array([1, 2]))
    >>> h = customize(shape, np.array([0, 1]), np.array([1, 2]), np.array([1.0, 2.0]))
    >>> expand_arcs(h, [0, 2, 1], lambda x, y: 10 * x + y, {})
    [2, 21]
    """
    n = max(hierarchy.shape.n, 1)
    via = hierarchy.via
    out: list[int] = []
    if hierarchy.shape.height >= _DEEPEST:
        for a, b in itertools.pairwise(ranked):
            _expand_iteratively(via, n, a, b, leaf, out)
        return out

    def expand(x: int, y: int) -> tuple[int, ...]:
        key = x * n + y
        found = memo.get(key)
        if found is None:
            mid = via[key]
            a = memo.get(x * n + mid) or (expand(x, mid) if (x * n + mid) in via else (leaf(x, mid),))
            b = memo.get(mid * n + y) or (expand(mid, y) if (mid * n + y) in via else (leaf(mid, y),))
            found = a + b
            if len(memo) < _REMEMBERED:
                memo[key] = found
        return found

    for a, b in itertools.pairwise(ranked):
        if a * n + b in via:
            out.extend(expand(a, b))
        else:
            out.append(leaf(a, b))
    return out


#: Shortcuts nested deeper than this are expanded without recursion.
_DEEPEST = 600
#: Expanded shortcuts kept per weighting.
_REMEMBERED = 20_000


def _expand_iteratively(
    via: dict[int, int], n: int, a: int, b: int, leaf: Callable[[int, int], int], out: list[int]
) -> None:
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        mid = via.get(x * n + y)
        if mid is None:
            out.append(leaf(x, y))
        else:
            stack.append((mid, y))
            stack.append((x, mid))


def walk(pred: PredArray, source_rank: int, meet: int, *, shift: int = 0) -> list[int]:
    """Follow a search's predecessors from ``meet`` back to its source, in search order.

    ``shift`` is subtracted from each predecessor: :func:`search` leaves those of
    the backward searches numbered from ``n``, as the search graph has them.
    """
    out = [meet]
    at = meet
    while at != source_rank:
        at = int(pred[at]) - shift
        out.append(at)
    out.reverse()
    return out
