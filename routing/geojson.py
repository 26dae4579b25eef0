"""GeoJSON form of a route (plain dicts; writing files is the data layer's job)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from shapely.geometry import mapping

if TYPE_CHECKING:
    from routing.summary import Route


def route_to_feature(route: Route) -> dict[str, Any]:
    """Return a route as a GeoJSON Feature with its summary as properties.

    Parameters
    ----------
    route
        A planned route.

    Returns
    -------
    dict
        ``{"type": "Feature", "geometry": LineString, "properties": {...}}``;
        distances in metres, durations in seconds, shares as fractions.
    """
    return {
        "type": "Feature",
        "geometry": dict(mapping(route.geometry)),
        "properties": {
            "length_m": round(route.length_m, 1),
            "duration_s": round(route.duration_s, 1),
            "speed_kmh": route.speed_kmh,
            "surface_shares": dict(route.surface_shares),
            "highway_shares": dict(route.highway_shares),
            "cycle_routes": [
                {
                    "relation_id": use.relation_id,
                    "name": use.name,
                    "ref": use.ref,
                    "network": use.network,
                    "length_m": round(use.length_m, 1),
                    "share": round(use.share, 4),
                }
                for use in route.cycle_routes
            ],
            "points": [
                {
                    "query": list(s.query),
                    "snapped": [round(s.snapped[0], 7), round(s.snapped[1], 7)],
                    "snap_distance_m": round(s.distance_m, 1),
                }
                for s in route.snaps
            ],
        },
    }
