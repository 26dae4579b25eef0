"""Edit GPX documents: reverse, crop, strip, fill times, merge.

Every function returns a new gpxpy document built from copies
(:mod:`gis_data.gpx_model`); the input is never changed.
"""

from __future__ import annotations

import itertools
import logging
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Literal

import gpxpy.gpx
import numpy as np
import shapely

from gis_data.errors import InvalidGPXError
from gis_data.gpx_geometry import cumulative_m
from gis_data.gpx_model import copy_gpx
from gis_data.gpx_model import copy_points
from gis_data.gpx_model import fit_bounds
from gis_data.gpx_model import header_copy
from gis_data.gpx_model import iter_track_points
from gis_data.gpx_model import latlons

if TYPE_CHECKING:
    from collections.abc import Sequence

    from shapely.geometry.base import BaseGeometry

    from gis_data.gpx_model import AnyPoint

logger = logging.getLogger(__name__)

MergeMode = Literal["tracks", "segments", "line"]
MERGE_MODES: tuple[MergeMode, ...] = ("tracks", "segments", "line")
_SWAP_TYPE = {"start": "end", "end": "start"}


def reverse_gpx(gpx: gpxpy.gpx.GPX) -> gpxpy.gpx.GPX:
    """Return the document ridden the other way.

    Tracks, segments, route points and waypoints come in reverse order; a
    waypoint typed ``start`` becomes ``end`` and the other way round. Times are
    mirrored (``first + last - t``), so the reversed ride keeps its pace and
    its time span; reversing twice gives the original back.

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.waypoints = [gpxpy.gpx.GPXWaypoint(45.1, 10.0, name="A", type="start"),
    ...                  gpxpy.gpx.GPXWaypoint(45.2, 10.1, name="B", type="end")]
    >>> [(w.name, w.type) for w in reverse_gpx(doc).waypoints]
    [('B', 'start'), ('A', 'end')]
    """
    result = copy_gpx(gpx)
    result.waypoints.reverse()
    for waypoint in result.waypoints:
        waypoint.type = _SWAP_TYPE.get(waypoint.type or "", waypoint.type)
    result.routes.reverse()
    for route in result.routes:
        route.points.reverse()
    result.tracks.reverse()
    for track in result.tracks:
        track.segments.reverse()
        for segment in track.segments:
            segment.points.reverse()
    _mirror_times(list(iter_track_points(result)))
    for route in result.routes:
        _mirror_times(route.points)
    return result


def _mirror_times(points: Sequence[AnyPoint]) -> None:
    """Map each time t to first + last - t, in place (on copies owned by the caller)."""
    times = [p.time for p in points if p.time is not None]
    if not times:
        return
    try:
        first, last = min(times), max(times)
    except TypeError:  # times with and without a zone cannot be ordered: leave them
        return
    for point in points:
        if point.time is not None:
            point.time = first + (last - point.time)


def bbox_area(south: float, west: float, north: float, east: float) -> BaseGeometry:
    """Return the lon/lat rectangle of a bounding box, for :func:`crop_gpx`.

    Examples
    --------
    >>> bbox_area(45.0, 9.9, 45.2, 10.1).bounds
    (9.9, 45.0, 10.1, 45.2)
    """
    if not (south < north and west < east):
        msg = f"empty bounding box: south={south}, west={west}, north={north}, east={east}"
        raise ValueError(msg)
    return shapely.box(west, south, east, north)


def _inside(points: Sequence[AnyPoint], area: BaseGeometry) -> list[bool]:
    if not points:
        return []
    lons = np.fromiter((p.longitude for p in points), float, len(points))
    lats = np.fromiter((p.latitude for p in points), float, len(points))
    return [bool(v) for v in shapely.intersects_xy(area, lons, lats)]


def _runs(points: Sequence[AnyPoint], area: BaseGeometry) -> list[list[AnyPoint]]:
    """Return the runs of consecutive points inside ``area``."""
    runs: list[list[AnyPoint]] = []
    for inside, group in itertools.groupby(zip(points, _inside(points, area), strict=True), key=lambda pair: pair[1]):
        if inside:
            runs.append([p for p, _ in group])
    return runs


def crop_gpx(gpx: gpxpy.gpx.GPX, area: BaseGeometry) -> gpxpy.gpx.GPX:
    """Keep only what lies inside ``area`` (a shapely geometry in lon/lat).

    A segment that leaves the area and comes back becomes several segments,
    so no straight line is drawn across the part cut away; a route likewise
    becomes several routes. Tracks and routes left empty are dropped.

    Examples
    --------
    >>> doc, seg = gpxpy.gpx.GPX(), gpxpy.gpx.GPXTrackSegment()
    >>> seg.points = [gpxpy.gpx.GPXTrackPoint(45.0, 10.0 + i / 100) for i in range(5)]
    >>> doc.tracks.append(gpxpy.gpx.GPXTrack()); doc.tracks[0].segments.append(seg)
    >>> area = bbox_area(44.9, 9.9, 45.1, 10.025).union(bbox_area(44.9, 10.035, 45.1, 11))
    >>> [len(s.points) for s in crop_gpx(doc, area).tracks[0].segments]
    [3, 1]
    """
    result = header_copy(gpx)
    kept = [w for w, inside in zip(gpx.waypoints, _inside(gpx.waypoints, area), strict=True) if inside]
    result.waypoints = copy_points(kept, gpxpy.gpx.GPXWaypoint)
    for route in gpx.routes:
        for run in _runs(route.points, area):
            new_route = header_copy(route)
            new_route.points = copy_points(run, gpxpy.gpx.GPXRoutePoint)
            result.routes.append(new_route)
    for track in gpx.tracks:
        new_track = header_copy(track)
        for segment in track.segments:
            for run in _runs(segment.points, area):
                new_segment = header_copy(segment)
                new_segment.points = copy_points(run, gpxpy.gpx.GPXTrackPoint)
                new_track.segments.append(new_segment)
        if new_track.segments:
            result.tracks.append(new_track)
    return fit_bounds(result, gpx)


def strip_gpx(
    gpx: gpxpy.gpx.GPX,
    *,
    times: bool = False,
    extensions: bool = False,
    waypoints: bool = False,
) -> gpxpy.gpx.GPX:
    """Return a copy without times, extensions and/or waypoints.

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.waypoints.append(gpxpy.gpx.GPXWaypoint(45.1, 10.0, time=datetime(2025, 5, 1)))
    >>> strip_gpx(doc, times=True).waypoints[0].time is None, doc.waypoints[0].time.year
    (True, 2025)
    >>> len(strip_gpx(doc, waypoints=True).waypoints)
    0
    """
    result = copy_gpx(gpx)
    if waypoints:
        result.waypoints = []
    objects: list[object] = [result, *result.waypoints, *result.routes, *result.tracks]
    objects += [p for r in result.routes for p in r.points]
    objects += [s for t in result.tracks for s in t.segments]
    objects += list(iter_track_points(result))
    for obj in objects:
        if times and hasattr(obj, "time"):
            obj.time = None
        if extensions:
            obj.extensions = []  # type: ignore[attr-defined]
    if extensions:
        result.metadata_extensions = []
        result.nsmap = {}
    return result


def fill_times(gpx: gpxpy.gpx.GPX, *, speed_kmh: float, start: datetime | None = None) -> gpxpy.gpx.GPX:
    """Give every track point the time it is reached riding at ``speed_kmh``.

    Between two segments the straight distance counts too: the rider still
    went from one to the other.

    Parameters
    ----------
    gpx
        The document; existing track point times are replaced.
    speed_kmh
        Steady riding speed.
    start
        Time at the first point; default the first point's own time.

    Raises
    ------
    ValueError
        If the speed is not positive.
    InvalidGPXError
        If no ``start`` is given and the first track point has no time.

    Examples
    --------
    >>> doc, seg = gpxpy.gpx.GPX(), gpxpy.gpx.GPXTrackSegment()
    >>> seg.points = [gpxpy.gpx.GPXTrackPoint(45.0, 10.0), gpxpy.gpx.GPXTrackPoint(45.0, 10.01)]
    >>> doc.tracks.append(gpxpy.gpx.GPXTrack()); doc.tracks[0].segments.append(seg)
    >>> timed = fill_times(doc, speed_kmh=15.0, start=datetime(2025, 5, 1, 9))
    >>> [p.time.strftime("%H:%M:%S") for p in timed.tracks[0].segments[0].points]
    ['09:00:00', '09:03:09']
    """
    if not speed_kmh > 0:
        msg = f"speed must be a positive number of km/h, got {speed_kmh!r}"
        raise ValueError(msg)
    result = copy_gpx(gpx)
    points = list(iter_track_points(result))
    if not points:
        return result
    first = start if start is not None else points[0].time
    if first is None:
        msg = "the first track point has no time: give a start time"
        raise InvalidGPXError(msg)
    for point, metres in zip(points, cumulative_m(latlons(points)), strict=True):
        point.time = first + timedelta(seconds=round(float(metres) / (speed_kmh / 3.6), 3))
    return result


def merge_gpx(docs: Sequence[gpxpy.gpx.GPX], *, how: MergeMode = "tracks") -> gpxpy.gpx.GPX:
    """Merge documents into one, keeping the first one's metadata.

    Parameters
    ----------
    docs
        The documents, in riding order.
    how
        ``"tracks"``: every track kept as a track; ``"segments"``: one track
        whose segments are all the segments; ``"line"``: one track of one
        segment, dropping a point that repeats the one before it where two
        segments meet. Waypoints and routes are always concatenated.

    Raises
    ------
    ValueError
        If ``docs`` is empty or ``how`` is unknown.

    Examples
    --------
    >>> a, b = gpxpy.gpx.GPX(), gpxpy.gpx.GPX()
    >>> for doc, lon in ((a, 10.0), (b, 10.1)):
    ...     seg = gpxpy.gpx.GPXTrackSegment()
    ...     seg.points = [gpxpy.gpx.GPXTrackPoint(45.0, lon), gpxpy.gpx.GPXTrackPoint(45.0, 10.1)]
    ...     doc.tracks.append(gpxpy.gpx.GPXTrack()); doc.tracks[0].segments.append(seg)
    >>> [len(merge_gpx([a, b], how=h).tracks) for h in MERGE_MODES]
    [2, 1, 1]
    >>> len(merge_gpx([a, b], how="line").tracks[0].segments[0].points)
    3
    """
    if not docs:
        msg = "nothing to merge: no document given"
        raise ValueError(msg)
    if how not in MERGE_MODES:
        msg = f"unknown merge mode {how!r}: use one of {', '.join(MERGE_MODES)}"
        raise ValueError(msg)
    copies = [copy_gpx(doc) for doc in docs]
    result = header_copy(copies[0])
    result.nsmap = _merged_nsmap(copies)
    for doc in copies:
        result.waypoints.extend(doc.waypoints)
        result.routes.extend(doc.routes)
    tracks = [t for doc in copies for t in doc.tracks]
    if how == "tracks":
        result.tracks = tracks
        return fit_bounds(result, docs[0])
    track = header_copy(tracks[0]) if tracks else gpxpy.gpx.GPXTrack()
    segments = [s for t in tracks for s in t.segments]
    if how == "segments":
        track.segments = segments
    else:
        line = header_copy(segments[0]) if segments else gpxpy.gpx.GPXTrackSegment()
        for segment in segments:
            points = segment.points
            if line.points and points and _same_point(line.points[-1], points[0]):
                points = points[1:]
            line.points.extend(points)
        track.segments = [line]
    result.tracks = [track]
    return fit_bounds(result, docs[0])


def _same_point(a: AnyPoint, b: AnyPoint) -> bool:
    return (a.latitude, a.longitude, a.elevation, a.time) == (
        b.latitude,
        b.longitude,
        b.elevation,
        b.time,
    )


def _merged_nsmap(docs: Sequence[gpxpy.gpx.GPX]) -> dict[str, str]:
    """Union of the documents' extension namespaces, renaming clashing prefixes."""
    merged: dict[str, str] = {}
    for doc in docs:
        for prefix, uri in doc.nsmap.items():
            if uri in merged.values():
                continue
            name, n = prefix, 0
            while name in merged:
                n += 1
                name = f"{prefix}{n}"
            merged[name] = uri
    return merged
