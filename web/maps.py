"""Folium maps of the planner: the network's extent, a planned route, the offline road layer.

Pure builders in the manner of geopandas ``explore``: they take library objects
and return a :class:`folium.Map` (or GeoJSON), with no Flask import, so the CLI
can save the same maps as HTML files. Pass ``assets`` to link Leaflet and the
other folium assets from a local folder (the vendored copy served by the app)
instead of folium's CDN links, so the page works without internet; map tiles
are the one part that may still come from the internet, and nothing else
depends on them: :func:`roads_geojson` draws the network itself as a base layer
when they are missing.

The planner page splits the work: folium renders the base map (view, tiles,
extent, scale, and the route for browsers without JavaScript); the page's
script (``web/static/planner.js``) finds that map by its JavaScript name
(:attr:`MapParts.name`) and adds the interactive layers from the JSON API.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

import folium
from branca.element import Figure

if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence

    import networkx as nx

    from routing import Route

LatLon = tuple[float, float]
Bounds = tuple[LatLon, LatLon]

#: folium.Map's JS assets, as paths inside the vendor folder (see scripts/vendor_assets.sh).
VENDOR_JS: tuple[tuple[str, str], ...] = (
    ("leaflet", "leaflet/leaflet.js"),
    ("jquery", "jquery/jquery.min.js"),
    ("bootstrap", "bootstrap/bootstrap.bundle.min.js"),
    ("awesome_markers", "awesome-markers/leaflet.awesome-markers.min.js"),
)
#: folium.Map's CSS assets; Bootstrap 3 glyphicons are left out (no npm source, unused).
VENDOR_CSS: tuple[tuple[str, str], ...] = (
    ("leaflet_css", "leaflet/leaflet.css"),
    ("bootstrap_css", "bootstrap/bootstrap.min.css"),
    ("awesome_markers_font_css", "fontawesome/css/all.min.css"),
    ("awesome_markers_css", "awesome-markers/leaflet.awesome-markers.css"),
    ("awesome_rotate_css", "awesome-markers/leaflet.awesome.rotate.css"),
)

ROUTE_COLOR = "#c0392b"
ROUTE_CLASS = "route-line"
SNAP_CLASS = "snap-line"
EXTENT_CLASS = "network-extent"
#: ``layer_name`` of the feature group holding a server-drawn route and its markers.
ROUTE_LAYER = "route"
#: Default texts of the map; the web app passes translated ones.
TEXTS: Mapping[str, str] = {
    "extent": "Area covered by the route network",
    "start": "Start",
    "via": "Via",
    "end": "End",
    "off_road": "m to the nearest road",
}
#: Decimals kept in the offline road layer (5 ≈ 1 m).
ROAD_DECIMALS = 5
#: Draw a dashed line from an asked point to the route when it was snapped farther than this.
SNAP_LINE_MIN_M = 10.0


@dataclass(frozen=True, slots=True)
class MapParts:
    """A rendered map split for embedding in a page.

    ``header`` goes in ``<head>``, ``body`` where the map belongs and ``script``
    in a ``<script>`` element after it. ``name`` is the map's JavaScript
    variable and ``layers`` the variables of its named feature groups.
    """

    header: str
    body: str
    script: str
    name: str = ""
    layers: Mapping[str, str] = field(default_factory=dict)


def graph_bounds(G: nx.MultiDiGraph[int]) -> Bounds:
    """Return the south-west and north-east corners of a graph's nodes.

    Parameters
    ----------
    G
        A graph whose nodes have ``x`` (longitude) and ``y`` (latitude).

    Returns
    -------
    tuple
        ``((south, west), (north, east))``.

    Raises
    ------
    ValueError
        If the graph has no nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node(1, x=10.0, y=45.1); G.add_node(2, x=10.1, y=45.2)
    >>> graph_bounds(G)
    ((45.1, 10.0), (45.2, 10.1))
    """
    if G.number_of_nodes() == 0:
        msg = f"Graph {G.graph.get('name')!r} has no nodes to centre a map on"
        raise ValueError(msg)
    lats = [float(d["y"]) for _, d in G.nodes(data=True)]
    lons = [float(d["x"]) for _, d in G.nodes(data=True)]
    return (min(lats), min(lons)), (max(lats), max(lons))


def line_bounds(points: Sequence[LatLon]) -> Bounds:
    """Return the south-west and north-east corners of ``(lat, lon)`` points.

    Examples
    --------
    >>> line_bounds([(45.14, 10.01), (45.13, 10.02)])
    ((45.13, 10.01), (45.14, 10.02))
    """
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return (min(lats), min(lons)), (max(lats), max(lons))


def base_map(
    G: nx.MultiDiGraph[int],
    *,
    tiles: str | None = "OpenStreetMap",
    assets: str | None = None,
    texts: Mapping[str, str] = TEXTS,
) -> folium.Map:
    """Build a map fitted to the area a graph covers, its extent drawn as a dashed box.

    Parameters
    ----------
    G
        The bicycle graph.
    tiles
        Folium tile layer, or ``None`` for a blank background.
    assets
        Base URL of the vendored Leaflet/folium assets, or ``None`` for folium's CDN.
    texts
        The map's texts (see :data:`TEXTS`), e.g. translated.

    Returns
    -------
    folium.Map
        A new map.
    """
    bounds = graph_bounds(G)
    m = _new_map(bounds, tiles=tiles, assets=assets)
    _extent(bounds, texts).add_to(m)
    return m


def _extent(bounds: Bounds, texts: Mapping[str, str]) -> folium.Rectangle:
    return folium.Rectangle(
        [list(bounds[0]), list(bounds[1])],
        color="#555555",
        weight=1,
        dash_array="6 6",
        fill=False,
        class_name=EXTENT_CLASS,
        tooltip=_text(texts["extent"]),
    )


def route_map(
    route: Route,
    stops: Sequence[tuple[str, LatLon]] = (),
    *,
    tiles: str | None = "OpenStreetMap",
    assets: str | None = None,
    texts: Mapping[str, str] = TEXTS,
    extent: Bounds | None = None,
) -> folium.Map:
    """Build a map of a planned route with start, via and end markers.

    Parameters
    ----------
    route
        The planned route.
    stops
        ``(name, (lat, lon))`` of the asked points in riding order (start, via
        points, end), used for the markers' labels; the markers stand where the
        route meets the network, with a dashed line to a point asked off the road.
    tiles
        Folium tile layer, or ``None`` for a blank background.
    assets
        Base URL of the vendored Leaflet/folium assets, or ``None`` for folium's CDN.
    texts
        The map's texts (see :data:`TEXTS`).
    extent
        The network's bounds, drawn as a dashed box when given.

    Returns
    -------
    folium.Map
        A new map fitted to the route. The route line (CSS class ``route-line``)
        and the markers are in a feature group named :data:`ROUTE_LAYER`.
    """
    line = route.latlon()
    m = _new_map(line_bounds([*line, *(s.query for s in route.snaps)]), tiles=tiles, assets=assets)
    if extent is not None:
        _extent(extent, texts).add_to(m)
    group = folium.FeatureGroup(name=ROUTE_LAYER, control=False).add_to(m)
    km = route.length_m / 1000
    folium.PolyLine(
        line,
        color=ROUTE_COLOR,
        weight=6,
        opacity=0.85,
        class_name=ROUTE_CLASS,
        tooltip=_text(f"{km:.1f} km"),
    ).add_to(group)
    names = [name for name, _ in stops]
    count = len(route.snaps)
    for i, snap in enumerate(route.snaps):
        role, color, icon = _marker_style(i, count, texts)
        label = f"{role}: {names[i]}" if i < len(names) else role
        if snap.distance_m > SNAP_LINE_MIN_M:
            folium.PolyLine(
                [snap.query, snap.snapped],
                color="#555555",
                weight=2,
                dash_array="4 6",
                class_name=SNAP_CLASS,
                tooltip=_text(f"{snap.distance_m:.0f} {texts['off_road']}"),
            ).add_to(group)
        folium.Marker(
            snap.snapped,
            tooltip=_text(label),
            icon=folium.Icon(color=color, icon=icon, prefix="fa"),
        ).add_to(group)
    return m


def map_parts(m: folium.Map) -> MapParts:
    """Render a map into the pieces a page template embeds.

    Parameters
    ----------
    m
        The map.

    Returns
    -------
    MapParts
        The ``<head>`` links and styles, the map ``<div>``, the script
        (without its ``<script>`` tags), the map's JavaScript name and those of
        its named feature groups.
    """
    root = m.get_root()
    if not isinstance(root, Figure):
        msg = f"Map {m.get_name()!r} is not attached to a Figure"
        raise TypeError(msg)
    # Rendering the whole figure first collects each element's links into the header.
    root.render()
    layers = {
        child.layer_name: child.get_name() for child in m._children.values() if isinstance(child, folium.FeatureGroup)
    }
    return MapParts(
        header=root.header.render(),
        body=root.html.render(),
        script=root.script.render(),
        name=m.get_name(),
        layers=layers,
    )


def roads_geojson(G: nx.MultiDiGraph[int]) -> dict[str, Any]:
    """Return the graph's ways as GeoJSON, one MultiLineString per road class, for an offline base layer.

    Each way is drawn once (both directions of a two-way street share one
    line), with coordinates rounded to :data:`ROAD_DECIMALS` decimals.

    Parameters
    ----------
    G
        The bicycle graph; edges may carry a ``geometry``, else they are drawn
        straight between their nodes.

    Returns
    -------
    dict
        A FeatureCollection whose features have the property ``highway``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node(1, x=10.0, y=45.0); G.add_node(2, x=10.001, y=45.0)
    >>> G.add_edge(1, 2, highway="residential"); G.add_edge(2, 1, highway="residential")
    0
    0
    >>> doc = roads_geojson(G)
    >>> [(f["properties"]["highway"], f["geometry"]["coordinates"]) for f in doc["features"]]
    [('residential', [[[10.0, 45.0], [10.001, 45.0]]])]
    """
    lines: dict[str, list[list[list[float]]]] = defaultdict(list)
    seen: set[tuple[int, int, Any]] = set()
    for u, v, data in G.edges(data=True):
        way = (min(u, v), max(u, v), data.get("osmid"))
        if way in seen:
            continue
        seen.add(way)
        geometry = data.get("geometry")
        if geometry is not None:
            coords = [(float(x), float(y)) for x, y, *_ in geometry.coords]
        else:
            coords = [(float(G.nodes[n]["x"]), float(G.nodes[n]["y"])) for n in (u, v)]
        highway = data.get("highway", "road")
        highway = str(highway[0] if isinstance(highway, list) else highway)
        lines[highway].append([[round(x, ROAD_DECIMALS), round(y, ROAD_DECIMALS)] for x, y in coords])
    features = [
        {"type": "Feature", "properties": {"highway": hw}, "geometry": {"type": "MultiLineString", "coordinates": ls}}
        for hw, ls in sorted(lines.items())
    ]
    return {"type": "FeatureCollection", "features": features}


def _new_map(bounds: Bounds, *, tiles: str | None, assets: str | None) -> folium.Map:
    """Return a map fitted to ``bounds``, linking its assets from ``assets`` when given."""
    (south, west), (north, east) = bounds
    m = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=13,
        tiles=tiles,
        control_scale=True,
    )
    if assets is not None:
        base = assets.rstrip("/")
        m.default_js = [(key, f"{base}/{path}") for key, path in VENDOR_JS]
        m.default_css = [(key, f"{base}/{path}") for key, path in VENDOR_CSS]
    m.fit_bounds([[south, west], [north, east]], padding=(24, 24))
    return m


def _marker_style(index: int, count: int, texts: Mapping[str, str] = TEXTS) -> tuple[str, str, str]:
    """Return the role, marker colour and Font Awesome icon of the index-th stop.

    Examples
    --------
    >>> [_marker_style(i, 3)[0] for i in range(3)]
    ['Start', 'Via 1', 'End']
    """
    if index == 0:
        return texts["start"], "green", "play"
    if index == count - 1:
        return texts["end"], "red", "flag-checkered"
    return f"{texts['via']} {index}", "blue", "location-dot"


def _text(text: str) -> str:
    """Escape text for a folium tooltip, which lands in a JavaScript template literal.

    Examples
    --------
    >>> _text("<b>`${x}`</b>")
    '&lt;b&gt;&#96;&#36;{x}&#96;&lt;/b&gt;'
    """
    escaped = html.escape(text)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
