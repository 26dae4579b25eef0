"""The whole published offer as open data: POIs, events, closures and cycle routes, with their licences.

:func:`offer_files` turns what the planner publishes (read by the callers
through their usual accessors) into the files of the export, written by the
existing writers: ``pois.csv`` and ``pois.geojson`` (:mod:`poi.export`),
``events.geojson`` and ``events.ics`` (:mod:`poi.events_ics`), ``events.csv``
(the events GeoJSON's properties as columns), ``closures.geojson``
(:func:`gis_data.closures.closures_to_geojson`), ``cycle-routes.csv``, and the
descriptors of :mod:`poi.offer_meta`: ``datapackage.json``, ``README.md`` and
``ATTRIBUTION.txt``. :func:`offer_zip` packs them. Nothing here reads or writes
a file: the CLI writes them (``cremona-bike offer export``), the web planner
serves them (``/open-data``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from gis_data.closures import closures_to_geojson
from gis_data.route_registry import RegisteredRoute
from poi.events import EVENT_FIELDS
from poi.events_ics import events_to_geojson
from poi.events_ics import events_to_ics
from poi.export import geojson_text
from poi.export import pois_to_csv
from poi.export import pois_to_geojson
from poi.offer_meta import COMPILATION_LICENCE
from poi.offer_meta import attribution_text
from poi.offer_meta import datapackage
from poi.offer_meta import datapackage_text
from poi.offer_meta import licence_ids
from poi.offer_meta import readme

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable
    from collections.abc import Sequence

    import geopandas as gpd

    from gis_data.closures import Closure
    from poi.events import Event

#: Columns of ``events.csv``: those of an events file (so ``cremona-bike events import`` reads it), then provenance.
EVENT_COLUMNS: tuple[str, ...] = (*EVENT_FIELDS, "source", "licence", "placement", "lat", "lon")
#: Sources and licence of the cycle-route registry (see its PROVENANCE.md).
ROUTES_SOURCE = "Cycle-route registry: public facts (names, lengths) with the pages named in `sources`"
ROUTES_LICENCE = "facts (names and lengths) with their sources; no text copied"
CLOSURES_SOURCE = "Closures published by the Infopoint staff"
#: Titles of the event sources we know, for the attribution lines.
EVENT_SOURCES = {"curated-pois-cremona": "Curated events: facts from the public pages named in each record"}


@dataclass(frozen=True, slots=True)
class OfferFile:
    """One file of the export: its name and text, what it holds, its licences and sources."""

    name: str
    title: str
    description: str
    format: str
    mediatype: str
    text: str
    licences: tuple[str, ...] = (COMPILATION_LICENCE,)
    sources: tuple[str, ...] = ()
    records: int | None = None


def _licences(texts: Iterable[str]) -> tuple[str, ...]:
    """Return the compilation's licence and those the records name, without repeats.

    Examples
    --------
    >>> _licences(["ODbL 1.0", "IODL 2.0", "facts"])
    ('ODbL-1.0', 'IODL-2.0')
    """
    return tuple(dict.fromkeys([COMPILATION_LICENCE, *(key for text in texts for key in licence_ids(text))]))


def _csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def events_table(doc: dict[str, Any]) -> str:
    """Return the events of a GeoJSON FeatureCollection (:func:`poi.events_ics.events_to_geojson`) as CSV.

    Examples
    --------
    >>> from poi.events import Event
    >>> text = events_table(events_to_geojson([Event("f", "Fiera", comune="Crema", lat=45.36, lon=9.68)]))
    >>> text.splitlines()[1]
    'f,Fiera,,Crema,,,,,,,,,,none,45.36,9.68'
    """
    rows = []
    for feature in doc["features"]:
        lon, lat = feature["geometry"]["coordinates"] if feature["geometry"] else (None, None)
        rows.append({**feature["properties"], "lat": lat, "lon": lon})
    return _csv(rows, EVENT_COLUMNS)


def routes_table(routes: Sequence[RegisteredRoute]) -> str:
    """Return the cycle-route registry as CSV, with its licence on every row.

    Examples
    --------
    >>> text = routes_table([RegisteredRoute("vento", "VENTO", ("vento", "ciclovia del po"), "ncn", "", 705.0, "", "")])
    >>> text.splitlines()[1].split(",")[:6]
    ['vento', 'VENTO', 'vento|ciclovia del po', 'ncn', '', '705.0']
    """
    names = [f.name for f in dataclasses.fields(RegisteredRoute)]
    rows = [{**dataclasses.asdict(r), "patterns": "|".join(r.patterns), "licence": ROUTES_LICENCE} for r in routes]
    return _csv(rows, [*names, "licence"])


def _event_source(event: Event) -> str:
    return EVENT_SOURCES.get(event.source, f"Events: {event.source}")


def _record_licences(pois: gpd.GeoDataFrame, events: Sequence[Event]) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for rec in pois[["source", "licence", "attribution"]].to_dict("records"):
        key = (str(rec.get("attribution") or rec.get("source") or ""), str(rec.get("licence") or ""))
        counts[key] = counts.get(key, 0) + 1
    for e in events:
        counts[(_event_source(e), e.licence)] = counts.get((_event_source(e), e.licence), 0) + 1
    return [(title, licence, n) for (title, licence), n in counts.items()]


def offer_files(
    pois: gpd.GeoDataFrame,
    events: Sequence[Event],
    closures: Sequence[Closure],
    routes: Sequence[RegisteredRoute],
    *,
    created: dt.datetime,
) -> list[OfferFile]:
    """Return the files of the open-data export of the offer.

    Parameters
    ----------
    pois
        The POIs the planner shows (placed; with ``source``, ``licence`` and ``attribution``).
    events
        The events the planner knows, placed where possible.
    closures
        The published closures.
    routes
        The named cycle routes (:func:`gis_data.route_registry.read_route_registry`).
    created
        When the export is made (written into the descriptors).

    Returns
    -------
    list of OfferFile
        The data files, then ``datapackage.json``, ``README.md`` and ``ATTRIBUTION.txt``.
    """
    poi_sources = tuple(dict.fromkeys(str(a) for a in pois["attribution"] if isinstance(a, str) and a))
    poi_licences = _licences(str(t) for t in pois["licence"].dropna().unique())
    event_sources = tuple(dict.fromkeys(_event_source(e) for e in events if e.source))
    event_licences = _licences(e.licence for e in events)
    event_doc = events_to_geojson(events)
    data = [
        OfferFile("pois.csv", "Points of interest", "One row per POI, with its source, licence and attribution.",
                  "csv", "text/csv", pois_to_csv(pois), poi_licences, poi_sources, len(pois)),
        OfferFile("pois.geojson", "Points of interest (GeoJSON)", "The POIs as GeoJSON points, EPSG:4326.",
                  "geojson", "application/geo+json", geojson_text(pois_to_geojson(pois)), poi_licences,
                  poi_sources, len(pois)),
        OfferFile("events.csv", "Events", "One row per event (dated, or recurring with its usual period).",
                  "csv", "text/csv", events_table(event_doc), event_licences, event_sources, len(events)),
        OfferFile("events.geojson", "Events (GeoJSON)", "The events placed at their venue or comune.",
                  "geojson", "application/geo+json", geojson_text(event_doc), event_licences, event_sources,
                  len(events)),
        OfferFile("events.ics", "Events (iCalendar)", "The dated events as all-day iCalendar events.",
                  "ics", "text/calendar", events_to_ics(events).decode("utf-8"), event_licences, event_sources,
                  sum(1 for e in events if e.dated)),
        OfferFile("closures.geojson", "Closures", "Closed ways and no-go areas, with their dates.",
                  "geojson", "application/geo+json", geojson_text(closures_to_geojson(closures)),
                  sources=(CLOSURES_SOURCE,), records=len(closures)),
        OfferFile("cycle-routes.csv", "Named cycle routes", "The province's named cycle routes and public figures.",
                  "csv", "text/csv", routes_table(routes), sources=(ROUTES_SOURCE,), records=len(routes)),
    ]  # fmt: skip
    package = datapackage(data, created=created)
    licences = [*_record_licences(pois, events), (ROUTES_SOURCE, ROUTES_LICENCE, len(routes))]
    return [
        *data,
        OfferFile("datapackage.json", "Data Package descriptor", "Frictionless Data Package of the files.",
                  "json", "application/json", datapackage_text(package)),
        OfferFile("README.md", "Read me", "What the files hold and their licences.", "md", "text/markdown",
                  readme(data, licences, created=created)),
        OfferFile("ATTRIBUTION.txt", "Attribution", "The lines to show with the data.", "txt", "text/plain",
                  attribution_text(data)),
    ]  # fmt: skip


def offer_zip(files: Sequence[OfferFile], *, folder: str = "cremona-bike-offer") -> bytes:
    """Return the files as a ZIP archive in one folder (the same bytes for the same files).

    Examples
    --------
    >>> data = offer_zip([OfferFile("a.txt", "A", "", "txt", "text/plain", "hello")])
    >>> zipfile.ZipFile(io.BytesIO(data)).namelist()
    ['cremona-bike-offer/a.txt']
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            info = zipfile.ZipInfo(f"{folder}/{f.name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, f.text.encode("utf-8"))
    return out.getvalue()


def offer_json(files: Sequence[OfferFile]) -> list[dict[str, Any]]:
    """Return what a page lists of each file: name, title, description, format, size, records, licences."""
    return [
        {
            "name": f.name,
            "title": f.title,
            "description": f.description,
            "format": f.format,
            "bytes": len(f.text.encode("utf-8")),
            "records": f.records,
            "licences": list(f.licences),
        }
        for f in files
    ]
