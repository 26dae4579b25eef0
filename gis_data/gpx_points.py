"""Build many gpxpy points at once from the parsed elements of a GPX track or route.

Nearly every point of a real track is ``<trkpt lat lon><ele/><time/></trkpt>``
(or one without ``ele`` or ``time``), its time in the UTC form
``2024-05-01T08:00:00Z``. :func:`read_points` reads a batch of such elements
with a few whole-batch operations instead of one pass of Python per child,
and gives up (returns ``None``) on anything else, so that the caller reads
that batch point by point, with the same results and messages.

Two things make the batch fast. Times are decoded with numpy from the bytes
of all the strings together and checked as :meth:`datetime.fromisoformat`
checks them; each ``datetime`` is then made from its 10-byte state, the
constructor pickle uses, which skips the slow keyword parsing of
``datetime.replace``. And the reader switches the cyclic garbage collector
off while it builds points (see :func:`gis_data.gpx_import.inspect_gpx`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
from gpxpy import gpxfield

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

#: gpxpy's own UTC zone, so times read here equal and print as gpxpy's.
UTC_Z = gpxfield.SimpleTZ("Z")
#: ``datetime(state, tzinfo)``, the constructor pickle uses; typeshed does not describe it.
_from_state: Any = datetime
_LATITUDE = attrgetter("latitude")
_LONGITUDE = attrgetter("longitude")
_ELEVATION = attrgetter("elevation")
#: ``YYYY-MM-DDTHH:MM:SS``: the separators' columns and bytes, and each field's digit weights.
_TEMPLATE = np.frombuffer(b"0000-00-00T00:00:00", dtype=np.uint8)
_DIGIT_COLUMNS = np.flatnonzero(np.equal(_TEMPLATE, ord("0")))
_SEPARATOR_COLUMNS = np.flatnonzero(np.not_equal(_TEMPLATE, ord("0")))
_FIELD_WEIGHTS = np.zeros((19, 6), dtype=np.int32)
for _field, (_start, _width) in enumerate(((0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2))):
    _FIELD_WEIGHTS[_start : _start + _width, _field] = 10 ** np.arange(_width - 1, -1, -1)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def time_fields(chars: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Return year, month, day, hour, minute, second of ``YYYY-MM-DDTHH:MM:SS`` rows, or ``None``.

    ``chars`` is an ``(n, width)`` array of ASCII codes, ``width >= 19``; only
    its first 19 columns are read. The result is an ``(6, n)`` integer array.
    Any other form, or an impossible date (30 February, 24:00), gives ``None``.

    Examples
    --------
    >>> rows = np.frombuffer(b"2024-02-29T23:59:59", dtype=np.uint8).reshape(1, -1)
    >>> time_fields(rows).ravel().tolist()
    [2024, 2, 29, 23, 59, 59]
    >>> time_fields(np.frombuffer(b"2023-02-29T23:59:59", dtype=np.uint8).reshape(1, -1)) is None
    True
    """
    head = chars[:, :19]
    if not (head[:, _SEPARATOR_COLUMNS] == _TEMPLATE[_SEPARATOR_COLUMNS]).all():
        return None
    digits = head - ord("0")  # wraps round for bytes below "0", so every non-digit is above 9
    if not (digits[:, _DIGIT_COLUMNS] <= 9).all():
        return None
    year, month, day, hour, minute, second = (digits.astype(np.int32) @ _FIELD_WEIGHTS).T.astype(np.int64)
    if not ((year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)).all():
        return None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last_day = _MONTH_DAYS[month] + (leap & (month == 2))
    if not ((day <= last_day) & (hour < 24) & (minute < 60) & (second < 60)).all():
        return None
    return np.stack((year, month, day, hour, minute, second))


def utc_times(texts: Sequence[str]) -> list[datetime] | None:
    """Return the times of ``YYYY-MM-DDTHH:MM:SSZ`` strings, or ``None`` if any has another form.

    Each result equals ``datetime.fromisoformat(text[:19])`` in gpxpy's UTC
    zone. A string of another form (fractions of a second, an offset, blanks)
    or an impossible date (30 February, 24:00) gives ``None``: the caller
    then reads each string the slow way.

    Examples
    --------
    >>> utc_times(["2024-02-29T23:59:59Z"])[0].isoformat()
    '2024-02-29T23:59:59+00:00'
    >>> utc_times(["2023-02-29T23:59:59Z"]), utc_times(["2024-05-01T08:00:00.5Z"])
    (None, None)
    """
    if not texts:
        return []
    joined = "".join(texts)
    # The total and the longest both right: every string is 20 long, none shifts its neighbours.
    if len(joined) != 20 * len(texts) or max(map(len, texts)) != 20 or not joined.isascii():
        return None
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 20)
    fields = time_fields(chars) if (chars[:, 19] == ord("Z")).all() else None
    if fields is None:
        return None
    # The pickled state of a datetime: year (2 bytes), month, day, hour, minute, second, microsecond (3 bytes).
    year = fields[0]
    state = np.zeros((len(texts), 10), dtype=np.uint8)
    state[:, 0], state[:, 1] = year >> 8, year & 0xFF
    for column, value in enumerate(fields[1:], start=2):
        state[:, column] = value
    raw = state.tobytes()
    return [_from_state(raw[i : i + 10], UTC_Z) for i in range(0, len(raw), 10)]


def read_points(
    elements: Sequence[Any],
    cls: Any,
    *,
    point_tag: str,
    ele_tag: str,
    time_tag: str,
) -> list[Any] | None:
    """Build one gpxpy point of class ``cls`` per element, or ``None`` if a batch is not plain.

    Plain means: every element is a ``point_tag`` with numeric ``lat`` and
    ``lon``, and all have the same children, one of ``()``, ``(ele)``,
    ``(time)`` or ``(ele, time)``, with numbers and UTC times that read
    without a note. Anything else is for the point-by-point reader.
    """
    if not elements or [e.tag for e in elements].count(point_tag) != len(elements):
        return None
    counts = [len(e) for e in elements]
    width = counts[0]
    if width > 2 or counts.count(width) != len(counts):
        return None
    children = [c for e in elements for c in e]
    tags = [c.tag for c in children[:width]]
    if tags not in ([], [ele_tag], [time_tag], [ele_tag, time_tag]) or [c.tag for c in children] != tags * len(
        elements
    ):
        return None
    texts = [c.text for c in children]
    if None in texts:  # an empty <ele/> or <time/>: the slow reader knows what it means
        return None
    try:
        lats = list(map(float, [e.get("lat") for e in elements]))
        lons = list(map(float, [e.get("lon") for e in elements]))
        eles = list(map(float, texts[tags.index(ele_tag) :: width])) if ele_tag in tags else None
    except (TypeError, ValueError):  # a missing or bad number: the slow reader names it
        return None
    times = utc_times(texts[tags.index(time_tag) :: width]) if time_tag in tags else None
    if time_tag in tags and times is None:
        return None
    if eles is None and times is None:
        return [cls(lat, lon) for lat, lon in zip(lats, lons, strict=True)]
    if times is None:
        return [cls(lat, lon, ele) for lat, lon, ele in zip(lats, lons, eles or (), strict=True)]
    if eles is None:
        return [cls(lat, lon, None, t) for lat, lon, t in zip(lats, lons, times, strict=True)]
    return [cls(lat, lon, ele, t) for lat, lon, ele, t in zip(lats, lons, eles, times, strict=True)]


def all_in_range(points: list[Any]) -> bool:
    """Say, at numpy's speed, whether every point has valid coordinates and a finite or no elevation."""
    lats = np.fromiter(map(_LATITUDE, points), dtype=float, count=len(points))
    lons = np.fromiter(map(_LONGITUDE, points), dtype=float, count=len(points))
    eles = np.array([e for e in map(_ELEVATION, points) if e is not None], dtype=float)
    # NaN fails every comparison, so it fails here.
    return bool(
        ((lats >= -90) & (lats <= 90)).all() and ((lons >= -180) & (lons <= 180)).all() and np.isfinite(eles).all()
    )
