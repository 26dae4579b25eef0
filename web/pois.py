"""The POIs as an app resource, and their JSON for the map's layer.

Loaded once per app like the graph (:mod:`web.graph`): the embedded real data
sets, with the curated store (``cremona-bike poi import``) replacing records of
the same id, as the CLI does. What staff published (:mod:`web.content`) goes on
top: published records replace or add, withdrawn ids disappear; the collection
is rebuilt (in milliseconds) only when the published content changes.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING
from typing import Any

import geopandas as gpd
import pandas as pd
from flask import current_app

from gis_data.errors import PlaceNotFoundError
from poi import default_pois
from poi import load_store
from poi import pois_to_geojson
from poi.categories import CATEGORIES
from poi.categories import category_label
from poi.model import CRS
from poi.published import apply_to_pois
from web.content import get_published

if TYPE_CHECKING:
    from collections.abc import Collection

    from flask import Flask

EXTENSION = "cremona_bike.pois"
#: The POI fields a map popup shows (text only; the page escapes them).
POPUP_FIELDS = (
    "id",
    "name",
    "category",
    "address",
    "comune",
    "phone",
    "email",
    "website",
    "opening_hours",
    "opening_hours_text",
    "description_it",
    "description_en",
    "source",
    "source_url",
    "licence",
    "attribution",
    "last_checked",
)


class _PoiSlot:
    __slots__ = ("base", "current", "lock")

    def __init__(self) -> None:
        self.base: gpd.GeoDataFrame | None = None
        #: The stamp of the published content and the POIs made with it, replaced together.
        self.current: tuple[tuple[int, int] | None, gpd.GeoDataFrame] | None = None
        self.lock = threading.Lock()


def get_pois() -> gpd.GeoDataFrame:
    """Return the current app's POIs, loading them on first use.

    Returns
    -------
    geopandas.GeoDataFrame
        Embedded POIs and the curated store, one row per id, with what staff published.
    """
    slot: _PoiSlot = current_app.extensions[EXTENSION]
    published = get_published()
    current = slot.current
    if current is not None and current[0] == published.stamp:
        return current[1]
    with slot.lock:
        if slot.base is None:
            started = time.perf_counter()
            base = default_pois()
            store = load_store()
            frame = pd.concat([base[~base["id"].isin(store["id"])], store], ignore_index=True)
            slot.base = gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)
            current_app.logger.info("Loaded %d POIs in %.2f s", len(frame), time.perf_counter() - started)
        if slot.current is None or slot.current[0] != published.stamp:
            slot.current = (published.stamp, apply_to_pois(slot.base, published.pois, published.withdrawn["poi"]))
        return slot.current[1]


def base_pois() -> gpd.GeoDataFrame:
    """Return the current app's POIs before what staff published (the embedded data and the import store)."""
    get_pois()
    slot: _PoiSlot = current_app.extensions[EXTENSION]
    assert slot.base is not None
    return slot.base


def init_app(app: Flask) -> None:
    """Give an app its (not yet loaded) POI slot."""
    app.extensions[EXTENSION] = _PoiSlot()


def placed(pois: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the POIs that have a position."""
    return pois[pois.geometry.notna() & ~pois.geometry.is_empty]


def select_pois(
    pois: gpd.GeoDataFrame,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    categories: Collection[str] = (),
    limit: int | None = None,
) -> gpd.GeoDataFrame:
    """Return the placed POIs inside a box and of some categories.

    Parameters
    ----------
    pois
        A POI collection.
    bbox
        ``(west, south, east, north)``; ``None`` keeps every position.
    categories
        Category ids to keep; empty keeps all.
    limit
        Most rows returned.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows, in their original order.
    """
    found = placed(pois)
    if bbox is not None:
        west, south, east, north = bbox
        found = found.cx[west:east, south:north]
    if categories:
        found = found[found["category"].isin(list(categories))]
    return found.iloc[:limit] if limit is not None else found


def find_poi(pois: gpd.GeoDataFrame, poi_id: str, query: str) -> tuple[str, str, float, float, dict[str, Any]]:
    """Return the name, category, lat, lon and record of the POI with an id.

    Raises
    ------
    PlaceNotFoundError
        If no POI has the id, or it has no position.
    """
    rows = pois[pois["id"] == poi_id]
    if not len(rows):
        msg = f"No POI has the id {poi_id!r}"
        raise PlaceNotFoundError(msg, query)
    record: dict[str, Any] = {str(k): v for k, v in rows.iloc[0].to_dict().items()}
    geom = record.get("geometry")
    if geom is None or geom.is_empty:
        msg = f"POI {poi_id!r} has no known position, so it cannot be visited"
        raise PlaceNotFoundError(msg, query)
    name = str(record.get("name") or "") or str(record["category"]).replace("_", " ")
    return name, str(record["category"]), float(geom.y), float(geom.x), record


def pois_feature_collection(pois: gpd.GeoDataFrame, *, lang: str) -> dict[str, Any]:
    """Return POIs as GeoJSON for the map: the popup fields and the category's label.

    Parameters
    ----------
    pois
        Placed POIs.
    lang
        ``"it"`` or ``"en"``, for the category labels.

    Returns
    -------
    dict
        A FeatureCollection with ``attribution`` (the distinct source lines).
    """
    columns = [c for c in POPUP_FIELDS if c in pois.columns]
    doc = pois_to_geojson(pois[[*columns, "geometry"]])
    for feature in doc["features"]:
        props = feature["properties"]
        props["label"] = category_label(str(props.get("category")), lang=lang)
        for key, value in list(props.items()):
            if value is None or value == "":
                del props[key]
    return doc


def category_list(pois: gpd.GeoDataFrame, *, lang: str) -> list[dict[str, Any]]:
    """Return every category with its label and how many placed POIs it has, in list order.

    Examples
    --------
    >>> from poi.model import Poi, pois_to_gdf
    >>> rows = category_list(pois_to_gdf([Poi("a", "A", "museum", 45.1, 10.0)]), lang="it")
    >>> [r for r in rows if r["id"] == "museum"]
    [{'id': 'museum', 'label': 'Museo', 'count': 1}]
    """
    counts = placed(pois)["category"].value_counts()
    return [{"id": c, "label": category_label(c, lang=lang), "count": int(counts.get(c, 0))} for c in CATEGORIES]
