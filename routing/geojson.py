"""GeoJSON form of a route (plain dicts; writing files is the data layer's job)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely

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
        "geometry": {
            "type": "LineString",
            # To 7 decimals (1 cm): rint(x * 1e7) / 1e7 is the double nearest to the rounded decimal.
            "coordinates": np.round(shapely.get_coordinates(route.geometry), 7).tolist(),
        },
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
            "profile": route.profile,
            "cost": round(route.cost, 2),
            "signed_share": round(route.signed_share, 4),
            "infrastructure_shares": dict(route.infrastructure_shares),
            "segments": [
                {
                    "start_km": seg.start_km,
                    "length_m": round(seg.length_m, 1),
                    "name": seg.name,
                    "highway": seg.highway,
                    "surface": seg.surface,
                    "infrastructure": seg.infrastructure,
                    "cycle_routes": list(seg.cycle_routes),
                    "speed_kmh": seg.speed_kmh,
                    "cost_factor": seg.cost_factor,
                }
                for seg in route.segments
            ],
            "notes": list(route.notes),
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
