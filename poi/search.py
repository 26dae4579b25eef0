"""Find POIs near a point or along a route, with a spatial index in a metric CRS.

POIs are projected to a UTM zone (EPSG:32632 for Cremona; by default the zone
of the query) and indexed with a shapely ``STRtree``. The projected index is
cached by the content of the POIs' coordinates, so repeated queries on the same
collection cost only the query (a few milliseconds for thousands of POIs), and a
collection edited in place is re-indexed. POIs without a position are skipped.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from gis_data.graph_build import utm_epsg
from poi.model import CRS

if TYPE_CHECKING:
    from collections.abc import Collection

    import geopandas as gpd
    from shapely import LineString

LatLon = tuple[float, float]
GeomT = TypeVar("GeomT", bound=shapely.Geometry)

#: How many projected indexes are kept (one per POI collection and CRS).
INDEX_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class PoiIndex:
    """Projected points of the placed POIs, their STRtree and their row positions."""

    crs: str
    rows: npt.NDArray[np.intp]
    points: npt.NDArray[np.object_]
    tree: shapely.STRtree


_INDEXES: OrderedDict[tuple[str, str], PoiIndex] = OrderedDict()


@cache
def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs(CRS, crs, always_xy=True)


def project(geom: GeomT, crs: str) -> GeomT:
    """Return a lon/lat geometry in a projected CRS.

    Examples
    --------
    >>> from shapely import Point
    >>> p = project(Point(9.0, 45.0), "EPSG:32632")
    >>> round(p.x), round(p.y)
    (500000, 4982950)
    """
    fwd = _transformer(crs)
    return shapely.transform(geom, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))


def poi_index(pois: gpd.GeoDataFrame, crs: str) -> PoiIndex:
    """Return the spatial index of a POI collection in a projected CRS, building it once."""
    frame = pois.to_crs(CRS) if pois.crs != CRS else pois
    geoms = np.asarray(frame.geometry.array, dtype=object)
    placed = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(placed)
    lonlat = shapely.get_coordinates(geoms[rows])
    key = (crs, hashlib.blake2b(lonlat.tobytes() + rows.tobytes(), digest_size=16).hexdigest())
    if key in _INDEXES:
        _INDEXES.move_to_end(key)
        return _INDEXES[key]
    if len(rows):
        x, y = _transformer(crs).transform(lonlat[:, 0], lonlat[:, 1])
        points = np.asarray(shapely.points(np.asarray(x), np.asarray(y)), dtype=object)
    else:
        points = np.empty(0, dtype=object)
    index = PoiIndex(crs, rows, points, shapely.STRtree(points))
    _INDEXES[key] = index
    while len(_INDEXES) > INDEX_CACHE_SIZE:
        _INDEXES.popitem(last=False)
    return index


def _category_mask(
    pois: gpd.GeoDataFrame, rows: npt.NDArray[np.intp], categories: Collection[str] | None
) -> npt.NDArray[np.bool_]:
    if not categories:
        return np.ones(len(rows), dtype=bool)
    return np.isin(pois["category"].to_numpy()[rows], list(categories))


def pois_near(
    pois: gpd.GeoDataFrame,
    point: LatLon,
    *,
    radius_m: float = 500.0,
    categories: Collection[str] | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the POIs within a distance of a point, nearest first.

    Parameters
    ----------
    pois
        A POI collection (see :mod:`poi.model`).
    point
        ``(lat, lon)``.
    radius_m
        Search radius, in metres.
    categories
        Category ids to keep; ``None`` keeps all.
    crs
        Metric CRS of the search; default the UTM zone of the point.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame of the POIs found, with ``distance_m``, nearest first.

    Examples
    --------
    >>> from poi.model import Poi, pois_to_gdf
    >>> pois = pois_to_gdf([Poi("a", "A", "museum", 45.1334, 10.0246)])
    >>> found = pois_near(pois, (45.1334, 10.0256), radius_m=100)
    >>> list(found["id"]), round(float(found["distance_m"].iloc[0]))
    (['a'], 79)
    """
    lat, lon = point
    crs = crs or f"EPSG:{utm_epsg(lon, lat)}"
    index = poi_index(pois, crs)
    centre = project(shapely.Point(lon, lat), crs)
    hits = index.tree.query(centre, predicate="dwithin", distance=radius_m)
    hits = hits[_category_mask(pois, index.rows[hits], categories)]
    dist = shapely.distance(centre, index.points[hits])
    keep = dist <= radius_m
    hits, dist = hits[keep], dist[keep]
    order = np.lexsort((index.rows[hits], dist))
    found = pois.iloc[index.rows[hits][order]].copy()
    found["distance_m"] = dist[order]
    return found.reset_index(drop=True)


def pois_along(
    pois: gpd.GeoDataFrame,
    route_line: LineString,
    *,
    buffer_m: float = 300.0,
    categories: Collection[str] | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the POIs within a distance of a route, in riding order.

    Parameters
    ----------
    pois
        A POI collection (see :mod:`poi.model`).
    route_line
        The route, a lon/lat LineString from start to end.
    buffer_m
        Farthest a POI may lie from the route, in metres.
    categories
        Category ids to keep; ``None`` keeps all.
    crs
        Metric CRS of the search; default the UTM zone of the route's start.

    Returns
    -------
    geopandas.GeoDataFrame
        A new frame of the POIs found, with ``km`` (distance along the route to
        the point nearest the POI, in km) and ``off_route_m``, sorted by ``km``.

    Examples
    --------
    >>> from shapely import LineString
    >>> from poi.model import Poi, pois_to_gdf
    >>> pois = pois_to_gdf([Poi("w", "", "drinking_water", 45.1345, 10.0300)])
    >>> line = LineString([(10.02, 45.134), (10.04, 45.134)])
    >>> found = pois_along(pois, line, buffer_m=100)
    >>> round(float(found["km"].iloc[0]), 2), round(float(found["off_route_m"].iloc[0]))
    (0.79, 56)
    """
    if route_line.is_empty:
        return _empty_result(pois, ("km", "off_route_m"))
    start = route_line.coords[0]
    crs = crs or f"EPSG:{utm_epsg(start[0], start[1])}"
    index = poi_index(pois, crs)
    line = project(route_line, crs)
    hits = index.tree.query(line, predicate="dwithin", distance=buffer_m)
    hits = hits[_category_mask(pois, index.rows[hits], categories)]
    off = shapely.distance(line, index.points[hits])
    keep = off <= buffer_m
    hits, off = hits[keep], off[keep]
    along = shapely.line_locate_point(line, index.points[hits])
    order = np.lexsort((index.rows[hits], off, along))
    found = pois.iloc[index.rows[hits][order]].copy()
    found["km"] = along[order] / 1000.0
    found["off_route_m"] = off[order]
    return found.reset_index(drop=True)


def _empty_result(pois: gpd.GeoDataFrame, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    found = pois.iloc[[]].copy()
    for col in columns:
        found[col] = np.empty(0, dtype=float)
    return found
