"""The default POIs: real data sets shipped in ``gis_data/data`` (see each ``PROVENANCE.md``).

=========================  =======================================================
data set                   POIs
=========================  =======================================================
curated-pois-cremona       luthiers, museums, music venues, food, Infopoints, Pro
                           Loco, bike services, lodging... (no coordinates: placed
                           on their street of the Cremona graph, or unplaced)
tourism-infopoints         Infopoints of the Visit Cremona site (the same two are
                           in the curated list, whose records win)
railway-stations-cremona   railway stations in and around the province
osm-drinking-water         OSM drinking water points and water taps
osm-bicycle-parking        OSM bicycle parking
osm-toilets                OSM toilets
alberi-monumentali         monumental trees still listed ("Iscritto in elenco")
town-centres               town centres (GeoNames), without the province centroid
=========================  =======================================================

Each record keeps its data set as ``source`` with that set's licence,
attribution and date; the converters are pure functions of the records read by
:mod:`gis_data.poi_sources`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any

from gis_data import settings
from gis_data.network import load_network
from gis_data.places import normalize_name
from gis_data.poi_sources import EMBEDDED
from gis_data.poi_sources import embedded_path
from gis_data.poi_sources import read_comuni
from gis_data.poi_sources import read_csv_table
from gis_data.poi_sources import read_geojson_records
from poi.model import Poi
from poi.model import pois_to_gdf
from poi.osm import pois_from_osm_records
from poi.registry import place_pois
from poi.validate import Provenance
from poi.validate import parse_table

if TYPE_CHECKING:
    from collections.abc import Iterable

    import geopandas as gpd
    import networkx as nx

    from gis_data.poi_sources import CsvTable
    from gis_data.poi_sources import Dataset
    from gis_data.poi_sources import SourceRecord

logger = logging.getLogger(__name__)

#: Properties the OSM amenity snapshot adds to the OSM tags.
_DERIVED_KEYS = frozenset({"osm_node_id", "in_provincia_cremona"})


def slug(text: str) -> str:
    """Return a lowercase ASCII id fragment of a text.

    Examples
    --------
    >>> slug("001/C904/PR/08"), slug("Crema")
    ('001-c904-pr-08', 'crema')
    """
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(text)).strip("-")


def _latlon(rec: SourceRecord) -> tuple[float, float] | None:
    geom = rec.geometry or {}
    coords = geom.get("coordinates")
    if geom.get("type") != "Point" or not coords:
        return None
    return float(coords[1]), float(coords[0])


def _provenance(dataset: Dataset) -> dict[str, Any]:
    return {
        "source": dataset.key,
        "licence": dataset.licence,
        "attribution": dataset.attribution,
        "last_checked": dataset.as_of,
    }


def _placed(rec: SourceRecord) -> dict[str, Any]:
    where = _latlon(rec)
    if where is None:
        return {"precision": "none"}
    return {"lat": where[0], "lon": where[1], "precision": "point"}


def station_pois(records: Iterable[SourceRecord], dataset: Dataset) -> list[Poi]:
    """Return railway-station POIs ("Stazione di Cremona") of the Regione Lombardia set."""
    pois = []
    for rec in records:
        props = rec.properties
        name = str(props["stazione"]).title()
        line = str(props.get("linea") or "")
        pois.append(
            Poi(
                id=f"station-{props['cod_staz']}",
                name=f"Stazione di {name}",
                category="railway_station",
                description_it=f"Linea {line}" if line else "",
                description_en=f"Line {line}" if line else "",
                source_url=f"Flussi Stazioni Ferroviarie, CodStaz {props['cod_staz']}",
                **_placed(rec),
                **_provenance(dataset),
            )
        )
    return pois


def osm_snapshot_pois(records: Iterable[SourceRecord], dataset: Dataset, *, water_taps: bool = False) -> list[Poi]:
    """Return POIs of an OSM amenity snapshot (nodes with ``osm_node_id`` and their tags).

    In the water snapshot the records without ``amenity`` are ``man_made=water_tap``
    nodes (the upstream query's second half, per its PROVENANCE.md), whose tag
    the export left out: ``water_taps=True`` puts it back.
    """
    nodes = []
    for rec in records:
        tags = {k: str(v) for k, v in rec.properties.items() if k not in _DERIVED_KEYS}
        if water_taps and "amenity" not in tags:
            tags["man_made"] = "water_tap"
        where = f"node/{rec.properties['osm_node_id']}"
        nodes.append(replace(rec, where=where, properties=tags))
    pois = pois_from_osm_records(nodes, source=dataset.key, last_checked=dataset.as_of)
    return [replace(p, licence=dataset.licence, attribution=dataset.attribution) for p in pois]


def tree_pois(records: Iterable[SourceRecord], dataset: Dataset) -> list[Poi]:
    """Return the monumental trees still listed, with species and size as description."""
    pois = []
    for rec in records:
        p = rec.properties
        if p.get("STATO") != "Iscritto in elenco":
            continue
        common, species = str(p.get("NOME VOLG") or ""), str(p.get("SPECIE") or "")
        height, girth = p.get("AL IS - H"), p.get("AL IS - C")
        size_it = f"; altezza {height} m, circonferenza {girth} cm" if height and girth else ""
        size_en = f"; height {height} m, girth {girth} cm" if height and girth else ""
        kind = str(p.get("TIPOLOGIA") or "")
        pois.append(
            Poi(
                id=f"tree-{slug(str(p['ID PUNTO']))}",
                name=common or species,
                category="monumental_tree",
                address=str(p.get("LOCALITA'") or ""),
                comune=str(p.get("COMUNE") or ""),
                description_it=f"{species} ({kind}){size_it}",
                description_en=f"{species} ({kind}){size_en}",
                source_url=f"Elenco alberi monumentali, ID PUNTO {p['ID PUNTO']}",
                **_placed(rec),
                **_provenance(dataset),
            )
        )
    return pois


def town_pois(records: Iterable[SourceRecord], dataset: Dataset) -> list[Poi]:
    """Return town-centre POIs, leaving out the province centroid stored as a city."""
    pois = []
    for rec in records:
        p = rec.properties
        name = str(p["name"])
        if name.startswith("Provincia di"):
            continue
        pois.append(
            Poi(
                id=f"town-{p['csc_city_id']}",
                name=name,
                category="town_centre",
                comune=str(p.get("istat_comune_containing_point") or ""),
                source_url=f"countries-states-cities-database city {p['csc_city_id']}",
                **_placed(rec),
                **_provenance(dataset),
            )
        )
    return pois


def infopoint_table(table: CsvTable) -> CsvTable:
    """Give the Infopoint address list the registry columns (id, category, source_url).

    Examples
    --------
    >>> from gis_data.poi_sources import CsvTable
    >>> t = infopoint_table(CsvTable(("name", "comune", "source"), ((2, ("I", "Crema", "x")),)))
    >>> t.header[:3], t.rows[0][1][:3]
    (('id', 'category', 'source_url'), ('infopoint-crema', 'infopoint', 'x'))
    """
    header = ("id", "category", "source_url", *(c for c in table.header if c != "source"))
    col = {name: i for i, name in enumerate(table.header)}
    rows = []
    for line, row in table.rows:
        values = dict(zip(table.header, row, strict=False))
        rest = tuple(row[col[c]] if col[c] < len(row) else "" for c in header[3:])
        rows.append(
            (
                line,
                (f"infopoint-{slug(values.get('comune', ''))}", "infopoint", values.get("source", ""), *rest),
            )
        )
    return replace(table, header=header, rows=tuple(rows))


#: Words of a lodging's name or notes saying that the source calls it cyclist-friendly.
BIKE_FRIENDLY_WORDS: tuple[str, ...] = ("bike hotel", "cyclists", "bike fleet", "bike-friendly")


def curated_table(table: CsvTable) -> CsvTable:
    """Give the curated list the registry columns: ``source_date`` goes into ``notes``.

    A lodging or agriturismo gets ``bike_friendly=yes`` when its name or notes
    (written from its sources) say so in :data:`BIKE_FRIENDLY_WORDS`, else it is
    left unknown.

    Examples
    --------
    >>> from gis_data.poi_sources import CsvTable
    >>> row = ("h", "Hotel (bike hotel)", "lodging", "2025-07", "near the Po")
    >>> t = curated_table(CsvTable(("id", "name", "category", "source_date", "notes"), ((2, row),)))
    >>> t.header[-2:], t.rows[0][1][-2:]
    (('notes', 'bike_friendly'), ('source date 2025-07; near the Po', 'yes'))
    """
    header = tuple(c for c in table.header if c != "source_date")
    rows = []
    for line, row in table.rows:
        values = dict(zip(table.header, row, strict=False))
        dated = values.get("source_date", "").strip()
        notes = values.get("notes", "")
        values["notes"] = "; ".join(t for t in (f"source date {dated}" if dated else "", notes) if t)
        said = f"{values.get('name', '')} {notes}".casefold()
        lodging = values.get("category") in {"lodging", "agriturismo"}
        friendly = lodging and any(word in said for word in BIKE_FRIENDLY_WORDS)
        cells = tuple(values.get(c, "") for c in header if c in values)
        rows.append((line, (*cells, "yes" if friendly else "")))
    return replace(table, header=(*header, "bike_friendly"), rows=tuple(rows))


def with_osm_hours(table: CsvTable, hours: CsvTable) -> CsvTable:
    """Add the ``opening_hours`` transcribed into OSM syntax (a second table: ``id``, ``opening_hours``).

    Examples
    --------
    >>> from gis_data.poi_sources import CsvTable
    >>> pois = CsvTable(("id", "name"), ((2, ("m", "Museo")), (3, ("n", "Bottega"))))
    >>> osm = CsvTable(("id", "opening_hours"), ((2, ("m", "Tu-Su 10:00-18:00")),))
    >>> [row for _, row in with_osm_hours(pois, osm).rows]
    [('m', 'Museo', 'Tu-Su 10:00-18:00'), ('n', 'Bottega', '')]
    """
    by_id = {row[0]: row[1] for _, row in hours.rows if len(row) >= 2}
    if "opening_hours" in table.header:
        return table
    key = table.header.index("id")
    rows = tuple((line, (*row, by_id.get(row[key], ""))) for line, row in table.rows)
    return replace(table, header=(*table.header, "opening_hours"), rows=rows)


def _table_pois(table: CsvTable, dataset: Dataset) -> list[Poi]:
    defaults = Provenance(dataset.key, dataset.licence, dataset.attribution, dataset.as_of)
    report = parse_table(table, defaults, file=dataset.path)
    for problem in report.problems:
        logger.warning("%s: %s", dataset.path, problem)
    return [replace(p, source=dataset.key) for p in report.pois]


def _unique(pois: Iterable[Poi]) -> list[Poi]:
    seen: dict[str, Poi] = {}
    for poi in pois:
        if poi.id in seen:
            logger.debug("POI %s of %s is already in %s", poi.id, poi.source, seen[poi.id].source)
            continue
        seen[poi.id] = poi
    return list(seen.values())


def embedded_pois() -> list[Poi]:
    """Read every embedded data set and return its POIs, curated ones still unplaced."""

    def records(key: str) -> list[SourceRecord]:
        return read_geojson_records(embedded_path(key))

    sets = EMBEDDED
    return _unique(
        [
            *_table_pois(
                with_osm_hours(
                    curated_table(read_csv_table(embedded_path("curated-pois-cremona"))),
                    read_csv_table(embedded_path("curated-pois-cremona").with_name("opening_hours_osm.csv")),
                ),
                sets["curated-pois-cremona"],
            ),
            *_table_pois(
                infopoint_table(read_csv_table(embedded_path("tourism-infopoints"))),
                sets["tourism-infopoints"],
            ),
            *station_pois(records("railway-stations-cremona"), sets["railway-stations-cremona"]),
            *osm_snapshot_pois(records("osm-drinking-water"), sets["osm-drinking-water"], water_taps=True),
            *osm_snapshot_pois(records("osm-bicycle-parking"), sets["osm-bicycle-parking"]),
            *osm_snapshot_pois(records("osm-toilets"), sets["osm-toilets"]),
            *tree_pois(records("alberi-monumentali"), sets["alberi-monumentali"]),
            *town_pois(records("town-centres"), sets["town-centres"]),
        ]
    )


def default_pois(streets: nx.MultiDiGraph[int] | None = None) -> gpd.GeoDataFrame:
    """Return the embedded POIs, with addresses placed on the streets of the Cremona graph.

    Parameters
    ----------
    streets
        Graph whose street names place the records without coordinates;
        default: the embedded Cremona city graph (``settings.default_network``).

    Returns
    -------
    geopandas.GeoDataFrame
        A new POI collection (see :mod:`poi.model`).
    """
    G = streets if streets is not None else load_network(settings.default_network)
    pois, placed = place_pois(embedded_pois(), G, read_comuni())
    logger.info("Embedded POIs: %d, %d placed on their street", len(pois), len(placed))
    return pois_to_gdf(pois)
