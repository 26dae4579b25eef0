"""Plan bicycle routes through any number of points, with profiles, areas to avoid and alternatives."""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from gis_data import settings
from routing.assemble import Ride
from routing.assemble import assemble
from routing.avoid import active_closures
from routing.avoid import blocked_pairs
from routing.avoid import closure_pairs
from routing.errors import InvalidPointError
from routing.profiles import DEFAULT_PROFILE
from routing.profiles import TOURING
from routing.profiles import Profile
from routing.profiles import get_profile
from routing.search import shortest_leg
from routing.snapping import snap_points
from routing.weighting import adjusted_matrix
from routing.weighting import search_index

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx
    from scipy.sparse import csr_matrix
    from shapely.geometry.base import BaseGeometry

    from gis_data.closures import Closure
    from routing.search import Piece
    from routing.snapping import LatLon
    from routing.snapping import Snap
    from routing.summary import Route
    from routing.weighting import SearchIndex

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
        return edge[:2] not in blocked and math.isfinite(weights[edge_id[edge]])

    snaps = snap_points(G, points, limit_m=limit, usable=usable)
    notes = [f"No-go areas avoided: {len(avoid)}"] if avoid else []
    return _Request(
        snaps=snaps,
        index=index,
        timing=timing,
        name=SHORTEST if shortest else timing.name,
        blocked=frozenset(blocked),
        notes=tuple(notes),
    ), shut


def _solve(G: nx.MultiDiGraph[int], req: _Request, matrix: csr_matrix) -> Ride:
    compact = req.index.compact
    edge_id = compact.edge_id
    # Arrays and one-item lists, joined once at the end.
    edges: list[IntArray | list[int]] = []
    starts: list[FloatArray | list[float]] = []
    ends: list[FloatArray | list[float]] = []

    def partial(piece: Piece | None) -> None:
        # A partial first or last edge, left out where not ridden at all (see Ride).
        if piece is not None:
            eid = edge_id[piece.edge]
            if piece.end_m > piece.start_m or compact.length[eid] <= 0:
                edges.append([eid])
                starts.append([piece.start_m])
                ends.append([piece.end_m])

    for start, end in zip(req.snaps[:-1], req.snaps[1:], strict=True):
        leg = shortest_leg(G, start, end, index=req.index, matrix=matrix, blocked=req.blocked)
        partial(leg.first)
        edges.append(leg.inner)
        starts.append(np.zeros(len(leg.inner)))
        ends.append(compact.length[leg.inner])
        partial(leg.last)
    return Ride(np.concatenate(edges), np.concatenate(starts), np.concatenate(ends))


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
    if not shut:
        return _assemble(G, pieces, req)
    free = dataclasses.replace(req, blocked=frozenset(req.blocked - set(shut)))
    try:
        unconstrained = _solve(G, free, adjusted_matrix(free.index, blocked=free.blocked))
    except LookupError:
        unconstrained = pieces
    crossed = {shut[pair] for pair in unconstrained.pairs(G) if pair in shut}
    notes = [*req.notes, *(f"Avoided closure: {c.describe()}" for c in sorted(crossed, key=lambda c: c.name))]
    return _assemble(G, pieces, dataclasses.replace(req, notes=tuple(notes)))


def _assemble(G: nx.MultiDiGraph[int], ride: Ride, req: _Request) -> Route:
    return assemble(G, ride, index=req.index, timing=req.timing, name=req.name, snaps=req.snaps, notes=req.notes)


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


def _ridden(G: nx.MultiDiGraph[int], ride: Ride) -> dict[tuple[int, int], float]:
    """Metres ridden per undirected node pair."""
    out: dict[tuple[int, int], float] = {}
    metres = (ride.end_m - ride.start_m).tolist()
    for (u, v), m in zip(ride.pairs(G), metres, strict=True):
        key = (min(u, v), max(u, v))
        out[key] = out.get(key, 0.0) + max(m, 0.0)
    return out


def _shared(a: Mapping[tuple[int, int], float], b: Collection[tuple[int, int]]) -> float:
    return sum(m for pair, m in a.items() if pair in b)
