"""Italian and English: the language of each request, and the texts the page's script shows.

Texts go through Flask-Babel (gettext catalogs in ``web/translations``; the
English source texts are the message ids). The language is, in order: the
``lang`` query parameter (which is also remembered in a cookie, so a switch
sticks), the ``lang`` cookie, the browser's ``Accept-Language``, and Italian.

Catalogs: ``pybabel extract -F web/babel.cfg -o web/translations/messages.pot web``,
``pybabel update -i web/translations/messages.pot -d web/translations``, translate
``web/translations/it/LC_MESSAGES/messages.po``, then ``pybabel compile -d web/translations``.
The compiled ``.mo`` is committed; ``tests/test_web_i18n.py`` fails when it is older
than the ``.po``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from flask import request
from flask import url_for
from flask_babel import Babel
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from flask import Flask
    from flask import Response

#: The languages of the interface; the first is the default.
LANGUAGES: tuple[str, ...] = ("it", "en")
COOKIE = "lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600

babel = Babel()

#: What planner.js writes into the page, by key; the template hands them over as JSON.
JS_MESSAGES = {
    "start": _l("Start"),
    "end": _l("End"),
    "via": _l("Via"),
    "remove": _l("Remove"),
    "move_up": _l("Move up"),
    "move_down": _l("Move down"),
    "add_to_plan": _l("Add to the itinerary"),
    "added": _l("Added to the itinerary"),
    "planning": _l("Planning…"),
    "click_start": _l("Click the map to set the start."),
    "click_end": _l("Click the map to set the end."),
    "click_more": _l("Click the map to add a stop; drag a marker to move it."),
    "distance": _l("Distance"),
    "time": _l("Riding time"),
    "total_time": _l("With stops"),
    "profile": _l("Profile"),
    "signed": _l("On signed cycle routes"),
    "surface": _l("Surface"),
    "way_type": _l("Way type"),
    "infrastructure": _l("Cycling infrastructure"),
    "named_routes": _l("Named cycle routes"),
    "none": _l("none"),
    "km": _l("km"),
    "name": _l("Name"),
    "segments": _l("Segments"),
    "chart_title": _l("Distance profile: way type, surface and signed routes along the route"),
    "unnamed": _l("(unnamed)"),
    "hours": _l("Opening hours"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "website": _l("Website"),
    "address": _l("Address"),
    "source": _l("Source"),
    "stops": _l("Stops and times"),
    "arrive": _l("Arrive"),
    "leave": _l("Leave"),
    "stay": _l("Stay"),
    "days": _l("Days"),
    "day": _l("Day"),
    "ends_at": _l("Ends at"),
    "bailout": _l("Nearest station"),
    "warnings": _l("Warnings"),
    "notes": _l("Notes"),
    "saved": _l("Saved. Link to this plan:"),
    "copied": _l("Link copied."),
    "error": _l("Error"),
    "offline_base": _l("No map tiles: showing the local road network."),
    "min": _l("min"),
    "whole_trip": _l("Whole trip"),
    "poi_count": _l("points of interest shown"),
    "events_pick_date": _l("Choose the date of the trip to see what's on along it."),
    "events_loading": _l("Looking for events…"),
    "events_on": _l("Events near the route on"),
    "events_none": _l("No known events near the route on"),
    "events_from_route": _l("from the route"),
}


#: Labels of the OSM values a route explanation shows, by kind; other values are shown as they are.
VALUE_LABELS = {
    "highway": {
        "trunk": _l("trunk road"),
        "primary": _l("main road"),
        "secondary": _l("secondary road"),
        "tertiary": _l("local road"),
        "unclassified": _l("minor road"),
        "residential": _l("residential street"),
        "living_street": _l("living street"),
        "service": _l("service road"),
        "road": _l("road"),
        "track": _l("farm track"),
        "cycleway": _l("cycleway"),
        "path": _l("path"),
        "footway": _l("footway"),
        "pedestrian": _l("pedestrian area"),
        "bridleway": _l("bridleway"),
    },
    "surface": {
        "asphalt": _l("asphalt"),
        "paved": _l("paved"),
        "paving_stones": _l("paving stones"),
        "sett": _l("sett"),
        "cobblestone": _l("cobblestones"),
        "unhewn_cobblestone": _l("cobblestones"),
        "cobbles": _l("cobblestones"),
        "concrete": _l("concrete"),
        "compacted": _l("compacted gravel"),
        "fine_gravel": _l("fine gravel"),
        "gravel": _l("gravel"),
        "unpaved": _l("unpaved"),
        "ground": _l("ground"),
        "dirt": _l("dirt"),
        "grass": _l("grass"),
        "unknown": _l("unknown"),
    },
    "infrastructure": {
        "none": _l("no cycle facility"),
        "lane": _l("cycle lane"),
        "track": _l("separate cycle track"),
        "cycleway": _l("cycleway"),
        "shared": _l("shared lane"),
        "designated": _l("designated for bicycles"),
    },
}


def select_locale() -> str:
    """Return the language of the current request (see the module docstring)."""
    languages: tuple[str, ...] = tuple(current_app.config["LANGUAGES"])
    asked = request.args.get("lang", "")
    if asked in languages:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in languages:
        return remembered
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    """Return the language code of the current request, e.g. ``"it"``."""
    return str(get_locale() or current_app.config["LANGUAGES"][0])


def language_url(code: str) -> str:
    """Return the current page's URL in another language, keeping its parameters."""
    args: dict[str, Any] = {k: request.args.getlist(k) for k in request.args if k != "lang"}
    endpoint = request.endpoint or "planner.index"
    return url_for(endpoint, **(request.view_args or {}), **args, lang=code)


def js_messages() -> dict[str, Any]:
    """Return :data:`JS_MESSAGES` in the current language, with the value labels under ``values``."""
    values = {kind: {k: str(v) for k, v in labels.items()} for kind, labels in VALUE_LABELS.items()}
    return {**{key: str(text) for key, text in JS_MESSAGES.items()}, "values": values}


def value_label(kind: str, value: str) -> str:
    """Return the label of an OSM value (e.g. ``("surface", "asphalt")``) in the current language."""
    label = VALUE_LABELS.get(kind, {}).get(value)
    return str(label) if label is not None else value.replace("_", " ")


def _remember_language(response: Response) -> Response:
    """Keep a language asked for with ``?lang=`` in a cookie."""
    asked = request.args.get("lang", "")
    if asked in current_app.config["LANGUAGES"] and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE_S, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    """Set up Flask-Babel, the language cookie and the template helpers.

    Parameters
    ----------
    app
        The app being created.
    """
    babel.init_app(app, default_locale=app.config["LANGUAGES"][0], locale_selector=select_locale)
    app.after_request(_remember_language)
    app.jinja_env.globals.update(
        current_language=current_language,
        js_messages=js_messages,
        language_url=language_url,
        value_label=value_label,
    )
