"""Licences, sources and descriptors of the open-data export of the offer (:mod:`poi.offer`).

The compilation (which records are offered, their categories, the positions
found for them on OpenStreetMap streets and town centres, and the shape of the
files) is published under the Open Database License, as the OpenStreetMap data
in it requires of a derived database; each record keeps the source, licence and
attribution it came with. :func:`datapackage` describes the files as a
Frictionless Data Package (https://specs.frictionlessdata.io/data-package/);
:func:`readme` and :func:`attribution_text` say the same for people.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from poi.offer import OfferFile

#: The licences the export names, by SPDX-style id: title and where to read them.
LICENCES: dict[str, dict[str, str]] = {
    "ODbL-1.0": {
        "title": "Open Data Commons Open Database License 1.0",
        "path": "https://opendatacommons.org/licenses/odbl/1-0/",
    },
    "CC-BY-4.0": {
        "title": "Creative Commons Attribution 4.0 International",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    },
    "IODL-2.0": {
        "title": "Italian Open Data License 2.0",
        "path": "https://www.dati.gov.it/content/italian-open-data-license-v20",
    },
}
#: The licence of the compilation as a whole.
COMPILATION_LICENCE = "ODbL-1.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
_PATTERNS = {"ODbL-1.0": r"\bODbL\b", "CC-BY-4.0": r"\bCC BY 4\.0\b", "IODL-2.0": r"\bIODL 2\.0\b"}
#: Where a source's own terms can be read, for the sources whose address we know.
SOURCE_PATHS: dict[str, str] = {
    OSM_ATTRIBUTION: "https://www.openstreetmap.org/copyright",
}


def licence_ids(text: str) -> list[str]:
    """Return the ids of :data:`LICENCES` a record's licence text names, in :data:`LICENCES` order.

    Examples
    --------
    >>> licence_ids("CC BY 4.0 (GeoNames); ODbL 1.0 (countries-states-cities-database)")
    ['ODbL-1.0', 'CC-BY-4.0']
    >>> licence_ids("facts from public pages, each with its source_url")
    []
    """
    return [key for key in LICENCES if re.search(_PATTERNS[key], text)]


def licence_json(key: str) -> dict[str, str]:
    """Return a licence as a Data Package ``licenses`` item.

    Examples
    --------
    >>> licence_json("CC-BY-4.0")["path"]
    'https://creativecommons.org/licenses/by/4.0/'
    """
    return {"name": key, **LICENCES[key]}


def source_json(title: str) -> dict[str, str]:
    """Return a source as a Data Package ``sources`` item (with its address when known).

    Examples
    --------
    >>> source_json("© OpenStreetMap contributors")["path"]
    'https://www.openstreetmap.org/copyright'
    """
    path = next((p for key, p in SOURCE_PATHS.items() if title.startswith(key)), None)
    return {"title": title, **({"path": path} if path else {})}


def _resource_name(file_name: str) -> str:
    """Return a Data Package resource name for a file: lower case, ``-`` for the dot.

    Examples
    --------
    >>> _resource_name("cycle-routes.csv")
    'cycle-routes-csv'
    """
    return re.sub(r"[^a-z0-9._-]+", "-", file_name.lower()).replace(".", "-")


def _schema(text: str) -> dict[str, Any]:
    """Return the Table Schema of a CSV: every column text, but positions and lengths numbers."""
    header = text.split("\n", 1)[0].split(",")
    numbers = {"lat", "lon", "official_km"}
    return {"fields": [{"name": name, "type": "number" if name in numbers else "string"} for name in header]}


def datapackage(files: Sequence[OfferFile], *, created: dt.datetime) -> dict[str, Any]:
    """Return the Data Package descriptor (``datapackage.json``) of the offer's files.

    Each resource has its path, format, media type, encoding, size, SHA-256,
    licences and sources; CSV resources are tabular, with a Table Schema.
    """
    resources = []
    for f in files:
        data = f.text.encode("utf-8")
        resource: dict[str, Any] = {
            "name": _resource_name(f.name),
            "path": f.name,
            "title": f.title,
            "description": f.description,
            "format": f.format,
            "mediatype": f.mediatype,
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            "licenses": [licence_json(key) for key in f.licences],
            "sources": [source_json(title) for title in f.sources],
        }
        if f.format == "csv":
            resource = {**resource, "profile": "tabular-data-resource", "schema": _schema(f.text)}
        resources.append(resource)
    sources = list(dict.fromkeys(title for f in files for title in f.sources))
    return {
        "profile": "data-package",
        "name": "cremona-bike-offer",
        "title": "Cremona by bike: the published offer",
        "description": (
            "Points of interest, events, closures and named cycle routes of the province of Cremona, as the "
            "cycle-tourism planner publishes them. Every record keeps its own source, licence and attribution."
        ),
        "version": created.date().isoformat(),
        "created": created.isoformat(),
        "keywords": ["cycling", "tourism", "Cremona", "points of interest", "events", "OpenStreetMap"],
        "licenses": [licence_json(COMPILATION_LICENCE)],
        "sources": [source_json(title) for title in sources],
        "resources": resources,
    }


def datapackage_text(descriptor: dict[str, Any]) -> str:
    """Serialise a descriptor as indented JSON text, keys in their order, ending with a newline."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


def attribution_text(files: Sequence[OfferFile]) -> str:
    """Return the attribution lines to show with the data: OpenStreetMap first, then every other source."""
    lines = [f"{OSM_ATTRIBUTION} (ODbL 1.0): {SOURCE_PATHS[OSM_ATTRIBUTION]}"]
    for title in dict.fromkeys(t for f in files for t in f.sources):
        if not title.startswith(OSM_ATTRIBUTION):
            lines.append(title)
    lines.append(f"Compilation: cremona-bike, {LICENCES[COMPILATION_LICENCE]['title']}")
    return "\n".join(lines) + "\n"


def readme(files: Sequence[OfferFile], record_licences: Sequence[tuple[str, str, int]], *, created: dt.datetime) -> str:
    """Return the README of the export: the files, the licences of the compilation and of the records.

    Parameters
    ----------
    files
        The data files.
    record_licences
        ``(attribution or source, licence text, number of records)`` of every
        distinct source of the records.
    created
        When the export was made.
    """
    odbl = LICENCES[COMPILATION_LICENCE]
    rows = [
        f"| `{f.name}` | {f.title} | {f.records} | {', '.join(f.licences)} |" for f in files if f.records is not None
    ]
    sources = [f"- {title}: {licence} ({count} records)" for title, licence, count in record_licences]
    return "\n".join(
        [
            "# Cremona by bike: open data of the published offer",
            "",
            f"Exported on {created.date().isoformat()} by the cremona-bike planner. `datapackage.json` describes",
            "every file (Frictionless Data Package: format, media type, size, SHA-256, licences, sources).",
            "",
            "| file | what | records | licences |",
            "|---|---|---|---|",
            *rows,
            "",
            "Coordinates are WGS84 (EPSG:4326) longitude/latitude; dates are ISO 8601. Records without a known",
            "position have an empty `lat`/`lon` in CSV and a `null` geometry in GeoJSON. `events.ics` holds",
            "the dated events only (RFC 5545, all-day events).",
            "",
            "## Licences",
            "",
            f"The compilation is made available under the {odbl['title']} (ODbL 1.0, {odbl['path']}):",
            "it contains OpenStreetMap data, and positions found on OpenStreetMap streets. Map data",
            f"{OSM_ATTRIBUTION}, ODbL 1.0 ({SOURCE_PATHS[OSM_ATTRIBUTION]}).",
            "",
            "Every record keeps its own `source`, `licence`, `attribution` and `source_url`. The records come from:",
            "",
            *sources,
            "",
            "Curated records are facts (names, addresses, hours, dates, venues) compiled from the public pages named",
            "in each record's `source_url`, without copied text; check them with the source before relying on them.",
            "",
            "## Attribution",
            "",
            "Show `ATTRIBUTION.txt` (and keep this file) wherever you use or redistribute these data.",
            "",
        ]
    )
