"""Cheapest paths between two snapped points, from compact arrays of the graph.

The graph's edge weights are computed once per weighting into arrays (the
cheapest parallel edge per node pair; edges a profile forbids are left out):
a SciPy CSR matrix and a contraction hierarchy customised for the weighting
(:mod:`routing.hierarchy`). A plain search climbs the hierarchy from both ends;
a search on adjusted weights (no-go areas, alternatives) runs
``scipy.sparse.csgraph.dijkstra`` on the adjusted matrix. A route may start and
end part-way along an edge: each snap offers up to two entries into the network
(towards either end of its edge, where the bicycle may ride that way) and the
best combination wins.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing.chains import climb_chains
from routing.compact import compact_graph
from routing.costs import cost_table
from routing.costs import edge_cost
from routing.errors import NoRouteError
from routing.hierarchy import customize
from routing.hierarchy import expand_arcs
from routing.probe import climb
from routing.profiles import Profile

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Collection
    from collections.abc import Mapping

    import networkx as nx

    from routing.compact import CompactGraph
    from routing.costs import CostTable
    from routing.hierarchy import Hierarchy
    from routing.snapping import EdgeKey
    from routing.snapping import Snap

#: Weights must be positive for the sparse search; zero-length edges get this.
MIN_WEIGHT = 1e-6
#: A snap this close to the end of its edge counts as on the junction itself.
AT_NODE_M = 1e-6
#: Weightings kept per graph (each custom speed or profile is one); the oldest goes first.
KEPT_WEIGHTINGS = 8
#: Junctions from which a query searches the ancestor chains of its ends (:mod:`routing.chains`) rather than
#: the whole hierarchy (:func:`routing.probe.climb`), whose set-up grows with the graph. Measured on the bench's
#: tiled grids (median of a complete query): 22 thousand junctions 0.72 ms whole, 0.96 ms chains; 89 thousand
#: 1.39 ms whole, 1.07 ms chains; 445 thousand 5.7 ms whole, 3.3 ms chains.
CHAINS_FROM = 50_000

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """One weighting of a graph as sparse arrays, with the edge key behind each entry.

    ``edge_weight[e]`` is the weight of edge id ``e`` (see
    :class:`~routing.compact.CompactGraph`); ``edge_of`` maps a node pair to the
    id of its cheapest edge, and so does ``pair_edge`` for the sorted keys
    ``pair_keys`` (``u_position * n + v_position``); ``hierarchy`` answers
    unadjusted searches, and ``expanded`` keeps its shortcuts expanded into
    edge ids.
    """

    nodes: tuple[int, ...]
    position: dict[int, int]
    rows: IntArray
    cols: IntArray
    data: FloatArray
    entry: dict[tuple[int, int], int]
    best_key: dict[tuple[int, int], int]
    matrix: csr_matrix
    weigh: Callable[[Mapping[str, Any]], float]
    compact: CompactGraph
    edge_weight: FloatArray
    edge_of: dict[tuple[int, int], int]
    pair_keys: IntArray
    pair_edge: IntArray
    hierarchy: Hierarchy
    expanded: dict[int, tuple[int, ...]]

    def arc_edge(self, x: int, y: int) -> int:
        """Return the edge id of the hierarchy's real arc from rank ``x`` to rank ``y``."""
        vertex = self.hierarchy.shape.vertex
        key = int(vertex[x]) * len(self.nodes) + int(vertex[y])
        return int(self.pair_edge[np.searchsorted(self.pair_keys, key)])


@dataclass(frozen=True, slots=True)
class Piece:
    """A directed edge, or the part of it between two offsets (metres from ``u``)."""

    edge: EdgeKey
    start_m: float
    end_m: float


_INDEXES: weakref.WeakKeyDictionary[Any, OrderedDict[str, SearchIndex]] = weakref.WeakKeyDictionary()
_TABLES: weakref.WeakKeyDictionary[Any, OrderedDict[str, CostTable]] = weakref.WeakKeyDictionary()
# repr() of a profile takes ~10 µs; remember the last few (holding them keeps their ids unique).
_KEYS: OrderedDict[int, tuple[Profile, str]] = OrderedDict()


def weighting_key(weight: str | Profile) -> str:
    """Return the cache key of a weighting: an attribute name or a profile's settings.

    Examples
    --------
    >>> weighting_key("length")
    'attr:length'
    """
    if not isinstance(weight, Profile):
        return f"attr:{weight}"
    found = _KEYS.get(id(weight))
    if found is not None and found[0] is weight:
        return found[1]
    key = weight.key
    _KEYS[id(weight)] = (weight, key)
    with contextlib.suppress(KeyError):
        while len(_KEYS) > 4 * KEPT_WEIGHTINGS:
            _KEYS.popitem(last=False)
    return key


def _remember(cache: OrderedDict[str, Any], key: str, value: Any) -> None:
    cache[key] = value
    # Threads may race here; losing a cached entry only costs a rebuild.
    with contextlib.suppress(KeyError):
        while len(cache) > KEPT_WEIGHTINGS:
            cache.popitem(last=False)


def _recall(cache: OrderedDict[str, Any], key: str) -> Any:
    found = cache.get(key)
    if found is not None:
        with contextlib.suppress(KeyError):
            cache.move_to_end(key)
    return found


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
        Shared by later calls with the same graph object and weighting (the
        last :data:`KEPT_WEIGHTINGS` weightings are kept).
    """
    key = weighting_key(weight)
    per_graph = _INDEXES.get(G)
    if per_graph is None:
        per_graph = _INDEXES.setdefault(G, OrderedDict())
    found: SearchIndex | None = _recall(per_graph, key)
    if found is not None:
        return found
    compact = compact_graph(G)
    if isinstance(weight, Profile):
        raw = profile_costs(G, weight).cost
    else:
        raw = np.fromiter((float(d[weight]) for d in compact.data), dtype=np.float64, count=len(compact.data))
    edge_weight = np.maximum(raw, MIN_WEIGHT)
    usable = np.flatnonzero(np.isfinite(edge_weight))
    n = len(compact.nodes)
    pair = compact.tail[usable] * n + compact.head[usable]
    # The cheapest edge of each node pair (the first one on ties), pairs in order of first appearance.
    by_cost = np.lexsort((usable, edge_weight[usable], pair))
    new_pair = np.ones(len(by_cost), dtype=bool)
    new_pair[1:] = pair[by_cost][1:] != pair[by_cost][:-1]
    cheapest = usable[by_cost[new_pair]]
    _, first_seen = np.unique(pair, return_index=True)
    chosen = cheapest[np.argsort(first_seen, kind="stable")]
    pair_keys = compact.tail[cheapest] * n + compact.head[cheapest]
    rows = compact.tail[chosen]
    cols = compact.head[chosen]
    data = edge_weight[chosen]
    nodes = compact.nodes
    pairs = [(nodes[a], nodes[b]) for a, b in zip(rows.tolist(), cols.tolist(), strict=True)]
    chosen_ids = chosen.tolist()
    index = SearchIndex(
        nodes=nodes,
        position=compact.position,
        rows=rows,
        cols=cols,
        data=data,
        entry=dict(zip(pairs, range(len(pairs)), strict=True)),
        best_key={p: compact.edges[e][2] for p, e in zip(pairs, chosen_ids, strict=True)},
        matrix=_matrix(rows, cols, data, n),
        weigh=weight_function(weight),
        compact=compact,
        edge_weight=edge_weight,
        edge_of=dict(zip(pairs, chosen_ids, strict=True)),
        pair_keys=pair_keys,
        pair_edge=cheapest,
        hierarchy=customize(compact.shape, rows, cols, data),
        expanded={},
    )
    _remember(per_graph, key, index)
    return index


def profile_costs(G: nx.MultiDiGraph[int], profile: Profile) -> CostTable:
    """Return a profile's speeds, preferences, times and costs for every edge, computed once.

    Parameters
    ----------
    G
        The bicycle graph.
    profile
        The profile.

    Returns
    -------
    CostTable
        Indexed by edge id and cost class (see :class:`~routing.compact.CompactGraph`).
    """
    key = weighting_key(profile)
    per_graph = _TABLES.get(G)
    if per_graph is None:
        per_graph = _TABLES.setdefault(G, OrderedDict())
    known: CostTable | None = _recall(per_graph, key)
    if known is not None:
        return known
    compact = compact_graph(G)
    table = cost_table(compact.class_data, compact.cost_class, compact.length, profile)
    _remember(per_graph, key, table)
    return table


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
