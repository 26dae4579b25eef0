"""Round trips of a target distance from a start, through POIs of chosen kinds.

Candidates are triangles start → A → B → start. ``A`` and ``B`` are points at
angles 120° apart on a circle round the start, or, when POIs must be passed,
the candidate POIs nearest to those points. The radius starts at
``target / (2π × 1.2)`` (roads are about 20 % longer than the circle) and is
rescaled by target / length until the loop is within the tolerance. Among the
loops within tolerance that pass enough POIs, the one with the largest share on
signed cycle routes wins; ties go to the length closest to the target. The
seed fixes the angles tried, so the same request gives the same loop.
"""

from __future__ import annotations

import math
import random
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import networkx as nx
from pyproj import Geod
from scipy.spatial import cKDTree
from shapely import Point

from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError
from routing.paths import plan_route

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing.itinerary import Stop
    from routing.profiles import Profile
    from routing.summary import Route

GEOD = Geod(ellps="WGS84")
#: Road distance over straight-line distance assumed for the first radius.
DETOUR_FACTOR = 1.2
#: A stop counts as passed when the loop comes this close.
PASS_BUFFER_M = 300.0


@dataclass(frozen=True, slots=True)
class LoopPlan:
    """A round trip and what it passes."""

    route: Route
    target_km: float
    via: tuple[Stop, ...]
    passed: tuple[Stop, ...]
    attempts: int
    turning_points: tuple[tuple[float, float], ...] = ()

    @property
    def error_share(self) -> float:
        """Return how far the length is from the target, as a share of it."""
        return abs(self.route.length_m / 1000 - self.target_km) / self.target_km


def _offset(lat: float, lon: float, bearing: float, metres: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing, metres)
    return (float(lat2), float(lon2))


_MAIN: weakref.WeakKeyDictionary[Any, tuple[list[int], cKDTree]] = weakref.WeakKeyDictionary()


def on_main_network(G: nx.MultiDiGraph[int], point: tuple[float, float]) -> tuple[float, float]:
    """Move a turning point to the nearest junction of the largest strongly connected part.

    Turning points are made up, so they must not land on an isolated fragment
    (a farm track cut off by the extract's edge, a private estate road).
    """
    if G not in _MAIN:
        parts: list[set[int]] = [set(c) for c in nx.strongly_connected_components(G)]
        largest = max(len(c) for c in parts)
        nodes = sorted(next(c for c in parts if len(c) == largest))
        lat0 = math.radians(G.nodes[nodes[0]]["y"])
        xy = [(G.nodes[n]["x"] * math.cos(lat0), G.nodes[n]["y"]) for n in nodes]
        _MAIN[G] = (nodes, cKDTree(xy))
    nodes, tree = _MAIN[G]
    lat, lon = point
    _, i = tree.query((lon * math.cos(math.radians(G.nodes[nodes[0]]["y"])), lat))
    node = G.nodes[nodes[int(i)]]
    return (float(node["y"]), float(node["x"]))


def _passed(route: Route, stops: Sequence[Stop]) -> tuple[Stop, ...]:
    line = route.geometry
    found = []
    for stop in stops:
        nearest = line.interpolate(line.project(Point(stop.lon, stop.lat)))
        _, _, d = GEOD.inv(stop.lon, stop.lat, nearest.x, nearest.y)
        if d <= PASS_BUFFER_M:
            found.append(stop)
    return tuple(found)


def plan_loop(
    G: nx.MultiDiGraph[int],
    start: tuple[float, float],
    *,
    target_km: float,
    tolerance: float = 0.10,
    candidates: Sequence[Stop] = (),
    min_pois: int = 0,
    seed: int = 0,
    tries: int = 8,
    profile: str | Profile | None = None,
) -> LoopPlan:
    """Plan a round trip of about ``target_km`` from ``start``.

    Parameters
    ----------
    G
        The bicycle graph.
    start
        ``(lat, lon)`` of the start and finish.
    target_km
        Wanted length.
    tolerance
        Accepted relative error (0.10 = ±10 %).
    candidates
        POIs the loop may be steered through (e.g. luthiers, water points).
    min_pois
        How many of the candidates the loop must pass (within 300 m).
    seed
        Fixes the directions tried.
    tries
        Directions tried.
    profile
        Rider profile.

    Returns
    -------
    LoopPlan
        The best loop found.

    Raises
    ------
    NoRouteError
        If no loop within the tolerance passes enough POIs; the message says
        which constraint failed and the closest loop found.
    """
    rng = random.Random(seed)
    radius = target_km * 1000 / (2 * math.pi * DETOUR_FACTOR)
    best: LoopPlan | None = None
    closest: tuple[float, int] | None = None
    attempts = 0
    for _ in range(tries):
        bearing = rng.uniform(0, 360)
        scale = 1.0
        for _ in range(6):
            corners = [
                on_main_network(G, _offset(start[0], start[1], bearing + k * 120, radius * scale)) for k in (1, 2)
            ]
            # Steer through POIs at both turning points, at one of them, or at neither: POIs are
            # few, so a free turning point is what lets the length be tuned.
            nearest: list[Stop | None] = [_nearest_candidate(c, candidates) if candidates else None for c in corners]
            variants: list[list[Stop | None]] = (
                [nearest, [nearest[0], None], [None, nearest[1]], [None, None]] if candidates else [nearest]
            )
            lengths: list[float] = []
            hit = False
            for via in variants:
                points = [start, *[v.latlon if v else c for v, c in zip(via, corners, strict=True)], start]
                attempts += 1
                try:
                    route = plan_route(G, points, profile=profile, snap_limit_m=max(1000.0, radius))
                except (NoRouteError, PointOffNetworkError):
                    continue
                lengths.append(route.length_m / 1000)
                passed = _passed(route, candidates)
                plan = LoopPlan(route, target_km, tuple(v for v in via if v), passed, attempts, tuple(points[1:-1]))
                error = plan.error_share
                if closest is None or (error, -len(passed)) < (closest[0], -closest[1]):
                    closest = (error, len(passed))
                if (
                    error <= tolerance
                    and len(passed) >= min_pois
                    and (best is None or (route.signed_share, -error) > (best.route.signed_share, -best.error_share))
                ):
                    best = plan
                hit = hit or (error <= tolerance and len(passed) >= min_pois)
            if not lengths:
                scale *= 0.8
                continue
            length_km = lengths[-1]  # the free turning points follow the radius; POIs may not
            if hit or length_km <= 0:
                break
            scale *= math.sqrt(target_km / length_km)  # damped: lengths jump where the network ends
    if best is None:
        if closest is None:
            msg = f"No loop could be routed from {start[0]:.5f},{start[1]:.5f}"
        elif closest[0] > tolerance:
            msg = (
                f"No loop of {target_km:g} km ± {tolerance:.0%} from {start[0]:.5f},{start[1]:.5f}: "
                f"the closest was {closest[0]:.0%} off"
            )
        else:
            msg = (
                f"No loop of {target_km:g} km passes {min_pois} of the chosen POIs "
                f"(the best passed {closest[1]}); lower the minimum or widen the categories"
            )
        raise NoRouteError(msg)
    return best


def _nearest_candidate(point: tuple[float, float], candidates: Sequence[Stop]) -> Stop:
    lat, lon = point
    return min(candidates, key=lambda s: GEOD.inv(lon, lat, s.lon, s.lat)[2])
