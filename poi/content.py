"""The documents staff edit (POIs and events), checked with the rules of the registry and calendar imports.

A form's values (text, as posted) become a JSON document only when they pass
the same checks as ``cremona-bike poi import`` (:func:`poi.validate.parse_record`)
or an events CSV (:func:`poi.events.parse_event_rows`), and when every
position lies in the province of Cremona (its ISTAT boundary grown by the 2 km
margin the network download keeps, for the far banks of the Po, Adda and
Oglio). Problems are returned as messages naming the field and the value, all
at once, so a form can show them together. Closures are in
:mod:`poi.content_closures`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import shapely

from gis_data.download import province_polygon
from gis_data.places import normalize_name
from poi.events import EVENT_FIELDS
from poi.events import Event
from poi.events import parse_event_rows
from poi.model import FIELDS
from poi.model import Poi
from poi.validate import Provenance
from poi.validate import parse_record

if TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Mapping

#: Fields of the POI form, in order (the id is fixed when the item is created; precision follows lat/lon).
POI_FORM_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in {"id", "precision"})
#: Fields of the event form, in order.
EVENT_FORM_FIELDS: tuple[str, ...] = (*EVENT_FIELDS[1:], "source", "licence")
#: Licence of staff-published facts that do not state another one.
STAFF_LICENCE = "published by the Infopoints of the province of Cremona"


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking a form: the document (``None`` if any problem) and the problems."""

    document: dict[str, Any] | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Tell whether the values make a document."""
        return self.document is not None


@functools.cache
def _province() -> shapely.Polygon:
    polygon = province_polygon()
    shapely.prepare(polygon)
    return polygon


def outside_province(points: Collection[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return the ``(lat, lon)`` points that lie outside the province of Cremona (with its 2 km margin).

    Examples
    --------
    >>> outside_province([(45.1334, 10.0246), (45.4642, 9.19)])  # Cremona, Milan
    [(45.4642, 9.19)]
    """
    return [(lat, lon) for lat, lon in points if not shapely.contains_xy(_province(), lon, lat)]


def province_problems(points: Collection[tuple[float, float]], what: str) -> list[str]:
    """Return one message per point outside the province, naming it.

    Examples
    --------
    >>> province_problems([(45.4642, 9.19)], "lat/lon")
    ['lat/lon 45.4642, 9.19 is outside the province of Cremona']
    """
    return [f"{what} {lat:.6g}, {lon:.6g} is outside the province of Cremona" for lat, lon in outside_province(points)]


def new_item_id(prefix: str, name: str, taken: Collection[str]) -> str:
    """Return an id for a new item from its name, unused so far (``-2``, ``-3``… when needed).

    Examples
    --------
    >>> new_item_id("luthier", "Bottega d'Archi", {"luthier-bottega-d-archi"})
    'luthier-bottega-d-archi-2'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", normalize_name(name)).strip("-")[:48].strip("-") or "item"
    base = f"{prefix}-{slug}"
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    return found


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return "" if value is None else str(value).strip()


def check_poi(
    values: Mapping[str, Any],
    *,
    item_id: str,
    source: str,
    previous: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Checked:
    """Check a POI form and return its document.

    Parameters
    ----------
    values
        The form's values (text), fields of :data:`POI_FORM_FIELDS`.
    item_id
        The POI's id.
    source
        Source of a record that names none (the editor's organisation).
    previous
        The document being edited: its ``precision`` (e.g. ``"street"``) stays
        while the position does not change; a position typed or clicked is a ``"point"``.
    today
        The check date of a record that gives none (default: today).

    Examples
    --------
    >>> form = {"name": "Bottega", "category": "luthier", "lat": "45.1336", "lon": "10.0241"}
    >>> street = {"lat": 45.1336, "lon": 10.0241, "precision": "street"}
    >>> check_poi(form, item_id="luthier-x", source="I", previous=street).document["precision"]
    'street'
    >>> check_poi(form, item_id="luthier-x", source="Infopoint Cremona").document["precision"]
    'point'
    >>> check_poi({**form, "lat": "45.4642", "lon": "9.19"}, item_id="luthier-x", source="I").problems
    ('lat/lon 45.4642, 9.19 is outside the province of Cremona',)
    """
    record = {key: values.get(key) for key in POI_FORM_FIELDS}
    record["id"] = item_id
    record["precision"] = "point"
    day = (today or dt.date.today()).isoformat()
    poi, problems = parse_record(record, Provenance(source=source, last_checked=day))
    if poi is None:
        return Checked(None, tuple(problems))
    where = poi.latlon
    outside = province_problems([where] if where else [], "lat/lon")
    if outside:
        return Checked(None, tuple(outside))
    if previous is not None and where is not None and where == (previous.get("lat"), previous.get("lon")):
        poi = dataclasses.replace(poi, precision=str(previous.get("precision") or "point"))
    return Checked(poi_document(poi), ())


def poi_document(poi: Poi) -> dict[str, Any]:
    """Return a POI as a JSON-ready document (its fields).

    Examples
    --------
    >>> poi_document(Poi("a", "A", "museum", 45.1, 10.0))["lat"]
    45.1
    """
    return dataclasses.asdict(poi)


def poi_from_document(document: Mapping[str, Any]) -> Poi | None:
    """Return the POI of a stored document, checked again; ``None`` if it no longer passes.

    Examples
    --------
    >>> poi_from_document({"id": "a", "name": "A", "category": "museum", "lat": 45.1, "lon": 10.0}).latlon
    (45.1, 10.0)
    """
    poi, problems = parse_record(document, Provenance(source=_text(document, "source") or "staff"))
    return poi if not problems else None


def check_event(values: Mapping[str, Any], *, item_id: str, source: str) -> Checked:
    """Check an event form and return its document.

    Parameters
    ----------
    values
        The form's values (text), fields of :data:`EVENT_FORM_FIELDS`.
    item_id
        The event's id.
    source
        Source of an event that names none (the editor's organisation).

    Examples
    --------
    >>> form = {"name": "Fiera", "comune": "Crema", "start_date": "2026-09-31"}
    >>> check_event(form, item_id="event-fiera", source="Pro Loco Crema").problems
    ("start_date '2026-09-31' is not a date (YYYY-MM-DD)",)
    """
    row = {key: _text(values, key) for key in EVENT_FORM_FIELDS}
    row["id"] = item_id
    row["source"] = row["source"] or source
    row["licence"] = row["licence"] or STAFF_LICENCE
    report = parse_event_rows([(1, row)], source=row["source"], licence=row["licence"])
    if not report.ok:
        return Checked(None, tuple(p.removeprefix("line 1: ") for p in report.problems))
    return Checked(event_document(report.events[0]), ())


def event_document(event: Event) -> dict[str, Any]:
    """Return an event as a JSON-ready document (the events CSV columns, source and licence).

    Examples
    --------
    >>> event_document(Event("e", "Fiera", comune="Crema", start=dt.date(2026, 9, 5)))["start_date"]
    '2026-09-05'
    """
    values = dataclasses.asdict(event)
    doc = {key: str(values.get(key) or "") for key in EVENT_FIELDS if key not in {"start_date", "end_date"}}
    doc["start_date"] = event.start.isoformat() if event.start else ""
    doc["end_date"] = event.end.isoformat() if event.end else ""
    return {**doc, "source": event.source, "licence": event.licence}


def event_from_document(document: Mapping[str, Any]) -> Event | None:
    """Return the event of a stored document, checked again; ``None`` if it no longer passes.

    Examples
    --------
    >>> event_from_document({"id": "e", "name": "Fiera", "comune": "Crema", "start_date": "2026-09-05"}).start
    datetime.date(2026, 9, 5)
    """
    row = {key: _text(document, key) for key in (*EVENT_FIELDS, "source", "licence")}
    report = parse_event_rows([(1, row)], source=row["source"] or "staff", licence=row["licence"] or STAFF_LICENCE)
    return report.events[0] if report.ok else None


def form_text(document: Mapping[str, Any], fields: Collection[str]) -> dict[str, str]:
    """Return a document's values as form text (``yes``/``no`` for flags, empty for missing).

    Examples
    --------
    >>> form_text({"lat": 45.1, "bike_friendly": True, "phone": None}, ["lat", "bike_friendly", "phone"])
    {'lat': '45.1', 'bike_friendly': 'yes', 'phone': ''}
    """
    out = {}
    for key in fields:
        value = document.get(key)
        if isinstance(value, bool):
            out[key] = "yes" if value else "no"
        else:
            out[key] = "" if value is None else str(value)
    return out
