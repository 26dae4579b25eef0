"""Write a gpxpy document as GPX XML piece by piece, byte for byte as ``GPX.to_xml`` would.

gpxpy builds the whole document as one string, ``str.join`` of pieces that
hold each point's fields, about 2.5 kB of Python objects a point. Here each
container (the document, a track, a segment, a route) is rendered by gpxpy
itself without its children, and the children are written in between, so a
document of a million points is written a few thousand points at a time.
Points that hold only coordinates, elevation and time, nearly all of them,
are formatted in batches with the same text as gpxpy's (:func:`point_lines`);
any other point is rendered by gpxpy.

The caller passes a document it may change (gpxpy's ``to_xml`` sets its
version, creator and namespace map): :func:`gis_data.gpx_write.gpx_chunks`
gives it a copy.
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from operator import attrgetter
from typing import TYPE_CHECKING
from typing import Any

import gpxpy.gpx
import numpy as np
from gpxpy import gpxfield
from gpxpy.utils import make_str

if TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

#: Points formatted together, and so the largest piece of text held at a time.
BATCH_POINTS = 4096
#: One level of gpxpy's indentation.
STEP = "  "
_SIMPLE_NUMBERS = frozenset({float, int})
_OTHER_FIELDS: dict[tuple[type[Any], str], tuple[attrgetter[Any], tuple[None, ...]]] = {}


def _other_fields(cls: type[Any], version: str) -> tuple[attrgetter[Any], tuple[None, ...]]:
    """Return a getter of the fields of ``cls`` that a plain point leaves ``None``, and those ``None``s."""
    key = (cls, version)
    if key not in _OTHER_FIELDS:
        fields = cls.gpx_11_fields if version == "1.1" else cls.gpx_10_fields
        names = [
            str(f.name)
            for f in fields
            if isinstance(f, gpxfield.GPXField) and f.name not in ("latitude", "longitude", "elevation", "time")
        ]
        _OTHER_FIELDS[key] = attrgetter(*names), (None,) * len(names)
    return _OTHER_FIELDS[key]


def _numbers(values: Sequence[Any]) -> list[str]:
    """Format numbers as gpxpy's ``make_str`` does: ``str``, without scientific notation."""
    texts = list(map(str, values))
    if "e" in "".join(texts):
        texts = [make_str(v) if "e" in t else t for v, t in zip(values, texts, strict=True)]
    return texts


def _zone_suffix(zone: Any) -> str | None:
    """Return what ends gpxpy's text of a time in ``zone``: ``""``, ``"Z"``, or ``None`` for "ask isoformat"."""
    if zone is None:
        return ""
    if type(zone) in (timezone, gpxfield.SimpleTZ) and zone.utcoffset(None) == timedelta(0):
        return "Z"
    return None


def _digits(value: np.ndarray[Any, Any], width: int) -> list[np.ndarray[Any, Any]]:
    return [(value // 10 ** (width - 1 - i)) % 10 + ord("0") for i in range(width)]


def time_texts(times: Sequence[datetime]) -> list[str]:
    """Format times as gpxpy does, ``isoformat()`` with ``Z`` for UTC, the usual ones all at once.

    The common times (whole seconds, naive or UTC) are formatted with numpy
    from their pickled state; the others (fractions, offsets) by gpxpy.

    Examples
    --------
    >>> from datetime import UTC
    >>> time_texts([datetime(2024, 5, 1, 8, tzinfo=UTC), datetime(2024, 5, 1, 8, 0, 0, 5)])
    ['2024-05-01T08:00:00Z', '2024-05-01T08:00:00.000005']
    """
    if not times:
        return []
    args: list[Any] = [t.__reduce__()[1] for t in times]
    suffixes: dict[int, str | None] = {}
    ends = []
    for a in args:
        zone = a[1] if len(a) > 1 else None
        key = id(zone)
        if key not in suffixes:
            suffixes[key] = _zone_suffix(zone)
        ends.append(suffixes[key])
    state = np.frombuffer(b"".join([a[0] for a in args]), dtype=np.uint8).reshape(-1, 10).astype(np.int64)
    fraction = (state[:, 7] << 16) | (state[:, 8] << 8) | state[:, 9]
    columns = [*_digits(state[:, 0] * 256 + state[:, 1], 4), *_digits(state[:, 2] & 0x7F, 2)]
    columns += [*_digits(state[:, 3], 2), *_digits(state[:, 4], 2), *_digits(state[:, 5], 2), *_digits(state[:, 6], 2)]
    chars = np.full((len(times), 19), ord("-"), dtype=np.uint8)
    for column, values in zip((0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18), columns, strict=True):
        chars[:, column] = values
    chars[:, 10] = ord("T")
    chars[:, [13, 16]] = ord(":")
    text = chars.tobytes().decode("ascii")
    whole = (fraction == 0).tolist()
    return [
        text[19 * i : 19 * i + 19] + end if end is not None and whole[i] else gpxfield.format_time(t)
        for i, (t, end) in enumerate(zip(times, ends, strict=True))
    ]


def point_lines(points: Sequence[Any], tag: str, version: str, indent: str) -> str | None:
    """Return the XML of plain points exactly as gpxpy writes them, or ``None`` if one is not plain.

    A plain point has a float or integer latitude, longitude and elevation (or
    none), a ``datetime`` time (or none), and nothing else.

    Examples
    --------
    >>> p = gpxpy.gpx.GPXTrackPoint(45.13, 10.02, elevation=47.0)
    >>> print(point_lines([p], "trkpt", "1.1", "      "))
    <BLANKLINE>
          <trkpt lat="45.13" lon="10.02">
            <ele>47.0</ele>
          </trkpt>
    """
    if not points:
        return ""
    others, nones = _other_fields(type(points[0]), version)
    if any(type(p) is not type(points[0]) or others(p) != nones or p.extensions for p in points):
        return None
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    eles = [p.elevation for p in points]
    times = [p.time for p in points]
    if not {type(v) for v in lats + lons} <= _SIMPLE_NUMBERS:
        return None
    if not {type(v) for v in eles if v is not None} <= _SIMPLE_NUMBERS:
        return None
    if not all(t is None or type(t) is datetime for t in times):
        return None
    inner = indent + STEP
    ele_texts = _numbers([e for e in eles if e is not None])
    ele_lines = iter([f"\n{inner}<ele>{text}</ele>" for text in ele_texts])
    time_text = iter(time_texts([t for t in times if t is not None]))
    time_lines = [f"\n{inner}<time>{next(time_text)}</time>" if t is not None else "" for t in times]
    rows = zip(_numbers(lats), _numbers(lons), eles, time_lines, strict=True)
    return "".join(
        [
            f'\n{indent}<{tag} lat="{lat}" lon="{lon}">{"" if ele is None else next(ele_lines)}{when}\n{indent}</{tag}>'
            for lat, lon, ele, when in rows
        ]
    )


def _points_xml(points: Sequence[Any], tag: str, version: str, nsmap: dict[str, str], indent: str) -> Iterator[str]:
    for start in range(0, len(points), BATCH_POINTS):
        batch = points[start : start + BATCH_POINTS]
        text = point_lines(batch, tag, version, indent)
        if text is None:
            text = "".join(gpxfield.gpx_fields_to_xml(p, tag, version, nsmap=nsmap, indent=indent) for p in batch)
        yield text


def _shell(obj: Any, **empty: list[Any]) -> Any:
    dup = obj.__class__.__new__(obj.__class__)
    for slot in obj.__slots__:
        setattr(dup, slot, empty.get(slot, getattr(obj, slot)))
    return dup


def _container_xml(
    obj: Any, tag: str, children: str, version: str, nsmap: dict[str, str], indent: str
) -> Iterator[str]:
    """Yield a track or route: gpxpy's XML of it without children, then the children, then its end tag."""
    text = gpxfield.gpx_fields_to_xml(_shell(obj, **{children: []}), tag, version, nsmap=nsmap, indent=indent)
    end = f"\n{indent}</{tag}>"
    yield text.removesuffix(end)
    inner = indent + STEP
    if tag == "rte":
        yield from _points_xml(obj.points, "rtept", version, nsmap, inner)
    else:
        for segment in obj.segments:
            head = f"\n{inner}<trkseg>"
            text = gpxfield.gpx_fields_to_xml(_shell(segment, points=[]), "trkseg", version, nsmap=nsmap, indent=inner)
            yield head
            yield from _points_xml(segment.points, "trkpt", version, nsmap, inner + STEP)
            yield text.removeprefix(head)
    yield end


def xml_pieces(gpx: gpxpy.gpx.GPX, version: str) -> Iterator[str]:
    """Yield the XML of ``gpx`` in pieces whose concatenation is ``gpx.to_xml(version)``.

    ``gpx`` is changed as ``to_xml`` changes it; pass a copy.

    Examples
    --------
    >>> doc = gpxpy.gpx.GPX()
    >>> doc.waypoints.append(gpxpy.gpx.GPXWaypoint(45.1, 10.0, name="Cremona"))
    >>> "".join(xml_pieces(gpxpy.gpx.GPX(), "1.1")) == gpxpy.gpx.GPX().to_xml("1.1")
    True
    """
    shell = _shell(gpx, waypoints=[], routes=[], tracks=[], extensions=[])
    head = shell.to_xml(version)
    gpx.version, gpx.creator, gpx.nsmap, gpx.schema_locations = (
        shell.version,
        shell.creator,
        shell.nsmap,
        shell.schema_locations,
    )
    end = "\n</gpx>"
    if not head.endswith(end):  # pragma: no cover - gpxpy always closes the root last
        msg = f"unexpected end of gpxpy's XML: {head[-40:]!r}"
        raise AssertionError(msg)
    yield head.removesuffix(end)
    nsmap = shell.nsmap
    for waypoint in gpx.waypoints:
        yield gpxfield.gpx_fields_to_xml(waypoint, "wpt", version, nsmap=nsmap, indent=STEP)
    for route in gpx.routes:
        yield from _container_xml(route, "rte", "points", version, nsmap, STEP)
    for track in gpx.tracks:
        yield from _container_xml(track, "trk", "segments", version, nsmap, STEP)
    extensions: Any = next(f for f in gpx.gpx_11_fields if getattr(f, "name", None) == "extensions")
    yield extensions.to_xml(gpx.extensions, version, nsmap, indent=STEP)
    yield end
