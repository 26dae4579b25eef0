"""Dated closures and no-go areas read from GeoJSON files.

A closures file is a GeoJSON FeatureCollection. Each feature is a Polygon,
MultiPolygon, LineString (a line closes the ways within ``buffer_m`` of it,
default 25 m) or Point (the ways within ``buffer_m`` of it: a circle) with the
properties:

``name`` (required)
    What is closed, e.g. "Ciclabile del Canale Vacchelli, tratto del Moso".
``start``, ``end`` (optional)
    ``YYYY-MM-DD`` for a one-off closure, or ``MM-DD`` for one that recurs every
    year (``10-01`` to ``01-31`` spans the new year). Without them the feature is
    a no-go area that always applies.
``reason``, ``source`` (optional)
    Shown to the rider.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.untrusted import read_json

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from shapely.geometry.base import BaseGeometry

_ANNUAL = re.compile(r"^(\d{2})-(\d{2})$")
#: Widest buffer around a closed line, in metres.
MAX_BUFFER_M = 5000.0
GEOMETRY_TYPES = frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point"})


@dataclass(frozen=True, slots=True)
class Closure:
    """An area or way closed to bicycles, always or between two dates."""

    name: str
    geometry: BaseGeometry
    start: str | None = None
    end: str | None = None
    reason: str = ""
    source: str = ""
    buffer_m: float = 25.0

    def active_on(self, day: dt.date | None) -> bool:
        """Tell whether the closure applies on a day (``None``: undated request).

        Examples
        --------
        >>> from shapely import Point
        >>> moso = Closure("Moso", Point(9.6, 45.4), start="10-01", end="01-31")
        >>> moso.active_on(dt.date(2026, 12, 5)), moso.active_on(dt.date(2026, 6, 5))
        (True, False)
        """
        if self.start is None or self.end is None:
            return True
        if day is None:
            return False
        first, last = _ANNUAL.match(self.start), _ANNUAL.match(self.end)
        if first and last:
            md = (day.month, day.day)
            lo = (int(first.group(1)), int(first.group(2)))
            hi = (int(last.group(1)), int(last.group(2)))
            return lo <= md <= hi if lo <= hi else md >= lo or md <= hi
        return dt.date.fromisoformat(self.start) <= day <= dt.date.fromisoformat(self.end)

    def describe(self) -> str:
        """Return a one-line description for the rider."""
        when = f" ({self.start} to {self.end})" if self.start and self.end else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.name}{when}{why}"


def _check_date(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    if _ANNUAL.match(text):
        month, day = (int(x) for x in text.split("-"))
        try:
            dt.date(2024, month, day)  # a leap year accepts 02-29
        except ValueError as exc:
            msg = f"{where}: bad date {text!r} ({exc})"
            raise InvalidDataError(msg) from exc
        return text
    try:
        dt.date.fromisoformat(text)
    except ValueError as exc:
        msg = f"{where}: bad date {text!r}; use YYYY-MM-DD or MM-DD"
        raise InvalidDataError(msg) from exc
    return text


def read_closures(path: Path) -> list[Closure]:
    """Read a closures / no-go GeoJSON file.

    Parameters
    ----------
    path
        A GeoJSON FeatureCollection (see the module docstring).

    Returns
    -------
    list of Closure
        In file order.

    Raises
    ------
    InvalidDataError
        Naming the file, the feature number and the bad value; also for a file
        over ``settings.import_max_bytes``.
    """
    try:
        doc = read_json(path)
    except (DataNotFoundError, InvalidDataError) as exc:
        raise InvalidDataError(str(exc)) from exc  # the message names the file already
    try:
        features = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
    except (KeyError, AttributeError) as exc:
        msg = f"{str(path)!r} is not a GeoJSON closures file: {exc!r}"
        raise InvalidDataError(msg) from exc
    if not isinstance(features, list):
        msg = f"{str(path)!r} is not a GeoJSON closures file: 'features' is not a list"
        raise InvalidDataError(msg)
    return [closure_from_feature(feat, f"{path.name} feature {i}") for i, feat in enumerate(features, start=1)]


def closure_from_feature(feat: Any, where: str) -> Closure:
    """Check one GeoJSON feature of a closures file and return its closure.

    Parameters
    ----------
    feat
        The decoded feature (see the module docstring).
    where
        Where it comes from, for the messages (e.g. ``"chiusure.geojson feature 3"``).

    Raises
    ------
    InvalidDataError
        Naming ``where`` and the bad value.

    Examples
    --------
    >>> feat = {"geometry": {"type": "Point", "coordinates": [10.02, 45.13]},
    ...         "properties": {"name": "Piazza del Comune", "start": "06-01", "end": "06-02", "buffer_m": 60}}
    >>> closure_from_feature(feat, "form").describe()
    'Piazza del Comune (06-01 to 06-02)'
    """
    if not isinstance(feat, dict):
        msg = f"{where}: not a GeoJSON feature (got {type(feat).__name__})"
        raise InvalidDataError(msg)
    props = feat.get("properties") or {}
    if not isinstance(props, dict):
        msg = f"{where}: 'properties' is not an object"
        raise InvalidDataError(msg)
    try:
        geom = shape(feat["geometry"])
        coords = shapely.get_coordinates(geom)
    # shapely raises all of these, and its own errors, on malformed coordinates.
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        msg = f"{where}: bad geometry ({exc})"
        raise InvalidDataError(msg) from exc
    lon_ok = (coords[:, 0] >= -180) & (coords[:, 0] <= 180)
    lat_ok = (coords[:, 1] >= -90) & (coords[:, 1] <= 90)
    if not bool(np.all(lon_ok & lat_ok)):
        msg = f"{where}: a coordinate is not a finite longitude, latitude pair"
        raise InvalidDataError(msg)
    if geom.is_empty or geom.geom_type not in GEOMETRY_TYPES:
        msg = f"{where}: geometry must be a polygon, a line or a point, got {geom.geom_type}"
        raise InvalidDataError(msg)
    name = str(props.get("name") or "").strip()
    if not name:
        msg = f"{where}: missing 'name'"
        raise InvalidDataError(msg)
    start = _check_date(props.get("start"), where)
    end = _check_date(props.get("end"), where)
    if (start is None) != (end is None):
        msg = f"{where}: give both 'start' and 'end', or neither"
        raise InvalidDataError(msg)
    buffer_m = _buffer(props.get("buffer_m"), where)
    if geom.geom_type == "Point" and buffer_m <= 0:
        msg = f"{where}: a closed point needs a 'buffer_m' radius above 0, got {props.get('buffer_m')!r}"
        raise InvalidDataError(msg)
    return Closure(
        name=name,
        geometry=geom,
        start=start,
        end=end,
        reason=str(props.get("reason") or ""),
        source=str(props.get("source") or ""),
        buffer_m=buffer_m,
    )


def _buffer(value: Any, where: str) -> float:
    if value is None or value == "":
        return 25.0
    try:
        metres = float(value)
    except (TypeError, ValueError):
        metres = math.nan
    if isinstance(value, bool) or not 0 <= metres <= MAX_BUFFER_M:
        msg = f"{where}: 'buffer_m' must be a number of metres from 0 to {MAX_BUFFER_M:g}, got {value!r}"
        raise InvalidDataError(msg)
    return metres


def closures_to_geojson(closures: Sequence[Closure]) -> dict[str, Any]:
    """Return closures as a closures file: a GeoJSON FeatureCollection that :func:`read_closures` reads back.

    Examples
    --------
    >>> from shapely import Point
    >>> doc = closures_to_geojson([Closure("Moso", Point(9.6, 45.4), start="10-01", end="01-31", buffer_m=50.0)])
    >>> doc["features"][0]["geometry"], doc["features"][0]["properties"]["start"]
    ({'type': 'Point', 'coordinates': [9.6, 45.4]}, '10-01')
    """
    features = []
    for c in closures:
        geometry = json.loads(json.dumps(shapely.geometry.mapping(c.geometry)))  # tuples to lists
        props = {"name": c.name, "start": c.start, "end": c.end, "reason": c.reason, "source": c.source}
        features.append({"type": "Feature", "geometry": geometry, "properties": {**props, "buffer_m": c.buffer_m}})
    return {"type": "FeatureCollection", "features": features}
