"""Write POI collections as GeoJSON, CSV and GPX 1.1 waypoints (text; :mod:`gis_data` saves it).

Every output names its sources: GeoJSON has an ``attribution`` list beside the
features, each GPX waypoint has its source, licence and attribution in ``src``
and the document lists them all in ``metadata/desc``, and CSV rows carry the
``source``, ``licence`` and ``attribution`` columns.

Query results add columns (``km``, ``off_route_m``, ``distance_m``); they are
written first in CSV, as properties in GeoJSON and in the waypoint ``desc``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING
from typing import Any

import gpxpy.gpx

from poi.categories import CATEGORIES
from poi.categories import category_label
from poi.model import COLUMNS
from poi.model import CRS
from poi.model import FIELDS

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns a query adds, with the decimals they are written with.
QUERY_COLUMNS: dict[str, int] = {"km": 3, "off_route_m": 1, "distance_m": 1}
CREATOR = "cremona-bike"


def _value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _rows(pois: gpd.GeoDataFrame) -> list[tuple[dict[str, Any], tuple[float, float] | None]]:
    """Return each row's values (known columns only) and ``(lat, lon)`` in EPSG:4326."""
    frame = pois.to_crs(CRS) if pois.crs is not None and pois.crs != CRS else pois
    extra = [c for c in QUERY_COLUMNS if c in frame.columns]
    cols = [*extra, *(c for c in COLUMNS if c in frame.columns)]
    out = []
    for row, geom in zip(frame[cols].to_dict("records"), frame.geometry.array, strict=True):
        values = {str(k): _value(v) for k, v in row.items()}
        where = None if geom is None or geom.is_empty else (float(geom.y), float(geom.x))
        out.append((values, where))
    return out


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    """Round the query columns for output (metres to 0.1 m, km to the metre)."""
    out = dict(values)
    for col, decimals in QUERY_COLUMNS.items():
        if out.get(col) is not None:
            out[col] = round(float(out[col]), decimals)
    return out


def attributions(pois: gpd.GeoDataFrame) -> list[str]:
    """Return the distinct attribution lines of a POI collection, in order of appearance.

    Examples
    --------
    >>> from poi.model import Poi, pois_to_gdf
    >>> attributions(pois_to_gdf([Poi("a", "A", "museum", attribution="X"), Poi("b", "B", "other")]))
    ['X']
    """
    seen: dict[str, None] = {}
    for text in pois.get("attribution", []):
        if isinstance(text, str) and text:
            seen.setdefault(text, None)
    return list(seen)


def pois_to_geojson(pois: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of POIs; unplaced ones have a null geometry.

    Examples
    --------
    >>> from poi.model import Poi, pois_to_gdf
    >>> doc = pois_to_geojson(pois_to_gdf([Poi("a", "A", "museum", 45.1, 10.0)]))
    >>> doc["features"][0]["geometry"], doc["features"][0]["id"]
    ({'type': 'Point', 'coordinates': [10.0, 45.1]}, 'a')
    """
    features = []
    for values, where in _rows(pois):
        geometry = None if where is None else {"type": "Point", "coordinates": [where[1], where[0]]}
        properties = _rounded(values)
        features.append({"type": "Feature", "id": values["id"], "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "attribution": attributions(pois), "features": features}


def geojson_text(doc: dict[str, Any]) -> str:
    """Serialize a GeoJSON document the same way every time, one feature per line.

    Examples
    --------
    >>> print(geojson_text({"type": "FeatureCollection", "features": []}), end="")
    {"type": "FeatureCollection", "features": []}
    """
    head = {k: v for k, v in doc.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False) for f in doc.get("features", [])]
    start = json.dumps(head, ensure_ascii=False)[:-1]
    body = "\n" + ",\n".join(lines) + "\n" if lines else ""
    return start + ', "features": [' + body + "]}\n"


def pois_to_csv(pois: gpd.GeoDataFrame) -> str:
    """Return POIs as CSV: query columns first, then every :class:`~poi.model.Poi` field.

    Examples
    --------
    >>> from poi.model import Poi, pois_to_gdf
    >>> pois_to_csv(pois_to_gdf([Poi("a", "A", "museum", 45.1, 10.0)])).splitlines()[1][:25]
    'a,A,museum,45.1,10.0,none'
    """
    extra = [c for c in QUERY_COLUMNS if c in pois.columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*extra, *FIELDS], lineterminator="\n")
    writer.writeheader()
    for values, where in _rows(pois):
        row = {k: "" if v is None else v for k, v in _rounded(values).items()}
        if isinstance(values.get("bike_friendly"), bool):
            row["bike_friendly"] = "yes" if values["bike_friendly"] else "no"
        row["lat"], row["lon"] = ("", "") if where is None else where
        writer.writerow(row)
    return out.getvalue()


def waypoint_description(values: dict[str, Any]) -> str:
    """Return the text of a POI waypoint's ``desc``: category, place, position on the route.

    Examples
    --------
    >>> waypoint_description({"category": "drinking_water", "km": 1.25, "off_route_m": 40.0})
    'Drinking water; km 1.25, 40 m off route'
    """
    parts = [category_label(str(values.get("category", "other")))]
    if values.get("km") is not None:
        parts.append(f"km {values['km']:.2f}, {values.get('off_route_m') or 0:.0f} m off route")
    elif values.get("distance_m") is not None:
        parts.append(f"{values['distance_m']:.0f} m away")
    for key in ("address", "comune", "phone", "website", "opening_hours", "opening_hours_text"):
        if values.get(key):
            parts.append(str(values[key]))
    for key in ("description_en", "description_it"):
        if values.get(key):
            parts.append(str(values[key]))
            break
    return "; ".join(parts)


def pois_to_gpx(pois: gpd.GeoDataFrame, *, name: str = "Points of interest") -> gpxpy.gpx.GPX:
    """Build a GPX 1.1 document with one waypoint per placed POI.

    Each waypoint has the POI's name (its category label when unnamed), a
    ``desc``, ``src`` (source, licence, attribution), ``sym`` and ``type`` (the
    category id). Unplaced POIs are left out.

    Examples
    --------
    >>> from poi.model import Poi, pois_to_gdf
    >>> doc = pois_to_gpx(pois_to_gdf([Poi("w", "", "drinking_water", 45.1, 10.0)]))
    >>> w = doc.waypoints[0]
    >>> w.name, w.symbol, w.type
    ('Drinking water', 'Drinking Water', 'drinking_water')
    """
    gpx = gpxpy.gpx.GPX()
    gpx.creator = CREATOR
    gpx.name = name
    gpx.description = "Sources: " + "; ".join(attributions(pois)) if len(pois) else None
    for values, where in _rows(pois):
        if where is None:
            continue
        category = str(values.get("category") or "other")
        wpt = gpxpy.gpx.GPXWaypoint(
            round(where[0], 7),
            round(where[1], 7),
            name=values.get("name") or category_label(category),
            description=waypoint_description(values),
            symbol=CATEGORIES.get(category, CATEGORIES["other"]).gpx_sym,
            type=category,
        )
        source = ", ".join(str(values[k]) for k in ("source", "licence", "attribution") if values.get(k))
        wpt.source = source or None
        website = str(values.get("website") or "")
        if website.startswith(("http://", "https://")):
            wpt.link = website  # type: ignore[assignment]  # gpxpy infers None
        gpx.waypoints.append(wpt)
    return gpx
