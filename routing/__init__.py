"""Bicycle routing on the graphs built by :mod:`gis_data`."""

from routing.costs import add_bike_costs
from routing.errors import InvalidPointError
from routing.errors import NoRouteError
from routing.errors import PointOffNetworkError
from routing.errors import ProfileError
from routing.explain import RouteSegment
from routing.geojson import route_to_feature
from routing.paths import plan_alternatives
from routing.paths import plan_route
from routing.profiles import PRESETS
from routing.profiles import Profile
from routing.profiles import get_profile
from routing.profiles import profile_from_dict
from routing.snapping import Snap
from routing.snapping import snap_point
from routing.summary import CycleRouteUse
from routing.summary import Route

__all__ = [
    "PRESETS",
    "CycleRouteUse",
    "InvalidPointError",
    "NoRouteError",
    "PointOffNetworkError",
    "Profile",
    "ProfileError",
    "Route",
    "RouteSegment",
    "Snap",
    "add_bike_costs",
    "get_profile",
    "plan_alternatives",
    "plan_route",
    "profile_from_dict",
    "route_to_feature",
    "snap_point",
]
