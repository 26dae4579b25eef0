"""Downloads of planned routes and itineraries: GPX with the chosen parts, per day or whole.

GPX 1.1 documents come from :mod:`gis_data.gpx` (one track, or one track per
day, and the stops as waypoints) and are cut down to the parts asked for
(track, route, waypoints) by :func:`gis_data.gpx_export.export_gpx`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask_babel import gettext

from gis_data import settings
from gis_data.gpx import days_to_gpx
from gis_data.gpx import route_to_gpx
from gis_data.gpx_export import export_gpx
from web.errors import BadParameterError
from web.itineraries import itinerary_title
from web.planning import file_name

if TYPE_CHECKING:
    import gpxpy.gpx

    from routing.itinerary_plan import Itinerary
    from web.planning import Plan

LatLon = tuple[float, float]


def route_gpx(plan: Plan, parts: tuple[str, ...]) -> gpxpy.gpx.GPX:
    """Return the GPX of a planned route holding the chosen parts (track, route, waypoints)."""
    gpx = route_to_gpx(plan.route.latlon(), plan.waypoints(), name=plan.title, description=plan.description)
    return export_gpx(gpx, parts=parts)  # type: ignore[arg-type]


def itinerary_gpx(itinerary: Itinerary, *, day: int | None, parts: tuple[str, ...]) -> gpxpy.gpx.GPX:
    """Return the GPX of a whole itinerary (one track per day) or of one day.

    Raises
    ------
    BadParameterError
        If ``day`` is not one of the itinerary's days.
    """
    title = itinerary_title(itinerary)
    stops = [(v.stop.name, v.stop.latlon) for v in itinerary.plan.visits]
    description = f"{itinerary.plan.route.length_m / 1000:.1f} km; {settings.attribution}"
    stages = itinerary.stages
    if day is None:
        days = [(_day_name(s.day, s.start_km, s.end_km), _latlon(s.geometry)) for s in stages]
        if len(days) == 1:
            gpx = route_to_gpx(itinerary.plan.route.latlon(), stops, name=title, description=description)
        else:
            gpx = days_to_gpx(days, stops, name=title, description=description)
    else:
        if not 1 <= day <= len(stages):
            msg = f"Parameter 'day' must be from 1 to {len(stages)} for this itinerary, got {day}"
            raise BadParameterError(msg, "day")
        stage = stages[day - 1]
        points = _latlon(stage.geometry)
        start = str(gettext("Start of day %(day)d", day=day))
        ends = [(start, points[0]), (stage.end_name, points[-1])] if points else []
        gpx = route_to_gpx(points, ends, name=f"{title} - {_day_name(day, stage.start_km, stage.end_km)}")
    return export_gpx(gpx, parts=parts)  # type: ignore[arg-type]


def itinerary_filename(itinerary: Itinerary, *, day: int | None, suffix: str) -> str:
    """Return the download file name of an itinerary, e.g. ``cremona-bike_cremona_crema_day-2.gpx``."""
    visits = itinerary.plan.visits
    name = file_name(visits[0].stop.name, visits[-1].stop.name, suffix)
    return name if day is None else name.replace(f".{suffix}", f"_day-{day}.{suffix}")


def _day_name(day: int, start_km: float, end_km: float) -> str:
    return str(gettext("Day %(day)d: km %(start).1f-%(end).1f", day=day, start=start_km, end=end_km))


def _latlon(line: Any) -> list[LatLon]:
    return [(float(y), float(x)) for x, y, *_ in line.coords]
