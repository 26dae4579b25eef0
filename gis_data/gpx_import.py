"""Import GPX 1.0 and 1.1 documents from untrusted sources into gpxpy objects.

The document is walked with the hardened lxml parser of :mod:`gis_data.safe_xml`
(size limit, no DTD, no entities, no network, time budget), a chunk at a time.
Track and route points, the bulk of any file, are taken out of their segment
or route after each chunk, built in batches by :mod:`gis_data.gpx_points`
(or one by one from the element when a batch is not plain), and their
elements freed, so the tree never holds more than a chunk of points; anything unusual (a point with ``name``,
``sat``, ``hdop``...) and every header, waypoint and extension goes through
gpxpy's own field readers, so the model is exactly the one ``gpxpy.parse``
builds. Extensions are kept, with their namespaces, for GPX 1.0 too
(foreign elements inside a 1.0 point become its extensions).
"""

from __future__ import annotations

import copy
import logging
import math
from array import array
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import gpxpy.gpx
from gpxpy import gpxfield

from gis_data.collector import collector_paused
from gis_data.errors import InvalidGPXError
from gis_data.gpx_issues import Findings
from gis_data.gpx_issues import GPXIssue
from gis_data.gpx_issues import Level
from gis_data.gpx_points import UTC_Z
from gis_data.gpx_points import all_in_range
from gis_data.gpx_points import read_points
from gis_data.safe_xml import BROKEN
from gis_data.safe_xml import CLOCK_EVERY
from gis_data.safe_xml import FED
from gis_data.safe_xml import check_size
from gis_data.safe_xml import iter_events
from gis_data.safe_xml import local_name
from gis_data.safe_xml import namespace_of
from gis_data.safe_xml import read_source
from gis_data.safe_xml import start_deadline

if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping
    from pathlib import Path

    from gis_data.safe_xml import Deadline

logger = logging.getLogger(__name__)

GPX_NAMESPACES: dict[str, str] = {
    "http://www.topografix.com/GPX/1/0": "1.0",
    "http://www.topografix.com/GPX/1/1": "1.1",
}
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_SCHEMA_LOCATION = f"{{{XSI}}}schemaLocation"
#: The elements the importer is told about; points are taken from their open segment or route.
WALKED_TAGS = tuple(f"{{*}}{tag}" for tag in ("gpx", "wpt", "rte", "trk", "trkseg"))


@dataclass(frozen=True, slots=True)
class LoadedGPX:
    """A parsed document with what the importer noticed and where its points were.

    ``lines`` maps a container (``"trk[1]/trkseg[2]"``, ``"rte[1]"`` or
    ``"wpt"``) to the source line of each of its points, in order;
    ``container_lines`` gives the line of each track, segment and route.
    """

    gpx: gpxpy.gpx.GPX
    version: str
    issues: tuple[GPXIssue, ...]
    lines: Mapping[str, array[int]]
    container_lines: Mapping[str, int]

    def line_of(self, container: str, index: int) -> int | None:
        """Return the source line of point ``index`` (0-based) of ``container``."""
        lines = self.lines.get(container)
        return int(lines[index]) if lines is not None and 0 <= index < len(lines) else None


def read_gpx(path: Path, *, max_bytes: int | None = None, time_budget_s: float | None = None) -> gpxpy.gpx.GPX:
    """Read a GPX file safely; see :func:`parse_gpx`.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidGPXError
        If the file is too big, too slow, hostile, malformed or not GPX.
    """
    data = read_source(path, max_bytes=max_bytes)
    return parse_gpx(data, name=str(path), max_bytes=max_bytes, time_budget_s=time_budget_s)


def parse_gpx(
    data: bytes,
    *,
    name: str = "<gpx>",
    max_bytes: int | None = None,
    time_budget_s: float | None = None,
) -> gpxpy.gpx.GPX:
    """Parse an untrusted GPX 1.0 or 1.1 document into a new gpxpy object.

    Parameters
    ----------
    data
        The document's bytes (any encoding XML allows; a BOM is fine).
    name
        How to call the document in error messages, e.g. its file name.
    max_bytes, time_budget_s
        Limits; defaults ``gis_data.settings.gpx_max_bytes`` and
        ``gis_data.settings.gpx_time_budget_s``.

    Returns
    -------
    gpxpy.gpx.GPX
        Tracks, routes, waypoints, metadata and extensions.

    Raises
    ------
    InvalidGPXError
        If the document is too big or too slow to read, declares a DOCTYPE, is
        not well-formed XML, is not GPX, or holds a bad coordinate or number
        (a latitude or longitude out of range, NaN or infinite; an elevation
        NaN or infinite); the message names the document and the line.

    Examples
    --------
    >>> doc = parse_gpx(b'<gpx version="1.1"><wpt lat="45.13" lon="10.02"/></gpx>')
    >>> doc.version, doc.waypoints[0].latitude
    ('1.1', 45.13)
    >>> parse_gpx(b'<gpx version="1.1"><wpt lat="nan" lon="10.02"/></gpx>', name="a.gpx")
    Traceback (most recent call last):
    ...
    gis_data.errors.InvalidGPXError: a.gpx: line 1: wpt[1]: latitude nan is out of range [-90, 90]
    """
    loaded = inspect_gpx(data, name=name, max_bytes=max_bytes, time_budget_s=time_budget_s)
    check_values(loaded, name)
    return loaded.gpx


def check_values(loaded: LoadedGPX, name: str) -> None:
    """Refuse a document with a latitude or longitude out of range, or a NaN or infinite elevation.

    :func:`inspect_gpx` keeps such points so that ``gpx validate`` can list
    every one; everything else must not compute distances from NaN.

    Raises
    ------
    InvalidGPXError
        Naming the document, the line and the first bad point.
    """
    gpx = loaded.gpx
    groups: list[tuple[str, str, list[Any]]] = [("wpt", "wpt", gpx.waypoints)]
    groups += [(f"rte[{r}]", "rtept", route.points) for r, route in enumerate(gpx.routes, start=1)]
    groups += [
        (f"trk[{t}]/trkseg[{s}]", "trkpt", segment.points)
        for t, track in enumerate(gpx.tracks, start=1)
        for s, segment in enumerate(track.segments, start=1)
    ]
    for container, tag, points in groups:
        if all(all_in_range(points[i : i + 65536]) for i in range(0, len(points), 65536)):
            continue
        for index, point in enumerate(points):
            lat, lon, ele = point.latitude, point.longitude, point.elevation
            if -90 <= lat <= 90 and -180 <= lon <= 180 and (ele is None or math.isfinite(ele)):
                continue  # NaN fails every comparison, so it never gets here
            if not -90 <= lat <= 90:
                problem = f"latitude {lat:g} is out of range [-90, 90]"
            elif not -180 <= lon <= 180:
                problem = f"longitude {lon:g} is out of range [-180, 180]"
            else:
                problem = f"elevation {ele:g} is not a finite number"
            where = f"{tag}[{index + 1}]" if container == "wpt" else f"{container}/{tag}[{index + 1}]"
            line = loaded.line_of(container, index)
            at = f"line {line}: " if line else ""
            msg = f"{name}: {at}{where}: {problem}"
            raise InvalidGPXError(msg)


def inspect_gpx(
    data: bytes,
    *,
    name: str = "<gpx>",
    max_bytes: int | None = None,
    time_budget_s: float | None = None,
) -> LoadedGPX:
    """Parse like :func:`parse_gpx`, also returning the importer's findings and source lines.

    Examples
    --------
    >>> loaded = inspect_gpx(b'<gpx><trk><trkseg><trkpt lat="1" lon="2"/></trkseg></trk></gpx>')
    >>> loaded.version, loaded.line_of("trk[1]/trkseg[1]", 0), loaded.issues[0].message
    ('1.1', 1, 'no version attribute nor GPX namespace: read as GPX 1.1 and 1.0')
    """
    check_size(len(data), name, max_bytes)
    builder = walk_gpx(DocumentBuilder, data, name, start_deadline(name, time_budget_s))
    if builder.gpx is None:  # pragma: no cover - lxml raises before an empty walk
        msg = f"{name}: empty document (no XML element)"
        raise InvalidGPXError(msg)
    logger.debug("%s: GPX %s read", name, builder.version)
    return LoadedGPX(
        builder.gpx,
        builder.version,
        builder.findings.result(),
        builder.lines,
        builder.container_lines,
    )


def parse_time(text: str) -> datetime | None:
    """Read a GPX time as gpxpy does (``None`` if invalid), fast for the usual UTC form.

    Examples
    --------
    >>> parse_time("2024-05-01T08:00:00Z").isoformat()
    '2024-05-01T08:00:00+00:00'
    >>> parse_time("2015-12-11T15:43:13.000+01:00").hour, parse_time("yesterday")
    (15, None)
    """
    if len(text) == 20 and text[19] == "Z" and text[10] == "T" and text[4] == text[7] == "-":
        try:
            return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC_Z)
        except ValueError:
            pass
    result: datetime | None = gpxfield.TIME_TYPE.from_string(text)
    return result


Built = TypeVar("Built", bound="DocumentBuilder")


def walk_gpx(make: Callable[[str, Deadline], Built], data: bytes, name: str, deadline: Deadline) -> Built:
    """Feed a document's events to a new builder; return it once the document is read.

    Indentation is dropped while parsing (see :func:`iter_events`). When the
    document turns out to be broken, it is read again with its indentation
    kept: only then can the builder tell whether the last point before the
    syntax error was finished, so that a problem of that point, which comes
    first in the document, is the one reported. Both readings share the
    deadline.
    """
    for keep_blank_text in (False, True):
        builder = make(name, deadline)
        try:
            with collector_paused():
                for event, element in iter_events(data, name, tags=WALKED_TAGS, keep_blank_text=keep_blank_text):
                    builder.handle(event, element)
        except InvalidGPXError:
            if keep_blank_text or not builder.broken:
                raise
        else:
            return builder
    raise AssertionError  # pragma: no cover - the second reading returns or raises


class DocumentBuilder:
    """Turns the event stream of one GPX document into a gpxpy object."""

    def __init__(self, name: str, deadline: Deadline) -> None:
        self.name = name
        self.deadline = deadline
        self.findings = Findings()
        self.lines: dict[str, array[int]] = {}
        self.container_lines: dict[str, int] = {}
        self.gpx: gpxpy.gpx.GPX | None = None
        self.version = "1.1"
        self.unversioned = False
        self.ns = ""
        self.prefix = ""
        self.uris: dict[str, str | None] = {}
        self.root: Any = None
        self.trk: Any = None
        self.seg: Any = None
        self.rte: Any = None
        self.container = ""
        self.tracks: list[gpxpy.gpx.GPXTrack] = []
        self.segments: list[gpxpy.gpx.GPXTrackSegment] = []
        self.routes: list[gpxpy.gpx.GPXRoute] = []
        self.waypoints: list[gpxpy.gpx.GPXWaypoint] = []
        self.points: list[Any] = []
        self.kept = 0  # the open segment's or route's first children that are not points
        self.count = 0
        self.last_line: int | None = None
        self.broken = False  # the parser met a syntax error

    def fail(self, element: Any, problem: str) -> InvalidGPXError:
        """Return the error for a problem of an element, naming the document and the element's line."""
        line = getattr(element, "sourceline", None)
        where = f"line {line}: " if line else ""
        return InvalidGPXError(f"{self.name}: {where}{problem}")

    def handle(self, event: str, element: Any) -> None:
        """Take one parse event (or the FED/BROKEN pseudo-event after a chunk) of :func:`iter_events`."""
        if event in (FED, BROKEN):
            self.broken = self.broken or event == BROKEN
            if self.root is not None:
                self.drain(closed=event == BROKEN and self.last_child_ended())
                self.deadline.check(self.last_line)
            return
        self.last_line = element.sourceline
        if self.root is None:
            self.open_root(element)
            if event == "start":
                return
        parent = element.getparent()
        tag = element.tag
        p = self.prefix
        if event == "start":
            if parent is self.root and tag == p + "trk":
                self.trk, self.segments = element, []
                self.container = f"trk[{len(self.tracks) + 1}]"
            elif parent is self.root and tag == p + "rte":
                self.rte, self.points = element, []
                self.container = f"rte[{len(self.routes) + 1}]"
                self.lines[self.container] = array("l")
            elif tag == p + "trkseg" and self.trk is not None and parent is self.trk:
                self.seg, self.points = element, []
                self.container = f"trk[{len(self.tracks) + 1}]/trkseg[{len(self.segments) + 1}]"
                self.lines[self.container] = array("l")
            else:
                return
            self.kept = 0
            self.container_lines[self.container] = element.sourceline or 0
            return
        self.count += 1
        if self.count % CLOCK_EVERY == 0:
            self.deadline.check(element.sourceline)
        if tag == p + "wpt" and parent is self.root:
            self.lines.setdefault("wpt", array("l")).append(element.sourceline or 0)
            self.waypoints.append(self.gpxpy_object(gpxpy.gpx.GPXWaypoint, element))
        elif element is self.seg:
            self.drain(closed=True)
            segment = self.gpxpy_object(gpxpy.gpx.GPXTrackSegment, element)
            segment.points, self.points = self.points, []
            self.segments.append(segment)
            self.seg, self.container = None, f"trk[{len(self.tracks) + 1}]"
        elif element is self.trk:
            track = self.gpxpy_object(gpxpy.gpx.GPXTrack, element)
            track.segments = self.segments
            self.tracks.append(track)
            self.trk, self.container = None, ""
        elif element is self.rte:
            self.drain(closed=True)
            route = self.gpxpy_object(gpxpy.gpx.GPXRoute, element)
            route.points, self.points = self.points, []
            self.routes.append(route)
            self.rte, self.container = None, ""
        elif element is self.root:
            self.close_root()
            return
        else:
            return
        parent.remove(element)

    def open_root(self, root: Any) -> None:
        """Read the root element: the GPX version and namespace, and the prefixes of extensions."""
        ns = namespace_of(root.tag)
        if root.getparent() is not None:
            root = root.getroottree().getroot()
            raise self.fail(root, f"not a GPX document: the root element is <{root.tag}>")
        if local_name(root.tag) != "gpx" or (ns is not None and ns not in GPX_NAMESPACES):
            raise self.fail(root, f"not a GPX document: the root element is <{root.tag}>")
        stated = root.get("version")
        by_ns = GPX_NAMESPACES.get(ns or "")
        if stated is not None and stated.strip() not in ("1.0", "1.1"):
            raise self.fail(root, f"unsupported GPX version {stated!r} (only 1.0 and 1.1)")
        if stated is None and by_ns is None:
            self.note("version", root, "no version attribute nor GPX namespace: read as GPX 1.1 and 1.0")
        elif stated is not None and by_ns and stated.strip() != by_ns:
            self.note("version", root, f"version {stated!r} in the GPX {by_ns} namespace")
        self.version = (stated or by_ns or "1.1").strip()
        self.unversioned = stated is None and by_ns is None
        self.ns = ns or ""
        self.prefix = f"{{{ns}}}" if ns else ""
        self.root = root
        for prefix, uri in root.nsmap.items():
            if uri not in GPX_NAMESPACES and uri != XSI:
                self.uris.setdefault(uri, prefix)

    def note(self, kind: str, element: Any, message: str, level: Level = "warning") -> None:
        """Record a finding about an element of the open container."""
        issue = GPXIssue(level, self.container or "gpx", message, element.sourceline)
        self.findings.add(kind, issue)

    def last_child_ended(self) -> bool:
        """Say whether the open container's last child was closed: only then has it a tail."""
        container = self.seg if self.seg is not None else self.rte
        return container is not None and len(container) > 0 and container[-1].tail is not None

    def drain(self, *, closed: bool) -> None:
        """Read the finished points of the open segment or route, then free their elements."""
        container = self.seg if self.seg is not None else self.rte
        if container is None:
            return
        # The last child of an open element may be unfinished, and the parser may still add to it.
        end = len(container) - (0 if closed else 1)
        if end <= self.kept:
            return
        elements = container[self.kept : end]
        on_track = container is self.seg
        cls = gpxpy.gpx.GPXTrackPoint if on_track else gpxpy.gpx.GPXRoutePoint
        p = self.prefix
        tag = p + ("trkpt" if on_track else "rtept")
        points = read_points(elements, cls, point_tag=tag, ele_tag=p + "ele", time_tag=p + "time")
        if points is not None:
            self.lines[self.container].extend([e.sourceline or 0 for e in elements])
            self.points += points
            self.count += len(points)
            del container[self.kept : end]
        else:
            for element in elements:
                self.count += 1
                if self.count % CLOCK_EVERY == 0:
                    self.deadline.check(element.sourceline)
                if element.tag == tag:
                    self.add_point(element, on_track)
                    container.remove(element)
                else:
                    self.kept += 1
        self.last_line = elements[-1].sourceline

    def add_point(self, element: Any, on_track: bool) -> None:
        """Read one track or route point element into the open segment or route."""
        self.lines[self.container].append(element.sourceline or 0)
        cls = gpxpy.gpx.GPXTrackPoint if on_track else gpxpy.gpx.GPXRoutePoint
        point = self.fast_point(element, cls, on_track)
        if point is None:
            point = self.gpxpy_object(cls, element)
            if self.version == "1.0":
                # GPX 1.0 allows foreign elements in a point; gpxpy would drop them.
                foreign = [c for c in element if namespace_of(c.tag) not in (None, self.ns)]
                point.extensions = [self.extension(c) for c in foreign]
        self.points.append(point)
        element.clear(keep_tail=False)

    def fast_point(self, element: Any, cls: Any, on_track: bool) -> Any:
        """Build the common point (ele, time, speed, extensions) directly; else ``None``."""
        lat, lon = element.get("lat"), element.get("lon")
        try:
            point = cls(float(lat), float(lon))
        except (TypeError, ValueError):
            where = f"{self.container}/{local_name(element.tag)}[{len(self.points) + 1}]"
            problem = f"{where} needs numeric lat and lon, got lat={lat!r} lon={lon!r}"
            raise self.fail(element, problem) from None
        p = self.prefix
        for child in element:
            tag = child.tag
            if tag == p + "ele":
                point.elevation = self.number(child)
            elif tag == p + "time":
                text = child.text
                point.time = parse_time(text) if text else None
                if text and point.time is None:
                    self.note("time", child, f"invalid time {text.strip()[:40]!r} ignored")
            elif on_track and tag in (p + "speed", p + "course"):
                setattr(point, local_name(tag), self.number(child))
            elif tag == p + "extensions":
                point.extensions.extend(self.extension(sub) for sub in child)
            elif self.version == "1.0" and namespace_of(tag) not in (None, self.ns):
                point.extensions.append(self.extension(child))
            else:
                return None
        return point

    def number(self, element: Any) -> float | None:
        """Return an element's text as a number (``None`` if empty), or raise naming it."""
        text = element.text
        if text is None:
            return None
        try:
            return float(text.strip())
        except ValueError:
            problem = f"<{local_name(element.tag)}> is not a number: {text.strip()[:40]!r}"
            raise self.fail(element, problem) from None

    def extension(self, element: Any) -> Any:
        """Return a copy of an extension element, without the GPX namespace (see :meth:`strip_namespace`)."""
        return self.strip_namespace(copy.deepcopy(element))

    def strip_namespace(self, element: Any) -> Any:
        """Drop the GPX namespace from a subtree (gpxpy reads bare tags); note other ones."""
        gpx_prefix = self.prefix
        for count, node in enumerate(element.iter(), start=1):
            if count % CLOCK_EVERY == 0:
                self.deadline.check(node.sourceline)
            tag = node.tag
            if not isinstance(tag, str) or not tag.startswith("{"):
                continue
            if gpx_prefix and tag.startswith(gpx_prefix):
                node.tag = tag[len(gpx_prefix) :]
                continue
            uri = tag[1:].partition("}")[0]
            if uri not in self.uris and uri != XSI:
                self.uris[uri] = node.prefix
            for attribute in node.attrib:
                attr_uri = namespace_of(attribute)
                if attr_uri and attr_uri not in self.uris:
                    self.uris[attr_uri] = None
        return element

    def gpxpy_object(self, cls: Any, element: Any) -> Any:
        """Build one object with gpxpy's own field readers, on a bare-tag copy."""
        bare = self.strip_namespace(copy.deepcopy(element))
        try:
            built = gpxfield.gpx_fields_from_xml(cls, bare, self.version)
            if self.unversioned:
                # Without a version the fields of either one may be present: take both.
                old = gpxfield.gpx_fields_from_xml(cls, bare, "1.0")
                for slot in cls.__slots__:
                    if not getattr(built, slot) and getattr(old, slot):
                        setattr(built, slot, getattr(old, slot))
        except (gpxpy.gpx.GPXException, ValueError, TypeError) as exc:
            problem = f"<{local_name(element.tag)}>: {exc}"
            raise self.fail(element, problem) from exc
        return built

    def close_root(self) -> None:
        """Finish the document: the gpxpy object with its tracks, routes, waypoints, version and namespaces."""
        self.deadline.check(self.root.sourceline)
        gpx = self.gpxpy_object(gpxpy.gpx.GPX, self.root)
        gpx.tracks, gpx.routes, gpx.waypoints = self.tracks, self.routes, self.waypoints
        gpx.version = self.version
        gpx.nsmap = self.namespace_map()
        gpx.schema_locations = (self.root.get(XSI_SCHEMA_LOCATION) or "").split()
        self.gpx = gpx

    def namespace_map(self) -> dict[str, str]:
        """Give every extension namespace a distinct prefix, as gpxpy writes ``prefix:tag``."""
        nsmap: dict[str, str] = {}
        reserved = {"defaultns", "xsi", "xml"}
        for uri, prefix in self.uris.items():
            name = prefix
            n = 0
            while not name or name in reserved or name in nsmap:
                n += 1
                name = f"ext{n}"
            nsmap[name] = uri
        return nsmap
