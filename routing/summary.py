"""The route result: geometry, distance, duration and what the ride is made of."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping

    from shapely import LineString

    from routing.explain import RouteSegment
    from routing.snapping import LatLon
    from routing.snapping import Snap


@dataclass(frozen=True, slots=True)
class CycleRouteUse:
    """How much of a route runs on one signed cycle route (an OSM route=bicycle relation)."""

    relation_id: int
    name: str
    ref: str
    network: str
    length_m: float
    share: float


@dataclass(frozen=True, slots=True)
class Route:
    """A planned bicycle route.

    Shares are fractions of ``length_m`` (0..1). ``snaps`` holds one entry per
    requested point (start, via points, end) in order. ``segments`` explains the
    route stretch by stretch; ``notes`` says what was avoided and why.
    """

    geometry: LineString
    nodes: tuple[int, ...]
    length_m: float
    duration_s: float
    speed_kmh: float
    surface_shares: Mapping[str, float]
    highway_shares: Mapping[str, float]
    cycle_routes: tuple[CycleRouteUse, ...]
    snaps: tuple[Snap, ...]
    profile: str = "touring"
    cost: float = 0.0
    segments: tuple[RouteSegment, ...] = ()
    infrastructure_shares: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def signed_share(self) -> float:
        """Return the fraction of the length on any signed cycle route."""
        on_route = sum(s.length_m for s in self.segments if s.cycle_routes)
        return on_route / self.length_m if self.length_m > 0 else 0.0

    def latlon(self) -> list[LatLon]:
        """Return the route's vertices as ``(lat, lon)`` pairs."""
        return [(float(y), float(x)) for x, y, *_ in self.geometry.coords]


def shares(lengths: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Turn ``(label, metres)`` pairs into label shares, largest first.

    Examples
    --------
    >>> shares([("asphalt", 300.0), ("gravel", 100.0), ("asphalt", 600.0)])
    {'asphalt': 0.9, 'gravel': 0.1}
    >>> shares([])
    {}
    """
    totals: dict[str, float] = defaultdict(float)
    for label, metres in lengths:
        totals[label] += metres
    whole = sum(totals.values())
    if whole <= 0:
        return {}
    return {k: round(v / whole, 6) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def duration_s(length_m: float, speed_kmh: float) -> float:
    """Return the riding time in seconds at a steady speed.

    Examples
    --------
    >>> round(duration_s(15_000, 15.0), 6)
    3600.0
    """
    return length_m / (speed_kmh / 3.6)
