"""Plan bicycle routes through any number of points, with profiles, areas to avoid and alternatives."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import operator
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from shapely import LineString
from shapely.ops import substring

from gis_data import settings
from routing.avoid import active_closures
from routing.avoid import blocked_pairs
from routing.avoid import closure_pairs
from routing.compact import compact_graph
from routing.errors import InvalidPointError
from routing.explain import class_looks
from routing.explain import explain_ids
from routing.profiles import DEFAULT_PROFILE
from routing.profiles import TOURING
from routing.profiles import Profile
from routing.profiles import get_profile
from routing.search import Piece
from routing.search import adjusted_matrix
from routing.search import profile_costs
from routing.search import search_index
from routing.search import shortest_leg
from routing.search import weighting_key
from routing.snapping import edge_index
from routing.snapping import snap_point
from routing.summary import CycleRouteUse
from routing.summary import Route
from routing.summary import shares

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx
    from scipy.sparse import csr_matrix
    from shapely.geometry.base import BaseGeometry

    from gis_data.closures import Closure
    from routing.explain import Label
    from routing.explain import Looks
    from routing.search import SearchIndex
    from routing.snapping import LatLon
    from routing.snapping import Snap

logger = logging.getLogger(__name__)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

#: The profile name that minimises distance alone (timed with the touring speeds).
SHORTEST = "shortest"
#: Alternatives: each found route's edges cost this much more in the next search …
ALTERNATIVE_PENALTY = 1.6
#: … and a candidate is kept only if it shares at most this fraction of its length
#: with every route already kept …
ALTERNATIVE_MAX_OVERLAP = 0.6
#: … and costs at most this many times the best route.
ALTERNATIVE_MAX_STRETCH = 1.5


@dataclasses.dataclass(frozen=True, slots=True)
class _Request:
    """Everything a search needs, resolved once per request."""

    snaps: tuple[Snap, ...]
    index: SearchIndex
    timing: Profile
    name: str
    blocked: frozenset[tuple[int, int]]
    notes: tuple[str, ...]


def resolve_profile(profile: str | Profile | None) -> Profile:
    """Return a profile object for a name, a profile or ``None`` (the default preset)."""
    if isinstance(profile, Profile):
        return profile
    name = profile or DEFAULT_PROFILE
    return TOURING if name == SHORTEST else get_profile(name)


def _prepare(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    profile: str | Profile | None,
    speed_kmh: float | None,
    snap_limit_m: float | None,
    avoid: Sequence[BaseGeometry],
    closures: Sequence[Closure],
    date: dt.date | None,
) -> tuple[_Request, dict[tuple[int, int], Closure]]:
    if len(points) < 2:
        msg = f"A route needs a start and an end, got {len(points)} point(s)"
        raise InvalidPointError(msg)
    timing = resolve_profile(profile)
    if speed_kmh is not None:
        if not float(speed_kmh) > 0:
            msg = f"Speed must be a positive number of km/h, got {speed_kmh!r}"
            raise InvalidPointError(msg)
        timing = dataclasses.replace(timing, speed_kmh=float(speed_kmh))
    shortest = profile == SHORTEST
    index = search_index(G, "length" if shortest else timing)
    blocked = set(blocked_pairs(G, avoid)) if avoid else set()
    shut = closure_pairs(G, active_closures(closures, date))
    blocked |= set(shut)
    limit = settings.snap_limit_m if snap_limit_m is None else float(snap_limit_m)

    edge_id = index.compact.edge_id
    weights = index.edge_weight

    def usable(edge: tuple[int, int, int]) -> bool:
        return edge[:2] not in blocked and bool(weights[edge_id[edge]] < np.inf)

    snaps = tuple(snap_point(G, p, limit_m=limit, usable=usable) for p in points)
    notes = [f"No-go areas avoided: {len(avoid)}"] if avoid else []
    return _Request(
        snaps=snaps,
        index=index,
        timing=timing,
        name=SHORTEST if shortest else timing.name,
        blocked=frozenset(blocked),
        notes=tuple(notes),
    ), shut


@dataclasses.dataclass(frozen=True, slots=True)
class _Ride:
    """Ridden pieces as arrays: edge ids (see :mod:`routing.compact`) and offsets along them."""

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


def _ride_of(G: nx.MultiDiGraph[int], pieces: Sequence[Piece]) -> _Ride:
    edge_id = compact_graph(G).edge_id
    count = len(pieces)
    return _Ride(
        np.fromiter((edge_id[p.edge] for p in pieces), dtype=np.int64, count=count),
        np.fromiter((p.start_m for p in pieces), dtype=np.float64, count=count),
        np.fromiter((p.end_m for p in pieces), dtype=np.float64, count=count),
    )


def _solve(G: nx.MultiDiGraph[int], req: _Request, matrix: csr_matrix) -> _Ride:
    compact = req.index.compact
    parts: list[_Ride] = []
    for start, end in zip(req.snaps[:-1], req.snaps[1:], strict=True):
        leg = shortest_leg(G, start, end, index=req.index, matrix=matrix, blocked=req.blocked)
        if leg.first is not None:
            parts.append(_ride_of(G, [leg.first]))
        zeros = np.zeros(len(leg.inner))
        parts.append(_Ride(leg.inner, zeros, compact.length[leg.inner]))
        if leg.last is not None:
            parts.append(_ride_of(G, [leg.last]))
    return _Ride(
        np.concatenate([p.edges for p in parts]),
        np.concatenate([p.start_m for p in parts]),
        np.concatenate([p.end_m for p in parts]),
    )


def plan_route(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    profile: str | Profile | None = None,
    speed_kmh: float | None = None,
    snap_limit_m: float | None = None,
    avoid: Sequence[BaseGeometry] = (),
    closures: Sequence[Closure] = (),
    date: dt.date | None = None,
) -> Route:
    """Plan the best bicycle route from the first point through the others in order.

    Each point is snapped to the nearest edge the profile may use, so a route
    starts and ends where the rider is, not at the nearest junction. Each leg
    between consecutive points is best on its own.

    Parameters
    ----------
    G
        The bicycle graph (see :func:`gis_data.network.load_network`).
    points
        Start, via points and end as ``(lat, lon)``; at least two.
    profile
        A preset name (``touring`` by default, ``road``, ``gravel``, ``family``,
        any of them with ``+wet``), ``"shortest"`` for distance alone, or a
        :class:`~routing.profiles.Profile`.
    speed_kmh
        Cruising speed overriding the profile's, for the duration.
    snap_limit_m
        Farthest a point may be from the network; default
        ``gis_data.settings.snap_limit_m``.
    avoid
        No-go areas (WGS84 polygons or lines) for this request.
    closures
        Dated closures; those in force on ``date`` are avoided and named in the
        route's ``notes`` when they changed it.
    date
        The day of the ride (undated requests avoid only undated closures).

    Returns
    -------
    Route
        Geometry, distance, duration, explanation and shares of the ride.

    Raises
    ------
    InvalidPointError
        If fewer than two points are given, a point is not a valid coordinate
        pair, or the speed is not positive.
    ProfileError
        If the profile name is unknown.
    PointOffNetworkError
        If a point lies farther than the limit from any way the profile may use.
    NoRouteError
        If two consecutive points are not connected.
    """
    req, shut = _prepare(
        G,
        points,
        profile=profile,
        speed_kmh=speed_kmh,
        snap_limit_m=snap_limit_m,
        avoid=avoid,
        closures=closures,
        date=date,
    )
    matrix = adjusted_matrix(req.index, blocked=req.blocked)
    pieces = _solve(G, req, matrix)
    notes = list(req.notes)
    if shut:
        free = dataclasses.replace(req, blocked=frozenset(req.blocked - set(shut)))
        try:
            unconstrained = _solve(G, free, adjusted_matrix(free.index, blocked=free.blocked))
        except LookupError:
            unconstrained = pieces
        crossed = {shut[pair] for pair in unconstrained.pairs(G) if pair in shut}
        notes += [f"Avoided closure: {c.describe()}" for c in sorted(crossed, key=lambda c: c.name)]
    return _assemble(G, pieces, dataclasses.replace(req, notes=tuple(notes)))


def plan_alternatives(
    G: nx.MultiDiGraph[int],
    points: Sequence[LatLon],
    *,
    count: int = 2,
    profile: str | Profile | None = None,
    speed_kmh: float | None = None,
    snap_limit_m: float | None = None,
    avoid: Sequence[BaseGeometry] = (),
    closures: Sequence[Closure] = (),
    date: dt.date | None = None,
) -> list[Route]:
    """Plan the best route and up to ``count`` genuinely different alternatives.

    Penalty method: after each route, its edges cost ``ALTERNATIVE_PENALTY``
    times more and the search runs again. A candidate is kept when it shares at
    most ``ALTERNATIVE_MAX_OVERLAP`` of its length with each kept route and
    costs (with the real, unpenalised weights) at most
    ``ALTERNATIVE_MAX_STRETCH`` times the best. Fewer alternatives are returned
    when the network offers no more.

    Parameters
    ----------
    G, points, profile, speed_kmh, snap_limit_m, avoid, closures, date
        As for :func:`plan_route`.
    count
        How many alternatives to look for besides the best route.

    Returns
    -------
    list of Route
        The best route first.
    """
    options: dict[str, Any] = {
        "profile": profile,
        "speed_kmh": speed_kmh,
        "snap_limit_m": snap_limit_m,
        "avoid": avoid,
        "closures": closures,
        "date": date,
    }
    best = plan_route(G, points, **options)
    req, _ = _prepare(G, points, **options)
    last = _solve(G, req, adjusted_matrix(req.index, blocked=req.blocked))
    kept = [best]
    kept_pieces = [_ridden(G, last)]
    scale: dict[tuple[int, int], float] = {}
    for _ in range(count * 4):
        if len(kept) > count:
            break
        for u, v in last.pairs(G):
            for pair in ((u, v), (v, u)):
                scale[pair] = scale.get(pair, 1.0) * ALTERNATIVE_PENALTY
        try:
            last = _solve(G, req, adjusted_matrix(req.index, blocked=req.blocked, scale=scale))
        except LookupError:
            break
        ridden = _ridden(G, last)
        length = sum(ridden.values())
        if length <= 0:
            break
        overlap = max(_shared(ridden, other) / length for other in kept_pieces)
        candidate = _assemble(G, last, req)
        if overlap <= ALTERNATIVE_MAX_OVERLAP and candidate.cost <= ALTERNATIVE_MAX_STRETCH * best.cost:
            note = f"Alternative {len(kept)}: shares {overlap:.0%} of its length with a better route"
            kept.append(dataclasses.replace(candidate, notes=(*candidate.notes, note)))
            kept_pieces.append(ridden)
    return kept


def _ridden(G: nx.MultiDiGraph[int], ride: _Ride) -> dict[tuple[int, int], float]:
    """Metres ridden per undirected node pair."""
    out: dict[tuple[int, int], float] = {}
    metres = (ride.end_m - ride.start_m).tolist()
    for (u, v), m in zip(ride.pairs(G), metres, strict=True):
        key = (min(u, v), max(u, v))
        out[key] = out.get(key, 0.0) + max(m, 0.0)
    return out


def _shared(a: Mapping[tuple[int, int], float], b: Collection[tuple[int, int]]) -> float:
    return sum(m for pair, m in a.items() if pair in b)


def assemble_route(G: nx.MultiDiGraph[int], pieces: Sequence[Piece], req: _Request) -> Route:
    """Join the ridden pieces into one Route with its summary and explanation."""
    return _assemble(G, _ride_of(G, pieces), req)


def _assemble(G: nx.MultiDiGraph[int], ride: _Ride, req: _Request) -> Route:
    compact = compact_graph(G)
    table = profile_costs(G, req.timing)
    looks = _looks(G, req.timing)
    labels, label_fields = _display_labels(G)
    full = compact.length[ride.edges]
    part = np.maximum(ride.end_m - ride.start_m, 0.0)
    kept = ~((part <= 0) & (full > 0))
    eids, start_m, end_m, full, part = ride.edges[kept], ride.start_m[kept], ride.end_m[kept], full[kept], part[kept]
    coords = _coordinates(G, eids, start_m, end_m, full)
    if not len(coords):
        lat, lon = req.snaps[0].snapped
        coords = np.array([[lon, lat]])
    if len(coords) == 1:
        coords = np.vstack([coords, coords])
    ends = np.column_stack([compact.tail[eids], compact.head[eids]]).ravel()
    ends = ends[np.r_[True, ends[1:] != ends[:-1]]] if len(ends) else ends
    positive = full > 0
    ratio = np.zeros(len(full))
    np.divide(part, full, out=ratio, where=positive)
    cost = np.where(positive, req.index.edge_weight[eids] * ratio, 0.0)
    seconds = table.time_s[eids] * ratio
    classes = compact.cost_class[eids]
    metres = part.tolist()
    tables = _tables(G)
    length_m = _total(metres)
    segments = explain_ids(metres, looks.look[classes].tolist(), labels[eids].tolist(), looks.fields, label_fields)
    on_routes = np.flatnonzero(tables.on_route[eids]).tolist()
    routes = [compact.labels[i][1] for i in compact.label[eids[on_routes]].tolist()]
    return Route(
        geometry=LineString(coords),
        nodes=tuple(tables.node_ids[ends].tolist()),
        length_m=length_m,
        duration_s=_total(seconds.tolist()),
        speed_kmh=req.timing.speed_kmh,
        surface_shares=shares(zip(tables.surfaces[classes].tolist(), metres, strict=True)),
        highway_shares=shares(zip(tables.highways[classes].tolist(), metres, strict=True)),
        cycle_routes=_route_uses(
            list(zip(routes, [metres[i] for i in on_routes], strict=True)), G.graph.get("routes", {}), length_m
        ),
        snaps=req.snaps,
        profile=req.name,
        cost=_total(cost.tolist()),
        segments=segments,
        infrastructure_shares=shares((s.infrastructure, s.length_m) for s in segments),
        notes=req.notes,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _GraphTables:
    """Per-graph lookups for the route summary: node ids, share labels per cost class, edges on routes."""

    node_ids: Any
    surfaces: Any
    highways: Any
    on_route: Any


_GRAPH_TABLES: weakref.WeakKeyDictionary[Any, _GraphTables] = weakref.WeakKeyDictionary()


def _tables(G: nx.MultiDiGraph[int]) -> _GraphTables:
    found = _GRAPH_TABLES.get(G)
    if found is None:
        compact = compact_graph(G)
        classes = compact.class_data
        routed = np.array([bool(routes) for _, routes in compact.labels], dtype=bool)
        found = _GRAPH_TABLES[G] = _GraphTables(
            node_ids=np.array(compact.nodes, dtype=object),
            surfaces=np.array([str(d.get("surface", "unknown")) for d in classes], dtype=object),
            highways=np.array([str(d.get("highway", "unknown")) for d in classes], dtype=object),
            on_route=routed[compact.label] if len(compact.label) else np.zeros(0, dtype=bool),
        )
    return found


_LOOKS: weakref.WeakKeyDictionary[Any, OrderedDict[str, Looks]] = weakref.WeakKeyDictionary()
_LABELS: weakref.WeakKeyDictionary[Any, tuple[IntArray, tuple[Label, ...]]] = weakref.WeakKeyDictionary()


def _looks(G: nx.MultiDiGraph[int], timing: Profile) -> Looks:
    """Return the explanation fields of each cost class for a profile, computed once per graph and profile."""
    per_graph = _LOOKS.setdefault(G, OrderedDict())
    key = weighting_key(timing)
    found = per_graph.get(key)
    if found is None:
        table = profile_costs(G, timing)
        found = per_graph[key] = class_looks(compact_graph(G).class_data, table.speed_kmh, table.factor)
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


def _total(values: list[float]) -> float:
    """Add up in order, one by one (the way the numbers were always summed)."""
    return functools.reduce(operator.add, values, 0.0)


def _coordinates(
    G: nx.MultiDiGraph[int], eids: IntArray, start_m: FloatArray, end_m: FloatArray, full: FloatArray
) -> FloatArray:
    """Lay the vertices of the ridden pieces end to end, without repeating a shared vertex."""
    compact = compact_graph(G)
    first = compact.first
    whole = (start_m <= 0) & (end_m >= full)
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
    repeat = heads[(coords[heads] == coords[heads - 1]).all(axis=1)]
    return np.delete(coords, repeat, axis=0) if len(repeat) else coords


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
