"""From request parameters to planned itineraries (tours, loops, saved plans), and back to JSON.

``kind=tour`` and ``kind=loop`` plan an itinerary (:func:`plan_itinerary_args`)
with :func:`routing.itinerary_plan.plan_itinerary`: arrival times, opening
hours, days ending near lodging or a station. A route is saved as the
itinerary of a tour that keeps its order, so every saved plan is an itinerary
document that ``cremona-bike itinerary replan`` reads too. The stops are
resolved as for a route (:func:`web.planning.resolve_stop`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from typing import Any

from flask import g
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from poi.model import opening_state
from routing import route_to_feature
from routing.itinerary import Stop as TourStop
from routing.itinerary import stops_from_frame
from routing.itinerary_doc import ItineraryRequest
from routing.itinerary_doc import itinerary_document
from routing.itinerary_doc import request_from_document
from routing.itinerary_plan import plan_itinerary
from web.errors import BadParameterError
from web.graph import get_graph
from web.params import canonical_query
from web.params import parse_categories
from web.params import parse_depart
from web.params import parse_flag
from web.params import parse_float
from web.params import parse_int
from web.params import parse_kind
from web.params import parse_profile
from web.params import parse_stops
from web.planning import OVERNIGHT
from web.planning import Stop
from web.planning import resolve_stop
from web.planning import slug
from web.pois import get_pois
from web.pois import placed

if TYPE_CHECKING:
    from routing.itinerary_plan import Itinerary


def itinerary_request(args: MultiDict[str, str]) -> ItineraryRequest:
    """Turn request parameters into the request of an itinerary.

    A ``route`` becomes a tour that keeps its order and stops nowhere; the
    parameters themselves are kept in ``extra["page"]``, so a saved plan
    reopens the page as it was.

    Raises
    ------
    BadParameterError
        If a parameter is missing or malformed (the error names it).
    PlaceNotFoundError
        If a stop cannot be resolved.
    """
    G = get_graph()
    kind = parse_kind(args)
    g.queries = queries = parse_stops(args, need_end=kind == "route")
    profile = parse_profile(args)
    depart = parse_depart(args)
    days = parse_int(args, "days", default=0, low=0, high=30)
    km_per_day = parse_float(args, "km_per_day", low=1, high=400, unit="km")
    hours_per_day = parse_float(args, "hours_per_day", low=0.5, high=16, unit="hours")
    if sum(bool(x) for x in (days, km_per_day, hours_per_day)) > 1:
        msg = "Give only one of 'days', 'km_per_day' and 'hours_per_day'"
        raise BadParameterError(msg, "days")
    g.stops = stops = [resolve_stop(G, p, q) for p, q in queries]
    tour_stops = [_tour_stop(s, i, waypoint=kind == "route") for i, s in enumerate(stops)]
    common: dict[str, Any] = {
        "profile": profile,
        "depart": depart,
        "lunch": parse_flag(args, "lunch"),
        "km_per_day": km_per_day,
        "hours_per_day": hours_per_day,
        "data": "",
        "extra": {"page": canonical_query(args), **({"days": days} if days else {})},
    }
    if kind == "loop":
        target = parse_float(args, "km", low=2, high=300, unit="km")
        if target is None:
            msg = "Missing parameter 'km': a loop needs a target length"
            raise BadParameterError(msg, "km")
        categories = parse_categories(args)
        min_pois = parse_int(args, "min_pois", default=0, low=0, high=20)
        if min_pois and not categories:
            msg = "Parameter 'min_pois' needs at least one 'category'"
            raise BadParameterError(msg, "min_pois")
        return ItineraryRequest(
            kind="loop",
            start=tour_stops[0],
            target_km=target,
            categories=categories,
            min_pois=min_pois,
            seed=parse_int(args, "seed", default=0, low=0, high=10**6),
            **common,
        )
    back = kind == "tour" and parse_flag(args, "return")
    has_end = queries[-1][0] == "to"
    if back and has_end:
        msg = "Give 'to' or return=1, not both"
        raise BadParameterError(msg, "return")
    if len(tour_stops) < 2:
        msg = "Missing parameter 'to' or 'via': a tour needs a stop besides its start"
        raise BadParameterError(msg, "to")
    return ItineraryRequest(
        kind="tour",
        start=tour_stops[0],
        visits=tuple(tour_stops[1:-1] if has_end else tour_stops[1:]),
        end=tour_stops[-1] if has_end else None,
        loop=back,
        keep_order=kind == "route" or not parse_flag(args, "optimise"),
        **common,
    )


def _tour_stop(stop: Stop, index: int, *, waypoint: bool) -> TourStop:
    """Return the itinerary stop of a request stop; a POI brings its id, category and hours.

    A route's stops are waypoints (no time spent there); a tour's take the
    default time of their category.
    """
    dwell = 0.0 if waypoint else None
    place = stop.place
    if stop.poi is not None:
        poi = stop.poi
        return TourStop(
            id=str(poi["id"]),
            name=place.name,
            lat=place.lat,
            lon=place.lon,
            category=str(poi.get("category") or ""),
            dwell_min=dwell,
            opening_hours=str(poi.get("opening_hours") or ""),
            opening_hours_text=str(poi.get("opening_hours_text") or ""),
        )
    stop_id = f"{stop.parameter}-{index}-{slug(place.name)}"[:60]
    return TourStop(stop_id, place.name, place.lat, place.lon, "", dwell)


def plan_itinerary_args(args: MultiDict[str, str]) -> Itinerary:
    """Plan the itinerary a request describes (see :func:`itinerary_request`).

    Raises
    ------
    BadParameterError, PlaceNotFoundError, InvalidPointError, PointOffNetworkError, NoRouteError
        When the request cannot be planned.
    """
    return replan(itinerary_request(args))


def replan(request: ItineraryRequest) -> Itinerary:
    """Plan an itinerary request on the app's graph, with the app's POIs for hours, loops and days."""
    pois = placed(get_pois())
    chosen = pois[pois["category"].isin(list(request.categories))] if request.categories else None
    g.planned = planned = plan_itinerary(  # counted by web.indicators
        get_graph(),
        request,
        hours=_hours,
        candidates=stops_from_frame(chosen) if chosen is not None else (),
        overnight=stops_from_frame(pois[pois["category"].isin(OVERNIGHT)]),
        stations=stops_from_frame(pois[pois["category"] == "railway_station"]),
    )
    return planned


def _hours(expression: str, when: dt.datetime, latlon: tuple[float, float]) -> str:
    return opening_state(expression, when, latlon=latlon)


def itinerary_title(itinerary: Itinerary) -> str:
    """Return a short title: ``"A → B"``, or the loop's length and start."""
    request = itinerary.request
    if request.kind == "loop":
        return str(gettext("Loop of %(km)s km from %(start)s", km=f"{request.target_km:g}", start=request.start.name))
    visits = itinerary.plan.visits
    return f"{visits[0].stop.name} → {visits[-1].stop.name}"


def itinerary_doc(itinerary: Itinerary) -> dict[str, Any]:
    """Return the versioned itinerary document (:mod:`routing.itinerary_doc`), made now."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return itinerary_document(itinerary.request, itinerary.plan, itinerary.stages, notes=itinerary.notes, created=now)


def itinerary_json(itinerary: Itinerary) -> dict[str, Any]:
    """Return what the planner page draws: the document, the route's explanation and the days.

    Returns
    -------
    dict
        ``itinerary`` (the document), ``title``, ``explain`` (the properties of
        :func:`routing.route_to_feature`: summary, shares, segments) and
        ``days`` (a FeatureCollection of one line per day).
    """
    explain = route_to_feature(itinerary.plan.route)["properties"]
    return {
        "title": itinerary_title(itinerary),
        "itinerary": itinerary_doc(itinerary),
        "explain": explain,
        "days": days_geojson(itinerary),
    }


def days_geojson(itinerary: Itinerary) -> dict[str, Any]:
    """Return the days of an itinerary as a FeatureCollection of lines, with the stops as points."""
    features: list[dict[str, Any]] = []
    for stage in itinerary.stages:
        coords = [[round(x, 7), round(y, 7)] for x, y, *_ in stage.geometry.coords]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "kind": "day",
                    "day": stage.day,
                    "start_km": stage.start_km,
                    "end_km": stage.end_km,
                    "length_km": stage.length_km,
                    "end_name": stage.end_name,
                    "bailout_station": stage.bailout_station or None,
                },
            }
        )
    for visit in itinerary.plan.visits:
        stop = visit.stop
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(stop.lon, 7), round(stop.lat, 7)]},
                "properties": {
                    "kind": "stop",
                    "id": stop.id,
                    "name": stop.name,
                    "category": stop.category or None,
                    "km": visit.km,
                    "arrive": visit.arrive.isoformat() if visit.arrive else None,
                },
            }
        )
    return {"type": "FeatureCollection", "name": itinerary_title(itinerary), "features": features}


def plan_saved(document: dict[str, Any]) -> Itinerary:
    """Plan a saved itinerary document again: from the page parameters it keeps, else from its request.

    Raises
    ------
    ItineraryFormatError
        If a document without page parameters is not a readable itinerary.
    """
    query = saved_query(document)
    if query:
        return plan_itinerary_args(MultiDict(query))
    return replan(request_from_document(document))


def saved_query(document: dict[str, Any]) -> dict[str, Any]:
    """Return the page parameters kept in a saved itinerary document (empty when it has none).

    Examples
    --------
    >>> saved_query({"request": {"extra": {"page": {"from": "A", "to": "B"}}}})
    {'from': 'A', 'to': 'B'}
    >>> saved_query({"request": {}})
    {}
    """
    page = document.get("request", {}).get("extra", {}).get("page", {})
    return dict(page) if isinstance(page, dict) else {}
