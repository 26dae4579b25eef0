"""Copy and take apart gpxpy documents, so that edits never touch their input.

``copy.deepcopy`` of a big gpxpy document is slow (about 20 µs a point); the
copies here copy each object's slots and deep-copy only the extension
elements, which are mutable lxml trees. Every editing function of
``gis_data`` builds its result from these copies.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import gpxpy.gpx

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

LatLon = tuple[float, float]
AnyPoint = gpxpy.gpx.GPXTrackPoint | gpxpy.gpx.GPXRoutePoint | gpxpy.gpx.GPXWaypoint
P = TypeVar("P", gpxpy.gpx.GPXTrackPoint, gpxpy.gpx.GPXRoutePoint, gpxpy.gpx.GPXWaypoint)
T = TypeVar("T")

#: Slots holding child objects: a header copy starts them empty.
CHILD_SLOTS = frozenset({"waypoints", "routes", "tracks", "segments", "points"})
#: Slots holding lists of lxml elements.
EXTENSION_SLOTS = frozenset({"extensions", "metadata_extensions"})


_PLANS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _slot_plan(source: type[Any], target: type[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the plain slots ``target`` shares with ``source``, and those it lacks."""
    key = (source.__qualname__, target.__qualname__)
    plan = _PLANS.get(key)
    if plan is None:
        have = set(source.__slots__)
        wanted = [s for s in target.__slots__ if s not in EXTENSION_SLOTS | CHILD_SLOTS]
        plan = tuple(s for s in wanted if s in have), tuple(s for s in wanted if s not in have)
        _PLANS[key] = plan
    return plan


def _copy_slots(obj: Any, cls: Any) -> Any:
    dup = cls.__new__(cls)
    shared, missing = _slot_plan(type(obj), cls)
    for slot in shared:
        value = getattr(obj, slot)
        if isinstance(value, list | dict) or (slot == "bounds" and value is not None):
            value = copy.copy(value)
        setattr(dup, slot, value)
    for slot in missing:
        setattr(dup, slot, None)
    for slot in cls.__slots__:
        if slot in CHILD_SLOTS:
            setattr(dup, slot, [])
        elif slot in EXTENSION_SLOTS:
            value = getattr(obj, slot, None)
            setattr(dup, slot, [copy.deepcopy(e) for e in value] if value else [])
    return dup


def copy_point(point: AnyPoint, cls: type[P]) -> P:
    """Return a new point of class ``cls`` with the fields of ``point``.

    Fields the target class lacks (``speed`` and ``course`` off a track) are
    dropped; extensions are copied.

    Examples
    --------
    >>> p = gpxpy.gpx.GPXTrackPoint(45.13, 10.02, elevation=47.0)
    >>> q = copy_point(p, gpxpy.gpx.GPXRoutePoint)
    >>> type(q).__name__, q.latitude, q.elevation, q is p
    ('GPXRoutePoint', 45.13, 47.0, False)
    """
    dup = cls.__new__(cls)
    shared, missing = _slot_plan(type(point), cls)
    for slot in shared:
        setattr(dup, slot, getattr(point, slot))
    for slot in missing:
        setattr(dup, slot, None)
    dup.extensions = [copy.deepcopy(e) for e in point.extensions] if point.extensions else []
    return dup


def copy_points(points: Iterable[AnyPoint], cls: type[P]) -> list[P]:
    """Return copies of ``points`` as instances of ``cls``."""
    return [copy_point(p, cls) for p in points]


def header_copy(obj: T) -> T:
    """Return a copy of a document, track, route or segment without its children.

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.name = "Po"
    >>> doc.tracks.append(gpxpy.gpx.GPXTrack())
    >>> empty = header_copy(doc)
    >>> empty.name, len(empty.tracks), len(doc.tracks)
    ('Po', 0, 1)
    """
    result: T = _copy_slots(obj, type(obj))
    return result


def copy_gpx(gpx: gpxpy.gpx.GPX) -> gpxpy.gpx.GPX:
    """Return a full, independent copy of a document.

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.waypoints.append(gpxpy.gpx.GPXWaypoint(45.1, 10.0, name="Cremona"))
    >>> dup = copy_gpx(doc)
    >>> dup.waypoints[0].name, dup.waypoints[0] is doc.waypoints[0]
    ('Cremona', False)
    """
    result = header_copy(gpx)
    result.waypoints = copy_points(gpx.waypoints, gpxpy.gpx.GPXWaypoint)
    for route in gpx.routes:
        new_route = header_copy(route)
        new_route.points = copy_points(route.points, gpxpy.gpx.GPXRoutePoint)
        result.routes.append(new_route)
    for track in gpx.tracks:
        new_track = header_copy(track)
        for segment in track.segments:
            new_segment = header_copy(segment)
            new_segment.points = copy_points(segment.points, gpxpy.gpx.GPXTrackPoint)
            new_track.segments.append(new_segment)
        result.tracks.append(new_track)
    return result


def iter_track_points(gpx: gpxpy.gpx.GPX) -> Iterator[gpxpy.gpx.GPXTrackPoint]:
    """Yield every track point of a document, track by track, segment by segment."""
    for track in gpx.tracks:
        for segment in track.segments:
            yield from segment.points


def track_point_count(gpx: gpxpy.gpx.GPX) -> int:
    """Return the number of track points of a document.

    Examples
    --------
    >>> track_point_count(gpxpy.gpx.GPX())
    0
    """
    return sum(len(s.points) for t in gpx.tracks for s in t.segments)


def route_point_count(gpx: gpxpy.gpx.GPX) -> int:
    """Return the number of route points of a document.

    Examples
    --------
    >>> route_point_count(gpxpy.gpx.GPX())
    0
    """
    return sum(len(r.points) for r in gpx.routes)


def latlons(points: Iterable[AnyPoint]) -> list[LatLon]:
    """Return the ``(lat, lon)`` of each point.

    Examples
    --------
    >>> latlons([gpxpy.gpx.GPXTrackPoint(45.13, 10.02)])
    [(45.13, 10.02)]
    """
    return [(p.latitude, p.longitude) for p in points]


def single_track(
    gpx: gpxpy.gpx.GPX, segments: Iterable[list[gpxpy.gpx.GPXTrackPoint]], *, name: str | None
) -> gpxpy.gpx.GPX:
    """Return a new document with ``gpx``'s header and one track of the given segments.

    The points are used as given (callers pass copies). Empty segments are left out.
    """
    result = header_copy(gpx)
    track = header_copy(gpx.tracks[0]) if gpx.tracks else gpxpy.gpx.GPXTrack()
    track.name = name
    for points in segments:
        if points:
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points = points
            track.segments.append(segment)
    result.tracks.append(track)
    return fit_bounds(result, gpx)


def fit_bounds(result: gpxpy.gpx.GPX, source: gpxpy.gpx.GPX) -> gpxpy.gpx.GPX:
    """Give a new document the bounds of its own points when ``source`` declared bounds.

    Edits change the extent; stale ``metadata/bounds`` would mislead devices.
    ``result`` must be a document the caller has just built; it is returned.

    Examples
    --------
    >>> src = gpxpy.gpx.GPX()
    >>> src.bounds = gpxpy.gpx.GPXBounds(0, 1, 0, 1)
    >>> new = gpxpy.gpx.GPX()
    >>> new.waypoints.append(gpxpy.gpx.GPXWaypoint(45.1, 10.0))
    >>> b = fit_bounds(new, src).bounds
    >>> b.min_latitude, b.max_latitude, b.min_longitude, b.max_longitude
    (45.1, 45.1, 10.0, 10.0)
    """
    if source.bounds is None:
        result.bounds = None
        return result
    points: list[AnyPoint] = [*iter_track_points(result), *result.waypoints]
    points += [p for r in result.routes for p in r.points]
    if not points:
        result.bounds = None
        return result
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    result.bounds = gpxpy.gpx.GPXBounds(min(lats), max(lats), min(lons), max(lons))
    return result
