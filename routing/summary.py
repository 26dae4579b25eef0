"""The route result: geometry, distance, duration and what the ride is made of."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from collections.abc import Sequence

    from shapely import LineString

    from routing.explain import RouteSegment
    from routing.snapping import LatLon
    from routing.snapping import Snap


IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


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
    route stretch by stretch (grouped when first read, see
    :class:`~routing.explain.Explanation`); ``notes`` says what was avoided and why.
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
    segments: Sequence[RouteSegment] = ()
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


def class_shares(codes: Sequence[int], names: Sequence[str], metres: Mapping[int, float]) -> dict[str, float]:
    """Return label shares, largest first, from the metres ridden in each cost class.

    ``names[codes[c]]`` labels cost class ``c``; ``metres`` maps the classes
    ridden to their metres. Equal shares keep the order of the label numbers.

    Examples
    --------
    >>> class_shares([0, 1, 0], ("asphalt", "gravel"), {0: 300.0, 1: 100.0, 2: 600.0})
    {'asphalt': 0.9, 'gravel': 0.1}
    >>> class_shares([0], ("asphalt",), {})
    {}
    """
    totals: dict[int, float] = {}
    for cls, m in metres.items():
        code = codes[cls]
        totals[code] = totals.get(code, 0.0) + m
    whole = sum(totals.values())
    if whole <= 0:
        return {}
    order = sorted(totals, key=lambda code: (-totals[code], code))
    return {names[code]: round(totals[code] / whole, 6) for code in order}


def duration_s(length_m: float, speed_kmh: float) -> float:
    """Return the riding time in seconds at a steady speed.

    Examples
    --------
    >>> round(duration_s(15_000, 15.0), 6)
    3600.0
    """
    return length_m / (speed_kmh / 3.6)
