"""Which OSM ways a bicycle may use, and in which directions.

The rules follow Italian traffic law as mapped in OpenStreetMap (the Codice della
Strada forbids bicycles on motorways and on footways unless signed otherwise) and
the OSM wiki pages ``Key:access``, ``Key:oneway`` and ``Key:cycleway``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Highway values a bicycle may ride on unless other tags forbid it.
RIDEABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
        "track",
        "cycleway",
        "path",
        "busway",
    }
)

#: Highway values a bicycle may use only when ``bicycle=*`` explicitly allows it.
PERMIT_ONLY_HIGHWAYS: frozenset[str] = frozenset({"footway", "pedestrian", "bridleway"})

_YES = frozenset({"yes", "designated", "permissive", "official", "destination", "dismount"})
_NO = frozenset({"no", "private", "agricultural", "forestry", "delivery", "customers", "use_sidepath_no"})
_TRUE = frozenset({"yes", "true", "1"})
_OPPOSITE = frozenset({"opposite", "opposite_lane", "opposite_track", "opposite_share_busway"})


def is_bicycle_way(tags: Mapping[str, str]) -> bool:
    """Tell whether a bicycle may legally use a way with these OSM tags.

    Parameters
    ----------
    tags
        The way's OSM tags.

    Returns
    -------
    bool
        ``True`` when the way belongs in the bicycle graph.

    Examples
    --------
    >>> is_bicycle_way({"highway": "residential"})
    True
    >>> is_bicycle_way({"highway": "footway"})
    False
    >>> is_bicycle_way({"highway": "footway", "bicycle": "yes"})
    True
    >>> is_bicycle_way({"highway": "primary", "bicycle": "no"})
    False
    """
    highway = tags.get("highway", "")
    if tags.get("area") == "yes" or tags.get("motorroad") == "yes":
        return False
    bicycle = tags.get("bicycle", "")
    if bicycle in _NO:
        return False
    if highway in PERMIT_ONLY_HIGHWAYS:
        return bicycle in _YES
    if highway not in RIDEABLE_HIGHWAYS:
        return False
    if tags.get("service") in {"private", "emergency_access"} and bicycle not in _YES:
        return False
    access = tags.get("access", "")
    vehicle = tags.get("vehicle", "")
    return not ((access in _NO or vehicle in _NO) and bicycle not in _YES)


def bicycle_directions(tags: Mapping[str, str]) -> tuple[bool, bool]:
    """Return whether a bicycle may ride a way forwards and backwards.

    ``oneway:bicycle`` wins over ``oneway``; contraflow cycle lanes
    (``cycleway=opposite*``, ``cycleway:left/right=*`` with ``oneway=no`` on that
    side) open the backward direction. Roundabouts are one-way.

    Parameters
    ----------
    tags
        The way's OSM tags.

    Returns
    -------
    tuple of bool
        ``(forward, backward)`` along the way's node order.

    Examples
    --------
    >>> bicycle_directions({"highway": "residential"})
    (True, True)
    >>> bicycle_directions({"oneway": "yes"}), bicycle_directions({"oneway": "-1"})
    ((True, False), (False, True))
    >>> bicycle_directions({"oneway": "yes", "oneway:bicycle": "no"})
    (True, True)
    >>> bicycle_directions({"oneway": "yes", "cycleway": "opposite_lane"})
    (True, True)
    """
    oneway = tags.get("oneway", "")
    if tags.get("junction") in {"roundabout", "circular"} and oneway == "":
        oneway = "yes"
    bike_oneway = tags.get("oneway:bicycle", "")
    if bike_oneway in {"no", "false", "0"}:
        return True, True
    if bike_oneway == "-1" or (bike_oneway == "" and oneway == "-1"):
        return False, True
    if bike_oneway in _TRUE:
        return True, False
    if oneway not in _TRUE:
        return True, True
    if tags.get("cycleway") in _OPPOSITE or any(
        tags.get(f"cycleway:{side}:oneway") == "no" or tags.get(f"cycleway:{side}") in _OPPOSITE
        for side in ("left", "right", "both")
    ):
        return True, True
    return True, False
