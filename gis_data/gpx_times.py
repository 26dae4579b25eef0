"""GPX times as numpy ``datetime64[us]`` in UTC, read as gpxpy reads them.

:func:`utc_datetime64` decodes a batch of plain UTC strings at numpy's speed;
:func:`object_datetime64` converts gpxpy's own ``datetime`` objects (any zone,
or none) when a batch is not plain; :func:`utc_datetime` goes back.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from gis_data.gpx_points import UTC_Z
from gis_data.gpx_points import time_fields

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

_EPOCH = datetime(1970, 1, 1)  # datetime64 counts from a naive epoch
_US = timedelta(microseconds=1)


def utc_datetime64(texts: Sequence[str]) -> NDArray[np.datetime64] | None:
    """Return UTC ``YYYY-MM-DDTHH:MM:SS[.f]Z`` strings as ``datetime64[us]``, or ``None`` for another form.

    All strings must have the same form and length; the fraction is cut to
    microseconds, as gpxpy does. Anything else (an offset, blanks, an
    impossible date) gives ``None``, for the caller to read the slow way.

    Examples
    --------
    >>> utc_datetime64(["2024-05-01T08:00:00Z", "2024-05-01T08:00:01Z"]).tolist()[1].isoformat()
    '2024-05-01T08:00:01'
    >>> str(utc_datetime64(["2024-05-01T08:00:00.1234567Z"])[0])
    '2024-05-01T08:00:00.123456'
    >>> utc_datetime64(["2024-05-01T08:00:00+01:00"]) is None
    True
    """
    if not texts:
        return np.zeros(0, dtype="datetime64[us]")
    width = len(texts[0])
    joined = "".join(texts)
    if not (width == 20 or 22 <= width <= 36) or len(joined) != width * len(texts) or max(map(len, texts)) != width:
        return None
    if not joined.isascii():
        return None
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, width)
    if not (chars[:, width - 1] == ord("Z")).all():
        return None
    micro = np.zeros(len(texts), dtype=np.int64)
    if width > 20:
        digits = chars[:, 20 : width - 1].astype(np.int64) - ord("0")
        if not (chars[:, 19] == ord(".")).all() or not ((digits >= 0) & (digits <= 9)).all():
            return None
        for column in range(6):
            micro = micro * 10 + (digits[:, column] if column < digits.shape[1] else 0)
    fields = time_fields(chars)
    if fields is None:
        return None
    year, month, day, hour, minute, second = fields
    months = (year - 1970) * 12 + (month - 1)
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    seconds = (hour * 60 + minute) * 60 + second
    result: NDArray[np.datetime64] = days.astype("datetime64[us]") + (seconds * 1_000_000 + micro).astype(
        "timedelta64[us]"
    )
    return result


def object_datetime64(times: Sequence[datetime | None]) -> tuple[NDArray[np.datetime64], bool]:
    """Return gpxpy point times as UTC ``datetime64[us]`` (NaT for ``None``), and whether any was local.

    Examples
    --------
    >>> from gpxpy.gpxfield import SimpleTZ
    >>> values, local = object_datetime64([datetime(2024, 5, 1, 9, tzinfo=SimpleTZ("+01:00")), None])
    >>> [str(v) for v in values], local
    (['2024-05-01T08:00:00.000000', 'NaT'], True)
    """
    out = np.full(len(times), np.datetime64("NaT"), dtype="datetime64[us]")
    local = False
    for index, moment in enumerate(times):
        if moment is None:
            continue
        offset = moment.utcoffset()
        local = local or offset != timedelta(0)
        naive = moment.replace(tzinfo=None) - (offset or timedelta(0))
        out[index] = np.timedelta64((naive - _EPOCH) // _US, "us") + np.datetime64(0, "us")
    return out, local


def utc_datetime(value: np.datetime64) -> datetime:
    """Return a ``datetime64[us]`` as a datetime in gpxpy's UTC zone.

    Examples
    --------
    >>> utc_datetime(np.datetime64("2024-05-01T08:00:00.5", "us")).isoformat()
    '2024-05-01T08:00:00.500000+00:00'
    """
    return (_EPOCH + timedelta(microseconds=int(value.astype("datetime64[us]").astype(np.int64)))).replace(tzinfo=UTC_Z)
