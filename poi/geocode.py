"""Offline geocoding of addresses to the street they name, on the graph's street names.

House numbers are not in our data, so a found address is placed on its street,
at the point of the street nearest to the street's centroid, and flagged with
precision ``"street"``. A street is found when the graph has exactly one street
name equal to the address's, or, failing that, exactly one that contains the
address's words in order with the same first and last word ("Via Arisi" →
"Via Francesco Arisi"). With a comune polygon, only the parts of the street
inside it count, so a "Via Milano" of another town is not taken for Cremona's.
Anything else is left unplaced: no position is ever guessed.
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING
from typing import Any

import shapely
from shapely import MultiLineString

from gis_data.places import normalize_name

if TYPE_CHECKING:
    import networkx as nx
    from shapely import LineString
    from shapely.geometry.base import BaseGeometry

LatLon = tuple[float, float]

#: First words that start a street name in an Italian address.
STREET_TYPES: frozenset[str] = frozenset(
    {
        "via",
        "viale",
        "vicolo",
        "piazza",
        "piazzale",
        "piazzetta",
        "corso",
        "largo",
        "strada",
        "stradone",
        "contrada",
        "galleria",
        "lungo",
        "lungopo",
        "borgo",
        "circonvallazione",
        "passaggio",
        "salita",
        "vialetto",
    }
)

#: Longest address read; the patterns below backtrack quadratically on long runs of spaces.
MAX_ADDRESS_CHARS = 300

_HOUSE_NUMBER = re.compile(r"\s+(?:n\.?\s*)?\d+[\w/]*(?:\s.*)?$", re.IGNORECASE)
_PARENS = re.compile(r"\s*\([^)]*\)")

_STREETS: weakref.WeakKeyDictionary[Any, dict[str, list[LineString]]] = weakref.WeakKeyDictionary()


def street_of(address: str) -> str | None:
    """Return the street named at the start of an address, without its house number.

    Returns ``None`` when the address does not start with a street type
    ("Palazzo Mina-Bolzesi, Cremona").

    Examples
    --------
    >>> street_of("Via Decia 22, 26100 Cremona")
    'Via Decia'
    >>> street_of("Piazza del Comune n. 5 - 26100 Cremona")
    'Piazza del Comune'
    >>> street_of("Via Dante (ex biglietteria dell'autostazione), Cremona")
    'Via Dante'
    >>> street_of("Palazzo Mina-Bolzesi, Cremona") is None
    True
    """
    if len(address) > MAX_ADDRESS_CHARS:
        return None  # no real address is this long, and the patterns below are quadratic in it
    first = _PARENS.sub("", address).split(",")[0].split(" - ")[0].strip()
    street = _HOUSE_NUMBER.sub("", first).strip()
    words = street.split()
    if len(words) < 2 or words[0].casefold() not in STREET_TYPES:
        return None
    return street


def street_index(G: nx.MultiDiGraph[int]) -> dict[str, list[LineString]]:
    """Return the lon/lat edge geometries of a graph by normalized street name.

    Built once per graph object and shared by later calls.
    """
    if G in _STREETS:
        return _STREETS[G]
    index: dict[str, list[LineString]] = {}
    seen: set[tuple[int, int]] = set()
    for u, v, data in G.edges(data=True):
        name, geom = data.get("name"), data.get("geometry")
        if not name or geom is None or (v, u) in seen:
            continue  # the reverse copy of a two-way edge adds nothing
        seen.add((u, v))
        for part in str(name).split(";"):
            index.setdefault(normalize_name(part), []).append(geom)
    _STREETS[G] = index
    return index


def match_street(names: list[str], street: str) -> str | None:
    """Return the one normalized street name that an address's street names, if any.

    Examples
    --------
    >>> names = ["via francesco arisi", "via dante", "corso giuseppe garibaldi"]
    >>> match_street(names, "Via Arisi"), match_street(names, "Corso Garibaldi")
    ('via francesco arisi', 'corso giuseppe garibaldi')
    >>> match_street(names, "Via Roma") is None
    True
    """
    key = normalize_name(street)
    if key in names:
        return key
    words = key.split()
    found = [
        name
        for name in names
        if (parts := name.split())[0] == words[0] and parts[-1] == words[-1] and _in_order(words, parts)
    ]
    return found[0] if len(found) == 1 else None


def _in_order(words: list[str], parts: list[str]) -> bool:
    it = iter(parts)
    return all(word in it for word in words)


def geocode_street(G: nx.MultiDiGraph[int], address: str, *, within: BaseGeometry | None = None) -> LatLon | None:
    """Place an address on its street in the graph, or return ``None``.

    Parameters
    ----------
    G
        A graph whose edges carry ``name`` and a lon/lat ``geometry``.
    address
        "Via Decia 22, 26100 Cremona" and the like.
    within
        The comune's polygon (lon/lat); parts of the street outside it are ignored.

    Returns
    -------
    tuple of float or None
        ``(lat, lon)`` on the street, near its middle.
    """
    street = street_of(address)
    if street is None:
        return None
    index = street_index(G)
    name = match_street(list(index), street)
    if name is None:
        return None
    lines = index[name]
    if within is not None:
        lines = [line for line in lines if line.intersects(within)]
        if not lines:
            return None
    merged = shapely.line_merge(MultiLineString(lines))
    point = merged.interpolate(merged.project(merged.centroid))
    return (round(float(point.y), 7), round(float(point.x), 7))
