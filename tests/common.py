"""Tiny hand-built networks, named once and shared through ``parametrize`` (shapely style).

Coordinates are real positions in Cremona (around Piazza del Comune) so lengths
are realistic; the topology is made up to exercise one rule at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gis_data.bike_access import bicycle_directions
from gis_data.graph_build import graph_from_raw
from gis_data.readers import RawNetwork
from gis_data.readers import Segment

if TYPE_CHECKING:
    import networkx as nx

# A square of four junctions, about 110 m a side:
#   4 ---- 3
#   |      |
#   1 ---- 2
NODES: dict[int, tuple[float, float]] = {
    1: (10.0230, 45.1330),
    2: (10.0244, 45.1330),
    3: (10.0244, 45.1340),
    4: (10.0230, 45.1340),
}


def square_graph(oneway_bottom: bool = False, contraflow: bool = False) -> nx.MultiDiGraph[int]:
    """Build the square; the bottom side 1→2 may be one-way, with or without a contraflow lane."""
    raw = RawNetwork(nodes=dict(NODES))
    sides = [(10, 1, 2), (11, 2, 3), (12, 3, 4), (13, 4, 1)]
    for way_id, u, v in sides:
        tags = {"highway": "residential", "name": f"Via {way_id}", "surface": "asphalt"}
        if way_id == 10 and oneway_bottom:
            tags["oneway"] = "yes"
            if contraflow:
                tags["oneway:bicycle"] = "no"
        forward, backward = bicycle_directions(tags)
        raw.segments.append(Segment(way_id, u, v, (NODES[u], NODES[v]), tags, forward=forward, backward=backward))
    raw.routes = {99: {"name": "Ciclabile di prova", "ref": "T1", "network": "lcn", "type": "route"}}
    raw.way_routes = {12: (99,)}
    return graph_from_raw(raw, name="square", source="tests/common.py")
