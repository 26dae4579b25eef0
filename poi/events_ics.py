"""Events to and from iCalendar (RFC 5545) through the ``icalendar`` library, and to GeoJSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any

import icalendar

from poi.errors import InvalidPoiError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from poi.events import Event

PRODID = "-//cremona-bike//events//IT"


def events_to_ics(events: Sequence[Event]) -> bytes:
    """Return the dated events as an iCalendar file (all-day events, end exclusive as RFC 5545 says).

    Undated events (known only by their usual period) cannot be written as
    VEVENTs and are left out.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    for event in events:
        if not event.dated:
            continue
        first = event.start or event.end
        last = event.end or event.start
        assert first is not None
        assert last is not None
        vevent = icalendar.Event()
        vevent.add("uid", f"{event.id}@cremona-bike")
        vevent.add("summary", event.name)
        vevent.add("dtstart", first)
        vevent.add("dtend", last + dt.timedelta(days=1))
        vevent.add("dtstamp", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        location = ", ".join(p for p in (event.venue, event.comune) if p)
        if location:
            vevent.add("location", location)
        if event.lat is not None and event.lon is not None:
            vevent.add("geo", (event.lat, event.lon))
        if event.category:
            vevent.add("categories", [event.category])
        if event.website:
            vevent.add("url", event.website)
        source = f"Source: {event.source_url}" if event.source_url else ""
        vevent.add("description", "; ".join(t for t in (event.organiser, source, event.licence) if t))
        cal.add_component(vevent)
    return bytes(cal.to_ical())


def ics_rows(data: bytes, *, comune: str = "") -> list[tuple[int, dict[str, str]]]:
    """Read the VEVENTs of an iCalendar file into event rows (numbered from 1 in file order).

    Raises
    ------
    InvalidPoiError
        If the data is not UTF-8 iCalendar, or a date of an event cannot be read.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"Not UTF-8 text (RFC 5545): byte 0x{data[exc.start]:02x} at offset {exc.start}"
        raise InvalidPoiError(msg) from None
    try:
        cal = icalendar.Calendar.from_ical(data)
        return _rows(cal, comune)
    # The library's parser raises many kinds of error on hostile input; each means "not iCalendar".
    except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        msg = f"Not an iCalendar file: {exc}"
        raise InvalidPoiError(msg) from exc


def _rows(cal: Any, comune: str) -> list[tuple[int, dict[str, str]]]:
    rows = []
    for number, component in enumerate(cal.walk("VEVENT"), start=1):
        start = _day(component.get("dtstart"))
        end = _day(component.get("dtend"))
        if end is not None and start is not None and end > start:
            end -= dt.timedelta(days=1)  # iCalendar ends are exclusive
        location = str(component.get("location", ""))
        uid = str(component.get("uid", "")).split("@")[0]
        rows.append(
            (
                number,
                {
                    "id": uid,
                    "name": str(component.get("summary", "")),
                    "category": _categories(component.get("categories")),
                    "comune": comune or location.split(",")[-1].strip(),
                    "venue": location.split(",")[0].strip() if "," in location else location,
                    "start_date": start.isoformat() if start else "",
                    "end_date": end.isoformat() if end else "",
                    "website": str(component.get("url", "")),
                },
            )
        )
    return rows


def _day(prop: Any) -> dt.date | None:
    if prop is None:
        return None
    value = prop.dt
    return value.date() if isinstance(value, dt.datetime) else value if isinstance(value, dt.date) else None


def _categories(prop: Any) -> str:
    if prop is None:
        return ""
    items = prop if isinstance(prop, list) else [prop]
    cats = [str(c) for item in items for c in getattr(item, "cats", [item])]
    return cats[0] if cats else ""


def events_to_geojson(events: Sequence[Event]) -> dict[str, Any]:
    """Return the placed events as a GeoJSON FeatureCollection (unplaced ones have a null geometry)."""
    features = []
    for e in events:
        geometry = (
            {"type": "Point", "coordinates": [round(e.lon, 7), round(e.lat, 7)]}
            if e.lat is not None and e.lon is not None
            else None
        )
        props = {
            "id": e.id,
            "name": e.name,
            "category": e.category,
            "comune": e.comune,
            "venue": e.venue,
            "start_date": e.start.isoformat() if e.start else None,
            "end_date": e.end.isoformat() if e.end else None,
            "usual_period": e.usual_period,
            "organiser": e.organiser,
            "website": e.website,
            "source_url": e.source_url,
            "source": e.source,
            "licence": e.licence,
            "placement": e.placement,
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}
