"""Summary figures of a GPX document: distance, time, extent and climbing.

Climbing uses a hysteresis filter: the elevation must move ``hysteresis_m``
(default 5 m) away from the last level counted before the move is counted.
GPS and barometric noise of a metre or two on the flat Po plain therefore
adds nothing, while a real climb of any length is counted almost in full
(at most ``hysteresis_m`` short at the top).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gis_data.gpx_geometry import bbox
from gis_data.gpx_geometry import step_lengths_m
from gis_data.gpx_model import latlons

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence
    from datetime import datetime

    import gpxpy.gpx

    from gis_data.gpx_model import AnyPoint


@dataclass(frozen=True, slots=True)
class GPXStats:
    """Figures of one document; ``None`` where the data has no times or elevations.

    Distances and times are those of the tracks, or of the routes when the
    document has no track points. ``bbox`` is ``(min_lat, min_lon, max_lat,
    max_lon)`` of every point, waypoints included.
    """

    tracks: int
    segments: int
    track_points: int
    routes: int
    route_points: int
    waypoints: int
    distance_m: float
    elapsed_s: float | None
    moving_s: float | None
    start_time: datetime | None
    end_time: datetime | None
    bbox: tuple[float, float, float, float] | None
    ascent_m: float | None
    descent_m: float | None
    min_elevation_m: float | None
    max_elevation_m: float | None


def elevation_gain_loss(elevations: Iterable[float | None], *, hysteresis_m: float = 5.0) -> tuple[float, float]:
    """Return ``(ascent, descent)`` in metres, counting only moves of ``hysteresis_m`` or more.

    Missing elevations (``None``) are skipped.

    Examples
    --------
    >>> elevation_gain_loss([40, 41, 39, 40.5, 41, 39.5])  # noise on the plain
    (0.0, 0.0)
    >>> elevation_gain_loss([40, 43, 46, 49, 52, 50, 44])
    (12.0, 8.0)
    >>> elevation_gain_loss([40, None, 60], hysteresis_m=5)
    (20.0, 0.0)
    """
    ascent = descent = 0.0
    level: float | None = None
    for value in elevations:
        if value is None:
            continue
        if level is None:
            level = value
        elif value - level >= hysteresis_m:
            ascent += value - level
            level = value
        elif level - value >= hysteresis_m:
            descent += level - value
            level = value
    return ascent, descent


def moving_seconds(steps_m: Sequence[float], times: Sequence[datetime | None], *, stopped_kmh: float = 1.0) -> float:
    """Return the time spent on steps ridden faster than ``stopped_kmh``, in seconds.

    Steps whose ends lack a time, or whose time does not advance, are skipped.

    Examples
    --------
    >>> from datetime import datetime, timedelta
    >>> t0 = datetime(2025, 5, 1, 9)
    >>> times = [t0, t0 + timedelta(seconds=60), t0 + timedelta(seconds=660)]
    >>> moving_seconds([250.0, 1.0], times)  # 15 km/h, then 10 minutes standing
    60.0
    """
    total = 0.0
    for step, (a, b) in zip(steps_m, itertools.pairwise(times), strict=False):
        if a is None or b is None:
            continue
        try:
            seconds = (b - a).total_seconds()
        except TypeError:  # one time with a zone, one without: no step length in time
            continue
        if seconds > 0 and step / seconds * 3.6 > stopped_kmh:
            total += seconds
    return total


def gpx_stats(gpx: gpxpy.gpx.GPX, *, hysteresis_m: float = 5.0, stopped_kmh: float = 1.0) -> GPXStats:
    """Summarise a document: counts, distance, times, bounding box and climbing.

    Parameters
    ----------
    gpx
        The document (left unchanged).
    hysteresis_m
        Elevation change needed before a climb or descent counts.
    stopped_kmh
        Steps slower than this count as standing, not moving.

    Returns
    -------
    GPXStats
        Distance and times of the tracks (of the routes if there is no track point).

    Examples
    --------
    >>> import gpxpy.gpx
    >>> doc = gpxpy.gpx.GPX()
    >>> route = gpxpy.gpx.GPXRoute()
    >>> route.points = [gpxpy.gpx.GPXRoutePoint(45.0, 10.0), gpxpy.gpx.GPXRoutePoint(45.0, 10.01)]
    >>> doc.routes.append(route)
    >>> s = gpx_stats(doc)
    >>> round(s.distance_m), s.route_points, s.moving_s
    (788, 2, None)
    """
    lines: list[list[AnyPoint]] = [list(s.points) for t in gpx.tracks for s in t.segments]
    if not any(lines):
        lines = [list(r.points) for r in gpx.routes]
    distance = moving = 0.0
    timed = False
    ascent = descent = 0.0
    elevations: list[float] = []
    times: list[datetime] = []
    for points in lines:
        steps = step_lengths_m(latlons(points))
        distance += float(steps.sum())
        point_times = [p.time for p in points]
        if any(t is not None for t in point_times):
            timed = True
            moving += moving_seconds(steps.tolist(), point_times, stopped_kmh=stopped_kmh)
            times.extend(t for t in point_times if t is not None)
        up, down = elevation_gain_loss((p.elevation for p in points), hysteresis_m=hysteresis_m)
        ascent, descent = ascent + up, descent + down
        elevations.extend(p.elevation for p in points if p.elevation is not None)
    everything = [*itertools.chain.from_iterable(lines), *gpx.waypoints]
    has_ele = bool(elevations)
    ordered = _comparable(times)
    start = min(times, default=None) if ordered else None
    end = max(times, default=None) if ordered else None
    return GPXStats(
        tracks=len(gpx.tracks),
        segments=sum(len(t.segments) for t in gpx.tracks),
        track_points=sum(len(s.points) for t in gpx.tracks for s in t.segments),
        routes=len(gpx.routes),
        route_points=sum(len(r.points) for r in gpx.routes),
        waypoints=len(gpx.waypoints),
        distance_m=distance,
        elapsed_s=(end - start).total_seconds() if start and end else None,
        moving_s=moving if timed else None,
        start_time=start,
        end_time=end,
        bbox=bbox(latlons(everything)),
        ascent_m=ascent if has_ele else None,
        descent_m=descent if has_ele else None,
        min_elevation_m=float(np.min(elevations)) if has_ele else None,
        max_elevation_m=float(np.max(elevations)) if has_ele else None,
    )


def _comparable(times: Sequence[datetime]) -> bool:
    """Return whether the times can be ordered (all with a zone, or all without)."""
    zones = {t.tzinfo is not None and t.utcoffset() is not None for t in times}
    return len(zones) <= 1
