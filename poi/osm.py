"""POIs from OpenStreetMap objects: a raw extract, an Overpass answer or an OSM snapshot.

The category comes from :func:`poi.categories.category_of`; names, addresses,
contacts, opening hours and descriptions come from the usual OSM keys. An
``opening_hours`` value that does not parse is kept as free text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gis_data.poi_sources import osm_file_date
from gis_data.poi_sources import read_osm_records
from gis_data.poi_sources import read_overpass_json
from poi.categories import OSM_KEYS
from poi.categories import category_of
from poi.errors import InvalidPoiError
from poi.model import Poi
from poi.model import check_opening_hours
from poi.model import pois_to_gdf

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from pathlib import Path

    import geopandas as gpd

    from gis_data.poi_sources import SourceRecord

OSM_LICENCE = "ODbL 1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


def osm_address(tags: Mapping[str, str]) -> str:
    """Return the postal address of an object's ``addr:*`` tags, or ``""``.

    Examples
    --------
    >>> osm_address({"addr:street": "Via Decia", "addr:housenumber": "22", "addr:city": "Cremona"})
    'Via Decia 22, Cremona'
    """
    street = " ".join(t for t in (tags.get("addr:street"), tags.get("addr:housenumber")) if t)
    place = " ".join(t for t in (tags.get("addr:postcode"), tags.get("addr:city")) if t)
    return ", ".join(t for t in (street, place) if t)


def _first(tags: Mapping[str, str], *keys: str) -> str:
    return next((tags[k].strip() for k in keys if tags.get(k, "").strip()), "")


def osm_poi(
    where: str,
    tags: Mapping[str, str],
    latlon: tuple[float, float],
    *,
    source: str = "osm",
    licence: str = OSM_LICENCE,
    attribution: str = OSM_ATTRIBUTION,
    last_checked: str = "",
) -> Poi | None:
    """Return the POI of one OSM object, or ``None`` when its tags are no POI.

    Parameters
    ----------
    where
        ``"node/<id>"``, ``"way/<id>"`` or ``"relation/<id>"``: gives the stable id
        ``osm-node-<id>`` and the object's openstreetmap.org page.
    tags
        The object's tags.
    latlon
        Its position (the centre, for a way).
    source, licence, attribution, last_checked
        Provenance written on the record.

    Examples
    --------
    >>> p = osm_poi("node/42", {"amenity": "drinking_water", "name": "Fonte"}, (45.1, 10.0))
    >>> p.id, p.category, p.name, p.source_url
    ('osm-node-42', 'drinking_water', 'Fonte', 'https://www.openstreetmap.org/node/42')
    """
    category = category_of(tags)
    if category is None:
        return None
    hours = tags.get("opening_hours", "").strip()
    try:
        checked_hours, hours_text = check_opening_hours(hours), ""
    except InvalidPoiError:
        checked_hours, hours_text = "", hours
    return Poi(
        id=f"osm-{where.replace('/', '-')}",
        name=_first(tags, "name", "name:it", "name:en"),
        category=category,
        lat=latlon[0],
        lon=latlon[1],
        precision="point",
        address=osm_address(tags),
        comune=_first(tags, "addr:city"),
        phone=_first(tags, "phone", "contact:phone"),
        email=_first(tags, "email", "contact:email"),
        website=_first(tags, "website", "contact:website", "url"),
        opening_hours=checked_hours,
        opening_hours_text=hours_text,
        description_it=_first(tags, "description:it", "description"),
        description_en=_first(tags, "description:en"),
        source=source,
        source_url=f"https://www.openstreetmap.org/{where}",
        licence=licence,
        attribution=attribution,
        last_checked=last_checked,
    )


def pois_from_osm_records(records: Iterable[SourceRecord], *, source: str = "osm", last_checked: str = "") -> list[Poi]:
    """Return the POIs among OSM objects read by :mod:`gis_data.poi_sources`.

    Records without a point geometry or without a POI category are skipped.
    """
    pois = []
    for rec in records:
        geom = rec.geometry or {}
        coords = geom.get("coordinates") if geom.get("type") == "Point" else None
        if not coords:
            continue
        tags = {str(k): str(v) for k, v in rec.properties.items()}
        poi = osm_poi(
            rec.where,
            tags,
            (float(coords[1]), float(coords[0])),
            source=source,
            last_checked=last_checked,
        )
        if poi is not None:
            pois.append(poi)
    return pois


def osm_extract_pois(path: Path) -> gpd.GeoDataFrame:
    """Return the POIs of a raw OSM extract, from the tags of its nodes and ways.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidDataError
        If pyosmium cannot read it.
    """
    records = read_osm_records(path, OSM_KEYS)
    pois = pois_from_osm_records(records, source=f"osm:{path.name}", last_checked=osm_file_date(path))
    return pois_to_gdf(pois)


def overpass_pois(path: Path, *, last_checked: str = "") -> gpd.GeoDataFrame:
    """Return the POIs of a saved Overpass answer to :func:`poi.categories.overpass_query`.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidDataError
        If it is not an Overpass JSON answer.
    """
    pois = pois_from_osm_records(read_overpass_json(path), source=f"overpass:{path.name}", last_checked=last_checked)
    return pois_to_gdf(pois)
