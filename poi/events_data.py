"""The events the planner knows: the curated calendar we ship plus the imported store, placed on the map."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from gis_data import settings
from gis_data.poi_sources import read_csv_table
from gis_data.poi_sources import write_text_atomic
from poi.events import EVENT_FIELDS
from poi.events import Event
from poi.events import EventReport
from poi.events import parse_event_rows
from poi.events import place_events
from poi.published import apply_to_events

if TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Iterable
    from collections.abc import Mapping
    from collections.abc import Sequence

    import geopandas as gpd

CURATED = "curated-pois-cremona/events.csv"
CURATED_LICENCE = "facts from public pages, each with its source_url; re-check before publishing"
#: POI categories whose names are matched against an event's venue.
VENUE_CATEGORIES = frozenset(
    {"music_venue", "museum", "monument", "church", "castle", "infopoint", "pro_loco", "food_shop", "other"}
)


def read_event_table(path: Path, *, source: str, licence: str, max_bytes: int | None = None) -> EventReport:
    """Read an events CSV (the columns of :data:`poi.events.EVENT_FIELDS`) into a report.

    ``max_bytes`` refuses a bigger file (for untrusted imports, which are also
    held to ``settings.import_max_records`` rows); default: no limit.
    """
    max_records = None if max_bytes is None else settings.import_max_records
    table = read_csv_table(path, max_bytes=max_bytes, max_records=max_records)
    rows = [(line, dict(zip(table.header, row, strict=False))) for line, row in table.rows]
    unknown = [c for c in ("id", "name", "comune") if c not in table.header]
    if unknown:
        return EventReport((), (f"line 1: missing column(s) {', '.join(repr(c) for c in unknown)}",))
    return parse_event_rows(rows, source=source, licence=licence)


def store_events() -> list[Event]:
    """Return the imported events (an empty list when nothing was imported yet)."""
    path = Path(settings.events_store)
    if not path.exists():
        return []
    report = read_event_table(path, source="events store", licence="as imported")
    return list(report.events)


def save_store(events: Sequence[Event]) -> None:
    """Write the events store atomically (the old file or the new one, never half)."""
    write_text_atomic(Path(settings.events_store), events_csv(events))


def events_csv(events: Iterable[Event]) -> str:
    """Return events as CSV text with the columns of :data:`EVENT_FIELDS`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EVENT_FIELDS)
    for e in events:
        writer.writerow(
            [
                e.id,
                e.name,
                e.category,
                e.comune,
                e.venue,
                e.start.isoformat() if e.start else "",
                e.end.isoformat() if e.end else "",
                e.usual_period,
                e.organiser,
                e.website,
                e.source_url,
            ]
        )
    return out.getvalue()


def all_events(
    pois: gpd.GeoDataFrame, *, published: Mapping[str, Event] | None = None, withdrawn: Collection[str] = ()
) -> list[Event]:
    """Return the curated calendar and the store (a stored event replaces one of the same id), placed.

    ``published`` events (staff's, by id) replace those of the same id or are
    added, and ``withdrawn`` ids are left out (see :func:`poi.published.apply_to_events`).
    """
    curated = read_event_table(
        Path(settings.data_folder) / CURATED, source="curated-pois-cremona", licence=CURATED_LICENCE
    )
    stored = store_events()
    ids = {e.id for e in stored}
    events = apply_to_events([e for e in curated.events if e.id not in ids] + stored, published or {}, withdrawn)
    placed = pois[pois.geometry.notna() & ~pois.geometry.is_empty]
    venues: dict[str, dict[str, tuple[float, float]]] = {}
    for r in placed[placed["category"].isin(VENUE_CATEGORIES)].to_dict("records"):
        if r.get("name") and r.get("comune"):
            venues.setdefault(str(r["comune"]), {})[str(r["name"])] = (float(r["geometry"].y), float(r["geometry"].x))
    towns = {
        str(r["name"]): (float(r["geometry"].y), float(r["geometry"].x))
        for r in placed[placed["category"] == "town_centre"].to_dict("records")
        if r.get("name")
    }
    return place_events(events, venues, towns)
