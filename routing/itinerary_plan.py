"""Plan an itinerary from a request: a tour or a loop, then its days, stations and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from routing.day_times import timed_by_day
from routing.errors import InvalidPointError
from routing.itinerary import Stop
from routing.itinerary import plan_tour
from routing.loops import plan_loop
from routing.stages import NO_TIMETABLE
from routing.stages import split_stages

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable
    from collections.abc import Sequence

    import networkx as nx

    from routing.itinerary import TourPlan
    from routing.itinerary_doc import ItineraryRequest
    from routing.stages import Stage


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A planned itinerary: the tour, its days and the notes to show."""

    request: ItineraryRequest
    plan: TourPlan
    stages: tuple[Stage, ...]
    notes: tuple[str, ...]


def plan_itinerary(
    G: nx.MultiDiGraph[int],
    request: ItineraryRequest,
    *,
    hours: Callable[[str, dt.datetime, tuple[float, float]], str] | None = None,
    candidates: Sequence[Stop] = (),
    overnight: Sequence[Stop] = (),
    stations: Sequence[Stop] = (),
) -> Itinerary:
    """Plan what a request asks for.

    Parameters
    ----------
    G
        The bicycle graph.
    request
        A tour (``kind="tour"``) through ``visits`` or a loop (``kind="loop"``)
        of ``target_km``, optionally split into days.
    hours
        Opening-hours checker (see :func:`routing.itinerary.plan_tour`).
    candidates
        POIs a loop may be steered through (already filtered by category).
    overnight
        Lodging and stations a day may end at.
    stations
        Railway stations, for the bail-out of each day and the train notes.

    Returns
    -------
    Itinerary
        The plan, its stages (one for a day trip) and notes.

    Raises
    ------
    InvalidPointError
        If the request is incomplete (e.g. a loop without a target).
    NoRouteError, PointOffNetworkError
        If the stops cannot be joined.
    """
    extra_notes: list[str] = []
    if request.kind == "loop":
        if not request.target_km or request.target_km <= 0:
            msg = f"A loop needs a positive target length, got {request.target_km!r} km"
            raise InvalidPointError(msg)
        found = plan_loop(
            G,
            request.start.latlon,
            target_km=request.target_km,
            candidates=candidates,
            min_pois=request.min_pois,
            seed=request.seed,
            profile=request.profile,
        )
        via = list(found.via) or [
            Stop(f"waypoint-{i}", f"Waypoint {i}", lat, lon, "waypoint", dwell_min=0)
            for i, (lat, lon) in enumerate(found.turning_points, start=1)
        ]
        passed = [s.name for s in found.passed]
        extra_notes.append(
            f"Passes {len(passed)} POI(s) of the chosen categories: {', '.join(passed)}"
            if passed
            else "Passes no POI of the chosen categories"
        )
        plan = plan_tour(
            G,
            request.start,
            via,
            loop=True,
            keep_order=True,
            profile=request.profile,
            depart=request.depart,
            lunch=request.lunch,
            hours=hours,
        )
    elif request.kind == "tour":
        plan = plan_tour(
            G,
            request.start,
            request.visits,
            end=request.end,
            loop=request.loop,
            keep_order=request.keep_order,
            profile=request.profile,
            depart=request.depart,
            lunch=request.lunch,
            hours=hours,
        )
    else:
        msg = f"Unknown itinerary kind {request.kind!r}; allowed: tour, loop"
        raise InvalidPointError(msg)
    days = int(request.extra.get("days") or 0)
    if days > 1 or request.km_per_day or request.hours_per_day:
        per_day = plan.route.length_m / 1000 / days * (1 + 1e-6) if days > 1 else request.km_per_day
        stages = split_stages(
            plan.route,
            km_per_day=per_day,
            hours_per_day=None if request.km_per_day else request.hours_per_day,
            overnight=overnight,
            stations=stations,
            days=days if days > 1 else None,
        )
    else:
        stages = split_stages(plan.route, km_per_day=plan.route.length_m / 1000 + 1, stations=stations)
    plan = timed_by_day(plan, stages, hours=hours)
    notes = [*extra_notes, *(s.note for s in stages if s.note)]
    if stations:
        notes.append(NO_TIMETABLE)
    return Itinerary(request, plan, tuple(stages), tuple(notes))
