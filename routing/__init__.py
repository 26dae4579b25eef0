"""Bicycle routing on the graphs built by :mod:`gis_data`."""

from routing.errors import InvalidPointError
from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError
from routing.geojson import route_to_feature
from routing.paths import plan_route
from routing.snapping import Snap
from routing.snapping import snap_point
from routing.summary import CycleRouteUse
from routing.summary import Route

__all__ = [
    "CycleRouteUse",
    "InvalidPointError",
    "NoRouteError",
    "PointOffNetworkError",
    "Route",
    "Snap",
    "plan_route",
    "route_to_feature",
    "snap_point",
]
