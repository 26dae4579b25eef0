"""Simplify GPX tracks and routes to a tolerance in metres or to a point budget.

The algorithm is Douglas-Peucker as GEOS implements it (``shapely.simplify``
with ``preserve_topology=False``), run on coordinates projected to metres
around the data. Each vertex carries its index as its Z value, which GEOS
keeps, so the surviving GPX points, with their elevation, time and
extensions, are known exactly. The first and last point of every segment
are always kept.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import gpxpy.gpx
import numpy as np
import shapely

from gis_data.errors import InvalidGPXError
from gis_data.gpx_geometry import local_transformer
from gis_data.gpx_geometry import offsets_m
from gis_data.gpx_geometry import project
from gis_data.gpx_model import copy_points
from gis_data.gpx_model import fit_bounds
from gis_data.gpx_model import header_copy
from gis_data.gpx_model import latlons

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pyproj import Transformer

    from gis_data.gpx_model import AnyPoint
    from gis_data.gpx_model import LatLon

logger = logging.getLogger(__name__)

#: Bisection stops when the tolerance is known to within this many metres.
TOLERANCE_PRECISION_M = 0.01


def _lines(gpx: gpxpy.gpx.GPX) -> list[list[AnyPoint]]:
    """Return the point lists to simplify: every track segment, then every route."""
    segments: list[list[AnyPoint]] = [list(s.points) for t in gpx.tracks for s in t.segments]
    return segments + [list(r.points) for r in gpx.routes]


def _indexed(points: Sequence[LatLon], transformer: Transformer) -> shapely.LineString | None:
    """Return the projected line with each vertex's index as Z, or None if too short."""
    if len(points) < 3:
        return None
    xy = project(points, transformer)
    return shapely.LineString(np.column_stack((xy, np.arange(len(points), dtype=float))))


def _kept(line: shapely.LineString | None, size: int, tolerance_m: float) -> list[int]:
    """Return the indices Douglas-Peucker keeps at ``tolerance_m``."""
    if line is None:
        return list(range(size))
    simple = shapely.simplify(line, tolerance_m, preserve_topology=False)
    coords = shapely.get_coordinates(simple, include_z=True)
    if len(coords) < 2:
        return [0, size - 1]
    return [int(z) for z in coords[:, 2]]


def kept_indices(points: Sequence[LatLon], tolerance_m: float) -> list[int]:
    """Return the indices of the points Douglas-Peucker keeps at ``tolerance_m`` metres.

    Examples
    --------
    >>> line = [(45.0, 10.0), (45.00001, 10.001), (45.0, 10.002), (45.01, 10.003)]
    >>> kept_indices(line, 5.0)
    [0, 2, 3]
    >>> kept_indices(line, 0.1)
    [0, 1, 2, 3]
    """
    if tolerance_m < 0:
        msg = f"tolerance must be >= 0 metres, got {tolerance_m!r}"
        raise ValueError(msg)
    return _kept(_indexed(points, local_transformer(points)), len(points), tolerance_m)


def _rebuild(gpx: gpxpy.gpx.GPX, keep: list[list[int]]) -> gpxpy.gpx.GPX:
    """Return a copy of ``gpx`` keeping, for each line of :func:`_lines`, those indices."""
    result = header_copy(gpx)
    result.waypoints = copy_points(gpx.waypoints, gpxpy.gpx.GPXWaypoint)
    picks = iter(keep)
    for track in gpx.tracks:
        new_track = header_copy(track)
        for segment in track.segments:
            new_segment = header_copy(segment)
            chosen = [segment.points[i] for i in next(picks)]
            new_segment.points = copy_points(chosen, gpxpy.gpx.GPXTrackPoint)
            new_track.segments.append(new_segment)
        result.tracks.append(new_track)
    for route in gpx.routes:
        new_route = header_copy(route)
        chosen_rte = [route.points[i] for i in next(picks)]
        new_route.points = copy_points(chosen_rte, gpxpy.gpx.GPXRoutePoint)
        result.routes.append(new_route)
    return fit_bounds(result, gpx)


def simplify_gpx(gpx: gpxpy.gpx.GPX, tolerance_m: float) -> gpxpy.gpx.GPX:
    """Simplify every track segment and route so no point strays more than ``tolerance_m``.

    Parameters
    ----------
    gpx
        The document (left unchanged).
    tolerance_m
        Largest distance, in metres, between a dropped point and the simplified line.

    Returns
    -------
    gpxpy.gpx.GPX
        A new document; waypoints are copied unchanged.

    Raises
    ------
    ValueError
        If ``tolerance_m`` is negative.
    """
    if tolerance_m < 0:
        msg = f"tolerance must be >= 0 metres, got {tolerance_m!r}"
        raise ValueError(msg)
    lines = [latlons(points) for points in _lines(gpx)]
    transformer = local_transformer([p for line in lines for p in line])
    keep = [_kept(_indexed(line, transformer), len(line), tolerance_m) for line in lines]
    return _rebuild(gpx, keep)


def simplify_to_points(gpx: gpxpy.gpx.GPX, max_points: int) -> gpxpy.gpx.GPX:
    """Simplify tracks and routes to at most ``max_points`` points in all, as faithfully as can be.

    Bisection finds the smallest Douglas-Peucker tolerance whose result fits.

    Raises
    ------
    InvalidGPXError
        If even the segments' end points do not fit in ``max_points``.

    Examples
    --------
    >>> import gpxpy.gpx
    >>> doc, seg = gpxpy.gpx.GPX(), gpxpy.gpx.GPXTrackSegment()
    >>> seg.points = [gpxpy.gpx.GPXTrackPoint(45.0 + i * 1e-4, 10.0 + (i % 2) * 1e-4)
    ...               for i in range(50)]
    >>> doc.tracks.append(gpxpy.gpx.GPXTrack()); doc.tracks[0].segments.append(seg)
    >>> small = simplify_to_points(doc, 10)
    >>> 2 <= len(small.tracks[0].segments[0].points) <= 10, len(seg.points)
    (True, 50)
    """
    lines = [latlons(points) for points in _lines(gpx)]
    total = sum(len(line) for line in lines)
    if total <= max_points:
        return _rebuild(gpx, [list(range(len(line))) for line in lines])
    floor = sum(min(len(line), 2) for line in lines)
    if max_points < floor:
        msg = (
            f"cannot simplify to {max_points} points: its {len(lines)} segment(s) and "
            f"route(s) need at least {floor} for their end points"
        )
        raise InvalidGPXError(msg)
    transformer = local_transformer([p for line in lines for p in line])
    shapes = [_indexed(line, transformer) for line in lines]

    def pick(tolerance: float) -> list[list[int]]:
        return [_kept(s, len(line), tolerance) for s, line in zip(shapes, lines, strict=True)]

    xy = project([p for line in lines for p in line], transformer)
    low, high = 0.0, float(np.hypot(*(xy.max(axis=0) - xy.min(axis=0)))) + 1.0
    best = pick(high)
    while high - low > TOLERANCE_PRECISION_M:
        middle = (low + high) / 2
        keep = pick(middle)
        if sum(map(len, keep)) <= max_points:
            high, best = middle, keep
        else:
            low = middle
    logger.debug("simplified %d points to %d at %.2f m", total, sum(map(len, best)), high)
    return _rebuild(gpx, best)


def max_deviation_m(original: gpxpy.gpx.GPX, simplified: gpxpy.gpx.GPX) -> float:
    """Return how far, in metres, any original point lies from the simplified line.

    The documents must have the same segments and routes, as :func:`simplify_gpx`
    and :func:`simplify_to_points` give.

    Raises
    ------
    ValueError
        If the documents' segments and routes do not correspond.
    """
    before, after = _lines(original), _lines(simplified)
    if len(before) != len(after):
        msg = f"documents differ: {len(before)} against {len(after)} segments and routes"
        raise ValueError(msg)
    points = [p for line in before for p in latlons(line)]
    if not points:
        return 0.0
    transformer = local_transformer(points)
    worst = 0.0
    for old, new in zip(before, after, strict=True):
        if old and new:
            offsets = offsets_m(latlons(old), latlons(new), transformer)
            worst = max(worst, float(offsets.max()))
    return worst
