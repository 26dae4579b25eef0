"""What's on along a planned trip: the events near its route and stops on its days.

Shared by the planner's API (``/api/itinerary/events``), the printed sheets
(:mod:`web.sheets`) and so the ``cremona-bike sheet`` command: the trip's days
come from its departure (or a date the rider gives) and its number of days;
the distance is measured from the route and from each stop
(:func:`poi.events.events_along`). No Flask request is needed here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any

from babel.dates import format_date
from shapely import GeometryCollection
from shapely import Point

from poi.events import events_along
from routing.cue_text import LOCALES
from routing.cue_text import check_language
from web.errors import BadParameterError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from shapely.geometry.base import BaseGeometry

    from poi.events import Event
    from poi.events import EventNearby
    from routing.itinerary_plan import Itinerary

#: Largest distance of an event from the route by default, in metres.
DEFAULT_WITHIN_M = 2000.0
#: Largest distance a rider may ask for, in metres.
MAX_WITHIN_M = 20_000.0
#: Most days a request for events may span.
MAX_DAYS = 31


def trip_days(
    itinerary: Itinerary, *, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day of a trip, or ``None`` when it has no date.

    Parameters
    ----------
    itinerary
        The planned trip.
    start
        First day (default: the day of the requested departure).
    end
        Last day (default: the first day plus the trip's days, less one).

    Returns
    -------
    tuple of datetime.date or None
        ``(first, last)``; ``None`` without ``start`` and without a departure.
    """
    depart = itinerary.request.depart
    first = start or (depart.date() if depart else None)
    if first is None:
        return None
    return first, end or first + dt.timedelta(days=max(len(itinerary.stages), 1) - 1)


def trip_geometry(itinerary: Itinerary) -> BaseGeometry:
    """Return the trip's route and its stops as one lon/lat geometry."""
    stops = [Point(v.stop.lon, v.stop.lat) for v in itinerary.plan.visits]
    return GeometryCollection([itinerary.plan.route.geometry, *stops])


def itinerary_events(
    itinerary: Itinerary,
    events: Sequence[Event],
    first: dt.date,
    last: dt.date,
    *,
    within_m: float = DEFAULT_WITHIN_M,
) -> tuple[list[EventNearby], list[Event]]:
    """Return the dated events on the trip's days near its route or stops, and the recurring ones near it.

    See :func:`poi.events.events_along`; dated events come nearest first.
    """
    return events_along(events, trip_geometry(itinerary), first, last, within_m=within_m)


def event_json(event: Event, distance_m: float | None = None) -> dict[str, Any]:
    """Return an event as the planner's JSON: what, when, where, how far, and where the facts come from.

    Examples
    --------
    >>> from poi.events import Event
    >>> e = Event("t", "Festa del Torrone", start=dt.date(2026, 11, 7), end=dt.date(2026, 11, 22), comune="Cremona")
    >>> j = event_json(e, 111.8)
    >>> j["start"], j["end"], j["distance_m"], j["comune"]
    ('2026-11-07', '2026-11-22', 111.8, 'Cremona')
    """
    return {
        "id": event.id,
        "name": event.name,
        "category": event.category,
        "start": event.start.isoformat() if event.start else None,
        "end": event.end.isoformat() if event.end else None,
        "usual_period": event.usual_period,
        "venue": event.venue,
        "comune": event.comune,
        "distance_m": distance_m,
        "lat": event.lat,
        "lon": event.lon,
        "placement": event.placement,
        "website": event.website,
        "source_url": event.source_url,
        "source": event.source,
        "licence": event.licence,
    }


def trip_events_json(
    itinerary: Itinerary,
    events: Sequence[Event],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    within_m: float = DEFAULT_WITHIN_M,
) -> dict[str, Any]:
    """Return the answer of ``/api/itinerary/events``: the days, the distance, the events and the recurring ones.

    Raises
    ------
    BadParameterError
        If the trip has no date and ``start`` is not given, if ``end`` is
        before the first day, or if the days span more than :data:`MAX_DAYS`.
    """
    days = trip_days(itinerary, start=start, end=end)
    if days is None:
        msg = "Missing parameter 'start': give the first day YYYY-MM-DD (or a departure 'depart')"
        raise BadParameterError(msg, "start")
    first, last = days
    if last < first:
        msg = f"Parameter 'end' must not be before the first day {first.isoformat()}, got {last.isoformat()!r}"
        raise BadParameterError(msg, "end")
    if (last - first).days >= MAX_DAYS:
        msg = f"The days from {first.isoformat()} to {last.isoformat()} span more than {MAX_DAYS} days"
        raise BadParameterError(msg, "end")
    dated, recurring = itinerary_events(itinerary, events, first, last, within_m=within_m)
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "within_m": within_m,
        "events": [event_json(near.event, near.distance_m) for near in dated],
        "recurring": [event_json(event) for event in recurring],
    }


def event_when(event: Event, lang: str) -> str:
    """Return an event's days in a language: one day, or a range; its usual period when undated.

    Examples
    --------
    >>> from poi.events import Event
    >>> e = Event("t", "Festa del Torrone", start=dt.date(2026, 11, 7), end=dt.date(2026, 11, 22))
    >>> event_when(e, "it"), event_when(e, "en")
    ('7–22 nov 2026', '7–22 Nov 2026')
    >>> event_when(Event("s", "STRADIVARIfestival", start=dt.date(2026, 1, 13)), "it")
    '13 gen 2026'
    >>> event_when(Event("f", "Fasulin", start=dt.date(2025, 10, 31), end=dt.date(2025, 11, 9)), "it")
    '31 ott – 9 nov 2025'
    """
    locale = LOCALES[check_language(lang)]
    first, last = event.start or event.end, event.end or event.start
    if first is None or last is None:
        return event.usual_period
    end = str(format_date(last, "d MMM y", locale=locale))
    if first == last:
        return end
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{end}"
    return f"{format_date(first, 'd MMM' if first.year == last.year else 'd MMM y', locale=locale)} – {end}"


def sheet_event_rows(dated: Sequence[EventNearby], lang: str) -> list[dict[str, str]]:
    """Return the rows of a sheet's "What's on along the way" table: when, name, website, venue, metres.

    Examples
    --------
    >>> from poi.events import Event, EventNearby
    >>> e = Event("t", "Festa del Torrone", comune="Cremona", start=dt.date(2026, 11, 7), website="festadeltorrone.com")
    >>> sheet_event_rows([EventNearby(e, 111.8)], "en")
    [{'when': '7 Nov 2026', 'name': 'Festa del Torrone', 'website': 'festadeltorrone.com', 'venue': 'Cremona', \
'distance': '112'}]
    """
    return [
        {
            "when": event_when(near.event, lang),
            "name": near.event.name,
            "website": near.event.website,
            "venue": ", ".join(p for p in (near.event.venue, near.event.comune) if p),
            "distance": f"{near.distance_m:.0f}",
        }
        for near in dated
    ]
