"""POI categories and the OSM tag → category table.

Every POI has one category id from :data:`CATEGORIES`, with an English and an
Italian label and the GPX ``sym`` written on its waypoint. OSM objects, read
from a raw extract or an Overpass answer, get the category of the first rule
of :data:`OSM_RULES` whose tags they all carry (``*`` = any value):

===================  ==============================================================
category             OSM tags (first matching rule wins, top to bottom)
===================  ==============================================================
monumental_tree      natural=tree + denotation=natural_monument
luthier              craft=luthier; craft=organ_builder; shop=musical_instrument
museum               tourism=museum
music_venue          amenity=music_venue; amenity=theatre; amenity=concert_hall
agriturismo          tourism=* + guest_house=agritourism; agriturismo=yes
lodging              tourism=hotel|hostel|guest_house|motel|camp_site|apartment|chalet
infopoint            tourism=information + information=office
railway_station      railway=station; railway=halt
drinking_water       amenity=drinking_water; man_made=water_tap + drinking_water=yes;
                     amenity=fountain + drinking_water=yes
water_tap            man_made=water_tap
toilets              amenity=toilets
bike_repair          amenity=bicycle_repair_station; shop=bicycle
bike_rental          amenity=bicycle_rental
bicycle_parking      amenity=bicycle_parking
bike_charging        amenity=charging_station + bicycle=yes
food_producer        shop=farm; craft=cheese|confectionery|winery|brewery|distillery|beekeeper
food_shop            shop=cheese|deli|confectionery|pastry|wine|bakery|butcher
restaurant           amenity=restaurant
cafe                 amenity=cafe; amenity=ice_cream
castle               historic=castle; historic=fort
monument             historic=monument|memorial|ruins|archaeological_site|city_gate
church               amenity=place_of_worship
viewpoint            tourism=viewpoint
town_centre          place=city|town|village
===================  ==============================================================

``pro_loco`` and ``other`` have no OSM tag: they come from curated registries.
``tests/test_poi_categories.py`` checks that this table matches :data:`OSM_RULES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from poi.errors import UnknownCategoryError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping


@dataclass(frozen=True, slots=True)
class Category:
    """A POI category: id, labels in English and Italian, and the GPX symbol."""

    id: str
    label_en: str
    label_it: str
    gpx_sym: str


#: Every category, in the order they are listed.
CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("luthier", "Luthier / violin making", "Liuteria", "Shopping Center"),
        Category("museum", "Museum", "Museo", "Museum"),
        Category("music_venue", "Music venue / theatre", "Musica e teatro", "Live Theater"),
        Category("food_producer", "Food producer", "Produttore alimentare", "Shopping Center"),
        Category("food_shop", "Local food shop", "Bottega alimentare", "Shopping Center"),
        Category("agriturismo", "Agriturismo", "Agriturismo", "Lodging"),
        Category("restaurant", "Restaurant", "Ristorante", "Restaurant"),
        Category("cafe", "Café", "Bar / caffè", "Restaurant"),
        Category("lodging", "Lodging", "Alloggio", "Lodging"),
        Category("infopoint", "Infopoint", "Infopoint", "Information"),
        Category("pro_loco", "Pro Loco", "Pro Loco", "Information"),
        Category("railway_station", "Railway station", "Stazione ferroviaria", "Ground Transportation"),
        Category("drinking_water", "Drinking water", "Acqua potabile", "Drinking Water"),
        Category("water_tap", "Water tap", "Rubinetto d'acqua", "Drinking Water"),
        Category("toilets", "Toilets", "Servizi igienici", "Restroom"),
        Category("bike_repair", "Bike shop / repair", "Riparazione bici", "Bike Trail"),
        Category("bike_rental", "Bike rental", "Noleggio bici", "Bike Trail"),
        Category("bicycle_parking", "Bicycle parking", "Parcheggio bici", "Bike Trail"),
        Category("bike_charging", "E-bike charging", "Ricarica e-bike", "Bike Trail"),
        Category("church", "Church", "Chiesa", "Church"),
        Category("monument", "Monument", "Monumento", "Scenic Area"),
        Category("castle", "Castle / fortress", "Castello / fortezza", "Scenic Area"),
        Category("viewpoint", "Viewpoint", "Punto panoramico", "Scenic Area"),
        Category("monumental_tree", "Monumental tree", "Albero monumentale", "Park"),
        Category("town_centre", "Town centre", "Centro paese", "City (Small)"),
        Category("other", "Other", "Altro", "Flag, Blue"),
    )
}

#: Other names accepted for a category in imported registries.
ALIASES: dict[str, str] = {
    "music": "music_venue",
    "theatre": "music_venue",
    "info_point": "infopoint",
    "tourist_information": "infopoint",
    "station": "railway_station",
    "water": "drinking_water",
    "bike_shop": "bike_repair",
    "bike_parking": "bicycle_parking",
    "hotel": "lodging",
    "tree": "monumental_tree",
}


@dataclass(frozen=True, slots=True)
class TagRule:
    """OSM tags (``key``, ``value`` or ``"*"``) that together give a category."""

    category: str
    tags: tuple[tuple[str, str], ...]

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Tell whether an object's tags carry every tag of the rule.

        Examples
        --------
        >>> TagRule("toilets", (("amenity", "toilets"),)).matches({"amenity": "toilets"})
        True
        """
        return all(k in tags and (v == "*" or tags[k] == v) for k, v in self.tags)


def _rules(category: str, key: str, values: str, *extra: tuple[str, str]) -> list[TagRule]:
    return [TagRule(category, ((key, value), *extra)) for value in values.split("|")]


#: The OSM tag → category table, in matching order (see the module docstring).
OSM_RULES: tuple[TagRule, ...] = (
    TagRule("monumental_tree", (("natural", "tree"), ("denotation", "natural_monument"))),
    *_rules("luthier", "craft", "luthier|organ_builder"),
    *_rules("luthier", "shop", "musical_instrument"),
    *_rules("museum", "tourism", "museum"),
    *_rules("music_venue", "amenity", "music_venue|theatre|concert_hall"),
    TagRule("agriturismo", (("tourism", "*"), ("guest_house", "agritourism"))),
    *_rules("agriturismo", "agriturismo", "yes"),
    *_rules("lodging", "tourism", "hotel|hostel|guest_house|motel|camp_site|apartment|chalet"),
    TagRule("infopoint", (("tourism", "information"), ("information", "office"))),
    *_rules("railway_station", "railway", "station|halt"),
    *_rules("drinking_water", "amenity", "drinking_water"),
    TagRule("drinking_water", (("man_made", "water_tap"), ("drinking_water", "yes"))),
    TagRule("drinking_water", (("amenity", "fountain"), ("drinking_water", "yes"))),
    *_rules("water_tap", "man_made", "water_tap"),
    *_rules("toilets", "amenity", "toilets"),
    *_rules("bike_repair", "amenity", "bicycle_repair_station"),
    *_rules("bike_repair", "shop", "bicycle"),
    *_rules("bike_rental", "amenity", "bicycle_rental"),
    *_rules("bicycle_parking", "amenity", "bicycle_parking"),
    TagRule("bike_charging", (("amenity", "charging_station"), ("bicycle", "yes"))),
    *_rules("food_producer", "shop", "farm"),
    *_rules("food_producer", "craft", "cheese|confectionery|winery|brewery|distillery|beekeeper"),
    *_rules("food_shop", "shop", "cheese|deli|confectionery|pastry|wine|bakery|butcher"),
    *_rules("restaurant", "amenity", "restaurant"),
    *_rules("cafe", "amenity", "cafe|ice_cream"),
    *_rules("castle", "historic", "castle|fort"),
    *_rules("monument", "historic", "monument|memorial|ruins|archaeological_site|city_gate"),
    *_rules("church", "amenity", "place_of_worship"),
    *_rules("viewpoint", "tourism", "viewpoint"),
    *_rules("town_centre", "place", "city|town|village"),
)

#: The first key of every rule: an OSM object without any of them is no POI.
OSM_KEYS: frozenset[str] = frozenset(rule.tags[0][0] for rule in OSM_RULES)


def category_of(tags: Mapping[str, str]) -> str | None:
    """Return the category of an OSM object's tags, or ``None`` if it is no POI.

    Examples
    --------
    >>> category_of({"tourism": "information", "information": "office"})
    'infopoint'
    >>> category_of({"tourism": "information", "information": "board"}) is None
    True
    >>> category_of({"man_made": "water_tap", "drinking_water": "yes"})
    'drinking_water'
    """
    for rule in OSM_RULES:
        if rule.matches(tags):
            return rule.category
    return None


def parse_category(text: str) -> str:
    """Return the category id named by an id, an alias or an English label.

    Raises
    ------
    UnknownCategoryError
        If the text names no category.

    Examples
    --------
    >>> parse_category("Drinking water"), parse_category("music"), parse_category(" MUSEUM ")
    ('drinking_water', 'music_venue', 'museum')
    """
    key = "_".join(text.strip().casefold().replace("-", " ").split())
    if key in CATEGORIES:
        return key
    if key in ALIASES:
        return ALIASES[key]
    for cat in CATEGORIES.values():
        if key == "_".join(cat.label_en.casefold().split()):
            return cat.id
    msg = f"Unknown POI category {text!r}; known: {', '.join(CATEGORIES)}"
    raise UnknownCategoryError(msg)


def parse_categories(texts: Iterable[str] | None) -> frozenset[str] | None:
    """Return the category ids named by several texts, each possibly comma-separated.

    ``None`` or nothing named means every category.

    Examples
    --------
    >>> sorted(parse_categories(["toilets,drinking_water"]) or [])
    ['drinking_water', 'toilets']
    >>> parse_categories([]) is None
    True
    """
    names = [part for text in texts or () for part in text.split(",") if part.strip()]
    return frozenset(parse_category(name) for name in names) or None


def category_label(category: str, *, lang: str = "en") -> str:
    """Return a category's label in English (``"en"``) or Italian (``"it"``).

    Examples
    --------
    >>> category_label("drinking_water"), category_label("drinking_water", lang="it")
    ('Drinking water', 'Acqua potabile')
    """
    cat = CATEGORIES.get(category, CATEGORIES["other"])
    return cat.label_it if lang == "it" else cat.label_en


def overpass_query(bbox: tuple[float, float, float, float], *, timeout_s: int = 120) -> str:
    """Build the Overpass QL query that downloads every POI of the table in a box.

    The answer (``[out:json]``) is read by :func:`gis_data.poi_sources.read_overpass_json`
    and categorised with :func:`category_of`, so both use the same table.

    Parameters
    ----------
    bbox
        ``(south, west, north, east)`` in degrees.
    timeout_s
        Server-side time limit, in seconds.

    Examples
    --------
    >>> q = overpass_query((45.10, 9.98, 45.16, 10.06))
    >>> q.splitlines()[0], 'nwr["amenity"="drinking_water"](45.1,9.98,45.16,10.06);' in q
    ('[out:json][timeout:120];', True)
    """
    box = ",".join(f"{v:g}" for v in bbox)
    lines = [f"[out:json][timeout:{timeout_s}];", "("]
    for rule in OSM_RULES:
        selector = "".join(f'["{k}"]' if v == "*" else f'["{k}"="{v}"]' for k, v in rule.tags)
        lines.append(f"  nwr{selector}({box});")
    lines += [");", "out center tags;"]
    return "\n".join(lines)
