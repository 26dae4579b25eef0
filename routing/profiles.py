"""Bicycle profiles as data: the presets and the checks for user-supplied ones.

A profile keeps *travel time* apart from *preference*, as GraphHopper's custom
models and Valhalla's costing do: ``speed_kmh`` and the surface speed factors set
how long an edge takes; the road, surface and signed-route factors say how much
the rider dislikes it. The route minimises ``time × preference``; the reported
duration is the time alone.

Factors follow BRouter's ``trekking.brf`` (road class with and without bicycle
accommodation, unpaved penalty, signed-route bonus; see ``shared/docs/product.md``
§3), adjusted to the Po plain: flat, many gravel ``argini`` and farm tracks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING
from typing import Any

from routing.errors import ProfileError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Road classes a profile can weigh; anything else falls back to ``"road"``.
HIGHWAYS: tuple[str, ...] = (
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
    "track",
    "cycleway",
    "path",
    "footway",
    "pedestrian",
    "bridleway",
    "busway",
)

#: Surface classes used for speed and preference (see :func:`routing.costs.surface_class`).
SURFACE_CLASSES: tuple[str, ...] = ("paved", "cobbles", "compacted", "gravel", "unpaved")


def _frozen(d: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True, slots=True)
class Profile:
    """How a kind of rider values the network.

    Attributes
    ----------
    name
        Preset or user-given name.
    speed_kmh
        Cruising speed on good asphalt.
    surface_speed
        Speed multiplier per surface class (1 = full speed).
    road_factor
        Preference factor per road class *without* bicycle accommodation (≥ 1 dislikes).
    infra_road_factor
        Preference factor per road class *with* a cycle lane, track or designation.
    forbidden
        Road classes never used without accommodation (``inf`` cost).
    unpaved_factor
        Extra preference factor on compacted, gravel and unpaved surfaces.
    cobbles_factor
        Extra preference factor on setts and cobblestones.
    maxspeed_factor
        Extra factor per 10 km/h of speed limit above 50, on roads without accommodation.
    stick_to_routes
        0..1: how strongly signed cycle routes attract; ways off any route get
        ``1 + 0.6 × stick_to_routes`` (BRouter: +0.05 by default, +0.5 "stick").
    wet
        Wet-weather modifier: unpaved is slower and disliked twice as much.
    """

    name: str
    speed_kmh: float
    surface_speed: Mapping[str, float]
    road_factor: Mapping[str, float]
    infra_road_factor: Mapping[str, float]
    forbidden: frozenset[str] = frozenset()
    unpaved_factor: float = 1.3
    cobbles_factor: float = 1.2
    maxspeed_factor: float = 0.15
    stick_to_routes: float = 0.5
    wet: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """Return a string that changes whenever any setting changes (for caches)."""
        return repr(self)


_ROAD = {
    "trunk": 10.0,
    "primary": 3.0,
    "secondary": 1.6,
    "tertiary": 1.4,
    "unclassified": 1.1,
    "residential": 1.1,
    "living_street": 1.1,
    "service": 1.3,
    "road": 1.5,
    "track": 1.15,
    "cycleway": 1.0,
    "path": 1.2,
    "footway": 1.6,
    "pedestrian": 1.6,
    "bridleway": 1.6,
    "busway": 1.5,
}
_INFRA = {
    **_ROAD,
    "trunk": 1.5,
    "primary": 1.2,
    "secondary": 1.1,
    "tertiary": 1.0,
    "unclassified": 1.0,
    "residential": 1.0,
    "path": 1.0,
    "footway": 1.2,
    "pedestrian": 1.2,
    "bridleway": 1.2,
    "track": 1.0,
}
_SURFACE_SPEED = {"paved": 1.0, "cobbles": 0.65, "compacted": 0.85, "gravel": 0.75, "unpaved": 0.6}

TOURING = Profile(
    name="touring",
    speed_kmh=16.0,
    surface_speed=_frozen(_SURFACE_SPEED),
    road_factor=_frozen(_ROAD),
    infra_road_factor=_frozen(_INFRA),
)
ROAD = Profile(
    name="road",
    speed_kmh=25.0,
    surface_speed=_frozen({**_SURFACE_SPEED, "cobbles": 0.5, "gravel": 0.5, "unpaved": 0.35}),
    road_factor=_frozen({**_ROAD, "primary": 1.6, "secondary": 1.2, "tertiary": 1.0, "track": 2.0}),
    infra_road_factor=_frozen({**_INFRA, "track": 1.5}),
    unpaved_factor=3.0,
    cobbles_factor=2.0,
    maxspeed_factor=0.08,
    stick_to_routes=0.2,
)
GRAVEL = Profile(
    name="gravel",
    speed_kmh=19.0,
    surface_speed=_frozen({**_SURFACE_SPEED, "compacted": 0.95, "gravel": 0.85, "unpaved": 0.75}),
    road_factor=_frozen({**_ROAD, "track": 0.95, "path": 1.0, "residential": 1.2}),
    infra_road_factor=_frozen({**_INFRA, "track": 0.95}),
    unpaved_factor=0.9,
    stick_to_routes=0.3,
)
FAMILY = Profile(
    name="family",
    speed_kmh=12.0,
    surface_speed=_frozen(_SURFACE_SPEED),
    road_factor=_frozen({**_ROAD, "tertiary": 3.0, "unclassified": 1.4, "service": 1.5}),
    infra_road_factor=_frozen(_INFRA),
    forbidden=frozenset({"trunk", "primary", "secondary"}),
    unpaved_factor=1.5,
    maxspeed_factor=0.4,
    stick_to_routes=0.8,
)

PRESETS: Mapping[str, Profile] = MappingProxyType({p.name: p for p in (TOURING, ROAD, GRAVEL, FAMILY)})
DEFAULT_PROFILE = "touring"


def with_wet_weather(profile: Profile) -> Profile:
    """Return the wet-weather variant of a profile: unpaved slower and disliked twice as much.

    Examples
    --------
    >>> wet = with_wet_weather(TOURING)
    >>> wet.name, wet.wet, wet.unpaved_factor > TOURING.unpaved_factor
    ('touring+wet', True, True)
    """
    if profile.wet:
        return profile
    slower = {
        k: v * (0.8 if k in {"gravel", "unpaved", "compacted"} else 1.0) for k, v in profile.surface_speed.items()
    }
    return replace(
        profile,
        name=f"{profile.name}+wet",
        surface_speed=_frozen(slower),
        unpaved_factor=profile.unpaved_factor * 2.0,
        wet=True,
    )


def get_profile(name: str) -> Profile:
    """Return a preset by name; ``"<preset>+wet"`` or ``"wet"`` adds the wet-weather modifier.

    Raises
    ------
    ProfileError
        If the name is not a preset; the message lists the allowed names.

    Examples
    --------
    >>> get_profile("family").forbidden == frozenset({"trunk", "primary", "secondary"})
    True
    >>> get_profile("wet").name
    'touring+wet'
    """
    base, _, modifier = name.strip().lower().partition("+")
    if base == "wet" and not modifier:
        base, modifier = DEFAULT_PROFILE, "wet"
    if base not in PRESETS or modifier not in {"", "wet"}:
        allowed = ", ".join([*PRESETS, "wet", *(f"{p}+wet" for p in PRESETS)])
        msg = f"Unknown profile {name!r}; allowed: {allowed}"
        raise ProfileError(msg)
    profile = PRESETS[base]
    return with_wet_weather(profile) if modifier == "wet" else profile


_SCALARS = {"speed_kmh", "unpaved_factor", "cobbles_factor", "maxspeed_factor", "stick_to_routes"}
_TABLES = {"surface_speed": SURFACE_CLASSES, "road_factor": HIGHWAYS, "infra_road_factor": HIGHWAYS}
_ALLOWED_KEYS = ("name", "base", "wet", "forbidden", *sorted(_SCALARS), *sorted(_TABLES))


def _number(key: str, value: Any, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"Profile key {key!r} must be a number, got {value!r}"
        raise ProfileError(msg)
    if not low <= float(value) <= high:
        msg = f"Profile key {key!r} must be between {low:g} and {high:g}, got {value!r}"
        raise ProfileError(msg)
    return float(value)


def profile_from_dict(data: Mapping[str, Any]) -> Profile:
    """Build a profile from a mapping (a parsed TOML profile file), checking every key.

    The mapping names a ``base`` preset (default ``touring``) and overrides some of
    its settings; tables (``road_factor`` …) are merged key by key.

    Raises
    ------
    ProfileError
        Naming the bad key and the allowed keys or values.

    Examples
    --------
    >>> p = profile_from_dict({"name": "slow", "speed_kmh": 10, "road_factor": {"primary": 5}})
    >>> p.speed_kmh, p.road_factor["primary"], p.road_factor["tertiary"]
    (10.0, 5.0, 1.4)
    """
    unknown = [k for k in data if k not in _ALLOWED_KEYS]
    if unknown:
        msg = f"Unknown profile key {unknown[0]!r}; allowed keys: {', '.join(_ALLOWED_KEYS)}"
        raise ProfileError(msg)
    profile = get_profile(str(data.get("base", DEFAULT_PROFILE)))
    changes: dict[str, Any] = {"name": str(data.get("name", "custom"))}
    for key in _SCALARS & set(data):
        high = 1.0 if key == "stick_to_routes" else 100.0
        low = 0.0 if key in {"stick_to_routes", "maxspeed_factor"} else 0.1
        if key == "speed_kmh":
            low, high = 3.0, 60.0
        changes[key] = _number(key, data[key], low=low, high=high)
    for key, allowed in _TABLES.items():
        if key not in data:
            continue
        table = data[key]
        if not isinstance(table, dict):
            msg = f"Profile key {key!r} must be a table of {', '.join(allowed)}"
            raise ProfileError(msg)
        merged = dict(getattr(profile, key))
        for sub, value in table.items():
            if sub not in allowed:
                msg = f"Unknown {key} entry {sub!r}; allowed: {', '.join(allowed)}"
                raise ProfileError(msg)
            merged[sub] = _number(f"{key}.{sub}", value, low=0.05, high=100.0)
        changes[key] = _frozen(merged)
    if "forbidden" in data:
        listed = data["forbidden"]
        bad = [h for h in listed if h not in HIGHWAYS] if isinstance(listed, list) else []
        if bad or not isinstance(listed, list):
            shown = bad[:1] or listed
            msg = f"Profile key 'forbidden' has {shown!r}; allowed: {', '.join(HIGHWAYS)}"
            raise ProfileError(msg)
        changes["forbidden"] = frozenset(data["forbidden"])
    if "wet" in data and not isinstance(data["wet"], bool):
        msg = f"Profile key 'wet' must be true or false, got {data['wet']!r}"
        raise ProfileError(msg)
    custom = replace(profile, **changes)
    return with_wet_weather(custom) if data.get("wet") else custom


def profile_fields() -> tuple[str, ...]:
    """Return the names of a profile's settings (for documentation and error messages)."""
    return tuple(f.name for f in fields(Profile))
