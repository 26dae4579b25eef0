"""Turn a solved ride (edge ids and offsets along them) into a :class:`~routing.summary.Route`.

The geometry, the totals, the shares and the explanation all come from array
lookups: what depends only on the graph (display labels, share labels per cost
class, node ids) or on the graph and a profile (the explanation's fields) is
computed once and kept while the graph lives, so assembling a route of a hundred
edges takes a small fraction of a millisecond.
"""

from __future__ import annotations

import contextlib
import dataclasses
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from shapely import LineString
from shapely.ops import substring

from routing.compact import compact_graph
from routing.costs import cycle_infrastructure
from routing.explain import Explanation
from routing.explain import class_looks
from routing.snapping import edge_index
from routing.summary import CycleRouteUse
from routing.summary import Route
from routing.summary import class_shares
from routing.weighting import profile_costs
from routing.weighting import weighting_key

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx

    from routing.compact import CompactGraph
    from routing.costs import CostTable
    from routing.explain import Label
    from routing.explain import Looks
    from routing.profiles import Profile
    from routing.snapping import Snap
    from routing.weighting import SearchIndex

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclasses.dataclass(frozen=True, slots=True)
class Ride:
    """Ridden pieces as arrays: edge ids (see :mod:`routing.compact`) and offsets along them.

    Every piece is ridden: it has a positive length, or its edge has none (a
    point snapped onto a junction adds no piece of the edge it was snapped to).
    """

    edges: IntArray
    start_m: FloatArray
    end_m: FloatArray

    def pairs(self, G: nx.MultiDiGraph[int]) -> list[tuple[int, int]]:
        """Return the ``(u, v)`` node pair of each piece."""
        compact = compact_graph(G)
        nodes = compact.nodes
        return [
            (nodes[a], nodes[b])
            for a, b in zip(compact.tail[self.edges].tolist(), compact.head[self.edges].tolist(), strict=True)
        ]


def assemble(
    G: nx.MultiDiGraph[int],
    ride: Ride,
    *,
    index: SearchIndex,
    timing: Profile,
    name: str,
    snaps: tuple[Snap, ...],
    notes: tuple[str, ...] = (),
) -> Route:
    """Join a ride into one :class:`~routing.summary.Route` with its summary and explanation.

    Parameters
    ----------
    G
        The bicycle graph the ride was found on.
    ride
        The ridden pieces, in riding order.
    index
        The search index of the weighting the ride was found with (its costs are the route's cost).
    timing
        The profile whose speeds time the ride and explain it.
    name
        The profile name the route reports.
    snaps
        Where the requested points met the network.
    notes
        What was avoided and why.
    """
    context = _context(G, timing)
    compact, tables = context.compact, context.tables
    eids, start_m, end_m = ride.edges, ride.start_m, ride.end_m
    full = compact.length[eids]
    part = np.maximum(end_m - start_m, 0.0)
    coords = _coordinates(G, eids, start_m, end_m, full)
    if not len(coords):
        lat, lon = snaps[0].snapped
        coords = np.array([[lon, lat]])
    if len(coords) == 1:
        coords = np.vstack([coords, coords])
    ends = np.empty(2 * len(eids), dtype=np.int64)
    ends[0::2] = compact.tail[eids]
    ends[1::2] = compact.head[eids]
    if len(ends):
        step = np.empty(len(ends), dtype=bool)
        step[0] = True
        np.not_equal(ends[1:], ends[:-1], out=step[1:])
        ends = ends[step]
    positive = full > 0
    ratio = np.zeros(len(full))
    np.divide(part, full, out=ratio, where=positive)
    cost = np.where(positive, index.edge_weight[eids] * ratio, 0.0)
    seconds = context.table.time_s[eids] * ratio
    classes = compact.cost_class[eids]
    metres = part.tolist()
    length_m = _total(part)
    looks = context.looks
    segments = Explanation(
        metres, looks.look[classes].tolist(), context.labels[eids].tolist(), looks.fields, context.label_fields
    )
    # Metres per cost class ridden (a few classes share the labels of the shares).
    ridden_classes = np.flatnonzero(np.bincount(classes)) if len(classes) else classes
    by_class = dict(
        zip(ridden_classes.tolist(), np.bincount(classes, weights=part)[ridden_classes].tolist(), strict=True)
    )
    # Metres per display label first (few labels, in riding order), then per signed route of each label.
    on_routes = tables.on_route[eids]
    route_labels = compact.label[eids[on_routes]]
    metres_by_label = np.bincount(route_labels, weights=part[on_routes])
    ridden_labels, first_ridden = np.unique(route_labels, return_index=True)
    ridden_labels = ridden_labels[np.argsort(first_ridden)]
    return Route(
        geometry=LineString(coords),
        nodes=tuple(tables.node_ids[ends].tolist()),
        length_m=length_m,
        duration_s=_total(seconds),
        speed_kmh=timing.speed_kmh,
        surface_shares=class_shares(tables.surface, tables.surface_names, by_class),
        highway_shares=class_shares(tables.highway, tables.highway_names, by_class),
        cycle_routes=_route_uses(
            [(compact.labels[i][1], float(metres_by_label[i])) for i in ridden_labels.tolist()],
            G.graph.get("routes", {}),
            length_m,
        ),
        snaps=snaps,
        profile=name,
        cost=_total(cost),
        segments=segments,
        infrastructure_shares=class_shares(tables.infrastructure, tables.infrastructure_names, by_class),
        notes=notes,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _GraphTables:
    """Per-graph lookups: node ids, numbered share labels per cost class, edges on signed routes."""

    node_ids: IntArray
    surface: list[int]
    surface_names: tuple[str, ...]
    highway: list[int]
    highway_names: tuple[str, ...]
    infrastructure: list[int]
    infrastructure_names: tuple[str, ...]
    on_route: Any


_GRAPH_TABLES: weakref.WeakKeyDictionary[Any, _GraphTables] = weakref.WeakKeyDictionary()


def _numbered(values: Sequence[str]) -> tuple[IntArray, tuple[str, ...]]:
    """Give equal values the same number, in order of first appearance.

    Examples
    --------
    >>> codes, names = _numbered(["asphalt", "gravel", "asphalt"])
    >>> codes.tolist(), names
    ([0, 1, 0], ('asphalt', 'gravel'))
    """
    ids: dict[str, int] = {}
    codes = np.fromiter((ids.setdefault(v, len(ids)) for v in values), dtype=np.int64, count=len(values))
    return codes, tuple(ids)


def _tables(G: nx.MultiDiGraph[int]) -> _GraphTables:
    found = _GRAPH_TABLES.get(G)
    if found is None:
        compact = compact_graph(G)
        classes = compact.class_data
        routed = np.array([bool(routes) for _, routes in compact.labels], dtype=bool)
        surface = _numbered([str(d.get("surface", "unknown")) for d in classes])
        highway = _numbered([str(d.get("highway", "unknown")) for d in classes])
        infrastructure = _numbered([cycle_infrastructure(d) for d in classes])
        found = _GRAPH_TABLES[G] = _GraphTables(
            node_ids=np.array(compact.nodes, dtype=np.int64),
            surface=surface[0].tolist(),
            surface_names=surface[1],
            highway=highway[0].tolist(),
            highway_names=highway[1],
            infrastructure=infrastructure[0].tolist(),
            infrastructure_names=infrastructure[1],
            on_route=routed[compact.label] if len(compact.label) else np.zeros(0, dtype=bool),
        )
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class _Context:
    """What assembling a route needs from a graph and the profile that times it, looked up once."""

    compact: CompactGraph
    table: CostTable
    looks: Looks
    labels: IntArray
    label_fields: tuple[Label, ...]
    tables: _GraphTables


_CONTEXTS: weakref.WeakKeyDictionary[Any, OrderedDict[str, _Context]] = weakref.WeakKeyDictionary()
_LABELS: weakref.WeakKeyDictionary[Any, tuple[IntArray, tuple[Label, ...]]] = weakref.WeakKeyDictionary()


def _context(G: nx.MultiDiGraph[int], timing: Profile) -> _Context:
    """Return the graph's tables and a profile's times and explanation fields, computed once per graph and profile."""
    per_graph = _CONTEXTS.get(G)
    if per_graph is None:
        per_graph = _CONTEXTS.setdefault(G, OrderedDict())
    key = weighting_key(timing)
    found = per_graph.get(key)
    if found is None:
        compact = compact_graph(G)
        table = profile_costs(G, timing)
        labels, label_fields = _display_labels(G)
        looks = class_looks(compact.class_data, table.speed_kmh, table.factor)
        found = per_graph[key] = _Context(compact, table, looks, labels, label_fields, _tables(G))
        with contextlib.suppress(KeyError):
            while len(per_graph) > 16:
                per_graph.popitem(last=False)
    return found


def _display_labels(G: nx.MultiDiGraph[int]) -> tuple[IntArray, tuple[Label, ...]]:
    """Return each edge's shown name and route names, numbered so that equal ones share a number."""
    found = _LABELS.get(G)
    if found is None:
        compact = compact_graph(G)
        catalogue: dict[int, dict[str, str]] = G.graph.get("routes", {})
        names = {rel: info.get("name") or info.get("ref") or str(rel) for rel, info in catalogue.items()}
        ids: dict[Label, int] = {}
        renumber = [
            ids.setdefault((name, tuple(names.get(r, str(r)) for r in routes)), len(ids))
            for name, routes in compact.labels
        ]
        found = _LABELS[G] = (np.array(renumber, dtype=np.int64)[compact.label], tuple(ids))
    return found


def _total(values: FloatArray) -> float:
    """Add up in order, one by one (an accumulation is sequential, unlike numpy's pairwise sum).

    Examples
    --------
    >>> _total(np.array([0.1, 0.2, 0.3])) == (0.1 + 0.2) + 0.3
    True
    >>> _total(np.array([]))
    0.0
    """
    return float(np.add.accumulate(values)[-1]) if len(values) else 0.0


def _coordinates(
    G: nx.MultiDiGraph[int], eids: IntArray, start_m: FloatArray, end_m: FloatArray, full: FloatArray
) -> FloatArray:
    """Lay the vertices of the ridden pieces end to end, without repeating a shared vertex."""
    compact = compact_graph(G)
    first = compact.first
    whole = (start_m <= 0) & (end_m >= full)
    if whole.all():
        return _whole_edges(compact.coords, first[eids], first[eids + 1])
    counts = first[eids + 1] - first[eids]
    # Whole edges: their stored vertices; cut ones: the part between the offsets (computed below).
    gather = np.repeat(first[eids] - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    coords = compact.coords[gather]
    if not whole.all():
        index = edge_index(G)
        parts: list[FloatArray] = []
        edges = compact.edges
        starts = np.cumsum(counts) - counts
        for i, e in enumerate(eids.tolist()):
            if whole[i]:
                parts.append(coords[starts[i] : starts[i] + counts[i]])
                continue
            cut = substring(index.line(edges[e]), float(start_m[i]), float(end_m[i]))
            xs, ys = index.to_wgs84.transform(*cut.xy)
            parts.append(np.column_stack([xs, ys]) if len(xs) > 1 else np.empty((0, 2)))
        counts = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        coords = np.concatenate(parts) if parts else np.empty((0, 2))
    # The first vertex of a piece is dropped when it repeats the last one laid.
    heads = (np.cumsum(counts) - counts)[counts > 0][1:]
    points = coords.view(np.complex128)[:, 0]
    repeat = heads[points[heads] == points[heads - 1]]
    if not len(repeat):
        return coords
    keep = np.ones(len(coords), dtype=bool)
    keep[repeat] = False
    return coords[keep]


def _whole_edges(coords: FloatArray, starts: IntArray, stops: IntArray) -> FloatArray:
    """Lay whole edges' stored vertices (``coords[starts[i]:stops[i]]``) end to end, shared ends once.

    Examples
    --------
    >>> coords = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    >>> _whole_edges(coords, np.array([0, 2]), np.array([2, 4])).tolist()
    [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
    """
    if len(starts) > 1:
        # An edge's first vertex is skipped when it repeats the last one of the edge before
        # (compared as complex numbers: both coordinates at once).
        points = coords.view(np.complex128)[:, 0]
        starts = starts.copy()
        starts[1:] += points[starts[1:]] == points[stops[:-1] - 1]
    counts = stops - starts
    ends = np.cumsum(counts)
    gather = np.repeat(starts - (ends - counts), counts) + np.arange(int(ends[-1]) if len(ends) else 0)
    return coords[gather]


def _route_uses(
    rows: Sequence[tuple[Sequence[int], float]],
    catalogue: Mapping[int, Mapping[str, str]],
    length: float,
) -> tuple[CycleRouteUse, ...]:
    used: dict[int, float] = {}
    for routes, part in rows:
        for rel in routes:
            used[rel] = used.get(rel, 0.0) + part
    return tuple(
        CycleRouteUse(
            relation_id=rel,
            name=catalogue.get(rel, {}).get("name", ""),
            ref=catalogue.get(rel, {}).get("ref", ""),
            network=catalogue.get(rel, {}).get("network", ""),
            length_m=metres,
            share=metres / length if length > 0 else 0.0,
        )
        for rel, metres in sorted(used.items(), key=lambda kv: -kv[1])
    )
