"""The planner's pages and JSON API (the ``planner`` blueprint).

Routes
------
``GET /``
    The form (from, to, via points one per line, speed); with ``from``/``to``
    in the query string, also the route on a map, its summary and download links.
``GET /api/route?from=..&to=..[&via=..]*[&speed=..]``
    The route as a GeoJSON Feature (``application/geo+json``).
``GET /api/route.gpx?...``
    The route as a GPX 1.1 attachment.
``GET /api/places?q=..[&limit=..]``
    Places whose name contains ``q``.

Every view parses the request, calls :mod:`gis_data`/:mod:`routing` and renders
or answers JSON; errors become answers in :mod:`web.errors`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for

from gis_data import settings
from gis_data.gpx import gpx_to_xml
from gis_data.gpx import route_to_gpx
from gis_data.places import normalize_name
from gis_data.places import resolve_place
from gis_data.places import search_places
from routing import plan_route
from routing import route_to_feature
from web.errors import PLANNING_ERRORS
from web.errors import BadParameterError
from web.errors import describe
from web.graph import get_graph
from web.maps import base_map
from web.maps import map_parts
from web.maps import route_map

if TYPE_CHECKING:
    import networkx as nx
    from werkzeug.datastructures import MultiDict

    from gis_data.places import Place
    from routing import Route
    from web.errors import Problem
    from web.maps import MapParts

LatLon = tuple[float, float]

#: Accepted riding speeds for the ``speed`` parameter, in km/h.
SPEED_RANGE = (3.0, 60.0)
#: Largest ``limit`` of ``/api/places``.
MAX_PLACES = 500

bp = Blueprint("planner", __name__)


@dataclass(frozen=True, slots=True)
class Stop:
    """A stop of a request: the parameter that named it, the text asked and the place found."""

    parameter: str
    query: str
    place: Place


@dataclass(frozen=True, slots=True)
class Plan:
    """A planned request: the route, its stops in riding order and the asked speed."""

    route: Route
    stops: tuple[Stop, ...]
    speed_kmh: float | None = None

    @property
    def title(self) -> str:
        """Return ``"<start> to <end>"``."""
        return f"{self.stops[0].place.name} to {self.stops[-1].place.name}"

    @property
    def description(self) -> str:
        """Return a one-line summary: via points, distance and riding time."""
        vias = [s.place.name for s in self.stops[1:-1]]
        via = f" via {', '.join(vias)}" if vias else ""
        r = self.route
        time = format_duration(r.duration_s)
        ride = f"{r.length_m / 1000:.1f} km, {time} at {r.speed_kmh:g} km/h"
        return f"{self.title}{via}: {ride}"

    @property
    def filename(self) -> str:
        """Return an ASCII file name for downloads, e.g. ``cremona-bike_cremona_crema.gpx``."""
        ends = [_slug(self.stops[0].place.name), _slug(self.stops[-1].place.name)]
        return f"cremona-bike_{ends[0]}_{ends[1]}.gpx"

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
        return args


@bp.get("/")
def index() -> tuple[str, int]:
    """Show the planner form, and the route or the error when one was asked for."""
    plan: Plan | None = None
    problem: Problem | None = None
    G: nx.MultiDiGraph[int] | None = None
    try:
        G = get_graph()
        if "from" in request.args or "to" in request.args:
            plan = plan_request(request.args)
    except PLANNING_ERRORS as exc:
        problem = describe(exc)
    context = {"form": form_values(request.args), "plan": plan, "problem": problem}
    page = render_template("planner/index.html", **context, **_page_extras(G, plan))
    return page, problem.status if problem else 200


@bp.get("/api/route")
def route_geojson() -> Response:
    """Answer the route as a GeoJSON Feature with its summary and stops as properties."""
    plan = plan_request(request.args)
    feature = route_to_feature(plan.route)
    stops = [{"parameter": s.parameter, "query": s.query, **_place_json(s.place)} for s in plan.stops]
    properties = {**feature["properties"], "name": plan.title, "stops": stops}
    response = jsonify({**feature, "properties": properties})
    response.mimetype = "application/geo+json"
    return response


@bp.get("/api/route.gpx")
def route_gpx() -> Response:
    """Answer the route as a GPX 1.1 file to download."""
    plan = plan_request(request.args)
    gpx = route_to_gpx(plan.route.latlon(), plan.waypoints(), name=plan.title, description=plan.description)
    disposition = f'attachment; filename="{plan.filename}"'
    return Response(
        gpx_to_xml(gpx),
        mimetype="application/gpx+xml",
        headers={"Content-Disposition": disposition},
    )


@bp.get("/api/places")
def places() -> dict[str, Any]:
    """Answer the places whose name contains ``q`` (all places without it)."""
    limit = parse_int(request.args, "limit", default=50, low=1, high=MAX_PLACES)
    query = request.args.get("q", "")
    found = search_places(get_graph(), query, limit=limit)
    return {"query": query, "places": [_place_json(p) for p in found]}


@bp.app_template_filter("duration")
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


def plan_request(args: MultiDict[str, str]) -> Plan:
    """Resolve the stops of a request and plan the route through them.

    The stops are recorded in ``flask.g`` so that :func:`web.errors.describe`
    can name the parameter a failing place came from.

    Parameters
    ----------
    args
        The query string: ``from``, ``to``, ``via`` (repeated, or one per line)
        and ``speed``.

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
    g.stops = stops = tuple(Stop(p, q, resolve_place(G, q)) for p, q in queries)
    route = plan_route(
        G,
        [s.place.latlon for s in stops],
        speed_kmh=speed,
        snap_limit_m=current_app.config["SNAP_LIMIT_M"],
    )
    return Plan(route, stops, speed)


def parse_stops(args: MultiDict[str, str]) -> list[tuple[str, str]]:
    """Return the ``(parameter, place text)`` of the requested stops in riding order.

    Raises
    ------
    BadParameterError
        If ``from`` or ``to`` is missing, empty or repeated, a text is too long,
        or there are more via points than ``MAX_VIA``.
    """
    start = _place_text(args, "from")
    end = _place_text(args, "to")
    vias = [line.strip() for value in args.getlist("via") for line in value.splitlines()]
    vias = [v for v in vias if v]
    max_via = int(current_app.config["MAX_VIA"])
    if len(vias) > max_via:
        msg = f"Too many via points in parameter 'via': {len(vias)}, at most {max_via}"
        raise BadParameterError(msg, "via")
    for via in vias:
        _check_length(via, "via")
    return [("from", start), *(("via", via) for via in vias), ("to", end)]


def parse_speed(args: MultiDict[str, str]) -> float | None:
    """Return the ``speed`` parameter in km/h, or ``None`` when absent or empty.

    Raises
    ------
    BadParameterError
        If it is not a number within :data:`SPEED_RANGE`.
    """
    text = args.get("speed", "").strip()
    if not text:
        return None
    try:
        speed = float(text)
    except ValueError:
        speed = math.nan
    low, high = SPEED_RANGE
    if not low <= speed <= high:
        msg = f"Parameter 'speed' must be a number of km/h from {low:g} to {high:g}, got {text!r}"
        raise BadParameterError(msg, "speed")
    return speed


def parse_int(args: MultiDict[str, str], name: str, *, default: int, low: int, high: int) -> int:
    """Return an integer parameter within ``[low, high]``, or ``default`` when absent.

    Raises
    ------
    BadParameterError
        If it is not an integer within the range.
    """
    text = args.get(name, "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        msg = f"Parameter {name!r} must be an integer from {low} to {high}, got {text!r}"
        raise BadParameterError(msg, name)
    return int(text)


def form_values(args: MultiDict[str, str]) -> dict[str, str]:
    """Return the form fields to show again: from, to, via (one per line) and speed."""
    vias = [line.strip() for value in args.getlist("via") for line in value.splitlines()]
    return {
        "from": args.get("from", ""),
        "to": args.get("to", ""),
        "via": "\n".join(v for v in vias if v),
        "speed": args.get("speed", ""),
    }


def _page_extras(G: nx.MultiDiGraph[int] | None, plan: Plan | None) -> dict[str, Any]:
    """Return the map, the place names for autocompletion and the download links."""
    if G is None:  # the graph could not be loaded: the page shows only the form and the error
        return {"map": None, "places": [], "links": None, "attribution": settings.attribution}
    assets = url_for("static", filename="vendor")
    tiles = current_app.config["TILES"]
    if plan is None:
        m = base_map(G, tiles=tiles, assets=assets)
        links = None
    else:
        m = route_map(plan.route, plan.waypoints(), tiles=tiles, assets=assets)
        args = plan.query_args()
        links = {
            "gpx": url_for("planner.route_gpx", **args),
            "geojson": url_for("planner.route_geojson", **args),
        }
    names = list(dict.fromkeys(p.name for p in search_places(G, limit=5000)))
    parts: MapParts = map_parts(m)
    return {"map": parts, "places": names, "links": links, "attribution": settings.attribution}


def _place_text(args: MultiDict[str, str], name: str) -> str:
    values = args.getlist(name)
    if len(values) > 1:
        msg = f"Parameter {name!r} was given {len(values)} times; give it once"
        raise BadParameterError(msg, name)
    text = values[0].strip() if values else ""
    if not text:
        msg = f"Missing parameter {name!r}: give a place name or LAT,LON"
        raise BadParameterError(msg, name)
    _check_length(text, name)
    return text


def _check_length(text: str, name: str) -> None:
    longest = int(current_app.config["MAX_PLACE_LENGTH"])
    if len(text) > longest:
        msg = f"Parameter {name!r} is {len(text)} characters long, at most {longest}"
        raise BadParameterError(msg, name)


def _place_json(place: Place) -> dict[str, Any]:
    return {"name": place.name, "kind": place.kind, "lat": place.lat, "lon": place.lon}


def _slug(name: str) -> str:
    """Return a lower-case ASCII slug of a name.

    Examples
    --------
    >>> _slug("Sant'Agata / Città")
    'sant-agata-citta'
    """
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(name)).strip("-") or "route"
