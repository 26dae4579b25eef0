"""Tours through chosen stops: visiting order, legs, time plan with dwell times and opening hours.

Stops are plain records (the ``poi`` layer turns its POIs into them), so this
module knows nothing about where they come from. Opening hours are checked by a
function the caller passes in (``poi.model.opening_state`` in the CLI and web),
which keeps routing free of the POI layer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from routing.errors import InvalidPointError
from routing.matrix import cost_matrix
from routing.paths import SHORTEST
from routing.paths import plan_route
from routing.paths import resolve_profile
from routing.tour import best_order
from routing.tour import tour_cost

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping
    from collections.abc import Sequence

    import geopandas as gpd
    import networkx as nx

    from routing.profiles import Profile
    from routing.summary import Route

logger = logging.getLogger(__name__)

#: Minutes spent at a stop by default, by category (overridable per stop).
DWELL_MINUTES: Mapping[str, float] = {
    "museum": 90,
    "luthier": 45,
    "music_venue": 30,
    "food_producer": 30,
    "food_shop": 20,
    "agriturismo": 75,
    "restaurant": 75,
    "cafe": 20,
    "infopoint": 15,
    "pro_loco": 15,
    "church": 20,
    "monument": 15,
    "castle": 45,
    "viewpoint": 10,
    "monumental_tree": 10,
    "drinking_water": 5,
    "bike_repair": 30,
}
DEFAULT_DWELL_MINUTES = 15.0
LUNCH_MINUTES = 60.0
#: The lunch break is taken at the first stop reached after this time.
LUNCH_FROM = dt.time(12, 0)


@dataclass(frozen=True, slots=True)
class Stop:
    """A place to visit, or the start or end of a tour."""

    id: str
    name: str
    lat: float
    lon: float
    category: str = ""
    dwell_min: float | None = None
    opening_hours: str = ""
    opening_hours_text: str = ""

    @property
    def latlon(self) -> tuple[float, float]:
        """Return ``(lat, lon)``."""
        return (self.lat, self.lon)

    @property
    def dwell(self) -> float:
        """Return the minutes spent here (its own value, else the category default)."""
        if self.dwell_min is not None:
            return self.dwell_min
        return DWELL_MINUTES.get(self.category, DEFAULT_DWELL_MINUTES)


@dataclass(frozen=True, slots=True)
class Visit:
    """A stop in the planned order, with when the rider gets there."""

    stop: Stop
    km: float
    arrive: dt.datetime | None
    leave: dt.datetime | None
    dwell_min: float
    opening: str
    warning: str = ""


@dataclass(frozen=True, slots=True)
class Leg:
    """The ride between two consecutive visits."""

    from_id: str
    to_id: str
    route: Route


@dataclass(frozen=True, slots=True)
class TourPlan:
    """A tour: visits in order, the legs between them and the whole route."""

    visits: tuple[Visit, ...]
    legs: tuple[Leg, ...]
    route: Route
    profile: str
    optimised: bool
    loop: bool
    warnings: tuple[str, ...]

    @property
    def total_time_s(self) -> float:
        """Return riding time plus the time spent at the stops."""
        return self.route.duration_s + 60 * sum(v.dwell_min for v in self.visits)


def plan_tour(
    G: nx.MultiDiGraph[int],
    start: Stop,
    visits: Sequence[Stop],
    *,
    end: Stop | None = None,
    loop: bool = False,
    keep_order: bool = False,
    profile: str | Profile | None = None,
    depart: dt.datetime | None = None,
    lunch: bool = False,
    hours: Callable[[str, dt.datetime, tuple[float, float]], str] | None = None,
) -> TourPlan:
    """Plan a tour from ``start`` through ``visits`` to ``end`` (or back to ``start``).

    Parameters
    ----------
    G
        The bicycle graph.
    start
        Where the tour starts.
    visits
        Stops to visit; their order is optimised unless ``keep_order``.
    end
        Where the tour ends; ``None`` with ``loop`` returns to ``start``,
        ``None`` without it ends at the last visit.
    loop
        Come back to the start.
    keep_order
        Visit the stops in the given order.
    profile
        Rider profile (name or :class:`Profile`).
    depart
        Departure time; without it no ETA or opening-hours check is made.
    lunch
        Add a lunch break at the first stop reached after noon (unless the tour
        already stops at a restaurant or agriturismo by then).
    hours
        ``hours(opening_hours, when, (lat, lon))`` tells whether a stop is
        ``"open"``, ``"closed"`` or ``"unknown"`` at a time.

    Returns
    -------
    TourPlan
        Visits with km and ETAs, legs and the whole route.

    Raises
    ------
    InvalidPointError
        If there is nothing to visit, or ``end`` and ``loop`` are both given.
    PointOffNetworkError, NoRouteError
        Naming the stop that cannot be reached.
    """
    if end is not None and loop:
        msg = "Give an end or ask for a loop, not both"
        raise InvalidPointError(msg)
    if not visits and end is None:
        msg = "A tour needs at least one stop to visit or an end"
        raise InvalidPointError(msg)
    points = [start, *visits] + ([end] if end is not None else [])
    if keep_order or len(visits) <= 1:
        order = list(range(len(points)))
        if loop:
            order.append(0)
        optimised = False
    else:
        costs = cost_matrix(G, [p.latlon for p in points], profile=profile)
        if end is None and not loop:
            # An open tour: end wherever is cheapest, by trying each visit as the last one.
            candidates = [best_order(costs, start=0, end=i) for i in range(1, len(points))]
            order = min(candidates, key=lambda o: tour_cost(costs, o))
        else:
            order = best_order(costs, start=0, end=len(points) - 1 if end is not None else None)
        optimised = True
    ordered = [points[i] for i in order]
    route = plan_route(G, [s.latlon for s in ordered], profile=profile)
    legs = _legs(G, ordered, profile)
    name = SHORTEST if profile == SHORTEST else resolve_profile(profile).name
    planned, warnings = _schedule(ordered, legs, depart=depart, lunch=lunch, hours=hours)
    return TourPlan(
        visits=tuple(planned),
        legs=tuple(legs),
        route=route,
        profile=name,
        optimised=optimised,
        loop=loop,
        warnings=tuple(warnings),
    )


def _legs(G: nx.MultiDiGraph[int], ordered: Sequence[Stop], profile: str | Profile | None) -> list[Leg]:
    return [
        Leg(a.id, b.id, plan_route(G, [a.latlon, b.latlon], profile=profile)) for a, b in itertools.pairwise(ordered)
    ]


def _schedule(
    ordered: Sequence[Stop],
    legs: Sequence[Leg],
    *,
    depart: dt.datetime | None,
    lunch: bool,
    hours: Callable[[str, dt.datetime, tuple[float, float]], str] | None,
) -> tuple[list[Visit], list[str]]:
    """Walk the tour in order: km, ETA, time spent and opening state at each stop."""
    visits: list[Visit] = []
    warnings: list[str] = []
    km = 0.0
    clock = depart
    lunch_done = not lunch
    for i, stop in enumerate(ordered):
        if i > 0:
            km += legs[i - 1].route.length_m / 1000
            if clock is not None:
                clock += dt.timedelta(seconds=legs[i - 1].route.duration_s)
        first_or_last = i == 0 or i == len(ordered) - 1
        dwell = 0.0 if first_or_last else stop.dwell
        opening = "unknown"
        warning = ""
        if clock is not None and hours is not None and stop.opening_hours and not first_or_last:
            opening = hours(stop.opening_hours, clock, stop.latlon)
            if opening == "closed":
                warning = f"{stop.name} is closed at {clock:%H:%M} ({stop.opening_hours})"
                warnings.append(warning)
        elif clock is not None and stop.opening_hours_text and not first_or_last:
            opening = "see hours"
        if not lunch_done and clock is not None and clock.time() >= LUNCH_FROM and 0 < i < len(ordered) - 1:
            if stop.category not in {"restaurant", "agriturismo"}:
                dwell += LUNCH_MINUTES
                warnings.append(f"Lunch break of {LUNCH_MINUTES:.0f} min at {stop.name}")
            lunch_done = True
        elif stop.category in {"restaurant", "agriturismo"}:
            lunch_done = True
        arrive = clock
        if clock is not None:
            clock += dt.timedelta(minutes=dwell)
        visits.append(Visit(stop, round(km, 3), arrive, clock, dwell, opening, warning))
    if lunch and not lunch_done:
        warnings.append("No stop after noon for a lunch break: the tour ends before lunch")
    return visits, warnings


def with_dwell(stop: Stop, minutes: float) -> Stop:
    """Return the stop with its own dwell time.

    Examples
    --------
    >>> with_dwell(Stop("x", "Museo", 45.1, 10.0, "museum"), 30).dwell
    30
    """
    return dataclasses.replace(stop, dwell_min=minutes)


def stops_from_frame(frame: gpd.GeoDataFrame) -> list[Stop]:
    """Turn POI rows into stops; rows without a position are skipped.

    The rows need ``id``, ``name``, ``category`` and a point ``geometry``, and
    may carry ``opening_hours`` and ``opening_hours_text``.
    """
    stops = []
    for rec in frame.to_dict("records"):
        geom: Any = rec.get("geometry")
        if geom is None or geom.is_empty:
            continue
        category = str(rec.get("category") or "")
        stops.append(
            Stop(
                id=str(rec["id"]),
                name=str(rec.get("name") or "") or category.replace("_", " "),
                lat=float(geom.y),
                lon=float(geom.x),
                category=category,
                opening_hours=str(rec.get("opening_hours") or ""),
                opening_hours_text=str(rec.get("opening_hours_text") or ""),
            )
        )
    return stops
