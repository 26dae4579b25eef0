"""Print maps for the itinerary sheets, drawn offline as SVG from our own data.

No tile server is asked: the map is built from the bicycle graph itself (its
roads as thin grey lines, main roads a little darker), the route in black on a
white casing, km marks, numbered stops, POI symbols, town names, a scale bar,
a north arrow and the OpenStreetMap attribution. One SVG user unit is one
millimetre on paper, so line widths and text sizes are print sizes, and
everything is black, white or grey: it prints clean on a black-and-white printer.

The projection is a local equirectangular one around the map's centre (metres
east and north); over the few tens of km of a sheet its error is far below a
line's width.
"""

from __future__ import annotations

import logging
import math
import weakref
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import shapely

if TYPE_CHECKING:
    from collections.abc import Sequence

    import networkx as nx
    from shapely import LineString

logger = logging.getLogger(__name__)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: Metres per degree of latitude, and of longitude at the equator.
M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON = 111_320.0
#: Road classes, drawn from the least to the most important: (rank, stroke grey, width in mm).
ROAD_STYLE: dict[int, tuple[str, float]] = {
    3: ("#c4c4c4", 0.14),
    2: ("#b4b4b4", 0.18),
    1: ("#8c8c8c", 0.32),
    0: ("#6e6e6e", 0.5),
}
_RANKS: dict[str, int] = {
    **dict.fromkeys(["motorway", "trunk", "primary", "secondary"], 0),
    **dict.fromkeys(["motorway_link", "trunk_link", "primary_link", "secondary_link"], 0),
    **dict.fromkeys(["tertiary", "tertiary_link"], 1),
    **dict.fromkeys(["cycleway", "path", "footway", "track", "bridleway", "pedestrian", "steps"], 3),
}
#: Nice lengths for the scale bar and the interval of km marks, in metres.
NICE_M: tuple[float, ...] = (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)
#: Most road vertices drawn on one map (main roads first).
MAX_ROAD_VERTICES = 60_000
#: Towns are named only on maps wider than this (in a city the name would sit on the route).
TOWN_MIN_WIDTH_M = 6000.0
#: A POI category and the symbol it gets on the map (see :func:`_symbol`).
POI_SYMBOLS: dict[str, str] = {
    "railway_station": "station",
    "drinking_water": "water",
    "water_tap": "water",
    "bike_repair": "bike",
    "bike_rental": "bike",
    "infopoint": "info",
    "toilets": "toilets",
}


@dataclass(frozen=True, slots=True)
class Marker:
    """A point drawn on the map: the start, a numbered stop, the end of a day, or a POI (see :data:`POI_SYMBOLS`)."""

    lat: float
    lon: float
    kind: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Town:
    """A town name written on the map."""

    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class _Roads:
    """The graph's roads once per graph: bounding boxes, ranks and lon/lat vertices."""

    bounds: FloatArray
    ranks: tuple[int, ...]
    lines: tuple[FloatArray, ...]


_ROADS: weakref.WeakKeyDictionary[Any, _Roads] = weakref.WeakKeyDictionary()


def road_rank(highway: str) -> int:
    """Return how prominent a road is drawn: 0 for main roads up to 3 for paths.

    Examples
    --------
    >>> road_rank("primary"), road_rank("tertiary"), road_rank("residential"), road_rank("cycleway")
    (0, 1, 2, 3)
    """
    return _RANKS.get(highway, 2)


def _roads(G: nx.MultiDiGraph[int]) -> _Roads:
    found = _ROADS.get(G)
    if found is not None:
        return found
    seen: set[tuple[int, int]] = set()
    lines: list[FloatArray] = []
    ranks: list[int] = []
    for u, v, data in G.edges(data=True):
        pair = (min(u, v), max(u, v))
        if pair in seen:
            continue
        seen.add(pair)
        geom = data.get("geometry")
        if geom is not None:
            xy = np.asarray(shapely.get_coordinates(geom), dtype=np.float64)
        else:
            a, b = G.nodes[u], G.nodes[v]
            xy = np.array([[a["x"], a["y"]], [b["x"], b["y"]]], dtype=np.float64)
        highway = data.get("highway", "")
        lines.append(xy)
        ranks.append(road_rank(str(highway[0] if isinstance(highway, list) else highway)))
    bounds = np.array([[*xy.min(axis=0), *xy.max(axis=0)] for xy in lines]).reshape(-1, 4)
    found = _ROADS[G] = _Roads(bounds, tuple(ranks), tuple(lines))
    return found


def nice_length(target_m: float) -> float:
    """Return the largest nice length (100 m, 200 m, 500 m, 1 km …) not above ``target_m``.

    Examples
    --------
    >>> nice_length(1400), nice_length(90), nice_length(7300)
    (1000, 100, 5000)
    """
    fitting = [n for n in NICE_M if n <= target_m]
    return fitting[-1] if fitting else NICE_M[0]


def scale_label(metres: float) -> str:
    """Label a scale-bar length.

    Examples
    --------
    >>> scale_label(500), scale_label(2000)
    ('500 m', '2 km')
    """
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


class _Frame:
    """Lon/lat to millimetres on the map, north up, for a box fitted around some lines."""

    def __init__(self, xy: FloatArray, width_mm: float, height_mm: float, pad_m: float, margin_mm: float = 6.0) -> None:
        lon_min, lat_min = xy.min(axis=0)
        lon_max, lat_max = xy.max(axis=0)
        self.kx = M_PER_DEG_LON * math.cos(math.radians((lat_min + lat_max) / 2))
        span_x = (lon_max - lon_min) * self.kx + 2 * pad_m
        span_y = (lat_max - lat_min) * M_PER_DEG_LAT + 2 * pad_m
        # The margin keeps the markers at the ends of the route inside the frame.
        inner_w, inner_h = max(width_mm - 2 * margin_mm, 1.0), max(height_mm - 2 * margin_mm, 1.0)
        self.mm_per_m = min(inner_w / max(span_x, 1.0), inner_h / max(span_y, 1.0))
        self.width, self.height = width_mm, height_mm
        centre_lon, centre_lat = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
        half_w, half_h = width_mm / self.mm_per_m / 2, height_mm / self.mm_per_m / 2
        self.lon0 = centre_lon - half_w / self.kx
        self.lat1 = centre_lat + half_h / M_PER_DEG_LAT
        self.bounds = (self.lon0, centre_lat - half_h / M_PER_DEG_LAT, centre_lon + half_w / self.kx, self.lat1)

    @property
    def width_m(self) -> float:
        return float(self.width / self.mm_per_m)

    def project(self, xy: FloatArray) -> FloatArray:
        out = np.empty((len(xy), 2))
        out[:, 0] = (xy[:, 0] - self.lon0) * self.kx * self.mm_per_m
        out[:, 1] = (self.lat1 - xy[:, 1]) * M_PER_DEG_LAT * self.mm_per_m
        return out

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.project(np.array([[lon, lat]]))[0]
        return float(x), float(y)

    def inside(self, x: float, y: float, margin: float = 0.0) -> bool:
        return margin <= x <= self.width - margin and margin <= y <= self.height - margin


def _path_data(parts: Sequence[FloatArray]) -> str:
    """SVG path data of polylines in mm, at 0.1 mm, dropping vertices that round to the previous one."""
    chunks: list[str] = []
    for mm in parts:
        rounded = np.round(mm, 1)
        keep = np.r_[True, (np.diff(rounded, axis=0) != 0).any(axis=1)]
        pts = rounded[keep]
        if len(pts) < 2:
            continue
        head = f"M{pts[0, 0]:g} {pts[0, 1]:g}"
        chunks.append(head + "L" + " ".join(f"{x:g} {y:g}" for x, y in pts[1:].tolist()))
    return "".join(chunks)


def _line_xy(line: LineString) -> FloatArray:
    return np.asarray(shapely.get_coordinates(line), dtype=np.float64).reshape(-1, 2)


def _km_marks(frame: _Frame, xy_mm: FloatArray, length_m: float, km_offset: float) -> list[tuple[float, float, str]]:
    """Positions and labels of the km marks along the route, about eight of them across the map."""
    if len(xy_mm) < 2 or length_m <= 0:
        return []
    steps = np.hypot(*np.diff(xy_mm, axis=0).T)
    cum = np.r_[0.0, np.cumsum(steps)]
    drawn = float(cum[-1])
    if drawn <= 0:
        return []
    every = max(nice_length(frame.width_m / 6), 1000.0)
    marks = []
    first = math.ceil(km_offset * 1000 / every + 1e-9) * every
    at = first
    while at < km_offset * 1000 + length_m - every * 0.3:
        d = (at - km_offset * 1000) / length_m * drawn
        x, y = float(np.interp(d, cum, xy_mm[:, 0])), float(np.interp(d, cum, xy_mm[:, 1]))
        marks.append((x, y, f"{at / 1000:g}"))
        at += every
    return marks


def _el(tag: str, body: str = "", /, **attrs: str | float) -> str:
    """Return an SVG element; attribute names take ``-`` for ``_`` and numbers are written to 0.01 mm.

    Examples
    --------
    >>> _el("circle", cx=1.234, cy=2, r=0.5, stroke_width=0.25)
    '<circle cx="1.23" cy="2" r="0.5" stroke-width="0.25"/>'
    >>> _el("text", "A & B", x=1)
    '<text x="1">A &amp; B</text>'
    """
    parts = [tag]
    for key, value in attrs.items():
        text = f"{round(value, 2):g}" if isinstance(value, float | int) else escape(value)
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{text}"')
    head = " ".join(parts)
    return f"<{head}>{escape(body)}</{tag}>" if body else f"<{head}/>"


INK: dict[str, str | float] = {"fill": "#fff", "stroke": "#000", "stroke_width": 0.3}


def _symbol(kind: str, x: float, y: float) -> str:
    """Draw a POI symbol centred on ``(x, y)``, about 2 mm across."""
    match kind:
        case "station":
            return _el("rect", x=x - 1.1, y=y - 1.1, width=2.2, height=2.2, fill="#000")
        case "water":
            return _el("path", d=f"M{x - 1:.2f} {y - 0.7:.2f}h2l-1 1.7z", **INK)
        case "bike":
            return _el("path", d=f"M{x:.2f} {y - 1.2:.2f}l1.2 1.2-1.2 1.2-1.2-1.2z", **INK)
        case "info":
            box = _el("rect", x=x - 1, y=y - 1, width=2, height=2, **INK)
            return box + _el("text", "i", x=x, y=y + 0.7, font_size=1.8, font_weight="bold", text_anchor="middle")
        case _:
            return _el("circle", cx=x, cy=y, r=0.7, **INK)


def _text(x: float, y: float, text: str, *, size: float, weight: str = "normal") -> str:
    """Write centred text with a white halo (drawn twice: a halo by ``paint-order`` is not rendered everywhere)."""
    attrs: dict[str, str | float] = {"x": x, "y": y, "font_size": size, "text_anchor": "middle", "font_weight": weight}
    halo = _el("text", text, **attrs, fill="#fff", stroke="#fff", stroke_width=size / 4, stroke_linejoin="round")
    return halo + _el("text", text, **attrs, fill="#000")


def _line(data: str, stroke: str, width: float, **extra: str | float) -> str:
    return _el(
        "path",
        d=data,
        fill="none",
        stroke=stroke,
        stroke_width=width,
        stroke_linejoin="round",
        stroke_linecap="round",
        **extra,
    )


def route_map_svg(
    G: nx.MultiDiGraph[int],
    route: LineString,
    *,
    length_m: float,
    focus: LineString | None = None,
    focus_start_km: float = 0.0,
    markers: Sequence[Marker] = (),
    towns: Sequence[Town] = (),
    attribution: str = "© OpenStreetMap contributors",
    width_mm: float = 186.0,
    height_mm: float = 120.0,
) -> str:
    """Draw a route on the graph's roads as an SVG document sized in millimetres.

    Parameters
    ----------
    G
        The bicycle graph: its edges are the background roads.
    route
        The whole route (lon/lat).
    length_m
        The route's length, for the km marks.
    focus
        Part of the route to frame and draw in black (one day of a trip); the
        rest is then drawn thin and dashed. ``None`` frames the whole route.
    focus_start_km
        Where ``focus`` starts along the route, for its km marks.
    markers
        Stops and POIs to draw.
    towns
        Town names to write where they fall on the map.
    attribution
        The data attribution written in the corner.
    width_mm, height_mm
        Size of the map on paper.

    Returns
    -------
    str
        An ``<svg>`` element, ready to inline in HTML.
    """
    main = focus if focus is not None and not focus.is_empty else route
    main_xy = _line_xy(main)
    route_xy = _line_xy(route)
    span = float(np.ptp(main_xy, axis=0).max()) * M_PER_DEG_LAT if len(main_xy) else 0.0
    frame = _Frame(main_xy, width_mm, height_mm, pad_m=max(150.0, 0.06 * span))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{width_mm}mm" height="{height_mm}mm" '
        f'viewBox="0 0 {width_mm} {height_mm}" font-family="DejaVu Sans" style="overflow:hidden">',
        _el("rect", width=width_mm, height=height_mm, fill="#fff"),
    ]
    out += _road_paths(G, frame)
    route_mm = frame.project(route_xy)
    main_mm = frame.project(main_xy)
    if focus is not None:
        out.append(_line(_path_data([route_mm]), "#555", 0.5, stroke_dasharray="1.6 1"))
    # Town names go under the route, which stays readable where they meet.
    if frame.width_m > TOWN_MIN_WIDTH_M:
        for town in towns:
            x, y = frame.point(town.lat, town.lon)
            if frame.inside(x, y, 8):
                out.append(_text(x, y, town.name.upper(), size=2.8, weight="bold"))
    data = _path_data([main_mm])
    out += [_line(data, "#fff", 2.0), _line(data, "#000", 0.9)]
    main_length = length_m * (_planar_length(main_mm) / max(_planar_length(route_mm), 1e-9)) if focus else length_m
    for x, y, label in _km_marks(frame, main_mm, main_length, focus_start_km if focus else 0.0):
        if frame.inside(x, y, 2):
            out.append(_el("circle", cx=x, cy=y, r=1.9, fill="#fff", stroke="#000", stroke_width=0.25))
            out.append(_el("text", label, x=x, y=y + 0.75, font_size=2.1, text_anchor="middle"))
    for m in sorted(markers, key=lambda m: m.kind in {"stop", "start", "day_end"}):
        x, y = frame.point(m.lat, m.lon)
        if not frame.inside(x, y, 1):
            continue
        if m.kind == "day_end":
            out.append(_el("rect", x=x - 2.3, y=y - 2.3, width=4.6, height=4.6, fill="#000"))
            out.append(
                _el(
                    "text", m.label, x=x, y=y + 1.05, font_size=3, font_weight="bold", text_anchor="middle", fill="#fff"
                )
            )
        elif m.kind in {"stop", "start"}:
            fill, ink = ("#000", "#fff") if m.kind == "start" else ("#fff", "#000")
            out.append(_el("circle", cx=x, cy=y, r=2.6, fill=fill, stroke="#000", stroke_width=0.4))
            out.append(
                _el("text", m.label, x=x, y=y + 1.05, font_size=3, font_weight="bold", text_anchor="middle", fill=ink)
            )
        else:
            out.append(_symbol(POI_SYMBOLS.get(m.kind, m.kind), x, y))
    out += _furniture(frame, attribution)
    out.append("</svg>")
    return "".join(out)


def _planar_length(xy: FloatArray) -> float:
    return float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0


def _road_paths(G: nx.MultiDiGraph[int], frame: _Frame) -> list[str]:
    roads = _roads(G)
    if not roads.lines:
        return []
    west, south, east, north = frame.bounds
    b = roads.bounds
    visible = (b[:, 0] <= east) & (b[:, 2] >= west) & (b[:, 1] <= north) & (b[:, 3] >= south)
    # The smaller the scale, the fewer small roads: a province map shows the main ones, and a
    # cap on the vertices drawn keeps a big graph's sheet quick to render.
    mm_per_km = frame.mm_per_m * 1000
    top_rank = 3 if mm_per_km >= 3 else 1 if mm_per_km >= 1.2 else 0
    chosen = np.flatnonzero(visible)
    out: list[str] = []
    budget = MAX_ROAD_VERTICES
    for rank in sorted(ROAD_STYLE):
        if rank > top_rank:
            break
        parts = [frame.project(roads.lines[i]) for i in chosen if roads.ranks[i] == rank]
        budget -= sum(len(p) for p in parts)
        if budget < 0 and rank > 0:
            logger.info("Map roads of rank %d and smaller left out: too many to draw", rank)
            break
        if parts:
            grey, width = ROAD_STYLE[rank]
            out.insert(0, _line(_path_data(parts), grey, width))
    return out


def _furniture(frame: _Frame, attribution: str) -> list[str]:
    """Scale bar, north arrow, attribution and frame."""
    w, h = frame.width, frame.height
    bar_m = nice_length(frame.width_m / 5)
    bar = bar_m * frame.mm_per_m
    x0, y0 = 5.0, h - 6.0
    half = bar / 2
    out = [
        _el("rect", x=x0 - 1.5, y=y0 - 5, width=bar + 3, height=7.5, fill="#fff", fill_opacity=0.85),
        _el("rect", x=x0, y=y0, width=half, height=1.2, fill="#000"),
        _el("rect", x=x0 + half, y=y0, width=half, height=1.2, fill="#fff", stroke="#000", stroke_width=0.25),
        _el("text", "0", x=x0, y=y0 - 1, font_size=2.4),
        _el("text", scale_label(bar_m), x=x0 + bar, y=y0 - 1, font_size=2.4, text_anchor="end"),
    ]
    ax, ay = w - 8.0, 5.0
    out += [
        _el("circle", cx=ax, cy=ay + 5, r=5, fill="#fff", fill_opacity=0.85),
        _el("path", d=f"M{ax} {ay}l2.4 8-2.4-1.8-2.4 1.8z", fill="#000"),
        _el("text", "N", x=ax, y=ay + 12.3, font_size=3, font_weight="bold", text_anchor="middle"),
    ]
    text_w = 1.45 * len(attribution) + 2
    out += [
        _el("rect", x=w - text_w, y=h - 4.2, width=text_w, height=4.2, fill="#fff", fill_opacity=0.85),
        _el("text", attribution, x=w - 1, y=h - 1.2, font_size=2.5, text_anchor="end"),
        _el("rect", width=w, height=h, fill="none", stroke="#000", stroke_width=0.4),
    ]
    return out
