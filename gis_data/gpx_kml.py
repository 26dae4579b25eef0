"""Convert GPX documents to KML 2.2 and back, with lxml.

Writing: one ``Document`` holding a ``Placemark`` per waypoint (``Point``),
per route (``LineString``) and per track (``MultiGeometry`` of one
``LineString`` per segment); an ``ExtendedData`` item ``kind`` says which
GPX element it was. Coordinates are ``lon,lat[,ele]``. KML lines have no
times, so times are not written (convert to GeoJSON to keep them).

Reading (with the hardened parser of :mod:`gis_data.safe_xml`): every
``Placemark`` at any depth; ``Point`` → waypoint, ``LineString`` → track
(route when ``kind`` is ``route``), ``gx:Track`` → track with its times,
``MultiGeometry`` and ``gx:MultiTrack`` → segments. Polygons are skipped.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

import gpxpy.gpx
from lxml import etree

from gis_data.errors import InvalidDataError
from gis_data.safe_xml import check_size
from gis_data.safe_xml import local_name
from gis_data.safe_xml import namespace_of
from gis_data.safe_xml import parse_tree

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gis_data.gpx_model import AnyPoint

logger = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"
KML_NAMESPACES = frozenset(
    {
        KML_NS,
        "http://earth.google.com/kml/2.0",
        "http://earth.google.com/kml/2.1",
        "http://earth.google.com/kml/2.2",
    }
)


def _el(parent: Any, tag: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{KML_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _number(value: float) -> str:
    """Write a float without exponent (KML readers differ on ``1e-05``).

    Examples
    --------
    >>> _number(10.02), _number(0.00001), _number(-3.0)
    ('10.02', '0.00001', '-3.0')
    """
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text


def _coordinates(points: Iterable[AnyPoint]) -> str:
    return " ".join(
        f"{_number(p.longitude)},{_number(p.latitude)}"
        + (f",{_number(p.elevation)}" if p.elevation is not None else "")
        for p in points
    )


def _placemark(parent: Any, obj: Any, kind: str) -> Any:
    placemark = _el(parent, "Placemark")
    if obj.name:
        _el(placemark, "name", obj.name)
    if obj.description:
        _el(placemark, "description", obj.description)
    data = _el(_el(placemark, "ExtendedData"), "Data")
    data.set("name", "kind")
    _el(data, "value", kind)
    return placemark


def gpx_to_kml(gpx: gpxpy.gpx.GPX) -> bytes:
    """Return the document as KML 2.2 (UTF-8 bytes with an XML declaration).

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.waypoints.append(gpxpy.gpx.GPXWaypoint(45.13, 10.02, name="Duomo & Torrazzo"))
    >>> b"<coordinates>10.02,45.13</coordinates>" in gpx_to_kml(doc)
    True
    """
    root = etree.Element(f"{{{KML_NS}}}kml", nsmap={None: KML_NS})
    document = _el(root, "Document")
    if gpx.name:
        _el(document, "name", gpx.name)
    if gpx.description:
        _el(document, "description", gpx.description)
    for waypoint in gpx.waypoints:
        placemark = _placemark(document, waypoint, "waypoint")
        _el(_el(placemark, "Point"), "coordinates", _coordinates([waypoint]))
    for route in gpx.routes:
        line = _el(_placemark(document, route, "route"), "LineString")
        _el(line, "tessellate", "1")
        _el(line, "coordinates", _coordinates(route.points))
    for track in gpx.tracks:
        multi = _el(_placemark(document, track, "track"), "MultiGeometry")
        for segment in track.segments:
            if segment.points:
                line = _el(multi, "LineString")
                _el(line, "tessellate", "1")
                _el(line, "coordinates", _coordinates(segment.points))
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def parse_kml(data: bytes, *, name: str = "<kml>", max_bytes: int | None = None) -> gpxpy.gpx.GPX:
    """Read KML into a new GPX document (see the module notes for the mapping).

    Raises
    ------
    InvalidDataError
        If the document is too big, hostile, malformed, not KML, or holds a bad
        coordinate; the message names the line.

    Examples
    --------
    >>> kml = (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>Po</name>'
    ...        b'<LineString><coordinates>10.0,45.1 10.1,45.2,30</coordinates></LineString>'
    ...        b'</Placemark></kml>')
    >>> track = parse_kml(kml).tracks[0]
    >>> track.name, [p.elevation for p in track.segments[0].points]
    ('Po', [None, 30.0])
    """
    check_size(len(data), name, max_bytes, error=InvalidDataError)
    root = parse_tree(data, name, error=InvalidDataError)
    ns = namespace_of(root.tag)
    if local_name(root.tag) != "kml" or (ns is not None and ns not in KML_NAMESPACES):
        msg = f"{name}: line {root.sourceline}: not KML: the root element is <{root.tag}>"
        raise InvalidDataError(msg)
    gpx = gpxpy.gpx.GPX()
    document = _child(root, "Document")
    if document is not None:
        gpx.name = _child_text(document, "name")
        gpx.description = _child_text(document, "description")
    for placemark in root.iter("{*}Placemark"):
        _read_placemark(gpx, placemark, name)
    return gpx


def _child(element: Any, tag: str) -> Any:
    return next((c for c in element if isinstance(c.tag, str) and local_name(c.tag) == tag), None)


def _child_text(element: Any, tag: str) -> str | None:
    child = _child(element, tag)
    return None if child is None or child.text is None else str(child.text).strip()


def _kind(placemark: Any) -> str | None:
    for data in placemark.iter("{*}Data"):
        if data.get("name") == "kind":
            return _child_text(data, "value")
    return None


def _read_placemark(gpx: gpxpy.gpx.GPX, placemark: Any, name: str) -> None:
    title = _child_text(placemark, "name")
    description = _child_text(placemark, "description")
    kind = _kind(placemark)
    segments: list[list[gpxpy.gpx.GPXTrackPoint]] = []
    for geometry in placemark.iter("{*}Point", "{*}LineString", "{*}Track", "{*}Polygon"):
        tag = local_name(geometry.tag)
        if tag == "Point":
            for lat, lon, ele in _parse_coordinates(geometry, name):
                gpx.waypoints.append(
                    gpxpy.gpx.GPXWaypoint(lat, lon, elevation=ele, name=title, description=description)
                )
        elif tag == "LineString":
            coords = _parse_coordinates(geometry, name)
            if kind == "route":
                route = gpxpy.gpx.GPXRoute(name=title, description=description)
                route.points = [gpxpy.gpx.GPXRoutePoint(a, b, elevation=c) for a, b, c in coords]
                gpx.routes.append(route)
            else:
                segments.append([gpxpy.gpx.GPXTrackPoint(a, b, elevation=c) for a, b, c in coords])
        elif tag == "Track" and namespace_of(geometry.tag) in (GX_NS, KML_NS):
            segments.append(_gx_track(geometry, name))
        elif tag == "Polygon":
            logger.info("%s: line %s: polygon skipped", name, geometry.sourceline)
    if segments:
        track = gpxpy.gpx.GPXTrack(name=title, description=description)
        for points in segments:
            segment = gpxpy.gpx.GPXTrackSegment()
            segment.points = points
            track.segments.append(segment)
        gpx.tracks.append(track)


def _checked(lat: float, lon: float, element: Any, name: str) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"{name}: line {element.sourceline}: ({lon}, {lat}) is not a WGS84 lon,lat"
        raise InvalidDataError(msg)


def _parse_coordinates(geometry: Any, name: str) -> list[tuple[float, float, float | None]]:
    node = _child(geometry, "coordinates")
    text = "" if node is None or node.text is None else str(node.text)
    result = []
    for chunk in text.split():
        parts = chunk.split(",")
        try:
            values = [float(v) for v in parts if v != ""]
        except ValueError:
            values = []
        if len(values) < 2:
            msg = f"{name}: line {node.sourceline}: bad KML coordinate {chunk[:40]!r}"
            raise InvalidDataError(msg)
        lon, lat = values[0], values[1]
        _checked(lat, lon, node, name)
        result.append((lat, lon, values[2] if len(values) > 2 else None))
    return result


def _gx_track(track: Any, name: str) -> list[gpxpy.gpx.GPXTrackPoint]:
    whens = [c for c in track if isinstance(c.tag, str) and local_name(c.tag) == "when"]
    coords = [c for c in track if isinstance(c.tag, str) and local_name(c.tag) == "coord"]
    points = []
    for index, coord in enumerate(coords):
        try:
            values = [float(v) for v in str(coord.text or "").split()]
        except ValueError:
            values = []
        if len(values) < 2:
            msg = f"{name}: line {coord.sourceline}: bad gx:coord {str(coord.text)[:40]!r}"
            raise InvalidDataError(msg)
        _checked(values[1], values[0], coord, name)
        time = None
        if index < len(whens) and whens[index].text:
            stamp = str(whens[index].text).strip().replace("Z", "+00:00")
            try:
                time = datetime.fromisoformat(stamp)
            except ValueError as exc:
                msg = f"{name}: line {whens[index].sourceline}: bad time {stamp[:40]!r}"
                raise InvalidDataError(msg) from exc
        elevation = values[2] if len(values) > 2 else None
        points.append(gpxpy.gpx.GPXTrackPoint(values[1], values[0], elevation=elevation, time=time))
    return points
