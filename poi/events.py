"""Events of the province (festivals, fairs, concerts): model, validation, placement, queries.

An event is dated (``start``/``end``) or only recurring (``usual_period`` in words,
e.g. "13 November every year"); undated events are never given made-up dates:
queries list them apart, with their usual period. An event is placed at its
venue when the venue names a known POI, else at its comune's town centre, else
it stays unplaced (``placement`` says which).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import replace
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from rapidfuzz import fuzz
from rapidfuzz import process
from shapely import Point

from gis_data.places import normalize_name

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from collections.abc import Sequence

    from shapely.geometry.base import BaseGeometry

#: Columns of an events CSV (``events.csv`` of the curated data and registry imports).
EVENT_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "category",
    "comune",
    "venue",
    "start_date",
    "end_date",
    "usual_period",
    "organiser",
    "website",
    "source_url",
)
REQUIRED: tuple[str, ...] = ("id", "name", "comune")


@dataclass(frozen=True, slots=True)
class Event:
    """An event, with where its facts come from."""

    id: str
    name: str
    category: str = ""
    comune: str = ""
    venue: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    usual_period: str = ""
    organiser: str = ""
    website: str = ""
    source_url: str = ""
    source: str = ""
    licence: str = ""
    lat: float | None = None
    lon: float | None = None
    placement: str = "none"

    @property
    def dated(self) -> bool:
        """Tell whether the event has at least one known date."""
        return self.start is not None or self.end is not None

    def overlaps(self, first: dt.date, last: dt.date) -> bool:
        """Tell whether the event runs on any day from ``first`` to ``last``.

        Examples
        --------
        >>> e = Event("t", "Festa del Torrone", start=dt.date(2026, 11, 7), end=dt.date(2026, 11, 22))
        >>> e.overlaps(dt.date(2026, 11, 21), dt.date(2026, 11, 22))
        True
        >>> e.overlaps(dt.date(2026, 12, 1), dt.date(2026, 12, 2))
        False
        """
        if not self.dated:
            return False
        begin = self.start or self.end
        finish = self.end or self.start
        assert begin is not None
        assert finish is not None
        return begin <= last and finish >= first


@dataclass(frozen=True, slots=True)
class EventReport:
    """Outcome of reading an events file: the events, or the problems with line numbers."""

    events: tuple[Event, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Tell whether the file can be imported as a whole."""
        return not self.problems


def _date(text: str, what: str, line: int, problems: list[str]) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"line {line}: {what} {text!r} is not a date (YYYY-MM-DD)")
        return None


def parse_event_rows(rows: Iterable[tuple[int, Mapping[str, str]]], *, source: str, licence: str) -> EventReport:
    """Check event rows (line number, values) and build the events.

    Problems are collected for the whole file (missing fields, bad dates, an end
    before the start, duplicate ids), each naming its line, so one report lists
    everything to fix; any problem means nothing should be imported.

    Examples
    --------
    >>> rep = parse_event_rows([(2, {"id": "a", "name": "Fiera", "comune": "Crema", "start_date": "2026-13-01"})],
    ...                        source="test", licence="CC0")
    >>> rep.problems
    ("line 2: start_date '2026-13-01' is not a date (YYYY-MM-DD)",)
    """
    problems: list[str] = []
    events: list[Event] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        missing = [f for f in REQUIRED if not (values.get(f) or "").strip()]
        if missing:
            problems.append(f"line {line}: missing {', '.join(repr(m) for m in missing)}")
            continue
        start = _date(values.get("start_date", ""), "start_date", line, problems)
        end = _date(values.get("end_date", ""), "end_date", line, problems)
        if start and end and end < start:
            problems.append(f"line {line}: end_date {end} is before start_date {start}")
        event_id = values["id"].strip()
        if event_id in seen:
            problems.append(f"line {line}: duplicate id {event_id!r} (first on line {seen[event_id]})")
            continue
        seen[event_id] = line
        events.append(
            Event(
                id=event_id,
                name=values["name"].strip(),
                category=(values.get("category") or "").strip(),
                comune=values["comune"].strip(),
                venue=(values.get("venue") or "").strip(),
                start=start,
                end=end,
                usual_period=(values.get("usual_period") or "").strip(),
                organiser=(values.get("organiser") or "").strip(),
                website=(values.get("website") or "").strip(),
                source_url=(values.get("source_url") or "").strip(),
                source=source,
                licence=licence,
            )
        )
    return EventReport(tuple(events), tuple(problems))


def place_events(
    events: Sequence[Event],
    venues: Mapping[str, Mapping[str, tuple[float, float]]],
    towns: Mapping[str, tuple[float, float]],
) -> list[Event]:
    """Place events at their venue (a POI name in the venue text) or their comune's centre.

    Parameters
    ----------
    events
        Events, placed or not.
    venues
        Comune → POI name → ``(lat, lon)`` of POIs that can host events (theatres,
        museums…); a venue is only looked for in the event's own comune.
    towns
        Comune name → ``(lat, lon)`` of its town centre.

    Returns
    -------
    list of Event
        New events; ``placement`` is ``"venue"``, ``"comune"`` or ``"none"``.
    """
    venue_keys = {normalize_name(c): {normalize_name(k): v for k, v in names.items()} for c, names in venues.items()}
    town_keys = {normalize_name(k): v for k, v in towns.items()}
    placed = []
    for event in events:
        if event.lat is not None and event.lon is not None:
            placed.append(event)
            continue
        where: tuple[float, float] | None = None
        kind = "none"
        text = normalize_name(event.venue)
        local = venue_keys.get(normalize_name(event.comune), {})
        if text and local:
            match = process.extractOne(text, list(local), scorer=fuzz.token_set_ratio, score_cutoff=95)
            if match is not None and len(match[0].split()) >= 2:
                where, kind = local[match[0]], "venue"
        if where is None and normalize_name(event.comune) in town_keys:
            where, kind = town_keys[normalize_name(event.comune)], "comune"
        placed.append(replace(event, lat=where[0] if where else None, lon=where[1] if where else None, placement=kind))
    return placed


@dataclass(frozen=True, slots=True)
class EventNearby:
    """An event near a trip, with how far it is from the route."""

    event: Event
    distance_m: float


def events_along(
    events: Sequence[Event],
    route_line: BaseGeometry,
    first: dt.date,
    last: dt.date,
    *,
    within_m: float = 2000.0,
    to_metres: Any = None,
) -> tuple[list[EventNearby], list[Event]]:
    """Return the dated events on the trip's days near its route, and the undated ones near it.

    Parameters
    ----------
    events
        Placed events (unplaced ones are ignored).
    route_line
        The trip's geometry, lon/lat.
    first, last
        The trip's days.
    within_m
        Largest distance from the route.
    to_metres
        A pyproj ``Transformer`` from WGS84 to a metric CRS (default: UTM 32N,
        which covers the province of Cremona).

    Returns
    -------
    tuple
        Dated events overlapping the days, nearest first; and recurring events
        without dates within the distance, whose usual period the rider can check.
    """
    project = to_metres or Transformer.from_crs(4326, 32632, always_xy=True)
    line = shapely.transform(route_line, lambda xy: np.column_stack(project.transform(xy[:, 0], xy[:, 1])))
    dated: list[EventNearby] = []
    undated: list[Event] = []
    for event in events:
        if event.lat is None or event.lon is None:
            continue
        x, y = project.transform(event.lon, event.lat)
        distance = float(line.distance(Point(x, y)))
        if distance > within_m:
            continue
        if event.dated and event.overlaps(first, last):
            dated.append(EventNearby(event, round(distance, 1)))
        elif not event.dated:
            undated.append(event)
    return sorted(dated, key=lambda e: (e.distance_m, e.event.id)), undated
