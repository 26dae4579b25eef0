"""Curated POI registries (those the Infopoints keep): validate, import all or nothing, export.

A registry is a CSV file whose header names :class:`~poi.model.Poi` fields
(columns ``id``, ``name`` and ``category`` are required, though a name may be
empty; ``lat``/``lon`` are optional) or a GeoJSON FeatureCollection of Point
features with the same properties. Every problem is reported with its line
(CSV) or feature number (GeoJSON), see :mod:`poi.validate`; if there is any,
nothing is imported. Otherwise the records are placed (those without
coordinates are geocoded to their street when it is found inside their comune,
else kept unplaced), merged into the POI store by id (a record with a known id
replaces the stored one) and the store is rewritten atomically.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.poi_sources import read_comuni
from gis_data.poi_sources import read_csv_table
from gis_data.poi_sources import read_geojson_records
from gis_data.poi_sources import write_text_atomic
from poi.errors import ImportRejectedError
from poi.errors import InvalidPoiError
from poi.export import geojson_text
from poi.export import pois_to_geojson
from poi.geocode import geocode_street
from poi.model import Poi
from poi.model import pois_to_gdf
from poi.validate import ImportReport
from poi.validate import Provenance
from poi.validate import parse_features
from poi.validate import parse_table

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    import geopandas as gpd
    import networkx as nx
    from shapely.geometry.base import BaseGeometry


logger = logging.getLogger(__name__)


def place_pois(
    pois: Sequence[Poi], streets: nx.MultiDiGraph[int], comuni: Mapping[str, BaseGeometry]
) -> tuple[list[Poi], list[str]]:
    """Geocode unplaced POIs to their street where it lies in their comune.

    A POI whose comune is not among ``comuni`` is left unplaced, since the
    street found could belong to another town.

    Returns
    -------
    tuple
        New POI records, in order, and the ids of those placed.
    """
    out, placed = [], []
    for poi in pois:
        area = comuni.get(poi.comune)
        if poi.latlon is None and poi.address and area is not None:
            where = geocode_street(streets, poi.address, within=area)
            if where is not None:
                poi = replace(poi, lat=where[0], lon=where[1], precision="street")
                placed.append(poi.id)
        out.append(poi)
    return out, placed


def merge_pois(store: Sequence[Poi], new: Sequence[Poi]) -> tuple[list[Poi], list[str], list[str]]:
    """Merge new records into stored ones by id: a known id is replaced.

    Returns
    -------
    tuple
        The merged records sorted by id, the ids added and the ids updated.

    Examples
    --------
    >>> merged, added, updated = merge_pois([Poi("a", "A", "museum")], [Poi("a", "A2", "museum")])
    >>> [p.name for p in merged], added, updated
    (['A2'], [], ['a'])
    """
    by_id = {p.id: p for p in store}
    added = [p.id for p in new if p.id not in by_id]
    updated = [p.id for p in new if p.id in by_id]
    by_id.update({p.id: p for p in new})
    return [by_id[k] for k in sorted(by_id)], added, updated


def store_text(pois: Sequence[Poi]) -> str:
    """Return the POI store's file content: GeoJSON sorted by id, the same every time."""
    return geojson_text(pois_to_geojson(pois_to_gdf(sorted(pois, key=lambda p: p.id))))


def load_store(path: Path | None = None) -> gpd.GeoDataFrame:
    """Return the curated POIs of the store (``settings.poi_store``); none if it is missing.

    Raises
    ------
    InvalidPoiError
        If the store has a bad record (it was edited by hand).
    """
    return pois_to_gdf(_store_pois(path))


def _store_pois(path: Path | None) -> list[Poi]:
    store = Path(path or settings.poi_store)
    try:
        records = read_geojson_records(store)
    except DataNotFoundError:
        return []
    report = parse_features(records, Provenance(source=store.name), file=str(store))
    if not report.ok:
        msg = f"POI store {str(store)!r} has a bad record: {report.problems[0]}"
        raise InvalidPoiError(msg)
    return list(report.pois)


def read_registry(path: Path, defaults: Provenance) -> ImportReport:
    """Read and check a registry file (``.csv``, ``.geojson`` or ``.json``) without importing it.

    Raises
    ------
    DataNotFoundError
        If the file does not exist or has another extension.
    InvalidDataError
        If it is over ``settings.import_max_bytes`` or ``settings.import_max_records``,
        or not UTF-8 CSV or GeoJSON at all.
    """
    suffix = path.suffix.lower()
    limits = {"max_bytes": settings.import_max_bytes, "max_records": settings.import_max_records}
    if suffix == ".csv":
        return parse_table(read_csv_table(path, **limits), defaults, file=path.name)
    if suffix in {".geojson", ".json"}:
        return parse_features(read_geojson_records(path, **limits), defaults, file=path.name)
    msg = f"Unknown registry format {path.name!r}: use .csv, .geojson or .json"
    raise DataNotFoundError(msg)


def import_registry(
    path: Path,
    *,
    streets: nx.MultiDiGraph[int] | None = None,
    defaults: Provenance | None = None,
    store: Path | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a registry into the POI store, all or nothing.

    Parameters
    ----------
    path
        The registry file.
    streets
        Graph whose street names place records without coordinates.
    defaults
        Source, licence and date of records that do not give their own;
        default: the file's name, "not stated", no date.
    store
        The store file; default ``settings.poi_store``.
    dry_run
        Check and report only; the store is not written.

    Returns
    -------
    ImportReport
        The records imported and what happened to each.

    Raises
    ------
    ImportRejectedError
        If the file has any problem; the store is left as it was.
    """
    report = read_registry(path, defaults or Provenance(source=path.name))
    if not report.ok:
        msg = f"{path.name}: {len(report.problems)} problem(s), first {report.problems[0]}"
        raise ImportRejectedError(msg, report)
    pois, geocoded = list(report.pois), list[str]()
    if streets is not None:
        pois, geocoded = place_pois(pois, streets, read_comuni())
    store_path = Path(store or settings.poi_store)
    merged, added, updated = merge_pois(_store_pois(store_path), pois)
    if not dry_run:
        write_text_atomic(store_path, store_text(merged))
    logger.info("Imported %s: %d added, %d updated", path.name, len(added), len(updated))
    return replace(
        report,
        pois=tuple(pois),
        geocoded=tuple(geocoded),
        unplaced=tuple(p.id for p in pois if p.latlon is None),
        added=tuple(added),
        updated=tuple(updated),
    )
