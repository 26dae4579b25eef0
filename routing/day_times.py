"""Times of a multi-day trip: every day sets off at the hour of the first departure.

:func:`routing.itinerary.plan_tour` times the stops as one ride from the
departure; once the ride is cut into days (:func:`routing.stages.split_stages`)
the stops of day two and after are reached on their own day instead. Each day
starts where the previous one ended, at the departure's hour on the next date;
the riding and the time spent at the stops within a day are those of the
single ride. Opening hours are checked again at the new times.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    from routing.itinerary import TourPlan
    from routing.itinerary import Visit
    from routing.stages import Stage

#: A stop this close to the end of a day (km) is reached on that day.
ON_DAY_KM = 1e-6


def day_of(km: float, stages: Sequence[Stage]) -> int:
    """Return the index of the day that reaches ``km`` (the earlier day at a boundary).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> days = [S(end_km=30.0), S(end_km=61.5)]
    >>> day_of(12.0, days), day_of(30.0, days), day_of(30.2, days), day_of(70.0, days)
    (0, 0, 1, 1)
    """
    ends = [s.end_km + ON_DAY_KM for s in stages]
    return min(bisect.bisect_left(ends, km), len(stages) - 1)


def clock_at(km: float, visits: Sequence[Visit]) -> dt.datetime | None:
    """Return when the single ride passes ``km``: the time between two stops in proportion to the distance.

    At a stop, the time it is left.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> t = dt.datetime(2026, 5, 1, 9, 0)
    >>> stops = [S(km=0.0, arrive=t, leave=t), S(km=10.0, arrive=t + dt.timedelta(hours=1), leave=None)]
    >>> clock_at(2.5, stops).strftime("%H:%M")
    '09:15'
    """
    # (km, time) where the ride leaves a stop at or before km, and where it reaches the first stop after it.
    left = [(v.km, v.leave) for v in visits if v.km <= km and v.leave is not None]
    reached = [(v.km, v.arrive) for v in visits if v.km > km and v.arrive is not None]
    if not left:
        return None
    last_km, last_left = left[-1]
    if not reached:
        return last_left
    next_km, next_reached = reached[0]
    return last_left + (next_reached - last_left) * ((km - last_km) / (next_km - last_km))


def timed_by_day(
    plan: TourPlan,
    stages: Sequence[Stage],
    *,
    hours: Callable[[str, dt.datetime, tuple[float, float]], str] | None = None,
) -> TourPlan:
    """Return the plan with the stops of day two and after timed on their own day.

    Parameters
    ----------
    plan
        A plan timed as one ride (its first visit's ``arrive`` is the departure).
    stages
        The days of the trip, in order.
    hours
        The opening-hours checker the plan was made with, to check the stops
        again at their new times (see :func:`routing.itinerary.plan_tour`).

    Returns
    -------
    TourPlan
        The same plan when it has one day or no departure time; otherwise its
        visits, and the warnings about them, on their days.
    """
    depart = plan.visits[0].arrive if plan.visits else None
    if len(stages) < 2 or depart is None:
        return plan
    shifts: list[dt.timedelta] = []
    for k, stage in enumerate(stages):
        starts = clock_at(stage.start_km, plan.visits) if k else depart
        morning = dt.datetime.combine(depart.date() + dt.timedelta(days=k), depart.time(), tzinfo=depart.tzinfo)
        shifts.append(morning - starts if starts is not None else dt.timedelta(0))
    last = len(plan.visits) - 1
    visits = []
    dropped: set[str] = set()
    added: list[str] = []
    for i, v in enumerate(plan.visits):
        k = day_of(v.km, stages)
        if k == 0 or v.arrive is None or v.leave is None:
            visits.append(v)
            continue
        arrive, leave = v.arrive + shifts[k], v.leave + shifts[k]
        opening, warning = v.opening, ""
        if hours is not None and v.stop.opening_hours and 0 < i < last:
            opening = hours(v.stop.opening_hours, arrive, v.stop.latlon)
            if opening == "closed":
                warning = f"{v.stop.name} is closed at {arrive:%H:%M} ({v.stop.opening_hours})"
                added.append(warning)
        if v.warning:
            dropped.add(v.warning)
        visits.append(dataclasses.replace(v, arrive=arrive, leave=leave, opening=opening, warning=warning))
    warnings = [w for w in plan.warnings if w not in dropped] + added
    return dataclasses.replace(plan, visits=tuple(visits), warnings=tuple(warnings))
