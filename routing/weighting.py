"""One weighting of a graph as arrays, built once per graph and weighting and kept while the graph lives.

The graph's edge weights (an attribute such as ``length``, or a profile's
costs, see :mod:`routing.costs`) become arrays by edge id (see
:mod:`routing.compact`): the cheapest parallel edge per node pair, edges a
profile forbids left out, as a SciPy CSR matrix for searches on adjusted
weights, and a contraction hierarchy customised for the weighting
(:mod:`routing.hierarchy`) for the plain ones.
"""

from __future__ import annotations

import contextlib
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from routing.compact import compact_graph
from routing.costs import cost_table
from routing.costs import edge_cost
from routing.hierarchy import customize
from routing.profiles import Profile

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Collection
    from collections.abc import Mapping

    import networkx as nx

    from routing.compact import CompactGraph
    from routing.costs import CostTable
    from routing.hierarchy import Hierarchy

#: Weights must be positive for the sparse search; zero-length edges get this.
MIN_WEIGHT = 1e-6
#: Weightings kept per graph (each custom speed or profile is one); the oldest goes first.
KEPT_WEIGHTINGS = 8

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


def _kept(
    store: weakref.WeakKeyDictionary[Any, OrderedDict[str, Any]], G: Any, key: str
) -> tuple[OrderedDict[str, Any], Any]:
    """Return the graph's cache in ``store`` and what it holds under ``key`` (``None`` if nothing)."""
    per_graph = store.get(G)
    if per_graph is None:
        per_graph = store.setdefault(G, OrderedDict())
    return per_graph, _recall(per_graph, key)


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
    per_graph, cached = _kept(_INDEXES, G, key)
    found: SearchIndex | None = cached
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
    per_graph, cached = _kept(_TABLES, G, key)
    known: CostTable | None = cached
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
