"""Choose what a GPX export holds (track, route, waypoints) and fit it to a device.

GPS devices differ: a Garmin Edge follows a *course* (a track, up to about
10000 points) and shows waypoints; an eTrex navigates a *route* of at most 250
points; phone apps take anything. :data:`PRESETS` names these choices;
:func:`export_gpx` applies one, simplifying (Douglas-Peucker, see
:mod:`gis_data.gpx_simplify`) only as much as the point cap requires.

:func:`read_via_points` is the way back for the planner's own files: they
carry the start, via points and end as waypoints typed ``start``/``via``/``end``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Literal

import gpxpy.gpx

from gis_data.gpx_model import copy_points
from gis_data.gpx_model import fit_bounds
from gis_data.gpx_model import header_copy
from gis_data.gpx_simplify import simplify_to_points

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gis_data.gpx_model import LatLon

logger = logging.getLogger(__name__)

Part = Literal["trk", "rte", "wpt"]
PARTS: tuple[Part, ...] = ("trk", "rte", "wpt")


@dataclass(frozen=True, slots=True)
class DevicePreset:
    """What to write for one kind of device, and the point caps it imposes."""

    name: str
    parts: tuple[Part, ...]
    max_track_points: int | None
    max_route_points: int | None
    description: str


PRESETS: dict[str, DevicePreset] = {
    preset.name: preset
    for preset in (
        DevicePreset(
            "garmin-edge",
            ("trk", "wpt"),
            10_000,
            None,
            "Garmin Edge bike computers: a course track of at most 10000 points, and waypoints",
        ),
        DevicePreset(
            "garmin-etrex-route",
            ("rte",),
            None,
            250,
            "Garmin eTrex handhelds: routes of at most 250 points each",
        ),
        DevicePreset(
            "phone",
            ("trk", "wpt"),
            None,
            None,
            "Phone apps (OsmAnd, Komoot, Locus): the full track and the waypoints",
        ),
    )
}


def export_gpx(
    gpx: gpxpy.gpx.GPX,
    *,
    parts: Sequence[Part] = ("trk", "wpt"),
    max_track_points: int | None = None,
    max_route_points: int | None = None,
) -> gpxpy.gpx.GPX:
    """Return a new document holding only the chosen parts, within the point caps.

    Parameters
    ----------
    gpx
        The document (left unchanged).
    parts
        Any of ``"trk"``, ``"rte"``, ``"wpt"``. A track is made from the routes
        when the document has none, and a route from each track likewise;
        routes without points are left out.
    max_track_points
        Cap on all track points together; the tracks are simplified to fit.
    max_route_points
        Cap on the points of each route; each route is simplified to fit.

    Raises
    ------
    ValueError
        If a part is unknown.
    InvalidGPXError
        If a cap is too small for the end points of the segments.

    Examples
    --------
    >>> from gis_data.gpx import route_to_gpx
    >>> doc = route_to_gpx([(45.0, 10.0 + i / 1000) for i in range(9)], [], name="r")
    >>> out = export_gpx(doc, parts=("rte",), max_route_points=5)
    >>> len(out.tracks), len(out.routes), len(out.routes[0].points) <= 5
    (0, 1, True)
    """
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        msg = f"unknown GPX part {unknown[0]!r}: use trk, rte or wpt"
        raise ValueError(msg)
    result = header_copy(gpx)
    if "wpt" in parts:
        result.waypoints = copy_points(gpx.waypoints, gpxpy.gpx.GPXWaypoint)
    if "trk" in parts:
        tracks = header_copy(gpx)
        tracks.tracks = gpx.tracks or [_route_as_track(r) for r in gpx.routes]
        if max_track_points is not None:
            tracks = simplify_to_points(tracks, max_track_points)
        result.tracks = _copied_tracks(tracks)
    if "rte" in parts:
        routes = gpx.routes or [_track_as_route(t) for t in gpx.tracks]
        for route in (r for r in routes if r.points):
            single = header_copy(gpx)
            single.routes = [route]
            if max_route_points is not None:
                single = simplify_to_points(single, max_route_points)
            new_route = header_copy(single.routes[0])
            new_route.points = copy_points(single.routes[0].points, gpxpy.gpx.GPXRoutePoint)
            result.routes.append(new_route)
    return fit_bounds(result, gpx)


def apply_preset(gpx: gpxpy.gpx.GPX, preset: DevicePreset) -> gpxpy.gpx.GPX:
    """Return the export of ``gpx`` for a device preset (see :data:`PRESETS`)."""
    return export_gpx(
        gpx,
        parts=preset.parts,
        max_track_points=preset.max_track_points,
        max_route_points=preset.max_route_points,
    )


def _copied_tracks(gpx: gpxpy.gpx.GPX) -> list[gpxpy.gpx.GPXTrack]:
    tracks = []
    for track in gpx.tracks:
        new_track = header_copy(track)
        for segment in track.segments:
            new_segment = header_copy(segment)
            new_segment.points = copy_points(segment.points, gpxpy.gpx.GPXTrackPoint)
            new_track.segments.append(new_segment)
        tracks.append(new_track)
    return tracks


def _route_as_track(route: gpxpy.gpx.GPXRoute) -> gpxpy.gpx.GPXTrack:
    track = gpxpy.gpx.GPXTrack(name=route.name, description=route.description)
    segment = gpxpy.gpx.GPXTrackSegment()
    segment.points = copy_points(route.points, gpxpy.gpx.GPXTrackPoint)
    track.segments.append(segment)
    return track


def _track_as_route(track: gpxpy.gpx.GPXTrack) -> gpxpy.gpx.GPXRoute:
    route = gpxpy.gpx.GPXRoute(name=track.name, description=track.description)
    route.points = copy_points((p for s in track.segments for p in s.points), gpxpy.gpx.GPXRoutePoint)
    return route


def read_via_points(gpx: gpxpy.gpx.GPX) -> list[tuple[str, LatLon]]:
    """Return the planned stops of a route exported by the planner, in riding order.

    The planner writes its start, via points and end as waypoints typed
    ``start``, ``via`` and ``end`` (:func:`gis_data.gpx.route_to_gpx`); other
    waypoints are ignored. Via points keep their order in the file.

    Returns
    -------
    list of (str, (float, float))
        ``(name, (lat, lon))`` of each stop; empty when the file has none.

    Examples
    --------
    >>> from gis_data.gpx import route_to_gpx
    >>> stops = [("Cremona", (45.13, 10.02)), ("Stagno", (45.07, 10.09)), ("Casalm.", (44.99, 10.42))]
    >>> doc = route_to_gpx([p for _, p in stops], stops, name="Po")
    >>> read_via_points(doc) == stops
    True
    """
    typed = [w for w in gpx.waypoints if (w.type or "").strip().lower() in {"start", "via", "end"}]

    def rank(item: tuple[int, gpxpy.gpx.GPXWaypoint]) -> tuple[int, int]:
        kind = (item[1].type or "").strip().lower()
        return {"start": 0, "via": 1, "end": 2}[kind], item[0]

    ordered = [w for _, w in sorted(enumerate(typed), key=rank)]
    return [(w.name or "", (w.latitude, w.longitude)) for w in ordered]
