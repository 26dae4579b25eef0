"""The POI record, its fields, and the GeoDataFrame that holds many of them.

A POI collection is a ``geopandas.GeoDataFrame`` in EPSG:4326 with one column
per field of :class:`Poi` (less ``lat``/``lon``, which live in the point
geometry). A POI whose place is unknown keeps a missing geometry: it is listed
and exported, never placed at a guessed spot, and spatial queries skip it.

``precision`` says how the position was obtained: ``"point"`` (given by the
source), ``"street"`` (geocoded to the middle of the named street, house
numbers being unknown) or ``"none"`` (no position).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import fields
from datetime import date
from typing import TYPE_CHECKING
from typing import Any

import geopandas as gpd
import numpy as np
import opening_hours
from shapely import Point

from poi.errors import InvalidPoiError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

LatLon = tuple[float, float]

PRECISIONS: tuple[str, ...] = ("point", "street", "none")
CRS = "EPSG:4326"
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True)
class Poi:
    """A point of interest, with where its facts come from and under which licence.

    ``opening_hours`` uses the OSM ``opening_hours`` syntax; hours published
    only as free text stay in ``opening_hours_text``.
    """

    id: str
    name: str
    category: str
    lat: float | None = None
    lon: float | None = None
    precision: str = "none"
    address: str = ""
    comune: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_hours: str = ""
    opening_hours_text: str = ""
    description_it: str = ""
    description_en: str = ""
    bike_friendly: bool | None = None
    source: str = ""
    source_url: str = ""
    licence: str = ""
    attribution: str = ""
    last_checked: str = ""
    notes: str = ""

    @property
    def latlon(self) -> LatLon | None:
        """Return ``(lat, lon)``, or ``None`` when the position is unknown."""
        if self.lat is None or self.lon is None:
            return None
        return (self.lat, self.lon)


#: Field names of :class:`Poi`, in order: the columns of CSV exports and imports.
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Poi))
#: Columns of a POI GeoDataFrame besides ``geometry``.
COLUMNS: tuple[str, ...] = tuple(f for f in FIELDS if f not in {"lat", "lon"})


def check_opening_hours(text: str) -> str:
    """Return an OSM ``opening_hours`` expression stripped, after checking its syntax.

    Raises
    ------
    InvalidPoiError
        If the expression does not parse.

    Examples
    --------
    >>> check_opening_hours(" Tu-Su 10:00-18:00; PH off ")
    'Tu-Su 10:00-18:00; PH off'
    """
    expression = text.strip()
    if expression and not opening_hours.validate(expression):
        msg = f"opening_hours {expression!r} is not in OSM opening_hours syntax"
        raise InvalidPoiError(msg)
    return expression


def opening_state(expression: str, when: datetime, *, latlon: LatLon | None = None) -> str:
    """Return ``"open"``, ``"closed"`` or ``"unknown"`` for an expression at a local time.

    Parameters
    ----------
    expression
        OSM ``opening_hours``; empty means unknown.
    when
        The moment, in the place's local time.
    latlon
        The place, for public holidays and sunrise/sunset (offline lookup).

    Examples
    --------
    >>> from datetime import datetime
    >>> opening_state("Tu-Su 10:00-18:00", datetime(2026, 3, 2, 11))  # a Monday
    'closed'
    >>> opening_state("", datetime(2026, 3, 2, 11))
    'unknown'
    """
    if not expression:
        return "unknown"
    parsed = opening_hours.OpeningHours(check_opening_hours(expression), coords=latlon)
    state, _comment = parsed.state(when.replace(tzinfo=None))
    return str(state)  # "open", "closed" or "unknown"


def check_latlon(lat: float, lon: float) -> LatLon:
    """Return a finite ``(lat, lon)`` in range, as floats.

    Raises
    ------
    InvalidPoiError
        If a value is not finite or out of range.

    Examples
    --------
    >>> check_latlon(45.13, 10)
    (45.13, 10.0)
    """
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        msg = f"latitude {lat!r} is out of range -90..90"
        raise InvalidPoiError(msg)
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        msg = f"longitude {lon!r} is out of range -180..180"
        raise InvalidPoiError(msg)
    return lat, lon


def check_date(text: str) -> str:
    """Return an ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) after checking it.

    Raises
    ------
    InvalidPoiError
        If the text is not such a date.

    Examples
    --------
    >>> check_date("2026-11-25"), check_date("2020-07"), check_date("")
    ('2026-11-25', '2020-07', '')
    """
    text = text.strip()
    match = _PARTIAL_DATE.match(text)
    if text and not match:
        msg = f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
        raise InvalidPoiError(msg)
    if match:
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            date(year, month, day)
        except ValueError as exc:
            msg = f"date {text!r} does not exist"
            raise InvalidPoiError(msg) from exc
    return text


def parse_flag(text: str) -> bool | None:
    """Parse yes/no (also true/false, 1/0, sì); empty means unknown.

    Raises
    ------
    InvalidPoiError
        If the text is none of these.

    Examples
    --------
    >>> parse_flag("yes"), parse_flag("No"), parse_flag("")
    (True, False, None)
    """
    key = text.strip().casefold()
    if not key:
        return None
    if key in {"yes", "true", "1", "y", "si", "sì"}:
        return True
    if key in {"no", "false", "0", "n"}:
        return False
    msg = f"flag {text!r} is not yes or no"
    raise InvalidPoiError(msg)


def pois_to_gdf(pois: Iterable[Poi]) -> gpd.GeoDataFrame:
    """Put POI records into a new GeoDataFrame (EPSG:4326), one row each, in order.

    Examples
    --------
    >>> gdf = pois_to_gdf([Poi("a", "A", "museum", 45.1, 10.0), Poi("b", "B", "other")])
    >>> list(gdf["id"]), gdf.geometry.isna().tolist()
    (['a', 'b'], [False, True])
    """
    rows: list[dict[str, Any]] = []
    geoms: list[Point | None] = []
    for poi in pois:
        rows.append({name: getattr(poi, name) for name in COLUMNS})
        where = poi.latlon
        geoms.append(None if where is None else Point(where[1], where[0]))
    geometry = np.empty(len(geoms), dtype=object)
    geometry[:] = geoms
    frame = gpd.GeoDataFrame(rows, columns=list(COLUMNS), geometry=geometry, crs=CRS)
    frame["bike_friendly"] = frame["bike_friendly"].astype(object)
    return frame


def gdf_to_pois(gdf: gpd.GeoDataFrame) -> list[Poi]:
    """Return the POI records of a GeoDataFrame's rows (extra columns are dropped).

    Examples
    --------
    >>> gdf_to_pois(pois_to_gdf([Poi("a", "A", "museum", 45.1, 10.0)]))[0].latlon
    (45.1, 10.0)
    """
    frame = gdf.to_crs(CRS) if gdf.crs is not None and gdf.crs != CRS else gdf
    out = []
    for row, geom in zip(frame[list(COLUMNS)].to_dict("records"), frame.geometry.array, strict=True):
        values = {str(k): _plain(v, text=k != "bike_friendly") for k, v in row.items()}
        if geom is not None and not geom.is_empty:
            values["lat"], values["lon"] = float(geom.y), float(geom.x)
        out.append(Poi(**values))
    return out


def _plain(value: Any, *, text: bool) -> Any:
    """Turn pandas' missing values back into ``""`` (text fields) or ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "" if text else None
    return str(value) if text else bool(value)
