"""Plan bicycle routes through any number of points, with profiles, areas to avoid and alternatives."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING
from typing import Any

from shapely import LineString
from shapely.ops import substring

from gis_data import settings
from routing.avoid import active_closures
from routing.avoid import blocked_pairs
from routing.avoid import closure_pairs
from routing.costs import edge_time_s
from routing.errors import InvalidPointError
from routing.explain import explain
from routing.profiles import DEFAULT_PROFILE
from routing.profiles import TOURING
from routing.profiles import Profile
from routing.profiles import get_profile
from routing.search import Piece
from routing.search import adjusted_matrix
from routing.search import partial_cost
from routing.search import search_index
from routing.search import shortest_pieces
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
    from routing.search import SearchIndex
    from routing.snapping import LatLon
    from routing.snapping import Snap

logger = logging.getLogger(__name__)

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

    def usable(edge: tuple[int, int, int]) -> bool:
        return edge[:2] not in blocked and index.weigh(G.edges[edge]) < float("inf")

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


def _solve(G: nx.MultiDiGraph[int], req: _Request, matrix: csr_matrix) -> list[Piece]:
    pieces: list[Piece] = []
    for start, end in zip(req.snaps[:-1], req.snaps[1:], strict=True):
        _, leg = shortest_pieces(G, start, end, index=req.index, matrix=matrix, blocked=req.blocked)
        pieces.extend(leg)
    return pieces


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
        crossed = {shut[p.edge[:2]] for p in unconstrained if p.edge[:2] in shut}
        notes += [f"Avoided closure: {c.describe()}" for c in sorted(crossed, key=lambda c: c.name)]
    return assemble_route(G, pieces, dataclasses.replace(req, notes=tuple(notes)))


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
    best = plan_route(
        G,
        points,
        profile=profile,
        speed_kmh=speed_kmh,
        snap_limit_m=snap_limit_m,
        avoid=avoid,
        closures=closures,
        date=date,
    )
    req, _ = _prepare(
        G,
        points,
        profile=profile,
        speed_kmh=speed_kmh,
        snap_limit_m=snap_limit_m,
        avoid=avoid,
        closures=closures,
        date=date,
    )
    last = _solve(G, req, adjusted_matrix(req.index, blocked=req.blocked))
    kept = [best]
    kept_pieces = [_ridden(last)]
    scale: dict[tuple[int, int], float] = {}
    for _ in range(count * 4):
        if len(kept) > count:
            break
        for piece in last:
            u, v = piece.edge[:2]
            for pair in ((u, v), (v, u)):
                scale[pair] = scale.get(pair, 1.0) * ALTERNATIVE_PENALTY
        try:
            last = _solve(G, req, adjusted_matrix(req.index, blocked=req.blocked, scale=scale))
        except LookupError:
            break
        ridden = _ridden(last)
        length = sum(ridden.values())
        if length <= 0:
            break
        overlap = max(_shared(ridden, other) / length for other in kept_pieces)
        candidate = assemble_route(G, last, req)
        if overlap <= ALTERNATIVE_MAX_OVERLAP and candidate.cost <= ALTERNATIVE_MAX_STRETCH * best.cost:
            note = f"Alternative {len(kept)}: shares {overlap:.0%} of its length with a better route"
            kept.append(dataclasses.replace(candidate, notes=(*candidate.notes, note)))
            kept_pieces.append(ridden)
    return kept


def _ridden(pieces: Sequence[Piece]) -> dict[tuple[int, int], float]:
    """Metres ridden per undirected node pair."""
    out: dict[tuple[int, int], float] = {}
    for p in pieces:
        u, v = p.edge[:2]
        key = (min(u, v), max(u, v))
        out[key] = out.get(key, 0.0) + max(p.end_m - p.start_m, 0.0)
    return out


def _shared(a: Mapping[tuple[int, int], float], b: Collection[tuple[int, int]]) -> float:
    return sum(m for pair, m in a.items() if pair in b)


def assemble_route(G: nx.MultiDiGraph[int], pieces: Sequence[Piece], req: _Request) -> Route:
    """Join the ridden pieces into one Route with its summary and explanation."""
    index = edge_index(G)
    coords: list[tuple[float, float]] = []
    nodes: list[int] = []
    rows: list[tuple[dict[str, Any], float]] = []
    cost = 0.0
    seconds = 0.0
    for piece in pieces:
        data = G.edges[piece.edge]
        full = float(data["length"])
        part = max(piece.end_m - piece.start_m, 0.0)
        if part <= 0 and full > 0:
            continue
        if piece.start_m <= 0 and piece.end_m >= full:
            line: LineString = data["geometry"]
        else:
            cut = substring(index.line(piece.edge), piece.start_m, piece.end_m)
            xs, ys = index.to_wgs84.transform(*cut.xy)
            line = LineString(list(zip(xs, ys, strict=True))) if len(xs) > 1 else LineString()
        part_coords = [(float(x), float(y)) for x, y, *_ in line.coords]
        if coords and part_coords and coords[-1] == part_coords[0]:
            part_coords = part_coords[1:]
        coords.extend(part_coords)
        for n in piece.edge[:2]:
            if not nodes or nodes[-1] != n:
                nodes.append(n)
        rows.append((data, part))
        cost += partial_cost(G, req.index, piece.edge, part)
        seconds += edge_time_s(data, req.timing) * (part / full if full > 0 else 0.0)
    if not coords:
        lat, lon = req.snaps[0].snapped
        coords = [(lon, lat)]
    if len(coords) == 1:
        coords.append(coords[0])
    length = sum(part for _, part in rows)
    catalogue: dict[int, dict[str, str]] = G.graph.get("routes", {})
    names = {rel: info.get("name") or info.get("ref") or str(rel) for rel, info in catalogue.items()}
    segments = explain(rows, req.timing, names)
    return Route(
        geometry=LineString(coords),
        nodes=tuple(nodes),
        length_m=length,
        duration_s=seconds,
        speed_kmh=req.timing.speed_kmh,
        surface_shares=shares((str(d.get("surface", "unknown")), m) for d, m in rows),
        highway_shares=shares((str(d.get("highway", "unknown")), m) for d, m in rows),
        cycle_routes=_route_uses(rows, catalogue, length),
        snaps=req.snaps,
        profile=req.name,
        cost=cost,
        segments=segments,
        infrastructure_shares=shares((s.infrastructure, s.length_m) for s in segments),
        notes=req.notes,
    )


def _route_uses(
    rows: Sequence[tuple[Mapping[str, Any], float]],
    catalogue: Mapping[int, Mapping[str, str]],
    length: float,
) -> tuple[CycleRouteUse, ...]:
    used: dict[int, float] = {}
    for data, part in rows:
        for rel in data.get("routes", ()):
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
