"""Turn no-go areas and dated closures into the node pairs a search may not use."""

from __future__ import annotations

import contextlib
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING
from typing import Any

from routing.snapping import edge_index
from routing.snapping import project_geometry

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable
    from collections.abc import Sequence

    import networkx as nx
    from shapely.geometry.base import BaseGeometry

    from gis_data.closures import Closure


def blocked_pairs(
    G: nx.MultiDiGraph[int], areas: Iterable[BaseGeometry], *, buffer_m: float = 0.0
) -> set[tuple[int, int]]:
    """Return the ``(u, v)`` pairs of every edge touching any of the areas.

    Parameters
    ----------
    G
        The bicycle graph.
    areas
        Polygons or lines in WGS84 (lon/lat).
    buffer_m
        Lines (and polygons) are widened by this many metres first.

    Returns
    -------
    set of tuple
        Both directions of each touched way.
    """
    index = edge_index(G)
    pairs: set[tuple[int, int]] = set()
    for area in areas:
        projected = project_geometry(area, index.to_proj)
        if buffer_m > 0 or projected.geom_type.endswith("LineString"):
            projected = projected.buffer(max(buffer_m, 1.0))
        for i in index.tree.query(projected, predicate="intersects"):
            u, v, _ = index.edges[int(i)]
            pairs.add((u, v))
            pairs.add((v, u))
    return pairs


def active_closures(closures: Sequence[Closure], day: dt.date | None) -> list[Closure]:
    """Return the closures in force on a day (always-on no-go areas included)."""
    return [c for c in closures if c.active_on(day)]


#: Closure sets whose node pairs are remembered per graph (the web planner applies the same published set to
#: every request).
KEPT_CLOSURE_SETS = 8
_SHUT: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Closure, ...], dict[tuple[int, int], Closure]]] = (
    weakref.WeakKeyDictionary()
)


def closure_pairs(G: nx.MultiDiGraph[int], closures: Iterable[Closure]) -> dict[tuple[int, int], Closure]:
    """Map each node pair a closure shuts to that closure (a new dict; the work is done once per closure set)."""
    key = tuple(closures)
    if not key:
        return {}
    known = _SHUT.get(G)
    if known is None:
        known = _SHUT.setdefault(G, OrderedDict())
    found = known.get(key)
    if found is None:
        found = {}
        for closure in key:
            for pair in blocked_pairs(G, [closure.geometry], buffer_m=closure.buffer_m):
                found.setdefault(pair, closure)
        known[key] = found
        # Threads may race here; losing a remembered set only costs computing it again.
        with contextlib.suppress(KeyError):
            while len(known) > KEPT_CLOSURE_SETS:
                known.popitem(last=False)
    return dict(found)
