"""Read and write the files behind points of interest; :mod:`poi` turns them into POIs.

Readers return what a file holds, uninterpreted, with where each record came
from ("line 4", "feature 2", "node/123") so validation can name it:

* GeoJSON features (the embedded data sets, registries, the POI store);
* CSV tables with the starting line of every row (registries, curated lists);
* tagged OSM nodes and ways of a raw extract, read with pyosmium (ways as the
  centre of their nodes), and the JSON output of an Overpass query.

:data:`EMBEDDED` lists the real data sets shipped in ``settings.data_folder``
with the source, licence and attribution that each of their records carries.
Writes are atomic (temporary file + ``os.replace``): a reader sees the old file
or the new one, and a failed write leaves the old file untouched.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO
from typing import TYPE_CHECKING
from typing import Any

import osmium
from shapely import LineString
from shapely import Polygon
from shapely.geometry import shape

from gis_data import settings
from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.untrusted import loads_json
from gis_data.untrusted import read_json
from gis_data.untrusted import read_text

if TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Mapping

    from shapely.geometry.base import BaseGeometry

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of a file: where it is, its properties and its GeoJSON geometry, if any."""

    where: str
    properties: Mapping[str, Any]
    geometry: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A CSV file as read: its header and each row with the line it starts on."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Dataset:
    """An embedded data set and what every record taken from it carries."""

    key: str
    path: str
    title: str
    licence: str
    attribution: str
    as_of: str


#: The embedded POI data sets; ``path`` is relative to ``settings.data_folder`` and
#: ``as_of`` is when their facts were last checked (ISO date, possibly partial).
EMBEDDED: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "curated-pois-cremona",
            "curated-pois-cremona/pois.csv",
            "Curated tourist POIs of the province of Cremona (facts only, source per record)",
            "facts from public pages, each with its source_url; re-check before publishing",
            "Curated POIs: facts from the public pages named in each record",
            "2026-11-25",
        ),
        Dataset(
            "tourism-infopoints",
            "tourism-infopoints/infopoints_addresses.csv",
            "Infopoint addresses of the Visit Cremona website",
            "facts only; the source repository states no licence",
            "Infopoints: Visit Cremona website (nebbia-dev/visit-cremona)",
            "",
        ),
        Dataset(
            "railway-stations-cremona",
            "railway-stations-cremona/stazioni_cremona_e_dintorni.geojson",
            "Railway stations, Regione Lombardia 'Flussi Stazioni Ferroviarie'",
            "IODL 2.0",
            "Fonte: Regione Lombardia — dati.lombardia.it (Flussi Stazioni Ferroviarie)",
            "2019",
        ),
        Dataset(
            "osm-drinking-water",
            "osm-amenities-cremona/osm_water_cremona.geojson",
            "OpenStreetMap drinking water and water taps",
            "ODbL 1.0",
            "© OpenStreetMap contributors (ODbL)",
            "2026-06-15",
        ),
        Dataset(
            "osm-bicycle-parking",
            "osm-amenities-cremona/osm_bicycle_parking_cremona.geojson",
            "OpenStreetMap bicycle parking",
            "ODbL 1.0",
            "© OpenStreetMap contributors (ODbL)",
            "2026-06-15",
        ),
        Dataset(
            "osm-toilets",
            "osm-amenities-cremona/osm_toilets_cremona.geojson",
            "OpenStreetMap toilets",
            "ODbL 1.0",
            "© OpenStreetMap contributors (ODbL)",
            "2026-06-15",
        ),
        Dataset(
            "alberi-monumentali",
            "alberi-monumentali-cremona/alberi_monumentali_cremona.geojson",
            "Elenco degli alberi monumentali d'Italia (July 2020)",
            "Italian public-administration open data (IODL 2.0 / CC BY 4.0 default; release licence not stated)",
            "Elenco degli alberi monumentali d'Italia (MiPAAF/MASAF, luglio 2020)",
            "2020-07",
        ),
        Dataset(
            "town-centres",
            "town-centres-cremona/towns_cremona.geojson",
            "Town centres (GeoNames via countries-states-cities-database)",
            "CC BY 4.0 (GeoNames); ODbL 1.0 (countries-states-cities-database)",
            "Town coordinates: GeoNames (CC BY 4.0) via countries-states-cities-database (ODbL)",
            "2025-06-08",
        ),
    )
}

COMUNI_FILE = "istat-boundaries-cremona/comuni_cremona.geojson"


def embedded_path(key: str) -> Path:
    """Return the file of an embedded data set, under the current ``settings.data_folder``.

    Raises
    ------
    DataNotFoundError
        If no embedded data set has that key.
    """
    if key not in EMBEDDED:
        msg = f"No embedded POI data set {key!r}; known: {', '.join(EMBEDDED)}"
        raise DataNotFoundError(msg)
    return Path(settings.data_folder) / EMBEDDED[key].path


def _read_json(path: Path, max_bytes: int | None = None) -> Any:
    if max_bytes is not None:
        return read_json(path, max_bytes=max_bytes)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        msg = f"File {str(path)!r} does not exist"
        raise DataNotFoundError(msg) from exc
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"Cannot read {str(path)!r} as JSON: {exc}"
        raise InvalidDataError(msg) from exc
    return loads_json(text, str(path))


def read_geojson_records(
    path: Path, *, max_bytes: int | None = None, max_records: int | None = None
) -> list[SourceRecord]:
    """Read the features of a GeoJSON FeatureCollection, numbered from 1.

    Parameters
    ----------
    path
        The file.
    max_bytes, max_records
        Refuse a bigger file, or one with more features (for untrusted
        registries); default: no limit.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidDataError
        If it is too big, not JSON or not a FeatureCollection.
    """
    doc = _read_json(path, max_bytes)
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or doc.get("type") != "FeatureCollection":
        msg = f"{str(path)!r} is not a GeoJSON FeatureCollection"
        raise InvalidDataError(msg)
    if max_records is not None and len(features) > max_records:
        msg = f"{str(path)!r} has {len(features)} features, more than the {max_records} accepted"
        raise InvalidDataError(msg)
    records = []
    for number, feat in enumerate(features, start=1):
        feat = feat if isinstance(feat, dict) else {}
        props = feat.get("properties")
        geom = feat.get("geometry")
        records.append(
            SourceRecord(
                f"feature {number}",
                props if isinstance(props, dict) else {},
                geom if isinstance(geom, dict) else None,
            )
        )
    return records


def read_csv_table(path: Path, *, max_bytes: int | None = None, max_records: int | None = None) -> CsvTable:
    """Read a UTF-8 CSV file (a BOM is allowed) with the line each row starts on.

    Blank lines are skipped; rows keep their own length, so a short or long row
    can be reported.

    Parameters
    ----------
    path
        The file.
    max_bytes, max_records
        Refuse a bigger file, or one with more rows, and one with NUL bytes (for
        untrusted registries); default: no limit.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidDataError
        If it is too big, not UTF-8 text, is malformed CSV or has no header.
    """
    try:
        if max_bytes is None:
            fh: IO[str] = path.open(encoding="utf-8-sig", newline="")
        else:
            text = read_text(path, max_bytes=max_bytes)
            if "\x00" in text:
                line = text.count("\n", 0, text.index("\x00")) + 1
                msg = f"{str(path)!r} has a NUL byte on line {line}: it is not a text file"
                raise InvalidDataError(msg)
            fh = io.StringIO(text, newline="")
        with fh:
            reader = csv.reader(fh)
            rows: list[tuple[int, tuple[str, ...]]] = []
            header: tuple[str, ...] | None = None
            end = 0
            for row in reader:
                start, end = end + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    header = tuple(cell.strip() for cell in row)
                elif max_records is not None and len(rows) >= max_records:
                    msg = f"{str(path)!r} has more than the {max_records} rows accepted (line {start})"
                    raise InvalidDataError(msg)
                else:
                    rows.append((start, tuple(row)))
    except FileNotFoundError as exc:
        msg = f"File {str(path)!r} does not exist"
        raise DataNotFoundError(msg) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        msg = f"Cannot read {str(path)!r} as UTF-8 CSV: {exc}"
        raise InvalidDataError(msg) from exc
    if header is None:
        msg = f"CSV file {str(path)!r} is empty: it needs a header line"
        raise InvalidDataError(msg)
    return CsvTable(header, tuple(rows))


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def read_osm_records(path: Path, keys: Collection[str]) -> list[SourceRecord]:
    """Read the OSM nodes and ways of a raw extract that carry any of some tag keys.

    A way is placed at the centroid of its ring when closed, else at the middle
    of its line. Relations (multipolygons) are not read.

    Parameters
    ----------
    path
        An ``.osm.pbf``, ``.osm`` or compressed ``.osm`` file.
    keys
        Tag keys of interest (``amenity``, ``tourism``...).

    Returns
    -------
    list of SourceRecord
        ``where`` is ``"node/<id>"`` or ``"way/<id>"``; properties are the tags.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidDataError
        If pyosmium cannot read it.
    """
    if not path.is_file():
        msg = f"OSM file {str(path)!r} does not exist"
        raise DataNotFoundError(msg)
    records: list[SourceRecord] = []
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        for obj in processor:
            tags = {tag.k: tag.v for tag in obj.tags}
            if isinstance(obj, osmium.osm.Node):
                if obj.location.valid():
                    geom = _point(obj.location.lon, obj.location.lat)
                    records.append(SourceRecord(f"node/{obj.id}", tags, geom))
                continue
            if not isinstance(obj, osmium.osm.Way):
                continue
            coords = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
            if not coords:
                continue
            centre = _way_centre(coords)
            records.append(SourceRecord(f"way/{obj.id}", tags, _point(centre[0], centre[1])))
    except RuntimeError as exc:
        msg = f"Cannot read OSM file {str(path)!r}: {exc}"
        raise InvalidDataError(msg) from exc
    logger.info("Read %d tagged OSM objects from %s", len(records), path.name)
    return records


def _way_centre(coords: list[tuple[float, float]]) -> tuple[float, float]:
    if len(coords) >= 4 and coords[0] == coords[-1]:
        ring = Polygon(coords)
        if ring.is_valid and ring.area > 0:
            return ring.centroid.x, ring.centroid.y
    if len(coords) == 1:
        return coords[0]
    middle = LineString(coords).interpolate(0.5, normalized=True)
    return middle.x, middle.y


def osm_file_date(path: Path) -> str:
    """Return the date of an OSM extract: its replication timestamp, else its file date."""
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        stamp = reader.header().get("osmosis_replication_timestamp")
        reader.close()
    except RuntimeError:
        stamp = ""
    if stamp:
        return str(stamp)[:10]
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()


def read_overpass_json(path: Path) -> list[SourceRecord]:
    """Read the elements of an Overpass API JSON answer (``[out:json]``, ``out center``).

    Nodes are placed at their position, ways and relations at their ``center``;
    elements without either, or without tags, are skipped.

    Raises
    ------
    DataNotFoundError
        If the file does not exist.
    InvalidDataError
        If it is not an Overpass JSON answer.
    """
    doc = _read_json(path)
    elements = doc.get("elements") if isinstance(doc, dict) else None
    if not isinstance(elements, list):
        msg = f"{str(path)!r} is not an Overpass JSON answer (no 'elements' list)"
        raise InvalidDataError(msg)
    records = []
    for el in elements:
        if not isinstance(el, dict) or not el.get("tags"):
            continue
        where = el.get("center", el)
        try:
            lon, lat = float(where["lon"]), float(where["lat"])
        except (KeyError, TypeError, ValueError):
            continue
        tags = {str(k): str(v) for k, v in el["tags"].items()}
        records.append(SourceRecord(f"{el.get('type')}/{el.get('id')}", tags, _point(lon, lat)))
    return records


@cache
def _comuni(path: Path) -> dict[str, BaseGeometry]:
    return {
        str(rec.properties["name"]): shape(dict(rec.geometry))
        for rec in read_geojson_records(path)
        if rec.geometry is not None and "name" in rec.properties
    }


def read_comuni() -> dict[str, BaseGeometry]:
    """Return the ISTAT comune polygons of the province of Cremona by name (lon/lat)."""
    return dict(_comuni(Path(settings.data_folder) / COMUNI_FILE))


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text to a file atomically, creating its folder.

    Raises
    ------
    OSError
        If the folder cannot be created or the file written; the old file stays.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    logger.info("Wrote %s", path)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: without it a power cut may bring back the old name."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    # Some file systems cannot sync a folder; the replace itself is still atomic.
    with contextlib.suppress(OSError):
        os.fsync(fd)
    os.close(fd)
