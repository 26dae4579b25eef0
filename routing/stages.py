"""Multi-day stages: split a route by km or hours per day, ending near lodging or a station.

Each stage end is the point of the route nearest to an overnight place (a
lodging POI or a railway station, passed in by the caller) within ``radius_m``
of the route and within a window around the day's target; when none is near,
the stage ends at the target and the report says so. Every stage gets the
nearest railway station as a bail-out, with its distance from the stage.
There is no timetable data: the plan says so rather than invent train times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyproj import Transformer
from shapely import LineString
from shapely import Point
from shapely.ops import substring

from routing.errors import InvalidPointError
from routing.snapping import project_geometry

if TYPE_CHECKING:
    from collections.abc import Sequence

    from routing.itinerary import Stop
    from routing.summary import Route

#: How far (as a share of a day) a stage end may move to reach an overnight place.
WINDOW_SHARE = 0.25
NO_TIMETABLE = "No timetable data: check train times with the railway operator before relying on a bail-out."


@dataclass(frozen=True, slots=True)
class Stage:
    """One day of a multi-day trip."""

    day: int
    start_km: float
    end_km: float
    geometry: LineString
    end_name: str
    end_kind: str
    end_off_route_m: float
    bailout_station: str
    bailout_distance_m: float
    note: str = ""

    @property
    def length_km(self) -> float:
        """Return the stage's length in km."""
        return round(self.end_km - self.start_km, 3)


def _projector(route: Route) -> tuple[Transformer, Transformer]:
    lon, lat = route.geometry.coords[0][:2]
    zone = min(int((lon + 180) // 6) + 1, 60)
    epsg = (32600 if lat >= 0 else 32700) + zone
    return (
        Transformer.from_crs(4326, epsg, always_xy=True),
        Transformer.from_crs(epsg, 4326, always_xy=True),
    )


def split_stages(
    route: Route,
    *,
    km_per_day: float | None = None,
    hours_per_day: float | None = None,
    overnight: Sequence[Stop] = (),
    stations: Sequence[Stop] = (),
    radius_m: float = 2000.0,
    days: int | None = None,
) -> list[Stage]:
    """Split a route into days.

    Parameters
    ----------
    route
        The whole trip.
    km_per_day, hours_per_day
        The daily target (exactly one of them); hours are riding hours at the
        route's average speed.
    overnight
        Places a day may end at (lodging first, then stations, in preference order).
    stations
        Railway stations, for the bail-out of each stage.
    radius_m
        Farthest an overnight place may be from the route.
    days
        How many days the visitor asked for, if they did: the last of them ends
        at the arrival even when earlier days ended short of their target at an
        overnight place.

    Returns
    -------
    list of Stage
        Consecutive days covering the route.

    Raises
    ------
    InvalidPointError
        If neither or both targets are given, or the target is not positive.
    """
    if (km_per_day is None) == (hours_per_day is None):
        msg = "Give either km per day or hours per day"
        raise InvalidPointError(msg)
    total_km = route.length_m / 1000
    if km_per_day is None:
        speed_kmh = total_km / (route.duration_s / 3600) if route.duration_s > 0 else route.speed_kmh
        km_per_day = float(hours_per_day or 0) * speed_kmh
    if not km_per_day > 0:
        msg = f"The daily target must be positive, got {km_per_day!r} km"
        raise InvalidPointError(msg)
    to_proj, to_wgs = _projector(route)
    line: LineString = project_geometry(route.geometry, to_proj)
    scale = line.length / route.length_m if route.length_m > 0 else 1.0
    places = [(s, project_geometry(Point(s.lon, s.lat), to_proj)) for s in overnight]
    along = [(s, line.project(p) / scale / 1000, line.distance(p)) for s, p in places]
    near = [(s, km, off) for s, km, off in along if off <= radius_m]
    station_points = [(s, project_geometry(Point(s.lon, s.lat), to_proj)) for s in stations]
    stages: list[Stage] = []
    start = 0.0
    day = 1
    while total_km - start > 1e-6:
        target = start + km_per_day
        last = days is not None and day >= days
        if last or target >= total_km * (1 - 1e-9) or total_km - target < 0.2 * km_per_day:
            end, name, kind, off, note = total_km, "arrival", "end", 0.0, ""
        else:
            window = WINDOW_SHARE * km_per_day
            options = [(abs(km - target), i, s, km, off) for i, (s, km, off) in enumerate(near)]
            options = [o for o in options if o[0] <= window and o[3] > start + 0.3 * km_per_day]
            if options:
                _, _, stop, end, off = min(options)
                name, kind, note = stop.name, stop.category or "overnight", ""
            else:
                end, name, kind, off = target, f"km {target:.1f}", "none", 0.0
                note = f"No lodging or station within {radius_m:.0f} m of the route near km {target:.0f}"
        piece_m = (start * 1000 * scale, end * 1000 * scale)
        piece = substring(line, *piece_m)
        geometry = project_geometry(piece, to_wgs) if piece.geom_type == "LineString" else LineString()
        station, distance = _nearest_station(piece, station_points)
        stages.append(
            Stage(
                day,
                round(start, 3),
                round(end, 3),
                geometry,
                name,
                kind,
                round(off, 1),
                station,
                distance,
                note,
            )
        )
        start = end
        day += 1
    return stages


def _nearest_station(piece: LineString | Point, stations: Sequence[tuple[Stop, Point]]) -> tuple[str, float]:
    if not stations or piece.is_empty:
        return "", float("inf")
    stop, point = min(stations, key=lambda sp: piece.distance(sp[1]))
    return stop.name, round(float(piece.distance(point)), 1)
