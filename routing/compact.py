"""The compact array form of a bicycle graph that queries are answered from.

networkx stays the data model; queries read flat NumPy arrays instead of
walking dictionaries: edge ends, lengths and every edge's vertices laid end to
end, and the edges grouped by the tags their costs depend on, so a profile is
evaluated once per group (a few hundred) rather than once per edge. The form is
built once per graph object and kept while the graph lives; like every cache
here it assumes the graph is not modified in place (copy it first).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely

from gis_data.ordering import contraction_order
from routing.costs import COST_TAGS
from routing.hierarchy import build_shape

if TYPE_CHECKING:
    from collections.abc import Mapping

    import networkx as nx

    from routing.hierarchy import Shape
    from routing.snapping import EdgeKey

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

_MISSING = object()
_DEFAULTS = (_MISSING,) * len(COST_TAGS)


@dataclass(frozen=True, slots=True)
class CompactGraph:
    """Flat arrays of one graph, indexed by node position and edge id (``G.edges`` order).

    ``coords[first[e]:first[e + 1]]`` are the lon/lat vertices of edge ``e``.
    Edges of one ``cost_class`` share every tag their speed, preference and
    description depend on; ``class_data[c]`` is the attribute mapping of the
    first of them. ``label[e]`` numbers the way's shown name and signed routes,
    ``labels[i]`` being ``(name, route relation ids)``.
    """

    nodes: tuple[int, ...]
    position: dict[int, int]
    edges: tuple[EdgeKey, ...]
    edge_id: dict[EdgeKey, int]
    tail: IntArray
    head: IntArray
    length: FloatArray
    coords: FloatArray
    first: IntArray
    data: tuple[Mapping[str, Any], ...]
    cost_class: IntArray
    class_data: tuple[Mapping[str, Any], ...]
    label: IntArray
    labels: tuple[tuple[str, tuple[int, ...]], ...]
    shape: Shape


_COMPACT: weakref.WeakKeyDictionary[Any, CompactGraph] = weakref.WeakKeyDictionary()


def compact_graph(G: nx.MultiDiGraph[int]) -> CompactGraph:
    """Return the compact form of a graph, building it on first use.

    Parameters
    ----------
    G
        A bicycle graph whose edges carry ``length`` and ``geometry``.

    Returns
    -------
    CompactGraph
        Shared by every later call with the same graph object.
    """
    found = _COMPACT.get(G)
    if found is not None:
        return found
    nodes = tuple(G.nodes)
    position = {n: i for i, n in enumerate(nodes)}
    edges: list[EdgeKey] = []
    data: list[Mapping[str, Any]] = []
    for u, v, k, d in G.edges(keys=True, data=True):
        edges.append((u, v, k))
        data.append(d)
    m = len(edges)
    tail = np.fromiter((position[e[0]] for e in edges), dtype=np.int64, count=m)
    head = np.fromiter((position[e[1]] for e in edges), dtype=np.int64, count=m)
    length = np.fromiter((float(d["length"]) for d in data), dtype=np.float64, count=m)
    coords, owner = shapely.get_coordinates([d["geometry"] for d in data], return_index=True)
    first = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=m), out=first[1:])
    cost_class, class_data = _cost_classes(data)
    label, labels = _labels(data)
    order = contraction_order(G)
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[np.fromiter((position[n] for n in order.tolist()), dtype=np.int64, count=len(nodes))] = np.arange(
        len(nodes), dtype=np.int64
    )
    compact = CompactGraph(
        nodes=nodes,
        position=position,
        edges=tuple(edges),
        edge_id={e: i for i, e in enumerate(edges)},
        tail=tail,
        head=head,
        length=length,
        coords=np.ascontiguousarray(coords, dtype=np.float64),
        first=first,
        data=tuple(data),
        cost_class=cost_class,
        class_data=class_data,
        label=label,
        labels=labels,
        shape=build_shape(len(nodes), rank, tail, head),
    )
    _COMPACT[G] = compact
    return compact


def _cost_classes(data: list[Mapping[str, Any]]) -> tuple[IntArray, tuple[Mapping[str, Any], ...]]:
    """Group edges whose cost-relevant tags are equal."""
    ids: dict[Any, int] = {}
    first: list[Mapping[str, Any]] = []
    out = np.empty(len(data), dtype=np.int64)
    for i, d in enumerate(data):
        key: Any = (*map(d.get, COST_TAGS, _DEFAULTS), bool(d.get("routes")))
        try:
            c = ids.setdefault(key, len(ids))
        except TypeError:  # an unhashable tag value: keep the edge on its own
            c = len(ids)
            ids[(object(),)] = c
        if c == len(first):
            first.append(d)
        out[i] = c
    return out, tuple(first)


def _labels(data: list[Mapping[str, Any]]) -> tuple[IntArray, tuple[tuple[str, tuple[int, ...]], ...]]:
    """Give each distinct (shown name, signed routes) of the edges a number."""
    ids: dict[tuple[str, tuple[int, ...]], int] = {}
    out = np.empty(len(data), dtype=np.int64)
    for i, d in enumerate(data):
        key = (str(d.get("name") or d.get("ref") or ""), tuple(d.get("routes", ())))
        out[i] = ids.setdefault(key, len(ids))
    return out, tuple(ids)
