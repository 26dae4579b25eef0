"""Errors of the web layer, and how each error becomes an HTTP answer.

The domain errors of :mod:`gis_data` and :mod:`routing` map to statuses here:

==========================  ======  ============================================
error                       status  JSON body besides ``"error"`` (the message)
==========================  ======  ============================================
BadParameterError           400     ``parameter``
InvalidPointError,          400     (nothing more)
ItineraryFormatError
PlaceNotFoundError          404     ``parameter``, ``query``, ``suggestions``
PlanNotFoundError           404     ``parameter`` (``"plan_id"``), ``plan_id``
PointOffNetworkError        422     ``parameter``, ``place``, ``point``, ``distance_m``
NoRouteError                422     ``from`` and ``to`` (the stops not joined), ``points``
DataNotFoundError,          503     (nothing more; the details go to the log)
InvalidDataError,
SQLAlchemyError
UnavailableError            501     (nothing more)
==========================  ======  ============================================

The API answers with that JSON; the planner page shows the message in the page
(see :func:`web.views.index`). Which parameter an error concerns is found from
the stops the view recorded in ``flask.g`` (``g.queries`` and ``g.stops``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from gis_data.errors import DataNotFoundError
from gis_data.errors import InvalidDataError
from gis_data.errors import PlaceNotFoundError
from gis_data.errors import PlanNotFoundError
from routing.errors import InvalidPointError
from routing.errors import ItineraryFormatError
from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError

if TYPE_CHECKING:
    from flask import Flask
    from flask import Response

    from web.planning import Stop


class BadParameterError(ValueError):
    """A request parameter is missing or malformed."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class InfopointNotFoundError(LookupError):
    """No infopoint of the POIs has the id a printed sheet asks for."""


class UnavailableError(RuntimeError):
    """A part of the planner (e.g. printable sheets) is not installed on this server."""


#: The errors a planning request can meet, each turned into a :class:`Problem`.
PLANNING_ERRORS: tuple[type[Exception], ...] = (
    BadParameterError,
    InvalidPointError,
    ItineraryFormatError,
    PlaceNotFoundError,
    PlanNotFoundError,
    PointOffNetworkError,
    NoRouteError,
    DataNotFoundError,
    InvalidDataError,
    SQLAlchemyError,
    UnavailableError,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """An error as an HTTP status and a JSON-ready body (always with ``"error"``)."""

    status: int
    body: dict[str, Any]

    @property
    def message(self) -> str:
        """Return the human-readable message."""
        return str(self.body["error"])


def describe(exc: Exception) -> Problem:
    """Turn a planning error into a status and a body naming what went wrong.

    Parameters
    ----------
    exc
        One of :data:`PLANNING_ERRORS`, raised while serving the current request.

    Returns
    -------
    Problem
        The status and body. Errors of the server's own data (5xx) are also logged.

    Raises
    ------
    TypeError
        If ``exc`` is not a planning error.
    """
    stops: list[Stop] = g.get("stops", [])
    if isinstance(exc, BadParameterError):
        return Problem(400, {"error": str(exc), "parameter": exc.parameter})
    if isinstance(exc, InvalidPointError | ItineraryFormatError):
        return Problem(400, {"error": str(exc)})
    if isinstance(exc, PlanNotFoundError):
        return Problem(404, {"error": str(exc), "parameter": "plan_id", "plan_id": exc.plan_id})
    if isinstance(exc, PlaceNotFoundError):
        parameter = next((p for p, q in g.get("queries", []) if q == exc.query), None)
        body = {"parameter": parameter, "query": exc.query, "suggestions": list(exc.suggestions)}
        return Problem(404, {"error": str(exc), **body})
    if isinstance(exc, PointOffNetworkError):
        stop = next((s for s in stops if _same_point(s.place.latlon, exc.point)), None)
        return Problem(
            422,
            {
                "error": str(exc),
                "parameter": stop.parameter if stop else None,
                "place": stop.place.name if stop else None,
                "point": list(exc.point),
                "distance_m": round(exc.distance_m, 1),
            },
        )
    if isinstance(exc, NoRouteError):
        start, end = _failed_leg(exc, stops)
        return Problem(
            422,
            {
                "error": str(exc),
                "from": _stop_json(start) if start else None,
                "to": _stop_json(end) if end else None,
                "points": [_stop_json(s) for s in stops],
            },
        )
    if isinstance(exc, DataNotFoundError | InvalidDataError):
        current_app.logger.error("Cannot serve %s: %s", request.path, exc, exc_info=exc)
        return Problem(503, {"error": "The route network is not available; see the server log"})
    if isinstance(exc, UnavailableError):
        return Problem(501, {"error": str(exc)})
    if isinstance(exc, SQLAlchemyError):
        current_app.logger.error("Plan store failed serving %s: %s", request.path, exc, exc_info=exc)
        return Problem(503, {"error": "The plan store is not available; see the server log"})
    msg = f"Not a planning error: {exc!r}"
    raise TypeError(msg)


def init_app(app: Flask) -> None:
    """Answer planning errors and HTTP errors of the API with JSON.

    Parameters
    ----------
    app
        The app being created.
    """
    for error in PLANNING_ERRORS:
        app.register_error_handler(error, _planning_error)
    app.register_error_handler(HTTPException, _http_error)


def _planning_error(exc: Exception) -> tuple[Response, int]:
    problem = describe(exc)
    return jsonify(problem.body), problem.status


def _http_error(exc: HTTPException) -> HTTPException | tuple[Response, int]:
    """Answer with JSON under ``/api/``, and with Flask's own page elsewhere."""
    if not request.path.startswith("/api/"):
        return exc
    return jsonify({"error": exc.description or exc.name}), exc.code or 500


def _same_point(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.isclose(a[0], b[0], abs_tol=1e-9) and math.isclose(a[1], b[1], abs_tol=1e-9)


def _failed_leg(exc: NoRouteError, stops: list[Stop]) -> tuple[Stop | None, Stop | None]:
    """Return the two consecutive stops the error names, else the first and last."""
    for start, end in itertools.pairwise(stops):
        if (
            exc.start is not None
            and exc.end is not None
            and _same_point(start.place.latlon, exc.start)
            and _same_point(end.place.latlon, exc.end)
        ):
            return start, end
    return (stops[0], stops[-1]) if stops else (None, None)


def _stop_json(stop: Stop) -> dict[str, Any]:
    return {
        "parameter": stop.parameter,
        "query": stop.query,
        "name": stop.place.name,
        "lat": stop.place.lat,
        "lon": stop.place.lon,
    }
