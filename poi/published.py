"""Put what staff published into the public collections: published records replace or add, withdrawn ones go.

The same rule for POIs and events: a published record replaces the record of
the same id (from the embedded data or an import) or is added; a withdrawn id
disappears, whatever its origin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from poi.model import CRS
from poi.model import pois_to_gdf

if TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Mapping
    from collections.abc import Sequence

    from poi.events import Event
    from poi.model import Poi


def apply_to_pois(pois: gpd.GeoDataFrame, published: Mapping[str, Poi], withdrawn: Collection[str]) -> gpd.GeoDataFrame:
    """Return a new POI collection with the published records and without the withdrawn ids.

    Examples
    --------
    >>> from poi.model import Poi
    >>> base = pois_to_gdf([Poi("a", "A", "museum", 45.1, 10.0), Poi("b", "B", "museum", 45.2, 10.0)])
    >>> out = apply_to_pois(base, {"a": Poi("a", "A2", "museum", 45.1, 10.0)}, {"b"})
    >>> list(out["name"])
    ['A2']
    """
    gone = set(withdrawn) | set(published)
    kept = pois[~pois["id"].isin(list(gone))]
    if not published:
        return gpd.GeoDataFrame(kept.copy(), geometry="geometry", crs=CRS)
    added = pois_to_gdf(published[k] for k in sorted(published) if k not in withdrawn)
    frame = pd.concat([kept, added], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def apply_to_events(events: Sequence[Event], published: Mapping[str, Event], withdrawn: Collection[str]) -> list[Event]:
    """Return the events with the published ones (replacing those of the same id) and without the withdrawn ids.

    Examples
    --------
    >>> from poi.events import Event
    >>> out = apply_to_events([Event("a", "A"), Event("b", "B")], {"a": Event("a", "A2"), "c": Event("c", "C")}, {"b"})
    >>> [e.name for e in out]
    ['A2', 'C']
    """
    replaced = [published.get(e.id, e) for e in events if e.id not in withdrawn]
    known = {e.id for e in events}
    return replaced + [published[k] for k in sorted(published) if k not in known and k not in withdrawn]
