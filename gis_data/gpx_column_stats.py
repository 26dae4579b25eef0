"""The figures of :func:`gis_data.gpx_stats.gpx_stats`, computed from track columns.

:func:`column_stats` gives, for a document read by
:func:`gis_data.gpx_columns.read_track_columns`, exactly the :class:`GPXStats`
that ``gpx_stats`` gives for the same document read as gpxpy objects: the same
geodesic steps summed in the same order, the same moving-time test, the same
hysteresis filter. Only times lose their zone in columns, so a document with
local times (``columns.local_times``) must go through ``gpx_stats`` to keep
the zone of its start and end times.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from gis_data.gpx_geometry import GEOD
from gis_data.gpx_stats import GPXStats
from gis_data.gpx_stats import elevation_gain_loss
from gis_data.gpx_stats import gpx_stats
from gis_data.gpx_times import utc_datetime

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from gis_data.gpx_columns import TrackColumns

logger = logging.getLogger(__name__)


def column_stats(columns: TrackColumns, *, hysteresis_m: float = 5.0, stopped_kmh: float = 1.0) -> GPXStats:
    """Summarise a document read as columns: counts, distance, times, bounding box and climbing.

    Parameters
    ----------
    columns
        The document, as :func:`gis_data.gpx_columns.read_track_columns` reads it.
    hysteresis_m, stopped_kmh
        As for :func:`gis_data.gpx_stats.gpx_stats`.

    Returns
    -------
    GPXStats
        Equal to ``gpx_stats`` of the document read with ``parse_gpx``; start
        and end times are in UTC.

    Examples
    --------
    >>> from gis_data.gpx_columns import read_track_columns
    >>> doc = b'<gpx><trk><trkseg><trkpt lat="45" lon="10"/><trkpt lat="45" lon="10.01"/></trkseg></trk></gpx>'
    >>> s = column_stats(read_track_columns(doc))
    >>> round(s.distance_m), s.track_points, s.bbox
    (788, 2, (45.0, 10.0, 45.0, 10.01))
    """
    skeleton = columns.skeleton
    if not len(columns.lat):  # no track point: the routes' figures, from their objects
        return gpx_stats(skeleton, hysteresis_m=hysteresis_m, stopped_kmh=stopped_kmh)
    distance = moving = ascent = descent = 0.0
    timed = False
    for start, stop in columns.segment_bounds():
        lat, lon = columns.lat[start:stop], columns.lon[start:stop]
        # The steps of gis_data.gpx_geometry.step_lengths_m, on the same floats.
        steps = np.asarray(GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2] if len(lat) > 1 else (), dtype=np.float64)
        distance += float(steps.sum())
        times = columns.time[start:stop]
        if not np.isnat(times).all():
            timed = True
            moving += _moving_seconds(steps, times, stopped_kmh)
        ele = columns.ele[start:stop]
        up, down = elevation_gain_loss(ele[~np.isnan(ele)].tolist(), hysteresis_m=hysteresis_m)
        ascent, descent = ascent + up, descent + down
    elevations = columns.ele[~np.isnan(columns.ele)]
    known = columns.time[~np.isnat(columns.time)]
    first = utc_datetime(known.min()) if len(known) else None
    last = utc_datetime(known.max()) if len(known) else None
    has_ele = bool(len(elevations))
    return GPXStats(
        tracks=len(columns.track_starts),
        segments=len(columns.segment_starts),
        track_points=len(columns.lat),
        routes=len(skeleton.routes),
        route_points=sum(len(r.points) for r in skeleton.routes),
        waypoints=len(skeleton.waypoints),
        distance_m=distance,
        elapsed_s=(last - first).total_seconds() if first and last else None,
        moving_s=moving if timed else None,
        start_time=first,
        end_time=last,
        bbox=_bbox(columns),
        ascent_m=ascent if has_ele else None,
        descent_m=descent if has_ele else None,
        min_elevation_m=float(np.min(elevations)) if has_ele else None,
        max_elevation_m=float(np.max(elevations)) if has_ele else None,
    )


def _moving_seconds(steps: NDArray[np.float64], times: NDArray[np.datetime64], stopped_kmh: float) -> float:
    """Add up, in order as :func:`gis_data.gpx_stats.moving_seconds` does, the time of the moving steps."""
    if len(times) < 2:
        return 0.0
    known = ~np.isnat(times)
    micro = np.where(known, times.astype(np.int64), 0)
    seconds = np.diff(micro) / 1e6  # as timedelta.total_seconds(): microseconds / 10**6
    advancing = known[:-1] & known[1:] & (seconds > 0)
    speed = np.divide(steps, seconds, out=np.zeros_like(steps), where=advancing) * 3.6
    chosen = seconds[advancing & (speed > stopped_kmh)]
    # cumsum adds one after the other, as the loop does; sum() would pair them up.
    return float(np.cumsum(chosen)[-1]) if len(chosen) else 0.0


def _bbox(columns: TrackColumns) -> tuple[float, float, float, float]:
    """Return the bounding box of the track points and waypoints, as ``gpx_stats`` finds it."""
    waypoints = columns.skeleton.waypoints
    lats = [_lowest(columns.lat), *(w.latitude for w in waypoints)]
    lons = [_lowest(columns.lon), *(w.longitude for w in waypoints)]
    highs_lat = [_highest(columns.lat), *(w.latitude for w in waypoints)]
    highs_lon = [_highest(columns.lon), *(w.longitude for w in waypoints)]
    return min(lats), min(lons), max(highs_lat), max(highs_lon)


def _lowest(values: NDArray[np.float64]) -> float:
    """Return the lowest value, zero as gpxpy stores it (``latitude or 0``: the integer 0)."""
    low = float(values.min())
    return 0 if low == 0 else low


def _highest(values: NDArray[np.float64]) -> float:
    """Return the highest value, zero as gpxpy stores it."""
    high = float(values.max())
    return 0 if high == 0 else high
