"""What a planned route or itinerary tells the indicators: its cycle routes, POI categories and comuni.

Every value comes from a closed set the server owns, never from the request's
text: route names from the cycle-route registry (or, for a relation the
registry does not list, the name the map data gives it), POI category ids of
:data:`poi.categories.CATEGORIES`, ISTAT comune names found by point in polygon,
and the four Infopoints of :data:`INFOPOINTS`. See :mod:`gis_data.usage_store`.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from shapely import STRtree
from shapely import points

from gis_data.errors import DataNotFoundError
from gis_data.places import normalize_name
from gis_data.poi_sources import read_comuni
from gis_data.route_registry import read_route_registry
from poi.categories import CATEGORIES
from web.planning import Plan

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence

    from gis_data.route_registry import RegisteredRoute
    from routing import CycleRouteUse
    from routing.itinerary_plan import Itinerary

logger = logging.getLogger(__name__)

LatLon = tuple[float, float]

#: The Infopoint desks counted separately, by the comune they are in.
INFOPOINTS = ("Cremona", "Crema", "Casalmaggiore", "Soncino")
#: A cycle route counts for a plan that rides at least this share of its length on it ...
MIN_ROUTE_SHARE = 0.10
#: ... or at least this many metres (a long tour may use a route for a short share).
MIN_ROUTE_M = 5000.0


def infopoint_name(text: str) -> str | None:
    """Return the Infopoint a text names exactly: ``"crema"``, ``"Infopoint Crema"``, ``"infopoint-crema"``.

    Anything else (another text around the name, another place) names none, so
    a crafted value is never kept.

    Examples
    --------
    >>> infopoint_name("infopoint-soncino"), infopoint_name("Infopoint Cremona"), infopoint_name(" CREMA ")
    ('Soncino', 'Cremona', 'Crema')
    >>> infopoint_name("<script>Crema"), infopoint_name("Cremona OR 1=1"), infopoint_name("x" * 500)
    (None, None, None)
    """
    key = normalize_name(text[:60]).removeprefix("infopoint ")
    return next((name for name in INFOPOINTS if name.casefold() == key), None)


def route_names(uses: Iterable[CycleRouteUse], registry: Sequence[RegisteredRoute]) -> list[str]:
    """Return the named cycle routes a route uses enough to count (:data:`MIN_ROUTE_SHARE`, :data:`MIN_ROUTE_M`).

    A use is named after the first registry entry whose patterns match its
    relation's name or ref, else after the relation itself.

    Examples
    --------
    >>> from routing import CycleRouteUse
    >>> from gis_data.route_registry import RegisteredRoute
    >>> vento = RegisteredRoute("vento", "VENTO", ("ciclovia del po",), "ncn", "", None, "", "")
    >>> po = CycleRouteUse(1, "Ciclovia del Po", "", "ncn", 900.0, 0.3)
    >>> uses = [po, CycleRouteUse(2, "Other", "", "lcn", 90.0, 0.03)]
    >>> route_names(uses, [vento])
    ['VENTO']
    """
    names: list[str] = []
    for use in uses:
        if use.share < MIN_ROUTE_SHARE and use.length_m < MIN_ROUTE_M:
            continue
        label = f"{use.name} {use.ref}".casefold()
        entry = next((r for r in registry if any(p in label for p in r.patterns)), None)
        name = entry.name if entry is not None else (use.name or use.ref).strip()
        if name and name not in names:
            names.append(name)
    return names


def known_categories(categories: Iterable[str]) -> list[str]:
    """Return the category ids that are POI categories, once each, in order.

    Examples
    --------
    >>> known_categories(["museum", "", "museum", "not-a-category", "luthier"])
    ['museum', 'luthier']
    """
    return list(dict.fromkeys(c for c in categories if c in CATEGORIES))


@cache
def _comune_index() -> tuple[STRtree, tuple[str, ...]]:
    comuni = read_comuni()
    names = tuple(comuni)
    return STRtree([comuni[n] for n in names]), names


@cache
def _registry() -> tuple[RegisteredRoute, ...]:
    try:
        return tuple(read_route_registry())
    except (DataNotFoundError, FileNotFoundError):
        logger.warning("No cycle-route registry: routes are counted under the names in the map data")
        return ()


def comuni_at(latlons: Iterable[LatLon]) -> list[str]:
    """Return the ISTAT comuni of the province the points fall in, once each, in order (points outside: none)."""
    try:
        tree, names = _comune_index()
    except (DataNotFoundError, FileNotFoundError):
        logger.warning("No comune boundaries: usage is not counted by comune")
        return []
    pts = list(latlons)
    if not pts:
        return []
    found: dict[int, str] = {}
    hits = tree.query(points([(lon, lat) for lat, lon in pts]), predicate="intersects")
    for point_i, shape_i in sorted(zip(hits[0].tolist(), hits[1].tolist(), strict=True)):
        found.setdefault(point_i, names[shape_i])
    return list(dict.fromkeys(found[i] for i in sorted(found)))


def plan_values(planned: Plan | Itinerary) -> dict[str, list[str]]:
    """Return the values of the ``route``, ``category`` and ``comune`` dimensions of a planned request.

    Parameters
    ----------
    planned
        A route (:class:`web.planning.Plan`) or an itinerary.

    Returns
    -------
    dict
        Dimension name to its values, each once.
    """
    if isinstance(planned, Plan):
        route = planned.route
        categories = [str(s.poi.get("category") or "") for s in planned.stops if s.poi is not None]
        latlons = [s.place.latlon for s in planned.stops]
    else:
        route = planned.plan.route
        categories = [v.stop.category for v in planned.plan.visits]
        latlons = [v.stop.latlon for v in planned.plan.visits]
    return {
        "route": route_names(route.cycle_routes, _registry()),
        "category": known_categories(categories),
        "comune": comuni_at(latlons),
    }
