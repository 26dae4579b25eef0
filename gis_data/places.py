"""Offline place lookup: coordinates, comuni, towns, railway stations, OSM places, streets.

Names come from the embedded real data sets (ISTAT comuni, GeoNames town centres,
Regione Lombardia railway stations) and from the loaded graph itself (``place=*``
nodes of a raw OSM extract and the graph's street names), so a Liechtenstein
extract resolves "Vaduz" and the Cremona graph resolves "Via Palestro".
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz import process

from gis_data import settings
from gis_data.errors import PlaceNotFoundError

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

LatLon = tuple[float, float]

#: Lower rank wins when several places share a name.
KIND_RANK: dict[str, int] = {
    "coordinates": 0,
    "city": 1,
    "town": 1,
    "comune": 2,
    "village": 2,
    "station": 3,
    "suburb": 4,
    "quarter": 4,
    "hamlet": 5,
    "neighbourhood": 5,
    "locality": 6,
    "street": 7,
}

#: Longest place name looked up; a longer text cannot match and is not compared.
MAX_NAME_CHARS = 200
#: Longest piece of a user's text repeated in a message.
MAX_SHOWN_CHARS = 80

# The separator is written so that no run of spaces can be split two ways: the old
# ``\s*[,; ]\s*`` took 30 s to reject 100 000 spaces (catastrophic backtracking).
_COORDS = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)(?:\s*[,;]\s*|\s+)([-+]?\d+(?:\.\d+)?)\s*$")
#: Longest text read as coordinates ("-45.123456789012, -10.123456789012" is 35).
MAX_COORDS_CHARS = 100


@dataclass(frozen=True, slots=True)
class Place:
    """A resolvable place: its display name, kind and WGS84 position."""

    name: str
    kind: str
    lat: float
    lon: float

    @property
    def latlon(self) -> LatLon:
        """Return ``(lat, lon)``."""
        return (self.lat, self.lon)


def normalize_name(text: str) -> str:
    """Fold a name for matching: no accents, no case, no punctuation, single spaces.

    Examples
    --------
    >>> normalize_name("  Sant'Agata  ")
    'sant agata'
    >>> normalize_name("Pieve d'Olmi") == normalize_name("pieve d olmi")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def parse_latlon(text: str) -> LatLon | None:
    """Parse ``"LAT,LON"``; return ``None`` when the text is not a coordinate pair.

    Raises
    ------
    PlaceNotFoundError
        If the text is a pair of numbers outside the valid latitude/longitude range.

    Examples
    --------
    >>> parse_latlon("45.1334, 10.0246")
    (45.1334, 10.0246)
    >>> parse_latlon("Cremona") is None
    True
    """
    match = _COORDS.match(text) if len(text) <= MAX_COORDS_CHARS else None
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"Coordinates {shown(text.strip())} are out of range (latitude -90..90, longitude -180..180)"
        raise PlaceNotFoundError(msg, text)
    return lat, lon


def shown(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """Return ``repr(text)`` for a message, cut to about ``limit`` characters.

    Examples
    --------
    >>> shown("Crema"), shown("x" * 100, limit=5)
    ("'Crema'", "'xxxxx…' (100 characters)")
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit] + '…'!r} ({len(text)} characters)"


def _features(path: Path) -> list[dict[str, Any]]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return list(doc["features"])


@cache
def reference_places() -> tuple[Place, ...]:
    """Return the places of the embedded data sets (comuni, towns, railway stations).

    Returns
    -------
    tuple of Place
        Town centres first (GeoNames points are better than ISTAT polygon points),
        then comuni not named as a town, then stations as "Stazione di <name>".
    """
    folder = settings.data_folder
    places: list[Place] = []
    towns: set[str] = set()
    for feat in _features(folder / "town-centres-cremona" / "towns_cremona.geojson"):
        name = str(feat["properties"]["name"])
        if name.startswith("Provincia di"):
            continue  # a province centroid stored as a city in the source
        lon, lat = feat["geometry"]["coordinates"][:2]
        places.append(Place(name, "town", float(lat), float(lon)))
        towns.add(normalize_name(name))
    for feat in _features(folder / "istat-boundaries-cremona" / "comuni_cremona_points.geojson"):
        name = str(feat["properties"]["name"])
        if normalize_name(name) in towns:
            continue
        lon, lat = feat["geometry"]["coordinates"][:2]
        places.append(Place(name, "comune", float(lat), float(lon)))
    for feat in _features(folder / "railway-stations-cremona" / "stazioni_cremona_e_dintorni.geojson"):
        name = str(feat["properties"]["stazione"]).title()
        lon, lat = feat["geometry"]["coordinates"][:2]
        places.append(Place(f"Stazione di {name}", "station", float(lat), float(lon)))
    return tuple(places)


def graph_places(G: nx.MultiDiGraph[int]) -> list[Place]:
    """Return the places a graph carries: OSM ``place=*`` nodes and street names."""
    return [Place(name, kind, lat, lon) for name, kind, lon, lat in G.graph.get("places", [])]


def all_places(G: nx.MultiDiGraph[int]) -> list[Place]:
    """Return every resolvable place for a graph, best kind first for each name."""
    places = [*reference_places(), *graph_places(G)]
    return sorted(places, key=lambda p: (KIND_RANK.get(p.kind, 9), p.name))


def resolve_place(G: nx.MultiDiGraph[int], query: str) -> Place:
    """Resolve ``"LAT,LON"`` or a place name to a position.

    Parameters
    ----------
    G
        The bicycle graph; its OSM places and street names are searched too.
    query
        ``"45.1334,10.0246"`` or a name ("Crema", "Stazione di Cremona",
        "Via Palestro"); case, accents and punctuation are ignored.

    Returns
    -------
    Place
        The match; a town wins over a station or a street of the same name.

    Raises
    ------
    PlaceNotFoundError
        If nothing matches; its ``suggestions`` hold the nearest names.
    """
    point = parse_latlon(query)
    if point is not None:
        return Place(query.strip(), "coordinates", point[0], point[1])
    key = normalize_name(query)
    if not key:
        msg = f"Empty place name {shown(query)}"
        raise PlaceNotFoundError(msg, query)
    if len(key) > MAX_NAME_CHARS:
        msg = f"No place matches {shown(query)}: no place name is that long"
        raise PlaceNotFoundError(msg, query)
    places = all_places(G)
    for place in places:
        if normalize_name(place.name) == key:
            return place
    names = {normalize_name(p.name): p.name for p in reversed(places)}
    close = process.extract(key, list(names), scorer=fuzz.WRatio, limit=5, score_cutoff=60)
    suggestions = tuple(names[match] for match, _, _ in close)
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    msg = f"No place matches {shown(query)}.{hint}"
    raise PlaceNotFoundError(msg, query, suggestions)


def search_places(G: nx.MultiDiGraph[int], query: str | None = None, *, limit: int = 50) -> list[Place]:
    """List resolvable places whose name contains the query (all places without one).

    Parameters
    ----------
    G
        The bicycle graph.
    query
        Part of a name; case and accents are ignored.
    limit
        Most places returned.

    Returns
    -------
    list of Place
        Sorted by kind, then name.
    """
    key = normalize_name(query or "")
    found = [p for p in all_places(G) if key in normalize_name(p.name)]
    return found[:limit]
