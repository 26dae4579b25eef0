"""Per-edge bicycle speed and preference from OSM tags and a profile.

Everything here is a pure function of an edge's attributes, so the search can
compute weights straight into its arrays without copying the graph;
:func:`add_bike_costs` writes the same numbers onto a copy for inspection.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

from routing.profiles import HIGHWAYS

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx

    from routing.profiles import Profile

_PAVED = {
    "asphalt",
    "paved",
    "concrete",
    "concrete:plates",
    "concrete:lanes",
    "chipseal",
    "metal",
    "wood",
}
_COBBLES = {
    "sett",
    "cobblestone",
    "unhewn_cobblestone",
    "paving_stones",
    "bricks",
    "cobblestone:flattened",
}
_COMPACTED = {"compacted", "fine_gravel", "pebblestone:compacted"}
_GRAVEL = {"gravel", "pebblestone", "rock"}
_BAD_SMOOTHNESS = {"bad", "very_bad", "horrible", "very_horrible", "impassable"}
_TRACK_SURFACE = {
    "grade1": "paved",
    "grade2": "compacted",
    "grade3": "gravel",
    "grade4": "unpaved",
    "grade5": "unpaved",
}
_INFRA_VALUES = {
    "track": "track",
    "lane": "lane",
    "opposite_track": "track",
    "opposite_lane": "lane",
}
_SHARED_VALUES = {"shared_lane", "share_busway", "opposite_share_busway", "shoulder"}

#: Every tag the functions below read, besides ``length`` and whether ``routes`` is empty:
#: edges equal on these get the same speed, preference and infrastructure.
COST_TAGS: tuple[str, ...] = (
    "highway",
    "surface",
    "tracktype",
    "smoothness",
    "bicycle",
    "maxspeed",
    "cycleway",
    "cycleway:both",
    "cycleway:right",
    "cycleway:left",
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


def surface_class(tags: Mapping[str, Any]) -> str:
    """Classify an edge's surface as paved, cobbles, compacted, gravel or unpaved.

    Missing ``surface`` is read from ``tracktype`` on tracks, taken as compacted on
    paths and as paved elsewhere.

    Examples
    --------
    >>> surface_class({"highway": "residential", "surface": "sett"})
    'cobbles'
    >>> surface_class({"highway": "track", "tracktype": "grade3"})
    'gravel'
    >>> surface_class({"highway": "tertiary"})
    'paved'
    """
    surface = str(tags.get("surface", "")).split(";")[0]
    if surface in _PAVED:
        return "paved"
    if surface in _COBBLES:
        return "cobbles"
    if surface in _COMPACTED:
        return "compacted"
    if surface in _GRAVEL:
        return "gravel"
    if surface:
        return "unpaved"
    highway = tags.get("highway")
    if highway == "track":
        return _TRACK_SURFACE.get(str(tags.get("tracktype", "")), "gravel")
    if highway in {"path", "bridleway"}:
        return "compacted"
    return "paved"


def cycle_infrastructure(tags: Mapping[str, Any]) -> str:
    """Name the bicycle accommodation of an edge: cycleway, track, lane, shared, designated or none.

    Examples
    --------
    >>> cycle_infrastructure({"highway": "cycleway"})
    'cycleway'
    >>> cycle_infrastructure({"highway": "primary", "cycleway:right": "track"})
    'track'
    >>> cycle_infrastructure({"highway": "residential", "cycleway:both": "no"})
    'none'
    """
    if tags.get("highway") == "cycleway":
        return "cycleway"
    found = "none"
    for key in ("cycleway", "cycleway:both", "cycleway:right", "cycleway:left"):
        value = str(tags.get(key, ""))
        if value in _INFRA_VALUES:
            kind = _INFRA_VALUES[value]
            if kind == "track":
                return "track"
            found = kind
        elif value in _SHARED_VALUES and found == "none":
            found = "shared"
    if found == "none" and tags.get("bicycle") == "designated":
        return "designated"
    return found


def maxspeed_kmh(tags: Mapping[str, Any]) -> float | None:
    """Read ``maxspeed`` in km/h (``"50"``, ``"30 mph"``, ``"IT:urban"``), or ``None``.

    Examples
    --------
    >>> maxspeed_kmh({"maxspeed": "70"}), maxspeed_kmh({"maxspeed": "IT:urban"})
    (70.0, 50.0)
    >>> maxspeed_kmh({}) is None
    True
    """
    raw = str(tags.get("maxspeed", "")).strip()
    zones = {"urban": 50.0, "rural": 90.0, "trunk": 110.0, "motorway": 130.0, "living_street": 20.0}
    if ":" in raw:
        return zones.get(raw.split(":", 1)[1])
    match = re.match(r"^(\d+(?:\.\d+)?)\s*(mph)?$", raw)
    if not match:
        return None
    value = float(match.group(1))
    return value * 1.609344 if match.group(2) else value


def _road_class(tags: Mapping[str, Any]) -> str:
    highway = str(tags.get("highway", "road")).removesuffix("_link")
    return highway if highway in HIGHWAYS else "road"


def edge_speed_kmh(tags: Mapping[str, Any], profile: Profile) -> float:
    """Return the riding speed on an edge for a profile, in km/h.

    Examples
    --------
    >>> from routing.profiles import TOURING
    >>> edge_speed_kmh({"highway": "residential"}, TOURING)
    16.0
    >>> edge_speed_kmh({"highway": "track", "surface": "gravel"}, TOURING)
    12.0
    """
    speed = profile.speed_kmh * profile.surface_speed.get(surface_class(tags), 1.0)
    if tags.get("smoothness") in _BAD_SMOOTHNESS:
        speed *= 0.7
    if tags.get("bicycle") == "dismount" or tags.get("highway") in {"footway", "pedestrian"}:
        speed = min(speed, 6.0)
    return round(speed, 6)


def edge_factor(tags: Mapping[str, Any], profile: Profile) -> float:
    """Return how much a profile dislikes an edge (1 = neutral; ``inf`` = never).

    Examples
    --------
    >>> from routing.profiles import FAMILY, TOURING
    >>> edge_factor({"highway": "primary"}, FAMILY)
    inf
    >>> edge_factor({"highway": "cycleway", "routes": (1,)}, TOURING)
    1.0
    >>> edge_factor({"highway": "primary", "maxspeed": "70"}, TOURING) > 3
    True
    """
    road = _road_class(tags)
    infra = cycle_infrastructure(tags)
    accommodated = infra in {"cycleway", "track", "lane", "designated"}
    if not accommodated and road in profile.forbidden:
        return math.inf
    table = profile.infra_road_factor if accommodated else profile.road_factor
    factor = table.get(road, 1.5)
    surface = surface_class(tags)
    if surface in {"compacted", "gravel", "unpaved"}:
        factor *= profile.unpaved_factor if surface != "compacted" else math.sqrt(profile.unpaved_factor)
    elif surface == "cobbles":
        factor *= profile.cobbles_factor
    limit = maxspeed_kmh(tags)
    if limit is not None and limit > 50 and infra not in {"cycleway", "track"}:
        factor *= 1 + profile.maxspeed_factor * (limit - 50) / 10
    if tags.get("bicycle") == "use_sidepath":
        factor *= 2.0
    if not tags.get("routes"):
        factor *= 1 + 0.6 * profile.stick_to_routes
    return round(factor, 6)


def edge_time_s(tags: Mapping[str, Any], profile: Profile) -> float:
    """Return the seconds needed to ride an edge (its ``length`` in metres).

    Examples
    --------
    >>> from routing.profiles import TOURING
    >>> edge_time_s({"highway": "residential", "length": 160.0}, TOURING)
    36.0
    """
    return float(tags["length"]) / (edge_speed_kmh(tags, profile) / 3.6)


def edge_cost(tags: Mapping[str, Any], profile: Profile) -> float:
    """Return the search weight of an edge: riding time × preference factor."""
    return edge_time_s(tags, profile) * edge_factor(tags, profile)


def add_bike_costs(G: nx.MultiDiGraph[int], *, profile: Profile) -> nx.MultiDiGraph[int]:
    """Return a new graph with ``bike_speed_kmh``, ``bike_time_s``, ``bike_factor`` and ``bike_cost``.

    Parameters
    ----------
    G
        The bicycle graph; it is not modified.
    profile
        The profile whose numbers to write.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; ``G.graph["profile"]`` names the profile.
    """
    H = G.copy()
    H.graph["profile"] = profile.name
    for _, _, data in H.edges(data=True):
        data["bike_speed_kmh"] = edge_speed_kmh(data, profile)
        data["bike_time_s"] = edge_time_s(data, profile)
        data["bike_factor"] = edge_factor(data, profile)
        data["bike_cost"] = data["bike_time_s"] * data["bike_factor"]
    return H


@dataclass(frozen=True, slots=True)
class CostTable:
    """A profile's numbers for every edge of a graph, as arrays.

    ``speed_kmh`` and ``factor`` are per cost class (edges equal on
    :data:`COST_TAGS`), ``time_s`` and ``cost`` per edge; each is the same
    number :func:`edge_speed_kmh`, :func:`edge_factor`, :func:`edge_time_s` and
    :func:`edge_cost` give for that edge.
    """

    speed_kmh: FloatArray
    factor: FloatArray
    time_s: FloatArray
    cost: FloatArray


def cost_table(
    class_data: Sequence[Mapping[str, Any]], cost_class: IntArray, length: FloatArray, profile: Profile
) -> CostTable:
    """Evaluate a profile once per cost class and spread the numbers over the edges.

    Parameters
    ----------
    class_data
        One edge's attributes per cost class.
    cost_class
        The class of each edge.
    length
        Each edge's length in metres.
    profile
        The profile to evaluate.

    Returns
    -------
    CostTable
        The same numbers as the per-edge functions, in the same floating-point steps.

    Examples
    --------
    >>> from routing.profiles import TOURING
    >>> table = cost_table([{"highway": "residential"}], np.array([0, 0]), np.array([160.0, 80.0]), TOURING)
    >>> table.time_s.tolist()
    [36.0, 18.0]
    """
    speed = np.array([edge_speed_kmh(d, profile) for d in class_data], dtype=np.float64)
    factor = np.array([edge_factor(d, profile) for d in class_data], dtype=np.float64)
    if not len(class_data):
        return CostTable(speed, factor, np.zeros(0), np.zeros(0))
    time_s = length / (speed[cost_class] / 3.6)
    return CostTable(speed_kmh=speed, factor=factor, time_s=time_s, cost=time_s * factor[cost_class])
