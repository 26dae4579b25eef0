"""Validate GPX documents: the GPX 1.1 XML Schema plus checks of the data itself.

The report is a tuple of :class:`~gis_data.gpx_issues.GPXIssue` rows (level,
location such as ``trk[1]/trkseg[1]/trkpt[57]``, source line, message):

* ``error``: the document is refused by the importer, breaks the schema, has
  a coordinate out of range, or its times go backwards;
* ``warning``: an empty segment or route, a point repeating the previous one,
  a speed above ``max_speed_kmh`` (100 km/h by default: a GPS jump, or a car),
  an elevation no road reaches, and what the importer had to guess;
* ``info``: how many more issues of a kind were left out of the list.

The schema shipped is GPX 1.1 (``gis_data/data/gpx-schema``); GPX 1.0
documents get the data checks only.
"""

from __future__ import annotations

import itertools
import logging
import math
from functools import lru_cache
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from lxml import etree

from gis_data import settings
from gis_data.errors import InvalidGPXError
from gis_data.gpx_geometry import step_lengths_m
from gis_data.gpx_import import inspect_gpx
from gis_data.gpx_issues import Findings
from gis_data.gpx_issues import GPXIssue
from gis_data.gpx_issues import Level
from gis_data.safe_xml import local_name
from gis_data.safe_xml import parse_tree
from gis_data.safe_xml import safe_parser

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path

    from numpy.typing import NDArray

    from gis_data.gpx_import import LoadedGPX
    from gis_data.gpx_model import AnyPoint

logger = logging.getLogger(__name__)

LEVELS = ("error", "warning", "info")
GPX11_NS = "http://www.topografix.com/GPX/1/1"
#: Elevations outside this range, in metres, are reported as implausible.
ELEVATION_RANGE_M = (-450.0, 9000.0)


def default_schema() -> Path:
    """Return the GPX 1.1 XML Schema shipped with the package."""
    return settings.data_folder / "gpx-schema" / "gpx-1.1.xsd"


@lru_cache(maxsize=4)
def _schema(path: Path) -> Any:
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def validate_gpx(
    data: bytes,
    *,
    name: str = "<gpx>",
    schema_path: Path | None = None,
    max_speed_kmh: float = 100.0,
    max_bytes: int | None = None,
    time_budget_s: float | None = None,
) -> tuple[GPXIssue, ...]:
    """Check a GPX document against the GPX 1.1 schema and for implausible data.

    Parameters
    ----------
    data
        The document.
    name
        Its name in the report.
    schema_path
        The XML Schema; default :func:`default_schema`.
    max_speed_kmh
        Speeds between consecutive timed points above this are reported.
    max_bytes, time_budget_s
        Import limits; defaults from :mod:`gis_data.settings`.

    Returns
    -------
    tuple of GPXIssue
        Errors first, then warnings, then notes; empty for a clean document. A
        document the importer refuses gives one error row.

    Examples
    --------
    >>> ok = b'<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="x">'
    >>> validate_gpx(ok + b'<wpt lat="45.1" lon="10.0"/></gpx>')
    ()
    >>> [str(i) for i in validate_gpx(ok + b'<wpt lat="95.1" lon="10.0"/></gpx>')][-1]
    'error wpt[1] (line 1): latitude 95.1 is out of range [-90, 90]'
    """
    try:
        loaded = inspect_gpx(data, name=name, max_bytes=max_bytes, time_budget_s=time_budget_s)
    except InvalidGPXError as exc:
        return (GPXIssue("error", "gpx", str(exc)),)
    findings = Findings()
    for issue in loaded.issues:
        findings.add("import", issue)
    if loaded.version == "1.1":
        _check_schema(data, name, schema_path or default_schema(), findings)
    else:
        note = "GPX 1.0: data checked, schema not (the schema shipped is GPX 1.1)"
        findings.add("schema", GPXIssue("info", "gpx", note))
    _check_data(loaded, findings, max_speed_kmh)
    rank = {level: n for n, level in enumerate(LEVELS)}
    return tuple(sorted(findings.result(), key=lambda i: rank.get(i.level, len(LEVELS))))


def _check_schema(data: bytes, name: str, schema_path: Path, findings: Findings) -> None:
    schema = _schema(schema_path)
    root = parse_tree(data, name)
    if root.tag != f"{{{GPX11_NS}}}gpx":
        message = f"the root element is not in the GPX 1.1 namespace {GPX11_NS}: schema not checked"
        findings.add("schema", GPXIssue("error", "gpx", message, root.sourceline))
        return
    if schema.validate(root):
        return
    tree = root.getroottree()
    for error in schema.error_log:
        found = tree.xpath(error.path) if error.path else []
        location = element_location(found[0]) if found else "gpx"
        message = " ".join(str(error.message).replace(f"{{{GPX11_NS}}}", "").split())
        findings.add(f"schema: {error.type_name}", GPXIssue("error", location, message, error.line))


def element_location(element: Any) -> str:
    """Return where an element sits, as ``trk[1]/trkseg[1]/trkpt[57]`` (1-based, by name).

    Examples
    --------
    >>> root = etree.fromstring(b"<gpx><wpt/><trk><trkseg/><trkseg><trkpt/></trkseg></trk></gpx>")
    >>> element_location(root[1][1][0]), element_location(root)
    ('trk[1]/trkseg[2]/trkpt[1]', 'gpx')
    """
    parts = []
    node = element
    while node.getparent() is not None:
        name = local_name(node.tag)
        index = 1 + sum(1 for sibling in node.itersiblings(preceding=True) if local_name(sibling.tag) == name)
        parts.append(f"{name}[{index}]")
        node = node.getparent()
    return "/".join(reversed(parts)) or "gpx"


def _check_data(loaded: LoadedGPX, findings: Findings, max_speed_kmh: float) -> None:
    gpx = loaded.gpx
    if not (gpx.tracks or gpx.routes or gpx.waypoints):
        findings.add("empty", GPXIssue("warning", "gpx", "no tracks, routes or waypoints"))
    _check_points(loaded, "wpt", "wpt", gpx.waypoints, findings, max_speed_kmh, line=False)
    for r, route in enumerate(gpx.routes, start=1):
        container = f"rte[{r}]"
        if not route.points:
            line = loaded.container_lines.get(container)
            findings.add("empty", GPXIssue("warning", container, "route without points", line))
        _check_points(loaded, container, "rtept", route.points, findings, max_speed_kmh)
    for t, track in enumerate(gpx.tracks, start=1):
        if not track.segments:
            line = loaded.container_lines.get(f"trk[{t}]")
            findings.add("empty", GPXIssue("warning", f"trk[{t}]", "track without segments", line))
        for s, segment in enumerate(track.segments, start=1):
            container = f"trk[{t}]/trkseg[{s}]"
            if not segment.points:
                line = loaded.container_lines.get(container)
                findings.add("empty", GPXIssue("warning", container, "empty segment", line))
            _check_points(loaded, container, "trkpt", segment.points, findings, max_speed_kmh)


def _check_points(
    loaded: LoadedGPX,
    container: str,
    tag: str,
    points: Sequence[AnyPoint],
    findings: Findings,
    max_speed_kmh: float,
    *,
    line: bool = True,
) -> None:
    def report(kind: str, level: Level, index: int, message: str) -> None:
        where = f"{tag}[{index + 1}]" if container == "wpt" else f"{container}/{tag}[{index + 1}]"
        findings.add(kind, GPXIssue(level, where, message, loaded.line_of(container, index)))

    valid = []
    for i, p in enumerate(points):
        problem = _coordinate_problem(p.latitude, p.longitude)
        if problem:
            report("range", "error", i, problem)
        valid.append(not problem)
        low, high = ELEVATION_RANGE_M
        if p.elevation is not None and not low <= p.elevation <= high:
            report("elevation", "warning", i, f"elevation {p.elevation:g} m is implausible")
    if not line or len(points) < 2 or not all(valid):
        return
    steps = step_lengths_m([(p.latitude, p.longitude) for p in points])
    seconds = _seconds([p.time for p in points])
    if seconds is None:
        report("time", "warning", 0, "times with and without a time zone: not compared")
    for i, (a, b) in enumerate(itertools.pairwise(points), start=1):
        dt = math.nan if seconds is None else seconds[i] - seconds[i - 1]
        if (a.latitude, a.longitude) == (b.latitude, b.longitude) and (a.time == b.time):
            report("duplicate", "warning", i, "repeats the previous point")
        if dt < 0:
            report("time", "error", i, f"time goes back {-dt:g} s from the previous point")
        elif dt > 0 and steps[i - 1] / dt * 3.6 > max_speed_kmh:
            speed = steps[i - 1] / dt * 3.6
            report(
                "speed",
                "warning",
                i,
                f"{speed:.0f} km/h since the previous point ({steps[i - 1]:.0f} m in {dt:g} s)",
            )


def _coordinate_problem(lat: float, lon: float) -> str:
    """Describe an out-of-range coordinate, or return ``""``.

    Examples
    --------
    >>> _coordinate_problem(45.1, 10.0), _coordinate_problem(45.1, 190.0)
    ('', 'longitude 190 is out of range [-180, 180]')
    """
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        return f"latitude {lat:g} is out of range [-90, 90]"
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        return f"longitude {lon:g} is out of range [-180, 180]"
    return ""


def _seconds(times: Sequence[datetime | None]) -> NDArray[np.float64] | None:
    """Return the times as seconds (NaN where missing), or None if zones are mixed."""
    present = [t for t in times if t is not None]
    zoned = {t.utcoffset() is not None for t in present}
    if len(zoned) > 1:
        return None
    if not present:
        return np.full(len(times), math.nan)
    origin = present[0]
    return np.array([math.nan if t is None else (t - origin).total_seconds() for t in times])
