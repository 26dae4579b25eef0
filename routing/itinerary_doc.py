"""The itinerary as a versioned JSON document: request, computed plan, summary.

Format ``cremona-bike/itinerary``, version :data:`VERSION`::

    {
      "format": "cremona-bike/itinerary", "version": 1, "created": ISO time,
      "request": {...},      # everything needed to plan it again (see ItineraryRequest)
      "stops":   [...],      # visits in order: id, name, category, lat, lon, km, arrive, leave,
                             # dwell_min, opening, warning
      "legs":    [...],      # from, to, length_m, duration_s
      "stages":  [...],      # day, start_km, end_km, length_km, end_name, end_kind,
                             # end_off_route_m, bailout_station, bailout_distance_m, note
      "summary": {...},      # length_m, riding_time_s, total_time_s, profile, signed_share, shares,
                             # cycle_routes
      "warnings": [...], "notes": [...],
      "geometry": GeoJSON LineString of the whole trip
    }

Only ``request`` is read back: a saved itinerary is re-planned from it, so a
changed network or profile gives an up-to-date plan. A document of another
format, or of a newer version, is refused with a message that says so, and so
is one that asks for more than the ``cremona-bike itinerary`` options allow
(:func:`check_request`): a shared document must not ask for a billion days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from routing.errors import ItineraryFormatError
from routing.itinerary import Stop

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    from routing.itinerary import TourPlan
    from routing.stages import Stage
    from routing.summary import Route

FORMAT = "cremona-bike/itinerary"
VERSION = 1


@dataclass(frozen=True, slots=True)
class ItineraryRequest:
    """What the visitor asked for: enough to plan the itinerary again."""

    kind: str
    start: Stop
    visits: tuple[Stop, ...] = ()
    end: Stop | None = None
    loop: bool = False
    keep_order: bool = False
    profile: str = "touring"
    depart: dt.datetime | None = None
    lunch: bool = False
    km_per_day: float | None = None
    hours_per_day: float | None = None
    target_km: float | None = None
    categories: tuple[str, ...] = ()
    min_pois: int = 0
    seed: int = 0
    data: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def _stop_dict(stop: Stop) -> dict[str, Any]:
    return dataclasses.asdict(stop)


def _stop(data: Mapping[str, Any], where: str) -> Stop:
    try:
        return Stop(
            id=str(data["id"]),
            name=str(data["name"]),
            lat=float(data["lat"]),
            lon=float(data["lon"]),
            category=str(data.get("category", "")),
            dwell_min=None if data.get("dwell_min") is None else float(data["dwell_min"]),
            opening_hours=str(data.get("opening_hours", "")),
            opening_hours_text=str(data.get("opening_hours_text", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"Itinerary {where} is not a valid stop: {exc!r}"
        raise ItineraryFormatError(msg) from exc


def request_to_dict(request: ItineraryRequest) -> dict[str, Any]:
    """Return the request as plain JSON-ready data."""
    data = dataclasses.asdict(request)
    data["start"] = _stop_dict(request.start)
    data["visits"] = [_stop_dict(s) for s in request.visits]
    data["end"] = _stop_dict(request.end) if request.end else None
    data["depart"] = request.depart.isoformat() if request.depart else None
    data["categories"] = list(request.categories)
    data["extra"] = dict(request.extra)
    return data


def request_from_document(doc: Mapping[str, Any]) -> ItineraryRequest:
    """Read the request of a saved itinerary, checking its format and version.

    Raises
    ------
    ItineraryFormatError
        If the document is not an itinerary, is of a newer version, or a field
        is invalid (the message names it).
    """
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        msg = f"Not a cremona-bike itinerary (format is {found!r}, expected {FORMAT!r})"
        raise ItineraryFormatError(msg)
    version = doc.get("version")
    if not isinstance(version, int) or version < 1:
        msg = f"Itinerary version {version!r} is not valid"
        raise ItineraryFormatError(msg)
    if version > VERSION:
        msg = (
            f"This itinerary has format version {version}, newer than this program's "
            f"({VERSION}): update cremona-bike to open it"
        )
        raise ItineraryFormatError(msg)
    req = doc.get("request")
    if not isinstance(req, dict):
        msg = "Itinerary has no 'request' to plan it again"
        raise ItineraryFormatError(msg)
    try:
        depart = dt.datetime.fromisoformat(req["depart"]) if req.get("depart") else None
        request = ItineraryRequest(
            kind=str(req["kind"]),
            start=_stop(req["start"], "request.start"),
            visits=tuple(_stop(s, f"request.visits[{i}]") for i, s in enumerate(req.get("visits", []))),
            end=_stop(req["end"], "request.end") if req.get("end") else None,
            loop=bool(req.get("loop", False)),
            keep_order=bool(req.get("keep_order", False)),
            profile=str(req.get("profile", "touring")),
            depart=depart,
            lunch=bool(req.get("lunch", False)),
            km_per_day=None if req.get("km_per_day") is None else float(req["km_per_day"]),
            hours_per_day=None if req.get("hours_per_day") is None else float(req["hours_per_day"]),
            target_km=None if req.get("target_km") is None else float(req["target_km"]),
            categories=tuple(str(c) for c in req.get("categories", [])),
            min_pois=int(req.get("min_pois", 0)),
            seed=int(req.get("seed", 0)),
            data=str(req.get("data", "")),
            extra=dict(req.get("extra", {})),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        msg = f"Itinerary request has an invalid field: {exc!r}"
        raise ItineraryFormatError(msg) from exc
    check_request(request)
    return request


#: What a saved document may ask for: the ranges the ``cremona-bike itinerary`` options allow,
#: so that a document cannot ask for a billion days or a thousand stops (minutes of CPU).
MAX_VISITS = 40
LIMITS: dict[str, tuple[float, float]] = {
    "km_per_day": (1.0, 400.0),
    "hours_per_day": (0.5, 16.0),
    "target_km": (2.0, 300.0),
    "min_pois": (0, 20),
    "seed": (-(2**63), 2**63 - 1),
    "days": (1, 30),
    "dwell_min": (0.0, 24 * 60.0),
}
#: Departures a plan can be made for (later ones overflow the calendar when times are added).
DEPART_YEARS = (1970, 2200)


def check_request(request: ItineraryRequest) -> None:
    """Refuse a request that asks for more than the planner offers.

    Raises
    ------
    ItineraryFormatError
        Naming the field and its allowed range.

    Examples
    --------
    >>> start = Stop("a", "A", 45.1, 10.0)
    >>> check_request(ItineraryRequest(kind="tour", start=start, km_per_day=50.0))
    >>> check_request(ItineraryRequest(kind="tour", start=start, km_per_day=1e-9))
    Traceback (most recent call last):
    ...
    routing.errors.ItineraryFormatError: Itinerary field 'km_per_day' is 1e-09; allowed: 1 to 400
    """
    if len(request.visits) > MAX_VISITS:
        msg = f"Itinerary asks for {len(request.visits)} visits; at most {MAX_VISITS} can be planned"
        raise ItineraryFormatError(msg)
    days = request.extra.get("days")
    values: dict[str, Any] = {
        "km_per_day": request.km_per_day,
        "hours_per_day": request.hours_per_day,
        "target_km": request.target_km,
        "min_pois": request.min_pois,
        "seed": request.seed,
        "days": days,
    }
    for number, stop in enumerate((request.start, *request.visits, *([request.end] if request.end else []))):
        if not (-90 <= stop.lat <= 90 and -180 <= stop.lon <= 180):
            msg = f"Itinerary stop {number} ({stop.name[:80]!r}) has no valid position ({stop.lat!r}, {stop.lon!r})"
            raise ItineraryFormatError(msg)
        values[f"dwell_min of stop {number}"] = stop.dwell_min
    for key, value in values.items():
        low, high = LIMITS[key.split()[0]]
        if value is None:
            continue
        integer = key in {"min_pois", "seed", "days"}
        wrong_type = isinstance(value, bool) or not isinstance(value, int if integer else int | float)
        if wrong_type or not low <= value <= high:
            msg = f"Itinerary field {key!r} is {value!r}; allowed: {low:g} to {high:g}"
            raise ItineraryFormatError(msg)
    if request.depart is not None and not DEPART_YEARS[0] <= request.depart.year <= DEPART_YEARS[1]:
        first, last = DEPART_YEARS
        msg = f"Itinerary departure {request.depart.isoformat()} is not between the years {first} and {last}"
        raise ItineraryFormatError(msg)


def _route_summary(route: Route) -> dict[str, Any]:
    return {
        "length_m": round(route.length_m, 1),
        "riding_time_s": round(route.duration_s, 1),
        "profile": route.profile,
        "signed_share": round(route.signed_share, 4),
        "surface_shares": dict(route.surface_shares),
        "highway_shares": dict(route.highway_shares),
        "infrastructure_shares": dict(route.infrastructure_shares),
        "cycle_routes": [
            {"name": u.name, "ref": u.ref, "network": u.network, "length_m": round(u.length_m, 1)}
            for u in route.cycle_routes
        ],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def itinerary_document(
    request: ItineraryRequest,
    plan: TourPlan,
    stages: Sequence[Stage],
    *,
    notes: Sequence[str] = (),
    created: dt.datetime | None = None,
) -> dict[str, Any]:
    """Build the JSON document of a planned itinerary (see the module docstring)."""
    route = plan.route
    dwell_s = 60 * sum(v.dwell_min for v in plan.visits)
    return {
        "format": FORMAT,
        "version": VERSION,
        "created": _iso(created),
        "request": request_to_dict(request),
        "stops": [
            {
                **_stop_dict(v.stop),
                "km": v.km,
                "arrive": _iso(v.arrive),
                "leave": _iso(v.leave),
                "dwell_min": v.dwell_min,
                "opening": v.opening,
                "warning": v.warning,
            }
            for v in plan.visits
        ],
        "legs": [
            {
                "from": leg.from_id,
                "to": leg.to_id,
                "length_m": round(leg.route.length_m, 1),
                "duration_s": round(leg.route.duration_s, 1),
            }
            for leg in plan.legs
        ],
        "stages": [
            {
                "day": s.day,
                "start_km": s.start_km,
                "end_km": s.end_km,
                "length_km": s.length_km,
                "end_name": s.end_name,
                "end_kind": s.end_kind,
                "end_off_route_m": s.end_off_route_m,
                "bailout_station": s.bailout_station,
                "bailout_distance_m": s.bailout_distance_m if s.bailout_station else None,
                "note": s.note,
            }
            for s in stages
        ],
        "summary": {**_route_summary(route), "total_time_s": round(route.duration_s + dwell_s, 1)},
        "warnings": list(plan.warnings),
        "notes": [*route.notes, *notes],
        "geometry": {
            "type": "LineString",
            "coordinates": [[round(x, 7), round(y, 7)] for x, y, *_ in route.geometry.coords],
        },
    }
