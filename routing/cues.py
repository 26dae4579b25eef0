"""Turn-by-turn cues derived from a route's geometry and street names.

A cue sheet lists, with the cumulative km, what to do wherever the ride changes
street, goes round a roundabout, turns at a junction or reaches a stop:

- the *street* comes from the route's segments (``Route.segments``); an unnamed
  way is told apart from the next one by its kind (:func:`way_kind`), so going
  from an unnamed lane onto a cycle path is a cue, two unnamed lanes in a row are not;
- the *turn* comes from the change of bearing between the stretch before the
  cue and the stretch after it, each measured over ``look_m`` metres so that
  the small kinks of a drawn way do not count, classified by :func:`turn_kind`;
- a stretch shorter than ``merge_m`` (a link across a square, a slip lane) is
  folded into the cue before it and the turn is measured across it; a short
  piece between two stretches of the same street gives no cue unless the route
  turns there;
- with the graph, junctions (nodes where three or more ways meet) where the
  route turns by ``min_turn_deg`` or more get a cue even on the same street,
  and each roundabout (``junction=roundabout``) gives one cue with its exit number;
- each via point gives a ``via`` cue, the end an ``arrive`` cue.

Bearings are degrees clockwise from north; a bearing change is in (-180, 180],
negative to the left.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx
    from shapely import LineString

    from routing.summary import Route

#: Mean Earth radius in metres (IUGG), for haversine lengths.
EARTH_RADIUS_M = 6_371_008.8
#: Turn kinds, from a bearing change, and the two ends of a ride.
TURNS: tuple[str, ...] = (
    "depart",
    "straight",
    "slight_left",
    "left",
    "sharp_left",
    "slight_right",
    "right",
    "sharp_right",
    "uturn",
    "roundabout",
    "via",
    "arrive",
)
#: Upper bounds (degrees of bearing change) of straight, slight, plain and sharp turns; beyond is a U-turn.
TURN_BOUNDS: tuple[float, float, float, float] = (25.0, 60.0, 120.0, 160.0)
ROUNDABOUT_TAGS = frozenset({"roundabout", "circular"})
_WAY_KINDS: dict[str, str] = {
    "cycleway": "cycleway",
    "path": "path",
    "footway": "path",
    "bridleway": "path",
    "pedestrian": "pedestrian",
    "track": "track",
    "service": "service",
    "steps": "steps",
}

LonLat = tuple[float, float]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True, slots=True)
class Cue:
    """One instruction of a cue sheet.

    ``street`` is the way ridden after the cue (``""`` when it has no name: then
    ``way`` says what kind of way it is), ``bearing_change`` the turn in degrees
    (negative to the left) and ``bearing`` the heading after it. ``exit`` is the
    roundabout exit to take (0 when unknown or not a roundabout) and ``place``
    the name of the stop of a ``depart``, ``via`` or ``arrive`` cue.
    """

    km: float
    turn: str
    street: str
    bearing_change: float
    way: str = "road"
    bearing: float = 0.0
    exit: int = 0
    place: str = ""
    lat: float = 0.0
    lon: float = 0.0

    @property
    def latlon(self) -> tuple[float, float]:
        """Return ``(lat, lon)`` of the cue."""
        return (self.lat, self.lon)


def way_kind(highway: str) -> str:
    """Return the kind of way that describes an unnamed street.

    Examples
    --------
    >>> way_kind("cycleway"), way_kind("footway"), way_kind("residential")
    ('cycleway', 'path', 'road')
    """
    return _WAY_KINDS.get(highway, "road")


def bearing(a: LonLat, b: LonLat) -> float:
    """Return the initial bearing from ``a`` to ``b`` (lon, lat), degrees clockwise from north.

    Examples
    --------
    >>> round(bearing((10.0, 45.0), (10.0, 45.1))), round(bearing((10.0, 45.0), (10.1, 45.0)))
    (0, 90)
    >>> round(bearing((10.0, 45.0), (9.9, 45.0)))
    270
    """
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    dlon = lon2 - lon1
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360.0


def start_heading(line: LineString, look_m: float = 20.0) -> float:
    """Return the heading at the start of a lon/lat line, measured over its first ``look_m`` metres.

    Examples
    --------
    >>> from shapely import LineString
    >>> round(start_heading(LineString([(10.0, 45.0), (10.0, 45.001), (10.01, 45.001)])))
    0
    """
    path = _Line(shapely.get_coordinates(line), 0.0)
    return path.heading(0.0, min(look_m, path.total)) or 0.0


def bearing_change(before: float, after: float) -> float:
    """Return the turn from heading ``before`` to heading ``after``, in (-180, 180], negative to the left.

    Examples
    --------
    >>> bearing_change(350, 20), bearing_change(90, 0), bearing_change(0, 180)
    (30.0, -90.0, 180.0)
    """
    change = (after - before) % 360.0
    return float(change - 360.0 if change > 180.0 else change)


def turn_kind(change: float) -> str:
    """Classify a bearing change as straight, slight, plain or sharp left/right, or a U-turn.

    Examples
    --------
    >>> [turn_kind(c) for c in (5, -40, 90, -135, 175)]
    ['straight', 'slight_left', 'right', 'sharp_left', 'uturn']
    """
    size = abs(change)
    straight, slight, plain, sharp = TURN_BOUNDS
    if size < straight:
        return "straight"
    if size >= sharp:
        return "uturn"
    side = "left" if change < 0 else "right"
    if size < slight:
        return f"slight_{side}"
    if size < plain:
        return side
    return f"sharp_{side}"


def _haversine(lon: FloatArray, lat: FloatArray) -> FloatArray:
    """Length in metres of each step of a lon/lat polyline."""
    lam, phi = np.radians(lon), np.radians(lat)
    h = np.sin(np.diff(phi) / 2) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


class _Line:
    """A route's vertices with their distance along it, scaled to the route's length."""

    def __init__(self, coords: FloatArray, length_m: float) -> None:
        xy = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
        steps = _haversine(xy[:, 0], xy[:, 1]) if len(xy) > 1 else np.empty(0)
        keep = np.r_[True, steps > 0] if len(xy) else np.empty(0, dtype=bool)
        self.xy = xy[keep]
        cum = np.r_[0.0, np.cumsum(steps[steps > 0])] if len(xy) else np.zeros(1)
        drawn = float(cum[-1])
        # The segments' km come from the graph's edge lengths: measure along the drawing in those units.
        self.cum = cum * (length_m / drawn) if drawn > 0 and length_m > 0 else cum
        self.total = float(self.cum[-1])

    def at(self, d: float) -> LonLat:
        if len(self.xy) == 0:
            return (0.0, 0.0)
        d = min(max(d, 0.0), self.total)
        return (float(np.interp(d, self.cum, self.xy[:, 0])), float(np.interp(d, self.cum, self.xy[:, 1])))

    def heading(self, start: float, end: float) -> float | None:
        a, b = self.at(start), self.at(end)
        if abs(end - start) < 1.0 or a == b:
            return None
        return bearing(a, b)

    def turn(self, d_in: float, d_out: float, look_m: float) -> tuple[float, float]:
        """Return the turn from the stretch ending at ``d_in`` to the one from ``d_out``, and the heading after."""
        after = self.heading(d_out, min(d_out + look_m, self.total))
        before = self.heading(max(d_in - look_m, 0.0), d_in)
        if after is None:
            return 0.0, before or 0.0
        if before is None:
            return 0.0, after
        return bearing_change(before, after), after


@dataclass(frozen=True, slots=True)
class _Run:
    """Consecutive segments on the same street (or the same kind of unnamed way)."""

    key: str
    name: str
    way: str
    start: float
    end: float


def _runs(route: Route, total: float) -> list[_Run]:
    runs: list[_Run] = []
    for seg in route.segments:
        name = seg.name.strip()
        way = way_kind(seg.highway)
        key = name or f"~{way}"
        start = seg.start_km * 1000.0
        if runs and runs[-1].key == key:
            runs[-1] = _Run(key, name, runs[-1].way, runs[-1].start, start + seg.length_m)
            continue
        if runs:
            runs[-1] = _Run(runs[-1].key, runs[-1].name, runs[-1].way, runs[-1].start, start)
        runs.append(_Run(key, name, way, start, start + seg.length_m))
    if not runs:
        return [_Run("~road", "", "road", 0.0, total)]
    return runs


def _node_positions(G: nx.MultiDiGraph[int], route: Route, line: _Line) -> list[tuple[int, float]]:
    """Return where the route passes each of its graph nodes, in riding order.

    A vertex of the drawing that sits exactly on one of the route's nodes is that
    node; nodes of partly ridden edges that the ride never reaches are left out.
    """
    at: dict[tuple[float, float], int] = {}
    for node in set(route.nodes):
        data = G.nodes[node]
        at[(round(float(data["x"]), 7), round(float(data["y"]), 7))] = node
    found: list[tuple[int, float]] = []
    for i, (x, y) in enumerate(np.round(line.xy, 7).tolist()):
        hit = at.get((x, y))
        if hit is not None:
            found.append((hit, float(line.cum[i])))
    return found


def _is_roundabout(G: nx.MultiDiGraph[int], u: int, v: int) -> bool:
    edges = G.get_edge_data(u, v) or {}
    return any(str(d.get("junction", "")) in ROUNDABOUT_TAGS for d in edges.values())


def _roundabouts(G: nx.MultiDiGraph[int], nodes: Sequence[tuple[int, float]]) -> list[tuple[float, float, int]]:
    """Return the ``(entry, exit, exit number)`` of each roundabout ridden, in metres along the route."""
    spans: list[tuple[float, float, int]] = []
    i = 0
    while i < len(nodes) - 1:
        if not _is_roundabout(G, nodes[i][0], nodes[i + 1][0]):
            i += 1
            continue
        j = i + 1
        while j < len(nodes) - 1 and _is_roundabout(G, nodes[j][0], nodes[j + 1][0]):
            j += 1
        exits = 0
        for node, _ in nodes[i + 1 : j + 1]:
            # An exit is a way out of the roundabout the rider could take.
            if any(not _is_roundabout(G, node, w) for w in G.successors(node)):
                exits += 1
        spans.append((nodes[i][1], nodes[j][1], exits))
        i = j
    return spans


def _junctions(G: nx.MultiDiGraph[int], nodes: Sequence[tuple[int, float]]) -> list[float]:
    return [d for n, d in nodes if len(set(G.predecessors(n)) | set(G.successors(n))) >= 3]


def _via_positions(route: Route, line: _Line) -> list[float]:
    """Distance along the route of each via point (the snapped requests between start and end)."""
    out: list[float] = []
    cursor = 0
    for snap in route.snaps[1:-1]:
        lat, lon = snap.snapped
        if cursor >= len(line.xy):
            out.append(line.total)
            continue
        rest = line.xy[cursor:]
        # Metres on a local plane: enough to pick the nearest vertex at or after the previous via.
        dx = (rest[:, 0] - lon) * math.cos(math.radians(lat)) * 111_320.0
        dy = (rest[:, 1] - lat) * 110_540.0
        k = int(np.argmin(np.hypot(dx, dy)))
        cursor += k
        out.append(float(line.cum[cursor]))
    return out


def route_cues(
    route: Route,
    G: nx.MultiDiGraph[int] | None = None,
    *,
    names: Sequence[str] = (),
    min_turn_deg: float = 30.0,
    merge_m: float = 40.0,
    look_m: float = 20.0,
) -> tuple[Cue, ...]:
    """Derive the cue sheet of a route.

    Parameters
    ----------
    route
        The planned route (its geometry, segments, nodes and snaps are read).
    G
        The graph the route was planned on; with it, turns at junctions on the
        same street and roundabouts get their own cues.
    names
        Names of the route's points (start, via points, end), for the
        ``depart``, ``via`` and ``arrive`` cues.
    min_turn_deg
        Smallest bearing change at a junction that makes a cue on the same street.
    merge_m
        Stretches shorter than this are folded into the cue before them.
    look_m
        Length over which the bearings before and after a cue are measured.

    Returns
    -------
    tuple of Cue
        In riding order: ``depart`` first, ``arrive`` last.
    """
    line = _Line(shapely.get_coordinates(route.geometry), route.length_m)
    runs = _runs(route, line.total)
    starts = [r.start for r in runs]

    def run_at(d: float) -> _Run:
        return runs[max(bisect.bisect_right(starts, d + 1e-6) - 1, 0)]

    spans: list[tuple[float, float, int]] = []
    junctions: list[float] = []
    if G is not None:
        nodes = _node_positions(G, route, line)
        spans = _roundabouts(G, nodes)
        junctions = _junctions(G, nodes)

    def in_roundabout(d: float) -> bool:
        return any(a - merge_m <= d <= b + merge_m for a, b, _ in spans)

    events: list[_Event] = []
    for a, b, exits in spans:
        after = run_at(b + 1.0)
        events.append(_Event(a, b, 0, "roundabout", after, exit=exits))
    # The depart cue names the first way ridden for more than a few metres.
    f = 0
    while f < len(runs) - 1 and runs[f].end - runs[f].start < merge_m:
        f += 1
    first = runs[f]
    i = f + 1
    while i < len(runs):
        j = i
        # Fold short stretches into this cue; the street announced is the first long one.
        while j < len(runs) - 1 and runs[j].end - runs[j].start < merge_m:
            j += 1
        d_in, d_out = runs[i].start, runs[j].start
        same_street = runs[j].key == runs[i - 1].key
        # A change of way a few metres before the end is the arrival, not a cue of its own.
        if (
            d_in < line.total - merge_m / 2
            and not in_roundabout(d_in)
            and (not same_street or abs(line.turn(d_in, d_out, look_m)[0]) >= min_turn_deg)
        ):
            events.append(_Event(d_in, d_out, 1, "", runs[j]))
        i = j + 1
    for k, d in enumerate(_via_positions(route, line), start=1):
        events.append(_Event(d, d, 0, "via", run_at(d), place=_name(names, k)))
    taken = sorted(e.d_in for e in events)
    for d in junctions:
        if d <= merge_m / 2 or d >= line.total - merge_m / 2 or in_roundabout(d):
            continue
        k = bisect.bisect_left(taken, d)
        if any(abs(d - taken[m]) < merge_m for m in (k - 1, k) if 0 <= m < len(taken)):
            continue
        if abs(line.turn(d, d, look_m)[0]) >= min_turn_deg:
            events.append(_Event(d, d, 2, "", run_at(d)))
            bisect.insort(taken, d)

    last = runs[-1]
    lon, lat = line.at(0.0)
    heading = line.heading(0.0, min(look_m, line.total)) or 0.0
    cues = [Cue(0.0, "depart", first.name, 0.0, first.way, round(heading, 1), 0, _name(names, 0), lat, lon)]
    for e in sorted(events, key=lambda e: (e.d_in, e.rank)):
        change, heading = line.turn(e.d_in, e.d_out, look_m)
        lon, lat = line.at(e.d_in)
        turn = e.kind or turn_kind(change)
        if turn == "uturn" and run_at(e.d_in - 1.0).key != e.run.key:
            # Doubling back onto another street at an acute fork is a sharp turn, not a U-turn.
            turn = "sharp_left" if change < 0 else "sharp_right"
        street = e.run.name
        cues.append(
            Cue(
                round(e.d_in / 1000, 3),
                turn,
                street,
                round(change, 1),
                e.run.way,
                round(heading, 1),
                e.exit,
                e.place,
                lat,
                lon,
            )
        )
    lon, lat = line.at(line.total)
    end_name = _name(names, len(names) - 1) if len(names) >= 2 else ""
    cues.append(Cue(round(line.total / 1000, 3), "arrive", last.name, 0.0, last.way, 0.0, 0, end_name, lat, lon))
    return tuple(cues)


@dataclass(frozen=True, slots=True)
class _Event:
    """Where a cue goes: it starts at ``d_in``, the way after it starts at ``d_out`` (metres)."""

    d_in: float
    d_out: float
    rank: int
    kind: str
    run: _Run
    exit: int = 0
    place: str = ""


def _name(names: Sequence[str], index: int) -> str:
    return names[index] if 0 <= index < len(names) else ""
