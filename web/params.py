"""Read and check request parameters; every failure names the parameter.

A plan is described by one vocabulary everywhere: the query string of the page
(so a shared URL restores the plan), of the ``GET`` API endpoints, and the JSON
object posted to ``/api/itinerary`` and ``/api/plans`` (turned into the same
multi-dict by :func:`args_from_json`). The parameters:

===============  ===============================================================
``from``, ``to``  start and end: a place name, ``LAT,LON`` or ``poi:<id>``
``via``          a stop between them (repeat it, or one per line)
``profile``      ``touring`` (default), ``road``, ``gravel``, ``family``, ``shortest``
``wet``          ``1``: wet-weather modifier (unpaved slower and avoided)
``speed``        riding speed in km/h (route only)
``kind``         ``route`` (default), ``tour`` (visits with times) or ``loop``
``optimise``     ``1``: a tour may reorder its visits
``return``       ``1``: a tour comes back to its start
``depart``       ``YYYY-MM-DDTHH:MM``: departure, for arrival times and opening hours
``lunch``        ``1``: add a lunch break after noon
``days``         split into this many days; or ``km_per_day`` / ``hours_per_day``
``km``           a loop's target length
``category``     POI categories a loop passes (repeat); ``min_pois`` how many
===============  ===============================================================
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from werkzeug.datastructures import MultiDict

from poi.categories import parse_category
from poi.errors import UnknownCategoryError
from routing import PRESETS
from routing import ProfileError
from routing import get_profile
from web.errors import BadParameterError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Accepted riding speeds for the ``speed`` parameter, in km/h.
SPEED_RANGE = (3.0, 60.0)
KINDS = ("route", "tour", "loop")
#: Profile names besides the presets.
SHORTEST = "shortest"
#: The GPX parts a download may hold.
GPX_PARTS = ("trk", "rte", "wpt")
#: Parameters of a plan, in the order a canonical query string lists them.
PLAN_KEYS = (
    "kind",
    "from",
    "via",
    "to",
    "profile",
    "wet",
    "speed",
    "optimise",
    "return",
    "depart",
    "lunch",
    "days",
    "km_per_day",
    "hours_per_day",
    "km",
    "category",
    "min_pois",
    "seed",
)
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


def args_from_json(body: Any) -> MultiDict[str, str]:
    """Turn a posted JSON object into the multi-dict of a query string.

    Lists become repeated values, booleans ``"1"``/``"0"``, numbers their text;
    ``null`` leaves a key out.

    Raises
    ------
    BadParameterError
        If the body is not an object, or a value is an object or a nested list.

    Examples
    --------
    >>> args = args_from_json({"from": "Cremona", "via": ["a", "b"], "wet": True, "days": 2, "to": None})
    >>> args.getlist("via"), args["wet"], args["days"], "to" in args
    (['a', 'b'], '1', '2', False)
    """
    if not isinstance(body, dict):
        msg = f"The request body must be a JSON object, got {type(body).__name__}"
        raise BadParameterError(msg, "body")
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, dict | list):
                msg = f"Parameter {key!r} must be a text, a number, a boolean or a list of them"
                raise BadParameterError(msg, str(key))
            pairs.append((str(key), _text(item)))
    return MultiDict(pairs)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def canonical_query(args: MultiDict[str, str]) -> dict[str, str | list[str]]:
    """Return the plan parameters of a request, without empty values, for sharing and saving.

    Examples
    --------
    >>> canonical_query(MultiDict([("to", "B"), ("from", "A"), ("lang", "en"), ("via", ""), ("via", "C")]))
    {'from': 'A', 'via': ['C'], 'to': 'B'}
    """
    out: dict[str, str | list[str]] = {}
    for key in PLAN_KEYS:
        values = [v.strip() for value in args.getlist(key) for v in value.splitlines() if v.strip()]
        if not values:
            continue
        out[key] = values if key in {"via", "category"} else values[0]
    return out


def parse_stops(args: MultiDict[str, str], *, need_end: bool = True) -> list[tuple[str, str]]:
    """Return the ``(parameter, place text)`` of the requested stops in riding order.

    Parameters
    ----------
    args
        The request's parameters.
    need_end
        Whether ``to`` is required (a route) or may be left out (a tour, a loop).

    Raises
    ------
    BadParameterError
        If ``from`` (or a needed ``to``) is missing, empty or repeated, a text is
        too long, or there are more via points than ``MAX_VIA``.
    """
    start = _place_text(args, "from")
    end = _place_text(args, "to") if need_end or args.get("to", "").strip() else None
    vias = [line.strip() for value in args.getlist("via") for line in value.splitlines()]
    vias = [v for v in vias if v]
    max_via = int(current_app.config["MAX_VIA"])
    if len(vias) > max_via:
        msg = f"Too many via points in parameter 'via': {len(vias)}, at most {max_via}"
        raise BadParameterError(msg, "via")
    for via in vias:
        _check_length(via, "via")
    ends = [("to", end)] if end is not None else []
    return [("from", start), *(("via", via) for via in vias), *ends]


def parse_speed(args: MultiDict[str, str]) -> float | None:
    """Return the ``speed`` parameter in km/h, or ``None`` when absent or empty.

    Raises
    ------
    BadParameterError
        If it is not a number within :data:`SPEED_RANGE`.
    """
    return parse_float(args, "speed", low=SPEED_RANGE[0], high=SPEED_RANGE[1], unit="km/h")


def parse_float(args: Mapping[str, str], name: str, *, low: float, high: float, unit: str = "") -> float | None:
    """Return a number parameter within ``[low, high]``, or ``None`` when absent or empty.

    Raises
    ------
    BadParameterError
        If it is not a number within the range.
    """
    text = args.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        what = f"a number of {unit}" if unit else "a number"
        msg = f"Parameter {name!r} must be {what} from {low:g} to {high:g}, got {text!r}"
        raise BadParameterError(msg, name)
    return value


def parse_int(args: Mapping[str, str], name: str, *, default: int, low: int, high: int) -> int:
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


def parse_flag(args: Mapping[str, str], name: str) -> bool:
    """Return a yes/no parameter (``1``/``0``, ``true``/``false``, ``on``/``off``).

    Raises
    ------
    BadParameterError
        If it is something else.
    """
    text = args.get(name, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    msg = f"Parameter {name!r} must be 1 or 0, got {text!r}"
    raise BadParameterError(msg, name)


def parse_profile(args: Mapping[str, str]) -> str:
    """Return the profile name, with ``+wet`` when ``wet`` is set.

    Raises
    ------
    BadParameterError
        If the profile is unknown or ``wet`` is not a yes/no value.
    """
    name = args.get("profile", "").strip().lower() or "touring"
    wet = parse_flag(args, "wet")
    if name == SHORTEST:
        if wet:
            msg = "Parameter 'wet' cannot be combined with the 'shortest' profile"
            raise BadParameterError(msg, "wet")
        return name
    if wet and not name.endswith("+wet"):
        name = f"{name}+wet"
    try:
        return get_profile(name).name
    except ProfileError as exc:
        allowed = ", ".join([*PRESETS, SHORTEST])
        msg = f"Unknown profile {args.get('profile')!r} in parameter 'profile'; allowed: {allowed} (and wet=1)"
        raise BadParameterError(msg, "profile") from exc


def parse_kind(args: Mapping[str, str]) -> str:
    """Return what to plan: ``route``, ``tour`` or ``loop``.

    Raises
    ------
    BadParameterError
        If ``kind`` is something else.
    """
    kind = args.get("kind", "").strip().lower() or "route"
    if kind not in KINDS:
        msg = f"Parameter 'kind' must be one of {', '.join(KINDS)}, got {kind!r}"
        raise BadParameterError(msg, "kind")
    return kind


def parse_depart(args: Mapping[str, str]) -> dt.datetime | None:
    """Return the departure time, or ``None`` when not given.

    Raises
    ------
    BadParameterError
        If ``depart`` is not ``YYYY-MM-DDTHH:MM``.
    """
    text = args.get("depart", "").strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is not None or not 2000 <= when.year <= 2100:
        msg = f"Parameter 'depart' must be a local date and time YYYY-MM-DDTHH:MM, got {text!r}"
        raise BadParameterError(msg, "depart")
    return when


def parse_date(args: Mapping[str, str], name: str) -> dt.date | None:
    """Return a day parameter ``YYYY-MM-DD`` (years 2000 to 2100), or ``None`` when absent or empty.

    Raises
    ------
    BadParameterError
        If it is not such a date.
    """
    text = args.get(name, "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2100:
        msg = f"Parameter {name!r} must be a date YYYY-MM-DD, got {text!r}"
        raise BadParameterError(msg, name)
    return day


def parse_categories(args: MultiDict[str, str], name: str = "category") -> tuple[str, ...]:
    """Return the category ids named (repeated or comma-separated), in the order given.

    Raises
    ------
    BadParameterError
        If a name is no category.
    """
    names = [part.strip() for value in args.getlist(name) for part in value.split(",") if part.strip()]
    try:
        return tuple(dict.fromkeys(parse_category(n) for n in names))
    except UnknownCategoryError as exc:
        raise BadParameterError(str(exc), name) from exc


def parse_bbox(args: Mapping[str, str]) -> tuple[float, float, float, float] | None:
    """Return ``bbox=west,south,east,north`` in degrees, or ``None`` when absent.

    Raises
    ------
    BadParameterError
        If it is not four numbers with west < east and south < north.
    """
    text = args.get("bbox", "").strip()
    if not text:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        west = south = east = north = math.nan
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        msg = f"Parameter 'bbox' must be west,south,east,north in degrees, got {text!r}"
        raise BadParameterError(msg, "bbox")
    return west, south, east, north


def parse_gpx_parts(args: Mapping[str, str]) -> tuple[str, ...]:
    """Return what a GPX download holds: any of ``trk``, ``rte``, ``wpt`` (default track and waypoints).

    Raises
    ------
    BadParameterError
        If a part is unknown or none is left.
    """
    text = args.get("parts", "").strip()
    if not text:
        return ("trk", "wpt")
    parts = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in parts if p not in GPX_PARTS]
    if unknown or not parts:
        msg = f"Parameter 'parts' must list trk, rte and/or wpt, got {text!r}"
        raise BadParameterError(msg, "parts")
    return parts


def _place_text(args: MultiDict[str, str], name: str) -> str:
    values = args.getlist(name)
    if len(values) > 1:
        msg = f"Parameter {name!r} was given {len(values)} times; give it once"
        raise BadParameterError(msg, name)
    text = values[0].strip() if values else ""
    if not text:
        msg = f"Missing parameter {name!r}: give a place name, LAT,LON or poi:<id>"
        raise BadParameterError(msg, name)
    _check_length(text, name)
    return text


def _check_length(text: str, name: str) -> None:
    longest = int(current_app.config["MAX_PLACE_LENGTH"])
    if len(text) > longest:
        msg = f"Parameter {name!r} is {len(text)} characters long, at most {longest}"
        raise BadParameterError(msg, name)
