"""Metric geometry of ``(lat, lon)`` point sequences: lengths, projection, deviation.

Lengths are geodesic on the WGS84 ellipsoid (``pyproj.Geod``). Work that
needs planar geometry (simplification, distances to a line, cropping) uses an
azimuthal equidistant projection centred on the data, which keeps distances
within a few parts in ten thousand over a province-sized area.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS
from pyproj import Geod
from pyproj import Transformer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

LatLon = tuple[float, float]
GEOD = Geod(ellps="WGS84")


def step_lengths_m(points: Sequence[LatLon]) -> NDArray[np.float64]:
    """Return the geodesic length of each step between consecutive points, in metres.

    Examples
    --------
    >>> [round(x) for x in step_lengths_m([(45.0, 10.0), (45.001, 10.0), (45.001, 10.0)])]
    [111, 0]
    """
    if len(points) < 2:
        return np.zeros(0)
    lat = np.fromiter((p[0] for p in points), float, len(points))
    lon = np.fromiter((p[1] for p in points), float, len(points))
    _, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.asarray(dist, dtype=np.float64)


def cumulative_m(points: Sequence[LatLon]) -> NDArray[np.float64]:
    """Return the distance from the first point to each point along the line, in metres.

    Examples
    --------
    >>> [round(x) for x in cumulative_m([(45.0, 10.0), (45.001, 10.0), (45.002, 10.0)])]
    [0, 111, 222]
    """
    if not points:
        return np.zeros(0)
    return np.concatenate(([0.0], np.cumsum(step_lengths_m(points))))


def path_length_m(points: Sequence[LatLon]) -> float:
    """Return the geodesic length of a polyline in metres.

    Examples
    --------
    >>> round(path_length_m([(45.0, 10.0), (45.0, 10.01)]))
    788
    """
    return float(step_lengths_m(points).sum())


def local_transformer(points: Sequence[LatLon]) -> Transformer:
    """Return a lon/lat → metres transformer centred on the points (azimuthal equidistant).

    Examples
    --------
    >>> x, y = local_transformer([(45.13, 10.02)]).transform(10.02, 45.13)
    >>> abs(x) < 1e-6 and abs(y) < 1e-6
    True
    """
    if points:
        lat = (min(p[0] for p in points) + max(p[0] for p in points)) / 2
        lon = (min(p[1] for p in points) + max(p[1] for p in points)) / 2
    else:
        lat = lon = 0.0
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m")
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def project(points: Sequence[LatLon], transformer: Transformer) -> NDArray[np.float64]:
    """Return the points as an ``(n, 2)`` array of projected ``x, y`` metres.

    Examples
    --------
    >>> pts = [(45.13, 10.02), (45.14, 10.02)]
    >>> xy = project(pts, local_transformer(pts))
    >>> xy.shape, round(float(xy[1, 1] - xy[0, 1]))
    ((2, 2), 1111)
    """
    if not points:
        return np.zeros((0, 2))
    lat = np.fromiter((p[0] for p in points), float, len(points))
    lon = np.fromiter((p[1] for p in points), float, len(points))
    x, y = transformer.transform(lon, lat)
    return np.column_stack((np.asarray(x, dtype=float), np.asarray(y, dtype=float)))


def offsets_m(points: Sequence[LatLon], line: Sequence[LatLon], transformer: Transformer) -> NDArray[np.float64]:
    """Return the distance of each point from the polyline ``line``, in metres.

    Examples
    --------
    >>> line = [(45.0, 10.0), (45.0, 10.01)]
    >>> [round(d) for d in offsets_m([(45.001, 10.005)], line, local_transformer(line))]
    [111]
    """
    if not points:
        return np.zeros(0)
    xy = project(line, transformer)
    shape = shapely.LineString(xy) if len(xy) > 1 else shapely.Point(xy[0])
    pts = shapely.points(project(points, transformer))
    return np.asarray(shapely.distance(pts, shape), dtype=np.float64)


def densify(points: Sequence[LatLon], transformer: Transformer, step_m: float) -> list[LatLon]:
    """Return the polyline with extra vertices so that no step is longer than ``step_m``.

    Examples
    --------
    >>> line = [(45.0, 10.0), (45.0, 10.01)]
    >>> len(densify(line, local_transformer(line), 100.0))
    9
    """
    if len(points) < 2:
        return list(points)
    dense = shapely.segmentize(shapely.LineString(project(points, transformer)), step_m)
    xs, ys = shapely.get_coordinates(dense).T
    lon, lat = transformer.transform(xs, ys, direction="INVERSE")
    return [(float(a), float(b)) for a, b in zip(lat, lon, strict=True)]


def deviation_m(original: Sequence[LatLon], other: Sequence[LatLon], *, step_m: float = 10.0) -> tuple[float, float]:
    """Measure how far two polylines stray from each other, in metres.

    Both lines are densified every ``step_m``. The maximum is the discrete
    Hausdorff distance (the farthest either line gets from the other); the
    mean is the average distance of the original line from the other one.

    Returns
    -------
    tuple of float
        ``(max_m, mean_m)``; ``(nan, nan)`` if a line is empty.

    Examples
    --------
    >>> a = [(45.0, 10.0), (45.0, 10.01)]
    >>> b = [(45.0001, 10.0), (45.0001, 10.01)]
    >>> [round(x, 1) for x in deviation_m(a, b)]
    [11.1, 11.1]
    """
    if not original or not other:
        return math.nan, math.nan
    transformer = local_transformer([*original, *other])
    there = offsets_m(densify(original, transformer, step_m), other, transformer)
    back = offsets_m(densify(other, transformer, step_m), original, transformer)
    return float(max(there.max(), back.max())), float(there.mean())


def bbox(points: Sequence[LatLon]) -> tuple[float, float, float, float] | None:
    """Return ``(min_lat, min_lon, max_lat, max_lon)`` of the points, or ``None``.

    Examples
    --------
    >>> bbox([(45.2, 10.0), (45.1, 10.1)])
    (45.1, 10.0, 45.2, 10.1)
    >>> bbox([]) is None
    True
    """
    if not points:
        return None
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return min(lats), min(lons), max(lats), max(lons)
