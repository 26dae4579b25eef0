"""The planner's JSON API (the ``api`` blueprint, under ``/api``), described by ``/api/openapi.json``.

Every view parses the request (:mod:`web.params`), calls :mod:`web.planning`,
:mod:`poi` or :mod:`gis_data` and answers; errors become JSON naming the bad
parameter in :mod:`web.errors`. The plan parameters are the same everywhere
(the page's query string; or a JSON object for ``POST``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from flask import url_for

from gis_data.gpx import gpx_to_xml
from gis_data.places import search_places
from gis_data.plan_store import load_plan
from gis_data.plan_store import save_plan
from gis_data.untrusted import loads_json
from routing.itinerary_doc import request_from_document
from web.content import public_events
from web.downloads import itinerary_filename
from web.downloads import itinerary_gpx
from web.downloads import route_gpx as planned_route_gpx
from web.errors import BadParameterError
from web.graph import get_graph
from web.i18n import current_language
from web.itineraries import days_geojson
from web.itineraries import itinerary_doc
from web.itineraries import itinerary_json
from web.itineraries import plan_itinerary_args
from web.itineraries import replan
from web.itineraries import saved_query
from web.maps import roads_geojson
from web.openapi import openapi_document
from web.params import args_from_json
from web.params import parse_bbox
from web.params import parse_categories
from web.params import parse_date
from web.params import parse_float
from web.params import parse_gpx_parts
from web.params import parse_int
from web.planning import place_json
from web.planning import plan_request
from web.planning import route_feature
from web.plans import get_store
from web.pois import category_list
from web.pois import get_pois
from web.pois import pois_feature_collection
from web.pois import select_pois
from web.printing import itinerary_pdf as render_pdf
from web.trip_events import DEFAULT_WITHIN_M
from web.trip_events import MAX_WITHIN_M
from web.trip_events import trip_events_json

bp = Blueprint("api", __name__, url_prefix="/api")

#: Largest ``limit`` of ``/api/places``.
MAX_PLACES = 500
#: Largest ``limit`` of ``/api/pois``.
MAX_POIS = 5000
GEOJSON = "application/geo+json"
GPX = "application/gpx+xml"


@bp.get("/route")
def route_geojson() -> Response:
    """Answer the route as a GeoJSON Feature with its summary, explanation and stops."""
    return _geojson(route_feature(plan_request(request.args)))


@bp.get("/route.gpx")
def route_gpx() -> Response:
    """Answer the route as a GPX 1.1 file to download (``parts``: trk, rte, wpt)."""
    parts = parse_gpx_parts(request.args)
    plan = plan_request(request.args)
    return attachment(gpx_to_xml(planned_route_gpx(plan, parts)), GPX, plan.filename)


@bp.get("/places")
def places() -> dict[str, Any]:
    """Answer the places whose name contains ``q`` (all places without it)."""
    limit = parse_int(request.args, "limit", default=50, low=1, high=MAX_PLACES)
    query = request.args.get("q", "")
    found = search_places(get_graph(), query, limit=limit)
    return {"query": query, "places": [place_json(p) for p in found]}


@bp.get("/pois")
def pois() -> Response:
    """Answer the POIs in ``bbox`` of the ``category`` values, as GeoJSON for the map."""
    bbox = parse_bbox(request.args)
    categories = parse_categories(request.args)
    limit = parse_int(request.args, "limit", default=1000, low=1, high=MAX_POIS)
    found = select_pois(get_pois(), bbox=bbox, categories=categories, limit=limit)
    return _geojson(pois_feature_collection(found, lang=current_language()))


@bp.get("/categories")
def categories() -> dict[str, Any]:
    """Answer every POI category with its label in the page's language and its count."""
    return {"categories": category_list(get_pois(), lang=current_language())}


@bp.route("/itinerary", methods=["GET", "POST"])
def itinerary() -> dict[str, Any]:
    """Plan a route, tour or loop; ``POST`` also takes a saved itinerary document to plan again."""
    body = _json_body() if request.method == "POST" else None
    if isinstance(body, dict) and "format" in body:
        return itinerary_json(replan(request_from_document(body)))
    return itinerary_json(plan_itinerary_args(args_from_json(body) if body is not None else request.args))


@bp.get("/itinerary/events")
def events_along_itinerary() -> dict[str, Any]:
    """Answer the events near an itinerary on its days (``start``/``end`` or its departure; ``within`` metres)."""
    start, end = parse_date(request.args, "start"), parse_date(request.args, "end")
    within = parse_float(request.args, "within", low=0, high=MAX_WITHIN_M, unit="metres")
    planned = plan_itinerary_args(request.args)
    within_m = DEFAULT_WITHIN_M if within is None else within
    return trip_events_json(planned, public_events(get_pois()), start=start, end=end, within_m=within_m)


@bp.get("/itinerary.gpx")
def itinerary_gpx_file() -> Response:
    """Answer an itinerary as GPX: every day, or one (``day``); ``parts`` as for routes."""
    parts = parse_gpx_parts(request.args)
    day = parse_int(request.args, "day", default=0, low=0, high=30) or None
    planned = plan_itinerary_args(request.args)
    gpx = gpx_to_xml(itinerary_gpx(planned, day=day, parts=parts))
    return attachment(gpx, GPX, itinerary_filename(planned, day=day, suffix="gpx"))


@bp.get("/itinerary.geojson")
def itinerary_geojson() -> Response:
    """Answer an itinerary as a GeoJSON file: one line per day and the stops."""
    planned = plan_itinerary_args(request.args)
    text = json.dumps(days_geojson(planned), ensure_ascii=False)
    return attachment(text, GEOJSON, itinerary_filename(planned, day=None, suffix="geojson"))


@bp.get("/itinerary.pdf")
def itinerary_pdf() -> Response:
    """Answer the printable sheet of an itinerary as a PDF."""
    planned = plan_itinerary_args(request.args)
    pdf = render_pdf(planned, lang=current_language(), base_url=request.url_root)
    return attachment(pdf, "application/pdf", itinerary_filename(planned, day=None, suffix="pdf"))


@bp.post("/plans")
def create_plan() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Plan what the posted parameters describe and store it under a new short id."""
    planned = plan_itinerary_args(args_from_json(_json_body()))
    plan_id = save_plan(get_store(), itinerary_doc(planned))
    page = url_for("planner.saved", plan_id=plan_id)
    return {"id": plan_id, "url": page, "api": url_for("api.saved_plan", plan_id=plan_id)}, 201, {"Location": page}


@bp.get("/plans/<plan_id>")
def saved_plan(plan_id: str) -> dict[str, Any]:
    """Answer a saved plan: its id, when it was saved, the page parameters and the document."""
    stored = load_plan(get_store(), plan_id)
    doc = stored.document
    return {"id": stored.id, "created": stored.created_at.isoformat(), "query": saved_query(doc), "itinerary": doc}


@bp.get("/roads.geojson")
def roads() -> Response:
    """Answer the network's ways as GeoJSON: the map's base layer when there are no tiles."""
    response = _geojson(roads_geojson(get_graph()))
    response.cache_control.max_age = 3600
    response.cache_control.public = True
    return response


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """Answer the OpenAPI 3.1 description of this API."""
    return openapi_document()


def _json_body() -> Any:
    """Return the posted JSON value.

    Raises
    ------
    BadParameterError
        If the body is not JSON (parameter ``body``).
    """
    try:
        body = loads_json(request.get_data(cache=True), "request body") if request.is_json else None
    except ValueError:
        body = None
    if body is None:
        msg = "The request body must be JSON (Content-Type: application/json)"
        raise BadParameterError(msg, "body")
    return body


def _geojson(doc: dict[str, Any]) -> Response:
    response = jsonify(doc)
    response.mimetype = GEOJSON
    return response


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """Return a response that browsers save as a file."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": _disposition(filename)})


def _disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'
