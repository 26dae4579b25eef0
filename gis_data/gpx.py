"""Write planned routes as GPX 1.1 and check GPX documents against the XML Schema.

The GPX document is built with gpxpy: one ``trk`` with one ``trkseg`` holding
every vertex of the route, a ``wpt`` for the start, each via point and the end
(``type`` ``start``/``via``/``end``), and ``metadata`` carrying the OpenStreetMap
copyright and attribution that the ODbL asks of derived data. gpxpy writes the
elements in the order the GPX 1.1 schema requires; ``tests/test_gis_data_gpx.py``
validates its output against the TopoGrafix XSD.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import gpxpy.gpx
from lxml import etree  # no lxml-stubs in the lint group

from gis_data import settings
from gis_data.gpx_write import gpx_bytes

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path

logger = logging.getLogger(__name__)

LatLon = tuple[float, float]

CREATOR = "cremona-bike"
OSM_COPYRIGHT_AUTHOR = "OpenStreetMap contributors"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"


def gpx_latlon(point: LatLon) -> LatLon:
    """Return ``(lat, lon)`` as GPX writes it: 7 decimals (about 1 cm), longitude < 180.

    Raises
    ------
    ValueError
        If the point is not a finite latitude in [-90, 90] and longitude in [-180, 180].

    Examples
    --------
    >>> gpx_latlon((45.142845826502594, 10))
    (45.1428458, 10.0)
    >>> gpx_latlon((0, 180))
    (0.0, -180.0)
    """
    lat, lon = round(float(point[0]), 7), round(float(point[1]), 7)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"Point {point!r} is not a valid (lat, lon) for GPX"
        raise ValueError(msg)
    # The schema's longitude range is [-180, 180): write the antimeridian as -180.
    return lat, -180.0 if lon == 180 else lon


def waypoint_types(count: int) -> list[str]:
    """Return the GPX ``type`` of each of ``count`` route stops: start, via..., end.

    Examples
    --------
    >>> waypoint_types(3)
    ['start', 'via', 'end']
    >>> waypoint_types(1)
    ['start']
    """
    return ["start" if i == 0 else "end" if i == count - 1 else "via" for i in range(count)]


def route_to_gpx(
    track: Sequence[LatLon],
    waypoints: Sequence[tuple[str, LatLon]],
    *,
    name: str,
    description: str | None = None,
    time: datetime | None = None,
    cues: Sequence[tuple[str, LatLon]] = (),
) -> gpxpy.gpx.GPX:
    """Build a GPX 1.1 document of a route: one track, its stops and OSM attribution.

    Parameters
    ----------
    track
        The route geometry as ``(lat, lon)`` points, in riding order. Points are
        written to 7 decimals (about 1 cm).
    waypoints
        ``(name, (lat, lon))`` of the stops: the first is typed ``start``, the
        last ``end`` and any others ``via``.
    name
        Name of the document and of the track.
    description
        Free text for ``metadata/desc`` and the track's ``desc``.
    time
        Creation time for ``metadata/time``; it also gives the copyright year.
        Left out when ``None``, so the output is reproducible.
    cues
        Turn instructions ``(text, (lat, lon))``, written after the stops as
        waypoints of ``type`` ``cue`` (so reading the stops back ignores them).

    Returns
    -------
    gpxpy.gpx.GPX
        A new document; write it with :func:`gpx_to_xml`.

    Raises
    ------
    ValueError
        If a point is not a finite latitude in [-90, 90] and longitude in [-180, 180].

    Examples
    --------
    >>> doc = route_to_gpx([(45.13, 10.02), (45.14, 10.01)], [("A", (45.13, 10.02))], name="r")
    >>> len(doc.tracks[0].segments[0].points), doc.waypoints[0].type
    (2, 'start')
    >>> doc.copyright_license
    'https://opendatacommons.org/licenses/odbl/1-0/'
    """
    gpx = gpxpy.gpx.GPX()
    gpx.creator = CREATOR
    gpx.name = name
    gpx.description = description
    gpx.author_name = CREATOR
    gpx.copyright_author = OSM_COPYRIGHT_AUTHOR
    gpx.copyright_license = ODBL_URL
    gpx.link = OSM_COPYRIGHT_URL
    gpx.link_text = settings.attribution
    if time is not None:
        gpx.time = time
        gpx.copyright_year = str(time.year)

    for (label, point), kind in zip(waypoints, waypoint_types(len(waypoints)), strict=True):
        lat, lon = gpx_latlon(point)
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(lat, lon, name=label, type=kind))
    for text, point in cues:
        lat, lon = gpx_latlon(point)
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(lat, lon, name=text, type="cue"))

    gpx.tracks.append(_track(name, track, description))
    logger.debug("GPX %r: %d track points, %d waypoints", name, len(track), len(waypoints))
    return gpx


def _track(name: str, points: Sequence[LatLon], description: str | None = None) -> gpxpy.gpx.GPXTrack:
    segment = gpxpy.gpx.GPXTrackSegment()
    for point in points:
        lat, lon = gpx_latlon(point)
        segment.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon))
    trk = gpxpy.gpx.GPXTrack(name=name, description=description)
    trk.source = settings.attribution
    trk.segments.append(segment)
    return trk


def days_to_gpx(
    days: Sequence[tuple[str, Sequence[LatLon]]],
    waypoints: Sequence[tuple[str, LatLon]],
    *,
    name: str,
    description: str | None = None,
    time: datetime | None = None,
) -> gpxpy.gpx.GPX:
    """Build the master GPX of a multi-day trip: one track per day, plus the stops.

    Parameters
    ----------
    days
        ``(track name, (lat, lon) points)`` per day, in order.
    waypoints, name, description, time
        As for :func:`route_to_gpx`.

    Returns
    -------
    gpxpy.gpx.GPX
        A new document.

    Examples
    --------
    >>> doc = days_to_gpx([("Day 1", [(45.1, 10.0), (45.2, 10.0)]), ("Day 2", [(45.2, 10.0), (45.3, 10.1)])],
    ...                   [], name="trip")
    >>> [t.name for t in doc.tracks]
    ['Day 1', 'Day 2']
    """
    gpx = route_to_gpx([], waypoints, name=name, description=description, time=time)
    gpx.tracks = [_track(day, points, description) for day, points in days]
    return gpx


def gpx_to_xml(gpx: gpxpy.gpx.GPX) -> str:
    """Serialize a GPX document as GPX 1.1 XML.

    Examples
    --------
    >>> xml = gpx_to_xml(route_to_gpx([(45.1, 10.0)], [], name="r"))
    >>> 'version="1.1"' in xml and '<trkpt lat="45.1" lon="10.0">' in xml
    True
    """
    return gpx_bytes(gpx).decode("utf-8")


def _safe_parser() -> etree.XMLParser:
    """Return an XML parser that expands no entity and fetches nothing."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def validate_gpx_schema(xml: bytes | str, schema_path: Path) -> list[str]:
    """Validate a GPX document against an XML Schema (e.g. the GPX 1.1 XSD).

    Parameters
    ----------
    xml
        The document, as bytes or text (text is encoded as UTF-8).
    schema_path
        The ``.xsd`` file.

    Returns
    -------
    list of str
        One ``"line N: message"`` per problem; empty when the document is valid.
        A document that is not well-formed XML, or that declares a DOCTYPE, gives
        one message.

    Examples
    --------
    >>> xsd = settings.data_folder / "gpx-schema" / "gpx-1.1.xsd"  # shipped copy
    >>> validate_gpx_schema(gpx_to_xml(route_to_gpx([(45.1, 10.0)], [], name="r")), xsd)
    []
    """
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    schema = etree.XMLSchema(etree.parse(str(schema_path), _safe_parser()))
    try:
        doc = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if doc.getroottree().docinfo.internalDTD is not None:
        # GPX needs no DTD; entities left unexpanded would break validation anyway.
        return ["document type declarations (DOCTYPE) are not allowed in GPX"]
    try:
        if schema.validate(doc):
            return []
    except etree.XMLSchemaValidateError as exc:
        return [f"schema validation failed: {exc}"]
    return [f"line {err.line}: {err.message}" for err in schema.error_log]
