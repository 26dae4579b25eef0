"""Closures staff publish: a form's values checked as one feature of a closures file.

A closure is a point with a radius (``lat``, ``lon``, ``radius_m``: the ways
within the circle are closed) or a GeoJSON geometry pasted as text (a polygon,
or a line closing the ways within ``radius_m``, default 25 m), with ``name``,
optional ``start``/``end`` (``YYYY-MM-DD``, or ``MM-DD`` every year),
``reason`` and ``source``. The checks are those of a closures file
(:func:`gis_data.closures.closure_from_feature`), plus every coordinate inside
the province; the document is the GeoJSON feature itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from typing import Any

import shapely
from shapely import Point
from shapely.geometry import mapping
from shapely.geometry import shape

from gis_data.closures import closure_from_feature
from gis_data.errors import InvalidDataError
from gis_data.untrusted import loads_json
from poi.content import Checked
from poi.content import province_problems

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gis_data.closures import Closure

#: Fields of the closure form, in order.
CLOSURE_FORM_FIELDS: tuple[str, ...] = (
    "name",
    "start",
    "end",
    "reason",
    "source",
    "lat",
    "lon",
    "radius_m",
    "geometry",
)
#: Most characters of a pasted geometry (requests are limited to 64 KiB).
MAX_GEOMETRY_CHARS = 60_000


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value).strip()


def _geometry(values: Mapping[str, Any]) -> tuple[Any, list[str]]:
    """Return the GeoJSON geometry the form describes, or the problems."""
    pasted = _text(values, "geometry")
    if pasted:
        if len(pasted) > MAX_GEOMETRY_CHARS:
            return None, [f"geometry has {len(pasted)} characters, more than {MAX_GEOMETRY_CHARS}"]
        try:
            geometry = loads_json(pasted, "geometry")
        except InvalidDataError as exc:
            return None, [str(exc)]
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        return geometry, []
    lat, lon = _text(values, "lat"), _text(values, "lon")
    if not lat or not lon:
        return None, ["give lat, lon and radius_m, or paste a GeoJSON geometry"]
    try:
        return {"type": "Point", "coordinates": [float(lon), float(lat)]}, []
    except ValueError:
        return None, [f"coordinates lat={lat!r} lon={lon!r} are not numbers"]


def check_closure(values: Mapping[str, Any], *, item_id: str) -> Checked:
    """Check a closure form and return its document, a GeoJSON Feature.

    Examples
    --------
    >>> form = {"name": "Piazza del Comune", "lat": "45.1334", "lon": "10.0246", "radius_m": "60",
    ...         "start": "2026-06-01", "end": "2026-06-02"}
    >>> check_closure(form, item_id="closure-piazza").document["geometry"]
    {'type': 'Point', 'coordinates': [10.0246, 45.1334]}
    >>> check_closure({**form, "end": "2026-02-30"}, item_id="closure-piazza").problems
    ("closure: bad date '2026-02-30'; use YYYY-MM-DD or MM-DD",)
    """
    geometry, problems = _geometry(values)
    if problems:
        return Checked(None, tuple(problems))
    radius = _text(values, "radius_m")
    properties: dict[str, Any] = {
        "id": item_id,
        "name": _text(values, "name"),
        "start": _text(values, "start"),
        "end": _text(values, "end"),
        "reason": _text(values, "reason"),
        "source": _text(values, "source"),
        "buffer_m": radius,
    }
    feature = {"type": "Feature", "geometry": geometry, "properties": properties}
    try:
        closure = closure_from_feature(feature, "closure")
    except InvalidDataError as exc:
        return Checked(None, (str(exc),))
    coords = shapely.get_coordinates(closure.geometry)
    outside = province_problems([(float(y), float(x)) for x, y in coords], "closure point")
    if outside:
        return Checked(None, tuple(outside[:5]))
    properties["buffer_m"] = closure.buffer_m
    plain = json.loads(json.dumps(mapping(closure.geometry)))  # tuples to lists, as GeoJSON text has
    return Checked({**feature, "geometry": plain}, ())


def closure_from_document(document: Mapping[str, Any]) -> Closure | None:
    """Return the closure of a stored document, checked again; ``None`` if it no longer passes."""
    try:
        return closure_from_feature(dict(document), "closure")
    except InvalidDataError:
        return None


def closure_form_text(document: Mapping[str, Any]) -> dict[str, str]:
    """Return a closure document as form text: a point as lat/lon/radius, any other geometry as GeoJSON.

    Examples
    --------
    >>> doc = {"geometry": {"type": "Point", "coordinates": [10.02, 45.13]},
    ...        "properties": {"name": "Piazza", "buffer_m": 60.0}}
    >>> text = closure_form_text(doc)
    >>> text["lat"], text["lon"], text["radius_m"], text["geometry"]
    ('45.13', '10.02', '60', '')
    """
    props = dict(document.get("properties") or {})
    out = {
        key: "" if props.get(key) is None else str(props[key]) for key in ("name", "start", "end", "reason", "source")
    }
    buffer_m = props.get("buffer_m")
    out["radius_m"] = "" if buffer_m in (None, "") else f"{float(buffer_m):g}"
    geometry = document.get("geometry")
    try:
        geom = shape(geometry) if geometry else None
    except (TypeError, ValueError, AttributeError, KeyError, shapely.errors.ShapelyError):
        geom = None
    if isinstance(geom, Point):
        out.update(lat=f"{geom.y:.7g}", lon=f"{geom.x:.7g}", geometry="")
    else:
        out.update(lat="", lon="", geometry=json.dumps(geometry) if geometry else "")
    return out
