"""Why this way: per-segment rows and shares that explain a route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from routing.costs import cycle_infrastructure
from routing.costs import edge_factor
from routing.costs import edge_speed_kmh
from routing.costs import surface_class

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    from routing.profiles import Profile


@dataclass(frozen=True, slots=True)
class RouteSegment:
    """A stretch of a route along which the way's description does not change."""

    start_km: float
    length_m: float
    name: str
    highway: str
    surface: str
    infrastructure: str
    cycle_routes: tuple[str, ...]
    speed_kmh: float
    cost_factor: float


def describe_edge(data: Mapping[str, Any], profile: Profile, route_names: Mapping[int, str]) -> dict[str, Any]:
    """Return the fields of a :class:`RouteSegment` for one edge, without position or length.

    Examples
    --------
    >>> from routing.profiles import TOURING
    >>> row = describe_edge({"highway": "cycleway", "routes": (7,)}, TOURING, {7: "EV15"})
    >>> row["infrastructure"], row["cycle_routes"], row["cost_factor"]
    ('cycleway', ('EV15',), 1.0)
    """
    return {
        "name": str(data.get("name") or data.get("ref") or ""),
        "highway": str(data.get("highway", "")),
        "surface": str(data.get("surface") or surface_class(data)),
        "infrastructure": cycle_infrastructure(data),
        "cycle_routes": tuple(route_names.get(r, str(r)) for r in data.get("routes", ())),
        "speed_kmh": round(edge_speed_kmh(data, profile), 2),
        "cost_factor": round(edge_factor(data, profile), 3),
    }


def explain(
    rows: Sequence[tuple[Mapping[str, Any], float]],
    profile: Profile,
    route_names: Mapping[int, str],
) -> tuple[RouteSegment, ...]:
    """Group consecutive ridden edges with the same description into segments.

    Parameters
    ----------
    rows
        ``(edge data, metres ridden on it)`` in riding order.
    profile
        The profile whose speeds and factors to report.
    route_names
        Relation id → display name of the signed cycle routes.

    Returns
    -------
    tuple of RouteSegment
        In riding order, with the km at which each starts.
    """
    segments: list[RouteSegment] = []
    at = 0.0
    for data, metres in rows:
        fields = describe_edge(data, profile, route_names)
        last = segments[-1] if segments else None
        if last is not None and all(getattr(last, k) == v for k, v in fields.items()):
            segments[-1] = RouteSegment(**{**_as_dict(last), "length_m": last.length_m + metres})
        else:
            segments.append(RouteSegment(start_km=round(at / 1000, 3), length_m=metres, **fields))
        at += metres
    return tuple(segments)


def _as_dict(segment: RouteSegment) -> dict[str, Any]:
    return {name: getattr(segment, name) for name in RouteSegment.__slots__}
