"""Read the track points of a big GPX document into numpy columns, safely and fast.

:func:`read_track_columns` walks the document exactly as
:func:`gis_data.gpx_import.parse_gpx` does (same hardened parser, chunked
feeding, size limit, time budget, same header, waypoint and route handling,
same checks), but the points of track segments, the bulk of any big file,
become numpy columns instead of gpxpy objects: about 40 bytes a point while
reading instead of some 470. After each chunk the finished points of the open
segment are read with a few XPath queries and whole-batch conversions
(``float`` on every ``lat``, ``lon`` and ``ele`` string; times decoded with
numpy), then their elements are freed. A batch that is not plain (another
child, an offset or odd time, a bad number) is read by the object reader's own
point code and converted, so the columns always hold what ``parse_gpx`` holds.

Only ``lat``, ``lon``, ``ele`` and ``time`` of track points become columns;
their other fields and extensions are dropped. Routes and waypoints stay
gpxpy objects in :attr:`TrackColumns.skeleton`, the document without its track
points, with the same refusals as ``parse_gpx``. When a document is refused
because of one point, it is read again with ``parse_gpx`` so that the error
names the point and its line exactly as ``parse_gpx`` does; refusing such a
document may then take up to twice the time.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from lxml import etree

from gis_data.errors import InvalidGPXError
from gis_data.gpx_import import DocumentBuilder
from gis_data.gpx_import import LoadedGPX
from gis_data.gpx_import import check_values
from gis_data.gpx_import import parse_gpx
from gis_data.gpx_import import parse_time
from gis_data.gpx_import import walk_gpx
from gis_data.gpx_times import object_datetime64
from gis_data.gpx_times import utc_datetime64
from gis_data.safe_xml import check_size
from gis_data.safe_xml import read_source
from gis_data.safe_xml import start_deadline

if TYPE_CHECKING:
    import gpxpy.gpx
    from numpy.typing import NDArray

    from gis_data.safe_xml import Deadline

logger = logging.getLogger(__name__)

#: Time strings decoded together: numpy's cost per call outweighs its cost per string below some thousands.
TIME_BATCH = 4096


@dataclass(frozen=True, slots=True)
class TrackColumns:
    """The track points of a GPX document as columns, and the rest of it as gpxpy objects.

    ``lat``, ``lon`` and ``ele`` are float64 (``ele`` NaN where absent);
    ``time`` is ``datetime64[us]`` in UTC (NaT where absent or invalid).
    ``segment_starts[i]`` is the index of the first point of segment ``i``
    (segments of all tracks in order, empty ones included);
    ``track_starts[j]`` is the index of the first segment of track ``j``.
    ``skeleton`` is the document as ``parse_gpx`` reads it, but with empty
    track segments. ``local_times`` says that some time was naive or had an
    offset other than zero: the column holds it in UTC (a naive time taken as
    UTC), so the original zone is lost.
    """

    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    ele: NDArray[np.float64]
    time: NDArray[np.datetime64]
    segment_starts: NDArray[np.int64]
    track_starts: NDArray[np.int64]
    skeleton: gpxpy.gpx.GPX
    local_times: bool

    def segment_bounds(self) -> list[tuple[int, int]]:
        """Return ``(start, stop)`` of each segment's points, for slicing the columns."""
        stops = [*self.segment_starts.tolist()[1:], len(self.lat)]
        return list(zip(self.segment_starts.tolist(), stops, strict=True))


def read_track_columns(
    source: Path | bytes,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    time_budget_s: float | None = None,
) -> TrackColumns:
    """Read an untrusted GPX document, its track points as numpy columns.

    Parameters
    ----------
    source
        A GPX file, or the document's bytes.
    name
        How to call the document in error messages; default the path or ``<gpx>``.
    max_bytes, time_budget_s
        Limits; defaults ``gis_data.settings.gpx_max_bytes`` and
        ``gis_data.settings.gpx_time_budget_s``.

    Returns
    -------
    TrackColumns
        The track points' coordinates, elevations and times, and the rest of the document.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidGPXError
        Whenever :func:`gis_data.gpx_import.parse_gpx` would, with its message.

    Examples
    --------
    >>> doc = b'<gpx version="1.1"><trk><trkseg><trkpt lat="45.1" lon="10.0"><ele>41</ele></trkpt>'
    >>> cols = read_track_columns(doc + b'<trkpt lat="45.2" lon="10.1"/></trkseg></trk></gpx>')
    >>> cols.lat.tolist(), cols.ele.tolist(), cols.segment_starts.tolist()
    ([45.1, 45.2], [41.0, nan], [0])
    """
    if isinstance(source, Path):
        label = name or str(source)
        data = read_source(source, name=label, max_bytes=max_bytes)
    else:
        label, data = name or "<gpx>", source
    check_size(len(data), label, max_bytes)
    try:
        builder = walk_gpx(_ColumnBuilder, data, label, start_deadline(label, time_budget_s))
        skeleton = builder.gpx
        if skeleton is None:  # pragma: no cover - lxml raises before an empty walk
            msg = f"{label}: empty document (no XML element)"
            raise InvalidGPXError(msg)
        check_values(LoadedGPX(skeleton, builder.version, (), builder.lines, builder.container_lines), label)
        columns = builder.columns(skeleton)
        if builder.nan_elevation or not _in_range(columns):
            raise _Reread
    except _Reread as reread:
        # One point is bad: the object reader names it and its line.
        parse_gpx(data, name=label, max_bytes=max_bytes, time_budget_s=time_budget_s)
        raise reread.__cause__ or InvalidGPXError(f"{label}: a track point is out of range") from None
    logger.debug("%s: %d track points read as columns", label, len(columns.lat))
    return columns


class _Reread(Exception):
    """A point was refused: read again with the object reader for its exact message."""


def _in_range(columns: TrackColumns) -> bool:
    """Say whether every latitude and longitude is in range and every elevation finite or absent."""
    lat, lon = columns.lat, columns.lon
    # NaN fails every comparison, so a NaN coordinate fails here; a NaN elevation is an absent one.
    return bool(((lat >= -90) & (lat <= 90)).all() and ((lon >= -180) & (lon <= 180)).all()) and not bool(
        np.isinf(columns.ele).any()
    )


#: Counts and lists a plain batch is read from: ``{p}`` is ``*/`` for the segment's children, empty for one point.
_QUERIES = {
    "kids": "count({p}*)",
    # Grandchildren, a second text node, a second ele or time in one point: none in a plain batch.
    "odd": "count({p}*/*) + count({p}*/text()[2]) + count({p}E[2]) + count({p}T[2])",
    "lat": "{p}@lat",
    "lon": "{p}@lon",
    "ele": "{p}E/text()",
    "time": "{p}T/text()",
}


@cache
def _queries(prefix: str) -> dict[str, tuple[etree.XPath, etree.XPath]]:
    """Compile :data:`_QUERIES` for GPX tags ``{prefix}ele`` etc., on a segment and on one point."""
    uri = prefix[1:-1]
    ns = {"g": uri} if uri else {}
    g = "g:" if uri else ""
    compiled = {"points": (f"count({g}trkpt)", f"count(self::{g}trkpt)")}
    for key, template in _QUERIES.items():
        path = template.replace("E", f"{g}ele").replace("T", f"{g}time")
        compiled[key] = (path.format(p="*/"), path.format(p=""))
    return {
        key: (
            etree.XPath(many, namespaces=ns, smart_strings=False),
            etree.XPath(one, namespaces=ns, smart_strings=False),
        )
        for key, (many, one) in compiled.items()
    }


class _ColumnBuilder(DocumentBuilder):
    """The object reader's builder, with the points of track segments kept as columns."""

    def __init__(self, name: str, deadline: Deadline) -> None:
        super().__init__(name, deadline)
        self.chunks: dict[str, list[NDArray[Any]]] = {"lat": [], "lon": [], "ele": [], "time": []}
        self.size = 0
        self.segment_starts: list[int] = []
        self.track_starts: list[int] = []
        self.local_times = False
        self.nan_elevation = False
        self.pending_times: list[str] = []

    def handle(self, event: str, element: Any) -> None:
        super().handle(event, element)
        if event == "start" and element is not None:
            if element is self.seg:
                self.segment_starts.append(self.size)
            elif element is self.trk:
                self.track_starts.append(len(self.segment_starts))

    def drain(self, *, closed: bool) -> None:
        seg = self.seg
        if seg is None:  # a route: its points stay objects
            super().drain(closed=closed)
            return
        end = len(seg) - (0 if closed else 1)
        if end <= self.kept:
            return
        if not self.kept and self.take(seg, end):
            self.last_line = seg[end - 1].sourceline
            self.count += end - self.kept
            del seg[self.kept : end]
            return
        try:
            super().drain(closed=closed)
        except InvalidGPXError as exc:
            if time.monotonic() > self.deadline.ends_at:
                raise
            raise _Reread from exc
        points, self.points = self.points, []
        times, local = object_datetime64([p.time for p in points])
        eles = [math.nan if p.elevation is None else p.elevation for p in points]
        self.nan_elevation = self.nan_elevation or any(p.elevation != p.elevation for p in points)
        self.add_times(times)
        self.add(
            np.array([p.latitude for p in points], dtype=np.float64),
            np.array([p.longitude for p in points], dtype=np.float64),
            np.array(eles, dtype=np.float64),
        )
        self.local_times = self.local_times or local

    def take(self, seg: Any, end: int) -> bool:
        """Read the plain points ``:end`` of the open segment into the columns; ``False`` if not plain.

        Queries run on all the segment's children, fast, and what the
        unfinished last child (if any) adds to each is taken off the end.
        """
        queries = _queries(self.prefix)
        last = seg[end] if end < len(seg) else None

        def count(key: str) -> int:
            many, one = queries[key]
            return int(many(seg)) - (int(one(last)) if last is not None else 0)

        def strings(key: str) -> list[str]:
            many, one = queries[key]
            found: list[str] = many(seg)
            return found[: len(found) - len(one(last))] if last is not None else found

        if count("points") != end or count("odd"):
            return False
        ele_texts, time_texts = strings("ele"), strings("time")
        eles, times = len(ele_texts), len(time_texts)
        # Each ele and time has at most one text node, so this says: only ele and time, each with its text.
        if eles not in (0, end) or times not in (0, end) or count("kids") != eles + times:
            return False
        try:
            lats = np.fromiter(map(float, strings("lat")), np.float64)
            lons = np.fromiter(map(float, strings("lon")), np.float64)
            ele = np.fromiter(map(float, ele_texts), np.float64, eles) if eles else np.full(end, np.nan)
        except ValueError:
            return False
        if len(lats) != end or len(lons) != end:
            return False
        self.nan_elevation = self.nan_elevation or bool(eles and np.isnan(ele).any())
        if times:
            self.pending_times += time_texts
            if len(self.pending_times) >= TIME_BATCH:
                self.flush_times()
        else:
            self.add_times(np.full(end, np.datetime64("NaT"), "datetime64[us]"))
        self.add(lats, lons, ele)
        return True

    def flush_times(self) -> None:
        """Decode the pending time strings: in bulk when all are plain UTC, else one by one as gpxpy does."""
        texts, self.pending_times = self.pending_times, []
        if not texts:
            return
        values = utc_datetime64(texts)
        if values is None:
            values, local = object_datetime64([parse_time(text) for text in texts])
            self.local_times = self.local_times or local
        self.chunks["time"].append(values)

    def add_times(self, values: NDArray[np.datetime64]) -> None:
        self.flush_times()
        self.chunks["time"].append(values)

    def add(self, lats: NDArray[Any], lons: NDArray[Any], eles: NDArray[Any]) -> None:
        for key, values in (("lat", lats), ("lon", lons), ("ele", eles)):
            self.chunks[key].append(values)
        self.size += len(lats)

    def columns(self, skeleton: gpxpy.gpx.GPX) -> TrackColumns:
        """Join the chunks one column at a time, so the peak is one column over the total."""
        self.flush_times()
        joined: dict[str, NDArray[Any]] = {}
        for key, dtype in (("lat", "float64"), ("lon", "float64"), ("ele", "float64"), ("time", "datetime64[us]")):
            parts = self.chunks[key]
            joined[key] = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
            parts.clear()
        return TrackColumns(
            lat=joined["lat"],
            lon=joined["lon"],
            ele=joined["ele"],
            time=joined["time"],
            segment_starts=np.array(self.segment_starts, dtype=np.int64),
            track_starts=np.array(self.track_starts, dtype=np.int64),
            skeleton=skeleton,
            local_times=self.local_times,
        )
