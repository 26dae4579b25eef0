"""The OpenAPI 3.1 description of the planner's API, written by hand next to the views.

``tests/test_web_api.py`` checks it with openapi-spec-validator and checks that
every ``/api`` route of the app is described, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from poi.categories import CATEGORIES
from routing import PRESETS
from web.params import GPX_PARTS
from web.params import KINDS
from web.params import SHORTEST


def _param(name: str, description: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_STRING = {"type": "string"}
_FLAG = {"type": "string", "enum": ["0", "1", "true", "false", "on", "off", "yes", "no"]}
_STOP = "A place name, `LAT,LON` or `poi:<id>`."

_PARAMETERS: dict[str, Any] = {
    "from": _param("from", f"Start. {_STOP}", {**_STRING, "maxLength": 200}, required=True),
    "to": _param("to", f"End (required for a route; a tour may end at its last visit). {_STOP}", _STRING),
    "via": {
        **_param("via", f"A stop between start and end; repeat it in order. {_STOP}", {"type": "array"}),
        "schema": {"type": "array", "items": {"type": "string", "maxLength": 200}, "maxItems": 10},
        "explode": True,
    },
    "profile": _param(
        "profile",
        "Rider profile.",
        {"type": "string", "enum": [*PRESETS, SHORTEST], "default": "touring"},
    ),
    "wet": _param("wet", "`1`: wet-weather modifier (unpaved slower and avoided).", _FLAG),
    "speed": _param("speed", "Riding speed, km/h (routes only).", {"type": "number", "minimum": 3, "maximum": 60}),
    "kind": _param("kind", "What to plan.", {"type": "string", "enum": list(KINDS), "default": "route"}),
    "optimise": _param("optimise", "`1`: a tour may reorder its visits.", _FLAG),
    "return": _param("return", "`1`: a tour returns to its start (no `to`).", _FLAG),
    "depart": _param(
        "depart",
        "Local departure time `YYYY-MM-DDTHH:MM`, for arrival times and opening hours.",
        {"type": "string", "format": "date-time"},
    ),
    "lunch": _param("lunch", "`1`: add a lunch break after noon.", _FLAG),
    "days": _param("days", "Split into this many days.", {"type": "integer", "minimum": 0, "maximum": 30}),
    "km_per_day": _param("km_per_day", "Daily distance.", {"type": "number", "minimum": 1, "maximum": 400}),
    "hours_per_day": _param("hours_per_day", "Daily riding hours.", {"type": "number", "minimum": 0.5, "maximum": 16}),
    "km": _param("km", "A loop's target length (required for `kind=loop`).", {"type": "number", "minimum": 2}),
    "category": {
        **_param("category", "POI category; repeat it.", {"type": "array"}),
        "schema": {"type": "array", "items": {"type": "string", "enum": list(CATEGORIES)}},
        "explode": True,
    },
    "min_pois": _param("min_pois", "A loop passes at least this many POIs.", {"type": "integer", "minimum": 0}),
    "seed": _param("seed", "Fixes the directions a loop tries.", {"type": "integer", "minimum": 0}),
    "parts": _param(
        "parts",
        "Comma-separated parts of the GPX: "
        + ", ".join(f"`{p}`" for p in GPX_PARTS)
        + " (track, route, waypoints). Default `trk,wpt`.",
        _STRING,
    ),
    "lang": _param(
        "lang", "Language of labels and titles (also remembered in a cookie).", {"type": "string", "enum": ["it", "en"]}
    ),
}

_ROUTE = [_ref(n) for n in ("from", "via", "to", "profile", "wet", "speed")]
_PLAN = [_ref(n) for n in ("kind", "from", "via", "to", "profile", "wet", "optimise", "return", "depart", "lunch")]
_PLAN += [_ref(n) for n in ("days", "km_per_day", "hours_per_day", "km", "category", "min_pois", "seed", "lang")]

_PLAN_BODY = {
    "type": "object",
    "description": "The plan parameters (as in the query string) as a JSON object; lists for repeated ones.",
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "from": {"type": "string"},
        "via": {"type": "array", "items": {"type": "string"}},
        "to": {"type": "string"},
        "profile": {"type": "string"},
        "wet": {"type": "boolean"},
        "optimise": {"type": "boolean"},
        "return": {"type": "boolean"},
        "depart": {"type": "string"},
        "lunch": {"type": "boolean"},
        "days": {"type": "integer"},
        "km_per_day": {"type": "number"},
        "hours_per_day": {"type": "number"},
        "km": {"type": "number"},
        "category": {"type": "array", "items": {"type": "string"}},
        "min_pois": {"type": "integer"},
        "seed": {"type": "integer"},
    },
    "required": ["from"],
    "example": {"kind": "route", "from": "45.1334,10.0246", "via": ["poi:museo-del-violino"], "to": "Via Palestro"},
}

_PLANNING_ERRORS = {
    "400": _error("A parameter is missing or malformed; `parameter` names it."),
    "404": _error("A place or POI was not found; `parameter` names the stop, `suggestions` close names."),
    "422": _error("A stop is off the network, or no route joins two stops."),
    "503": _error("The network data is not available."),
}


def _json(description: str, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}}


def _file(description: str, media: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string", "format": "binary"}}}}


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 description of ``/api``.

    Returns
    -------
    dict
        A JSON-ready OpenAPI document.

    Examples
    --------
    >>> doc = openapi_document()
    >>> doc["openapi"], "/api/itinerary" in doc["paths"]
    ('3.1.0', True)
    """
    itinerary = {"$ref": "#/components/schemas/ItineraryResult"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cremona by bike: planner API",
            "version": "1",
            "description": (
                "Bicycle routes, tours, loops and multi-day trips in the province of Cremona, on OpenStreetMap "
                "data (© OpenStreetMap contributors, ODbL 1.0). Errors are JSON objects with `error` (the "
                "message) and, when one parameter is to blame, `parameter`."
            ),
        },
        "paths": {
            "/api/route": {
                "get": {
                    "summary": "Plan a route through stops",
                    "operationId": "route",
                    "parameters": _ROUTE,
                    "responses": {
                        "200": _json(
                            "A GeoJSON Feature: the line; summary, shares, segments (why this way) and stops.",
                            {"$ref": "#/components/schemas/RouteFeature"},
                            "application/geo+json",
                        ),
                        **_PLANNING_ERRORS,
                    },
                }
            },
            "/api/route.gpx": {
                "get": {
                    "summary": "Download a route as GPX 1.1",
                    "operationId": "routeGpx",
                    "parameters": [*_ROUTE, _ref("parts")],
                    "responses": {"200": _file("GPX attachment.", "application/gpx+xml"), **_PLANNING_ERRORS},
                }
            },
            "/api/places": {
                "get": {
                    "summary": "Search place names",
                    "operationId": "places",
                    "parameters": [
                        _param("q", "Part of a name; case and accents are ignored.", _STRING),
                        _param("limit", "Most places.", {"type": "integer", "minimum": 1, "maximum": 500}),
                    ],
                    "responses": {"200": _json("Matching places."), "400": _PLANNING_ERRORS["400"]},
                }
            },
            "/api/pois": {
                "get": {
                    "summary": "Points of interest for the map",
                    "operationId": "pois",
                    "parameters": [
                        _param("bbox", "west,south,east,north in degrees.", _STRING),
                        _ref("category"),
                        _param("limit", "Most POIs.", {"type": "integer", "minimum": 1, "maximum": 5000}),
                        _ref("lang"),
                    ],
                    "responses": {
                        "200": _json(
                            "A GeoJSON FeatureCollection; properties: id, name, category, label, hours, contacts, "
                            "source, licence, attribution.",
                            {"type": "object"},
                            "application/geo+json",
                        ),
                        "400": _PLANNING_ERRORS["400"],
                    },
                }
            },
            "/api/categories": {
                "get": {
                    "summary": "POI categories with labels and counts",
                    "operationId": "categories",
                    "parameters": [_ref("lang")],
                    "responses": {"200": _json("`categories`: id, label, count.")},
                }
            },
            "/api/itinerary": {
                "get": {
                    "summary": "Plan a route, tour or loop, split into days",
                    "operationId": "itinerary",
                    "parameters": _PLAN,
                    "responses": {"200": _json("The itinerary.", itinerary), **_PLANNING_ERRORS},
                },
                "post": {
                    "summary": "Plan from a JSON object of the plan parameters, or a saved itinerary document",
                    "operationId": "itineraryPost",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/PlanParameters"},
                                        {"$ref": "#/components/schemas/ItineraryDocument"},
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {"200": _json("The itinerary.", itinerary), **_PLANNING_ERRORS},
                },
            },
            "/api/itinerary/events": {
                "get": {
                    "summary": "What's on along an itinerary: the events near its route and stops on its days",
                    "operationId": "itineraryEvents",
                    "parameters": [
                        *_PLAN,
                        _param(
                            "start",
                            "First day `YYYY-MM-DD` (default: the day of `depart`; one of the two is required).",
                            {"type": "string", "format": "date"},
                        ),
                        _param(
                            "end",
                            "Last day `YYYY-MM-DD` (default: the first day plus the itinerary's days, less one; "
                            "at most 31 days in all).",
                            {"type": "string", "format": "date"},
                        ),
                        _param(
                            "within",
                            "Largest distance of an event from the route or a stop, metres (default 2000).",
                            {"type": "number", "minimum": 0, "maximum": 20000, "default": 2000},
                        ),
                    ],
                    "responses": {
                        "200": _json(
                            "The days, the distance and the events.", {"$ref": "#/components/schemas/TripEvents"}
                        ),
                        **_PLANNING_ERRORS,
                    },
                }
            },
            "/api/itinerary.gpx": {
                "get": {
                    "summary": "Download an itinerary as GPX: every day (one track each) or one day",
                    "operationId": "itineraryGpx",
                    "parameters": [
                        *_PLAN,
                        _ref("parts"),
                        _param("day", "Only this day (1 = first).", {"type": "integer", "minimum": 1}),
                    ],
                    "responses": {"200": _file("GPX attachment.", "application/gpx+xml"), **_PLANNING_ERRORS},
                }
            },
            "/api/itinerary.geojson": {
                "get": {
                    "summary": "Download an itinerary as GeoJSON (days as lines, stops as points)",
                    "operationId": "itineraryGeojson",
                    "parameters": _PLAN,
                    "responses": {"200": _file("GeoJSON attachment.", "application/geo+json"), **_PLANNING_ERRORS},
                }
            },
            "/api/itinerary.pdf": {
                "get": {
                    "summary": "Download the printable sheet of an itinerary",
                    "operationId": "itineraryPdf",
                    "parameters": _PLAN,
                    "responses": {
                        "200": _file("PDF attachment.", "application/pdf"),
                        **_PLANNING_ERRORS,
                        "501": _error("Printable sheets are not installed on this server."),
                    },
                }
            },
            "/api/plans": {
                "post": {
                    "summary": "Save a plan under a new short id",
                    "operationId": "savePlan",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlanParameters"}}},
                    },
                    "responses": {
                        "201": _json(
                            "Saved: `id`, `url` (the page), `api` (this plan's JSON).",
                            {
                                "type": "object",
                                "properties": {"id": _STRING, "url": _STRING, "api": _STRING},
                                "required": ["id", "url", "api"],
                            },
                        ),
                        **_PLANNING_ERRORS,
                        "503": _error("The network data or the plan store is not available."),
                    },
                }
            },
            "/api/plans/{plan_id}": {
                "get": {
                    "summary": "A saved plan",
                    "operationId": "savedPlan",
                    "parameters": [
                        {
                            "name": "plan_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{12}$"},
                        }
                    ],
                    "responses": {
                        "200": _json("`id`, `created`, `query` (the page parameters) and `itinerary` (the document)."),
                        "404": _error("No plan has this id."),
                        "503": _error("The plan store is not available."),
                    },
                }
            },
            "/api/roads.geojson": {
                "get": {
                    "summary": "The network's ways, the map's base layer without tiles",
                    "operationId": "roads",
                    "responses": {"200": _json("A FeatureCollection by road class.", None, "application/geo+json")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This description",
                    "operationId": "openapi",
                    "responses": {"200": _json("OpenAPI 3.1 document.")},
                }
            },
        },
        "components": {
            "parameters": _PARAMETERS,
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string", "description": "What went wrong."},
                        "parameter": {"type": ["string", "null"], "description": "The parameter to blame."},
                    },
                    "required": ["error"],
                },
                "PlanParameters": _PLAN_BODY,
                "ItineraryDocument": {
                    "type": "object",
                    "description": "A saved itinerary (`cremona-bike/itinerary`): planned again from its `request`.",
                    "properties": {
                        "format": {"const": "cremona-bike/itinerary"},
                        "version": {"type": "integer"},
                        "request": {"type": "object"},
                    },
                    "required": ["format", "version", "request"],
                },
                "RouteFeature": {
                    "type": "object",
                    "properties": {
                        "type": {"const": "Feature"},
                        "geometry": {"type": "object"},
                        "properties": {"type": "object"},
                    },
                },
                "TripEvent": {
                    "type": "object",
                    "description": "An event: what, when, where, how far from the route, where its facts come from.",
                    "properties": {
                        "id": _STRING,
                        "name": _STRING,
                        "category": _STRING,
                        "start": {"type": ["string", "null"], "format": "date"},
                        "end": {"type": ["string", "null"], "format": "date"},
                        "usual_period": _STRING,
                        "venue": _STRING,
                        "comune": _STRING,
                        "distance_m": {"type": ["number", "null"], "description": "Metres from the route or a stop."},
                        "lat": {"type": ["number", "null"]},
                        "lon": {"type": ["number", "null"]},
                        "placement": {"type": "string", "enum": ["venue", "comune", "none"]},
                        "website": _STRING,
                        "source_url": _STRING,
                        "source": _STRING,
                        "licence": _STRING,
                    },
                    "required": ["id", "name", "start", "end", "distance_m", "source", "licence"],
                },
                "TripEvents": {
                    "type": "object",
                    "properties": {
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"},
                        "within_m": {"type": "number"},
                        "events": {
                            "type": "array",
                            "description": "Dated events running on the days, nearest first.",
                            "items": {"$ref": "#/components/schemas/TripEvent"},
                        },
                        "recurring": {
                            "type": "array",
                            "description": "Recurring events near the route, dates not known (`usual_period`).",
                            "items": {"$ref": "#/components/schemas/TripEvent"},
                        },
                    },
                    "required": ["start", "end", "within_m", "events", "recurring"],
                },
                "ItineraryResult": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "itinerary": {"$ref": "#/components/schemas/ItineraryDocument"},
                        "explain": {"type": "object", "description": "Summary, shares and segments of the route."},
                        "days": {"type": "object", "description": "GeoJSON: a line per day, a point per stop."},
                    },
                    "required": ["title", "itinerary", "explain", "days"],
                },
            },
        },
    }
