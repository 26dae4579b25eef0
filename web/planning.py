"""From request parameters to planned routes, and back to JSON.

The views call these functions so that they stay a few lines long. A stop is a
place name, ``LAT,LON`` or ``poi:<id>`` (a POI of :func:`web.pois.get_pois`);
the stops of a request are recorded in ``flask.g`` so that
:func:`web.errors.describe` can name the parameter a failing stop came from.

``kind=route`` plans a route through the stops (:func:`plan_request`); tours
and loops are planned by :mod:`web.itineraries`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from flask import g

from gis_data import settings
from gis_data.places import Place
from gis_data.places import normalize_name
from gis_data.places import resolve_place
from routing import InvalidPointError
from routing import PointOffNetworkError
from routing import plan_route
from routing import route_to_feature
from routing import snap_point
from web.content import get_published
from web.graph import get_graph
from web.params import parse_profile
from web.params import parse_speed
from web.params import parse_stops
from web.pois import find_poi
from web.pois import get_pois

if TYPE_CHECKING:
    import networkx as nx
    from werkzeug.datastructures import MultiDict

    from routing import Route

LatLon = tuple[float, float]

POI_PREFIX = "poi:"
#: POI categories a day of a multi-day trip may end at, best first.
OVERNIGHT = ("lodging", "agriturismo", "railway_station")


@dataclass(frozen=True, slots=True)
class Stop:
    """A stop of a request: the parameter that named it, the text asked and the place found."""

    parameter: str
    query: str
    place: Place
    poi: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A planned request: the route, its stops in riding order and the asked speed."""

    route: Route
    stops: tuple[Stop, ...]
    speed_kmh: float | None = None
    profile: str = "touring"

    @property
    def title(self) -> str:
        """Return ``"<start> → <end>"``."""
        return f"{self.stops[0].place.name} → {self.stops[-1].place.name}"

    @property
    def description(self) -> str:
        """Return a one-line summary: via points, distance and riding time."""
        vias = [s.place.name for s in self.stops[1:-1]]
        via = f" via {', '.join(vias)}" if vias else ""
        r = self.route
        ride = f"{r.length_m / 1000:.1f} km, {format_duration(r.duration_s)} at {r.speed_kmh:g} km/h"
        return f"{self.title}{via}: {ride}"

    @property
    def filename(self) -> str:
        """Return an ASCII file name for downloads, e.g. ``cremona-bike_cremona_crema.gpx``."""
        return file_name(self.stops[0].place.name, self.stops[-1].place.name, "gpx")

    def waypoints(self) -> list[tuple[str, LatLon]]:
        """Return ``(name, (lat, lon))`` of the stops as asked."""
        return [(s.place.name, s.place.latlon) for s in self.stops]

    def query_args(self) -> dict[str, Any]:
        """Return the query-string values that plan this route again."""
        args: dict[str, Any] = {"from": self.stops[0].query, "to": self.stops[-1].query}
        if len(self.stops) > 2:
            args["via"] = [s.query for s in self.stops[1:-1]]
        if self.speed_kmh is not None:
            args["speed"] = f"{self.speed_kmh:g}"
        if self.profile != "touring":
            base, _, wet = self.profile.partition("+")
            args["profile"] = base
            if wet:
                args["wet"] = "1"
        return args


def format_duration(seconds: float) -> str:
    """Format a riding time as ``"1 h 05 min"`` or ``"12 min"``.

    Examples
    --------
    >>> format_duration(3900), format_duration(720), format_duration(20)
    ('1 h 05 min', '12 min', '1 min')
    """
    minutes = max(round(seconds / 60), 1)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def resolve_stop(G: nx.MultiDiGraph[int], parameter: str, query: str, *, name_streets: bool = True) -> Stop:
    """Resolve one stop of a request: ``poi:<id>``, ``LAT,LON`` or a place name.

    Coordinates are named after the nearest street (``name_streets``), or keep
    their text for the caller to name them (see :func:`plan_request`).

    Raises
    ------
    PlaceNotFoundError
        If nothing matches (an unknown POI id, or a place with suggestions).
    """
    if query.startswith(POI_PREFIX):
        name, category, lat, lon, record = find_poi(get_pois(), query[len(POI_PREFIX) :].strip(), query)
        return Stop(parameter, query, Place(name, f"poi:{category}", lat, lon), record)
    place = resolve_place(G, query)
    if place.kind == "coordinates" and name_streets:
        place = Place(street_name(G, place.latlon) or place.name, place.kind, place.lat, place.lon)
    return Stop(parameter, query, place)


def street_name(G: nx.MultiDiGraph[int], point: LatLon) -> str | None:
    """Return the name of the way nearest to a point (within the snap limit), if it has one."""
    try:
        snap = snap_point(G, point, limit_m=float(current_app.config["SNAP_LIMIT_M"] or settings.snap_limit_m))
    except (PointOffNetworkError, InvalidPointError):
        return None  # planning reports it, naming the parameter
    return way_name(G, snap.edge)


def way_name(G: nx.MultiDiGraph[int], edge: tuple[int, int, int]) -> str | None:
    """Return the name of an edge's way, if it has one (the first of several)."""
    name = G.edges[edge].get("name")
    return str(name[0] if isinstance(name, list) else name) if name else None


def plan_request(args: MultiDict[str, str]) -> Plan:
    """Resolve the stops of a request and plan the route through them.

    Parameters
    ----------
    args
        ``from``, ``to``, ``via`` (repeated, or one per line), ``profile``,
        ``wet`` and ``speed``.

    Returns
    -------
    Plan
        The route and its stops.

    Raises
    ------
    BadParameterError
        If a parameter is missing or malformed.
    PlaceNotFoundError, PointOffNetworkError, NoRouteError
        From :mod:`gis_data.places` and :mod:`routing`.
    """
    G = get_graph()
    g.queries = queries = parse_stops(args)
    speed = parse_speed(args)
    profile = parse_profile(args)
    g.stops = stops = tuple(resolve_stop(G, p, q, name_streets=False) for p, q in queries)
    route = plan_route(
        G,
        [s.place.latlon for s in stops],
        profile=profile,
        speed_kmh=speed,
        snap_limit_m=current_app.config["SNAP_LIMIT_M"],
        # Published closures apply as a closures file does to ``cremona-bike route``: those in force today.
        closures=get_published().closures,
        date=dt.datetime.now(dt.UTC).date(),
    )
    # Coordinates are named after the street the route starts, passes or ends on.
    g.stops = stops = tuple(
        dataclasses.replace(s, place=dataclasses.replace(s.place, name=way_name(G, snap.edge) or s.place.name))
        if s.place.kind == "coordinates"
        else s
        for s, snap in zip(stops, route.snaps, strict=True)
    )
    g.planned = planned = Plan(route, stops, speed, profile)  # counted by web.indicators
    return planned


def route_feature(plan: Plan) -> dict[str, Any]:
    """Return a planned route as a GeoJSON Feature with its summary, explanation and stops."""
    feature = route_to_feature(plan.route)
    stops = [{"parameter": s.parameter, "query": s.query, **place_json(s.place)} for s in plan.stops]
    properties = {**feature["properties"], "name": plan.title, "stops": stops}
    return {**feature, "properties": properties}


def place_json(place: Place) -> dict[str, Any]:
    """Return a place as JSON: name, kind, lat, lon."""
    return {"name": place.name, "kind": place.kind, "lat": place.lat, "lon": place.lon}


def file_name(start: str, end: str, suffix: str) -> str:
    """Return an ASCII download name from the start and end names.

    Examples
    --------
    >>> file_name("Sant'Agata / Città", "Crema", "gpx")
    'cremona-bike_sant-agata-citta_crema.gpx'
    """
    return f"cremona-bike_{slug(start)}_{slug(end)}.{suffix}"


def slug(name: str) -> str:
    """Return a lower-case ASCII slug of a name."""
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(name)).strip("-") or "route"
