"""Convert GPX documents to GeoJSON (RFC 7946) and back.

Each waypoint becomes a ``Point`` feature, each route a ``LineString`` and
each track a ``MultiLineString`` (one line per segment). Positions are
``[lon, lat]`` or ``[lon, lat, ele]``. The ``kind`` property says which GPX
element a feature came from; track and route times travel in a
``coordTimes`` property (ISO 8601, one list per line), the convention of
Mapbox's ``togeojson``. Reading accepts any FeatureCollection, Feature or
geometry: points become waypoints, lines tracks (or routes when ``kind`` is
``"route"``); polygons are skipped.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

import gpxpy.gpx
import shapely
from shapely.geometry import shape

from gis_data.errors import InvalidDataError
from gis_data.safe_xml import check_size

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from gis_data.gpx_model import AnyPoint

logger = logging.getLogger(__name__)


def _position(point: AnyPoint) -> list[float]:
    if point.elevation is None:
        return [point.longitude, point.latitude]
    return [point.longitude, point.latitude, point.elevation]


def _iso(time: datetime | None) -> str | None:
    return None if time is None else time.isoformat().replace("+00:00", "Z")


def _properties(obj: Any, kind: str) -> dict[str, Any]:
    props: dict[str, Any] = {"kind": kind}
    for key, attr in (("name", "name"), ("desc", "description"), ("type", "type")):
        value = getattr(obj, attr, None)
        if value:
            props[key] = value
    return props


def gpx_to_geojson(gpx: gpxpy.gpx.GPX) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of the document's waypoints, routes and tracks.

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.waypoints.append(gpxpy.gpx.GPXWaypoint(45.13, 10.02, elevation=47.0, name="Duomo"))
    >>> feature = gpx_to_geojson(doc)["features"][0]
    >>> feature["geometry"], feature["properties"]
    ({'type': 'Point', 'coordinates': [10.02, 45.13, 47.0]}, {'kind': 'waypoint', 'name': 'Duomo'})
    """
    features: list[dict[str, Any]] = []
    for waypoint in gpx.waypoints:
        props = _properties(waypoint, "waypoint")
        if waypoint.symbol:
            props["sym"] = waypoint.symbol
        if waypoint.time is not None:
            props["time"] = _iso(waypoint.time)
        geometry = {"type": "Point", "coordinates": _position(waypoint)}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    for route in gpx.routes:
        props = _properties(route, "route")
        if any(p.time for p in route.points):
            props["coordTimes"] = [_iso(p.time) for p in route.points]
        geometry = {"type": "LineString", "coordinates": [_position(p) for p in route.points]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    for track in gpx.tracks:
        props = _properties(track, "track")
        segments = [s.points for s in track.segments if s.points]
        if any(p.time for points in segments for p in points):
            props["coordTimes"] = [[_iso(p.time) for p in points] for points in segments]
        lines = [[_position(p) for p in points] for points in segments]
        geometry = {"type": "MultiLineString", "coordinates": lines}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def geojson_bytes(gpx: gpxpy.gpx.GPX) -> bytes:
    """Serialize :func:`gpx_to_geojson` as compact UTF-8 JSON."""
    return json.dumps(gpx_to_geojson(gpx), ensure_ascii=False, separators=(",", ":")).encode()


def parse_geojson(data: bytes, *, name: str = "<geojson>", max_bytes: int | None = None) -> gpxpy.gpx.GPX:
    """Read GeoJSON into a new GPX document (see the module notes for the mapping).

    Raises
    ------
    InvalidDataError
        If the text is too big, not JSON, not GeoJSON, or holds a bad coordinate.

    Examples
    --------
    >>> doc = parse_geojson(b'{"type": "LineString", "coordinates": [[10.0, 45.1], [10.1, 45.2]]}')
    >>> len(doc.tracks[0].segments[0].points), doc.tracks[0].segments[0].points[1].latitude
    (2, 45.2)
    """
    check_size(len(data), name, max_bytes, error=InvalidDataError)
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        msg = f"{name}: not valid JSON: {exc}"
        raise InvalidDataError(msg) from exc
    gpx = gpxpy.gpx.GPX()
    features = _features(obj, name)
    for number, feature in enumerate(features, start=1):
        where = f"{name}: feature {number}"
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        _add_geometry(gpx, feature.get("geometry"), props, where)
    return gpx


def _features(obj: Any, name: str) -> list[dict[str, Any]]:
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "FeatureCollection" and isinstance(obj.get("features"), list):
        return [f for f in obj["features"] if isinstance(f, dict)]
    if kind == "Feature":
        return [obj]
    if (isinstance(kind, str) and "coordinates" in obj) or kind == "GeometryCollection":
        return [{"type": "Feature", "geometry": obj, "properties": {}}]
    msg = f"{name}: not GeoJSON (top-level type {kind!r})"
    raise InvalidDataError(msg)


def _add_geometry(gpx: gpxpy.gpx.GPX, geometry: Any, props: dict[str, Any], where: str) -> None:
    if not isinstance(geometry, dict):
        return
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            _add_geometry(gpx, part, props, where)
    elif kind == "Point":
        gpx.waypoints.append(_point(gpxpy.gpx.GPXWaypoint, coords, props.get("time"), where))
        _describe(gpx.waypoints[-1], props)
        gpx.waypoints[-1].symbol = _text(props.get("sym"))
    elif kind == "MultiPoint":
        for position in _list(coords, where):
            gpx.waypoints.append(_point(gpxpy.gpx.GPXWaypoint, position, None, where))
    elif kind in ("LineString", "MultiLineString"):
        lines = [coords] if kind == "LineString" else _list(coords, where)
        times = props.get("coordTimes")
        if kind == "LineString" or (isinstance(times, list) and times and isinstance(times[0], str)):
            times = [times]
        if props.get("kind") == "route":
            for line, line_times in zip(lines, _padded(times, len(lines)), strict=True):
                route = gpxpy.gpx.GPXRoute()
                _describe(route, props)
                route.points = _points(gpxpy.gpx.GPXRoutePoint, line, line_times, where)
                gpx.routes.append(route)
            return
        track = gpxpy.gpx.GPXTrack()
        _describe(track, props)
        for line, line_times in zip(lines, _padded(times, len(lines)), strict=True):
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points = _points(gpxpy.gpx.GPXTrackPoint, line, line_times, where)
            track.segments.append(segment)
        gpx.tracks.append(track)
    else:
        logger.info("%s: %s geometry skipped (not a point or a line)", where, kind)


def _describe(obj: Any, props: dict[str, Any]) -> None:
    obj.name = _text(props.get("name"))
    obj.description = _text(props.get("desc") or props.get("description"))
    obj.type = _text(props.get("type"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        msg = f"{where}: coordinates must be a list, got {type(value).__name__}"
        raise InvalidDataError(msg)
    return value


def _padded(times: Any, count: int) -> list[Any]:
    times = times if isinstance(times, list) else []
    return [*times[:count], *[None] * (count - len(times[:count]))]


def _points(cls: Any, line: Any, times: Any, where: str) -> list[Any]:
    positions = _list(line, where)
    stamps = times if isinstance(times, list) else []
    return [
        _point(cls, position, stamps[i] if i < len(stamps) else None, where) for i, position in enumerate(positions)
    ]


def _point(cls: Any, position: Any, time: Any, where: str) -> Any:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:3])
    ):
        msg = f"{where}: bad position {str(position)[:60]}"
        raise InvalidDataError(msg)
    lon, lat = float(position[0]), float(position[1])
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"{where}: position {str(position)[:60]} is not a WGS84 [lon, lat]"
        raise InvalidDataError(msg)
    elevation = float(position[2]) if len(position) > 2 else None
    return cls(lat, lon, elevation=elevation, time=_time(time, where))


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"{where}: bad time {str(value)[:40]!r}"
        raise InvalidDataError(msg) from exc


def parse_area(data: bytes, *, name: str = "<geojson>", max_bytes: int | None = None) -> BaseGeometry:
    """Read the polygons of a GeoJSON document as one lon/lat area (e.g. for cropping).

    Raises
    ------
    InvalidDataError
        If the text is not GeoJSON or holds no valid polygon.

    Examples
    --------
    >>> square = b'{"type": "Polygon", "coordinates": [[[10, 45], [10.1, 45], [10.1, 45.1], [10, 45]]]}'
    >>> parse_area(square).bounds
    (10.0, 45.0, 10.1, 45.1)
    """
    check_size(len(data), name, max_bytes, error=InvalidDataError)
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        msg = f"{name}: not valid JSON: {exc}"
        raise InvalidDataError(msg) from exc
    polygons = []
    for number, feature in enumerate(_features(obj, name), start=1):
        try:
            geometry = shape(feature["geometry"])
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            msg = f"{name}: feature {number}: bad geometry ({exc})"
            raise InvalidDataError(msg) from exc
        if geometry.geom_type in ("Polygon", "MultiPolygon") and not geometry.is_empty:
            if not geometry.is_valid:
                msg = f"{name}: feature {number}: invalid polygon ({shapely.is_valid_reason(geometry)})"
                raise InvalidDataError(msg)
            polygons.append(geometry)
    if not polygons:
        msg = f"{name}: no polygon to use as an area"
        raise InvalidDataError(msg)
    return shapely.union_all(polygons)
