"""The public records staff can start from: the POIs and events visitors saw before any staff edit.

An embedded POI or event (a data set we ship, or an import) has no row in the
content store until staff edit it; its current record is then the starting
draft, and the published edit replaces the record of the same id. Closures
exist only in the content store.
"""

from __future__ import annotations

from typing import Any

from gis_data.places import normalize_name
from poi.content import event_document
from poi.content import poi_document
from poi.events_data import all_events
from poi.model import gdf_to_pois
from web.pois import base_pois

#: Most public records a search lists.
MAX_MATCHES = 50


def public_document(kind: str, item_id: str) -> dict[str, Any] | None:
    """Return the document of an embedded POI or event, ``None`` if there is none with the id."""
    if kind == "poi":
        pois = base_pois()
        rows = pois[pois["id"] == item_id]
        return poi_document(gdf_to_pois(rows)[0]) if len(rows) else None
    if kind == "event":
        found = [e for e in all_events(base_pois()) if e.id == item_id]
        return event_document(found[0]) if found else None
    return None


def public_ids(kind: str) -> set[str]:
    """Return the ids of the embedded records of a kind (a new item must not take one)."""
    if kind == "poi":
        return {str(i) for i in base_pois()["id"]}
    if kind == "event":
        return {e.id for e in all_events(base_pois())}
    return set()


def public_matches(kind: str, query: str) -> list[tuple[str, str, str]]:
    """Return ``(id, name, comune)`` of the embedded records whose name or id contains the query (accents ignored).

    At most :data:`MAX_MATCHES`, by name.
    """
    words = normalize_name(query)
    if not words:
        return []
    if kind == "poi":
        rows = base_pois()[["id", "name", "comune"]].itertuples(index=False)
        records = [(str(i), str(name or ""), str(comune or "")) for i, name, comune in rows]
    elif kind == "event":
        records = [(e.id, e.name, e.comune) for e in all_events(base_pois())]
    else:
        return []
    found = [r for r in records if words in normalize_name(r[1]) or words in normalize_name(r[0])]
    return sorted(found, key=lambda r: (normalize_name(r[1]), r[0]))[:MAX_MATCHES]
