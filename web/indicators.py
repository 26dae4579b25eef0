"""Tourism-observatory indicators: counting what visitors plan, download and print, and the staff dashboard.

Counting
    :func:`count_usage` runs after every request. An answer of a counted
    endpoint (:data:`ENDPOINT_EVENTS`) that succeeded (2xx) and planned
    something (:mod:`web.planning` leaves the plan in ``flask.g.planned``) adds
    one to the month's ``total`` of its event and to each of the plan's cycle
    routes, POI categories and comuni (:mod:`web.usage_facts`), and to its
    Infopoint: the organisation of the signed-in staff member, or the
    ``infopoint`` parameter of an Infopoint desk's link (Cremona, Crema,
    Casalmaggiore or Soncino; anything else is ignored, never stored). The
    counts wait in memory and a background thread writes them to the database
    every ``INDICATORS_FLUSH_S`` seconds (:mod:`gis_data.usage_buffer`), so a
    request never waits for the database and a failed write never fails it.
    Nothing personal is kept: see :mod:`gis_data.usage_store`.
Routes
    ``GET /indicators`` (the dashboard: charts per month and per route,
    category, comune and Infopoint, with the same numbers in tables) and
    ``GET /indicators.csv`` (``month,event,dimension,value,count``); both take
    ``since`` and ``until`` months (``YYYY-MM``).

Configuration: ``INDICATORS_FLUSH_S`` (float, default 5) seconds between writes.
Under ``TESTING`` nothing is written in the background: tests call :func:`flush`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import render_template
from flask import request
from flask import session
from flask_babel import gettext

from gis_data.errors import InvalidDataError
from gis_data.usage_buffer import FLUSH_INTERVAL_S
from gis_data.usage_buffer import UsageBuffer
from gis_data.usage_store import UsageKey
from gis_data.usage_store import check_month
from gis_data.usage_store import month_of
from gis_data.usage_store import read_counts
from gis_data.usage_store import to_csv
from poi.categories import category_label
from web.auth import current_staff
from web.auth import staff_required
from web.errors import BadParameterError
from web.i18n import current_language
from web.indicators_summary import month_range
from web.indicators_summary import summarize
from web.plans import get_store
from web.usage_facts import infopoint_name
from web.usage_facts import plan_values

if TYPE_CHECKING:
    from collections.abc import Iterator

    import sqlalchemy as sa
    from flask import Flask
    from werkzeug.datastructures import MultiDict

    from routing.itinerary_plan import Itinerary
    from web.indicators_summary import Summary
    from web.planning import Plan

logger = logging.getLogger(__name__)

bp = Blueprint("indicators", __name__)

EXTENSION = "cremona_bike.indicators"
#: The endpoints whose successful answers are counted, and as which event.
ENDPOINT_EVENTS = {
    "api.route_geojson": "itinerary",
    "api.itinerary": "itinerary",
    "planner.index": "itinerary",  # the page without JavaScript, when it drew a route
    "api.route_gpx": "gpx",
    "api.itinerary_gpx_file": "gpx",
    "planner.saved_gpx": "gpx",
    "api.itinerary_pdf": "sheet",
}
#: Longest month range the dashboard or the export covers (20 years).
MAX_MONTHS = 240


def init_app(app: Flask) -> None:
    """Give an app its usage counter, written to the app's plan database."""
    app.config.setdefault("INDICATORS_FLUSH_S", FLUSH_INTERVAL_S)

    def engine() -> sa.Engine:
        with app.app_context():
            return get_store()

    interval = float(app.config["INDICATORS_FLUSH_S"])
    app.extensions[EXTENSION] = UsageBuffer(engine, interval_s=interval, background=not app.testing)
    app.register_blueprint(bp)


def flush(app: Flask | None = None) -> int:
    """Write an app's (default: the current app's) counted usage now; return the counters written."""
    buffer: UsageBuffer = (app or current_app).extensions[EXTENSION]
    return buffer.flush()


def usage_keys(event: str, planned: Plan | Itinerary, *, month: str, infopoint: str | None) -> Iterator[UsageKey]:
    """Yield the counters one planned answer adds to: its total, routes, categories, comuni and Infopoint."""
    yield UsageKey(month, event, "total", "")
    for dimension, values in plan_values(planned).items():
        for value in values:
            yield UsageKey(month, event, dimension, value)
    if infopoint:
        yield UsageKey(month, event, "infopoint", infopoint)


@bp.after_app_request
def count_usage(response: Response) -> Response:
    """Count a successful planning, GPX or sheet answer (never failing the answer itself)."""
    event = ENDPOINT_EVENTS.get(request.endpoint or "")
    planned = g.get("planned")
    if event is None or planned is None or not 200 <= response.status_code < 300:
        return response
    try:
        month = month_of(dt.datetime.now(dt.UTC))
        keys = list(usage_keys(event, planned, month=month, infopoint=_infopoint()))
        current_app.extensions[EXTENSION].add(keys)
    except Exception:  # counting is best effort: a visitor's answer must never fail because of it
        logger.exception("Could not count a %s answer of %s", event, request.endpoint)
    return response


def _infopoint() -> str | None:
    """Return the Infopoint of this request: the signed-in Infopoint staff's, else a valid ``infopoint`` parameter."""
    # Visitors carry no session (only signed-in staff do): skip the sign-in machinery for them.
    staff = current_staff() if session else None
    named = infopoint_name(staff.organisation) if staff is not None else None  # a Pro Loco names none
    return named or infopoint_name(request.args.get("infopoint", ""))


def _months(args: MultiDict[str, str]) -> tuple[str | None, str | None]:
    """Return the ``since`` and ``until`` months asked for.

    Raises
    ------
    BadParameterError
        If one is not a month, they are in the wrong order or too far apart.
    """
    bounds: list[str | None] = []
    for name in ("since", "until"):
        text = args.get(name, "").strip()
        try:
            bounds.append(check_month(text, f"Parameter {name!r}") if text else None)
        except InvalidDataError as exc:
            raise BadParameterError(str(exc), name) from exc
    since, until = bounds
    if since and until and since > until:
        msg = f"Parameter 'since' ({since}) is after 'until' ({until})"
        raise BadParameterError(msg, "since")
    if since and until and len(month_range(since, until)) > MAX_MONTHS:
        msg = f"The months from {since} to {until} are more than the {MAX_MONTHS} a report may cover"
        raise BadParameterError(msg, "until")
    return since, until


@bp.get("/indicators")
@staff_required("editor")
def dashboard() -> tuple[str, int]:
    """Show the indicators: events per month and the top routes, categories, comuni and Infopoints."""
    try:
        since, until = _months(request.args)
    except BadParameterError as exc:
        return render_template("indicators/dashboard.html", summary=None, error=str(exc), **_context()), 400
    flush()
    summary = summarize(read_counts(get_store(), since_month=since, until_month=until), since=since, until=until)
    page = render_template(
        "indicators/dashboard.html",
        summary=summary,
        chart_data=_chart_data(summary),
        error=None,
        **_context(since, until),
    )
    return page, 200


@bp.get("/indicators.csv")
@staff_required("editor")
def export_csv() -> Response:
    """Answer every counter of the months asked for as CSV (``month,event,dimension,value,count``)."""
    since, until = _months(request.args)
    flush()
    text = to_csv(read_counts(get_store(), since_month=since, until_month=until))
    name = "-".join(["cremona-bike_indicators", *(m for m in (since, until) if m)]) + ".csv"
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _context(since: str | None = None, until: str | None = None) -> dict[str, Any]:
    return {
        "since": since or "",
        "until": until or "",
        "event_labels": _event_labels(),
        "dimension_labels": _dimension_labels(),
        "indicator_label": _value_label,
    }


def _event_labels() -> dict[str, str]:
    return {
        "itinerary": gettext("Itineraries planned"),
        "gpx": gettext("GPX downloads"),
        "sheet": gettext("Sheets printed"),
    }


def _dimension_labels() -> dict[str, str]:
    return {
        "route": gettext("Named cycle routes"),
        "category": gettext("POI categories of the stops"),
        "comune": gettext("Comuni of the start and stops"),
        "infopoint": gettext("Infopoints"),
    }


def _value_label(dimension: str, value: str) -> str:
    """Return how a value is shown: a category's label in the page's language, else the value."""
    return category_label(value, lang=current_language()) if dimension == "category" else value


def _chart_data(summary: Summary) -> dict[str, Any]:
    """Return what the page's script draws: the same numbers as the tables."""
    events = list(summary.events)
    return {
        "events": events,
        "eventLabels": [_event_labels()[e] for e in events],
        "months": list(summary.months),
        "perMonth": [list(r.counts) for r in summary.per_month],
        "breakdowns": {
            d: {"labels": [_value_label(d, r.value) for r in rows], "counts": [list(r.counts) for r in rows]}
            for d, rows in summary.breakdowns.items()
        },
    }
