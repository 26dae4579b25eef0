"""The planner's pages (the ``planner`` blueprint); the JSON API is in :mod:`web.api`.

Routes
------
``GET /``
    The planner. Its query string is the plan (see :mod:`web.params`), so a
    shared URL restores it; with ``from``/``to`` and without JavaScript, the
    server draws the route, its summary and download links itself.
``GET /plan/<plan_id>``
    The planner with a saved plan (see ``POST /api/plans``).
``GET /plan/<plan_id>.gpx``
    The saved plan's GPX (every day; the link on printed sheets).

The page's script (``static/planner.js``) makes the map interactive and plans
through the JSON API; the form works without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from gis_data import settings
from gis_data.errors import PlanNotFoundError
from gis_data.gpx import gpx_to_xml
from gis_data.places import search_places
from gis_data.plan_store import load_plan
from routing import PRESETS
from web.api import GPX
from web.api import attachment
from web.downloads import itinerary_filename
from web.downloads import itinerary_gpx
from web.errors import PLANNING_ERRORS
from web.errors import describe
from web.graph import get_graph
from web.i18n import current_language
from web.itineraries import plan_saved
from web.itineraries import saved_query
from web.maps import base_map
from web.maps import graph_bounds
from web.maps import map_parts
from web.maps import route_map
from web.params import SHORTEST
from web.params import canonical_query
from web.params import parse_kind
from web.planning import format_duration
from web.planning import plan_request
from web.plans import get_store
from web.pois import category_list
from web.pois import get_pois

if TYPE_CHECKING:
    import networkx as nx

    from web.errors import Problem
    from web.planning import Plan

bp = Blueprint("planner", __name__)

#: Categories shown on the map when the page opens.
DEFAULT_CATEGORIES = ("museum", "luthier", "music_venue", "infopoint", "railway_station", "drinking_water")


@bp.get("/")
def index() -> tuple[str, int]:
    """Show the planner; without JavaScript, also the route or the error when one was asked for."""
    plan: Plan | None = None
    problem: Problem | None = None
    G: nx.MultiDiGraph[int] | None = None
    try:
        G = get_graph()
        if ("from" in request.args or "to" in request.args) and parse_kind(request.args) == "route":
            plan = plan_request(request.args)
    except PLANNING_ERRORS as exc:
        problem = describe(exc)
    page = render_template("planner/index.html", **_page(request.args, G, plan, problem))
    return page, problem.status if problem else 200


@bp.get("/plan/<plan_id>")
def saved(plan_id: str) -> str:
    """Show the planner with a saved plan, which the page's script plans again."""
    try:
        stored = load_plan(get_store(), plan_id)
    except PlanNotFoundError:
        abort(404)
    args = MultiDict(saved_query(stored.document))
    return render_template("planner/index.html", **_page(args, get_graph(), None, None, plan_id=plan_id))


@bp.get("/plan/<plan_id>.gpx")
def saved_gpx(plan_id: str) -> Response:
    """Answer a saved plan's GPX: every day as a track, the stops as waypoints."""
    planned = plan_saved(load_plan(get_store(), plan_id).document)
    gpx = gpx_to_xml(itinerary_gpx(planned, day=None, parts=("trk", "wpt")))
    return attachment(gpx, GPX, itinerary_filename(planned, day=None, suffix="gpx"))


@bp.app_template_filter("duration")
def duration_filter(seconds: float) -> str:
    """Format a riding time for templates (see :func:`web.planning.format_duration`)."""
    return format_duration(seconds)


def form_values(args: MultiDict[str, str]) -> dict[str, Any]:
    """Return the form fields to show again, with via points one per line."""
    query = canonical_query(args)
    vias = query.get("via", [])
    return {**query, "via": "\n".join(vias if isinstance(vias, list) else [vias])}


def _page(
    args: MultiDict[str, str],
    G: nx.MultiDiGraph[int] | None,
    plan: Plan | None,
    problem: Problem | None,
    *,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """Return the template context: form, map, place names, categories, links."""
    lang = current_language()
    context: dict[str, Any] = {
        "form": form_values(args),
        "plan": plan,
        "problem": problem,
        "attribution": settings.attribution,
        "profile_labels": _profile_labels(),
        "plan_id": plan_id,
        "languages": current_app.config["LANGUAGES"],
        "map": None,
        "places": [],
        "links": None,
        "categories": [],
        "network_bbox": None,
    }
    if G is None:  # the graph could not be loaded: the page shows only the form and the error
        return context
    context.update(_map_context(G, plan))
    context["places"] = list(dict.fromkeys(p.name for p in search_places(G, limit=5000)))
    shown = [c for c in category_list(get_pois(), lang=lang) if c["count"]]
    context["categories"] = [{**c, "checked": c["id"] in DEFAULT_CATEGORIES} for c in shown]
    return context


def _profile_labels() -> dict[str, str]:
    labels = {
        "touring": gettext("Touring"),
        "road": gettext("Road bike"),
        "gravel": gettext("Gravel"),
        "family": gettext("Family (quiet roads)"),
        SHORTEST: gettext("Shortest"),
    }
    return {name: labels.get(name, name) for name in [*PRESETS, SHORTEST]}


def _map_context(G: nx.MultiDiGraph[int], plan: Plan | None) -> dict[str, Any]:
    assets = url_for("static", filename="vendor")
    tiles = current_app.config["TILES"]
    texts = {
        "extent": gettext("Area covered by the route network"),
        "start": gettext("Start"),
        "via": gettext("Via"),
        "end": gettext("End"),
        "off_road": gettext("m to the nearest road"),
    }
    bounds = graph_bounds(G)
    links = None
    if plan is None:
        m = base_map(G, tiles=tiles, assets=assets, texts=texts)
    else:
        m = route_map(plan.route, plan.waypoints(), tiles=tiles, assets=assets, texts=texts, extent=bounds)
        args = plan.query_args()
        links = {
            "gpx": url_for("api.route_gpx", **args),
            "geojson": url_for("api.route_geojson", **args),
        }
    (south, west), (north, east) = bounds
    return {"map": map_parts(m), "links": links, "network_bbox": [west, south, east, north]}
