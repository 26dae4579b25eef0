"""Turn the segments read from an input into a bicycle ``nx.MultiDiGraph``.

The graph follows osmnx's shape: nodes carry ``x`` (lon) and ``y`` (lat), edges
carry ``osmid`` (way id), ``geometry`` (a shapely LineString in EPSG:4326 with
every vertex, oriented from ``u`` to ``v``), ``length`` (metres, measured in the
graph's UTM zone) and the way's tags. Bicycle route relations appear on each
edge as ``routes`` (a tuple of relation ids) and in ``G.graph["routes"]``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import TYPE_CHECKING
from typing import Any

import networkx as nx
import numpy as np
from pyproj import Transformer
from shapely import LineString

from gis_data.errors import InvalidDataError

if TYPE_CHECKING:
    from gis_data.readers import RawNetwork

logger = logging.getLogger(__name__)


def utm_epsg(lon: float, lat: float) -> int:
    """Return the EPSG code of the WGS84 UTM zone containing a point.

    Examples
    --------
    >>> utm_epsg(10.02, 45.13)  # Cremona
    32632
    >>> utm_epsg(1.52, 42.51)   # Andorra
    32631
    """
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def graph_from_raw(raw: RawNetwork, *, name: str, source: str) -> nx.MultiDiGraph[int]:
    """Build the bicycle graph from segments read by :mod:`gis_data.readers`.

    Parameters
    ----------
    raw
        Nodes, segments, relations and places of one input.
    name
        A short name for the graph (shown in the web page and the CLI).
    source
        Where the data came from (path or URL), kept in ``G.graph``.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph; see the module docstring for its attributes.

    Raises
    ------
    InvalidDataError
        If the input has no bicycle-usable way.
    """
    if not raw.segments:
        msg = f"No way a bicycle may use was found in {source!r}"
        raise InvalidDataError(msg)
    used = {n for seg in raw.segments for n in (seg.u, seg.v)}
    lons = np.array([raw.nodes[n][0] for n in used])
    lats = np.array([raw.nodes[n][1] for n in used])
    epsg = utm_epsg(float(np.median(lons)), float(np.median(lats)))
    to_utm = Transformer.from_crs(4326, epsg, always_xy=True)
    lengths = _segment_lengths(raw, to_utm)

    G: nx.MultiDiGraph[int] = nx.MultiDiGraph(
        name=name,
        source=source,
        crs="EPSG:4326",
        proj_crs=f"EPSG:{epsg}",
        routes=dict(raw.routes),
    )
    for n in used:
        lon, lat = raw.nodes[n]
        G.add_node(n, x=lon, y=lat)
    for seg, length in zip(raw.segments, lengths, strict=True):
        attrs: dict[str, Any] = dict(seg.tags)
        attrs["osmid"] = seg.way_id
        attrs["length"] = float(length)
        attrs["routes"] = raw.way_routes.get(seg.way_id, ())
        if seg.forward:
            G.add_edge(seg.u, seg.v, geometry=LineString(seg.coords), reversed=False, **attrs)
        if seg.backward:
            G.add_edge(seg.v, seg.u, geometry=LineString(seg.coords[::-1]), reversed=True, **attrs)
    G.graph["places"] = raw.places + _street_places(G)
    logger.info(
        "Built graph %r: %d nodes, %d edges, %d bicycle routes",
        name,
        G.number_of_nodes(),
        G.number_of_edges(),
        len(raw.routes),
    )
    return G


def _segment_lengths(raw: RawNetwork, to_utm: Transformer) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Measure every segment in metres with one vectorised projection."""
    counts = np.array([len(seg.coords) for seg in raw.segments])
    flat = np.array([c for seg in raw.segments for c in seg.coords], dtype=float)
    x, y = to_utm.transform(flat[:, 0], flat[:, 1])
    step = np.hypot(np.diff(x), np.diff(y))
    ends = np.cumsum(counts)
    # Drop the steps that jump from the last vertex of one segment to the next one's first.
    step[ends[:-1] - 1] = 0.0
    seg_ids = np.repeat(np.arange(len(counts)), counts)[:-1]
    totals: np.ndarray[Any, np.dtype[np.float64]]
    totals = np.bincount(seg_ids, weights=step, minlength=len(counts)).astype(float)
    return totals


def _street_places(G: nx.MultiDiGraph[int]) -> list[tuple[str, str, float, float]]:
    """Name each street by a point in the middle of its longest edge."""
    best: dict[str, tuple[float, LineString]] = {}
    for _, _, data in G.edges(data=True):
        street = data.get("name")
        if not street:
            continue
        length = float(data["length"])
        if street not in best or length > best[street][0]:
            best[street] = (length, data["geometry"])
    places: list[tuple[str, str, float, float]] = []
    by_kind: dict[str, int] = defaultdict(int)
    for street, (_, line) in sorted(best.items()):
        mid = line.interpolate(0.5, normalized=True)
        places.append((street, "street", float(mid.x), float(mid.y)))
        by_kind["street"] += 1
    return places
