from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

import poi.categories
from gis_data.poi_sources import read_osm_records
from gis_data.poi_sources import read_overpass_json
from poi.categories import CATEGORIES
from poi.categories import OSM_KEYS
from poi.categories import OSM_RULES
from poi.categories import category_of
from poi.categories import overpass_query
from poi.categories import parse_categories
from poi.categories import parse_category
from poi.errors import UnknownCategoryError
from poi.osm import overpass_pois
from poi.osm import pois_from_osm_records
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from pathlib import Path


def _doc_table() -> dict[str, set[str]]:
    """Parse the tag table of the module docstring into category -> {"k=v + k=v", ...}."""
    doc = poi.categories.__doc__ or ""
    body = doc.split("===================  ")[2].split("\n", 1)[1]
    body = body.split("===================")[0]
    table: dict[str, set[str]] = {}
    current = ""
    for line in body.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            current, _, line = line.partition(" ")
        for rule in line.strip().strip(";").split(";"):
            rule = rule.strip()
            if not rule:
                continue
            key_values, *extra = (p.strip() for p in rule.split("+"))
            if "=" not in key_values:
                continue
            key, values = key_values.split("=")
            for value in values.split("|"):
                table.setdefault(current, set()).add(" + ".join([f"{key}={value}", *extra]))
    return table


def test_docstring_table_matches_rules() -> None:
    from_rules: dict[str, set[str]] = {}
    for rule in OSM_RULES:
        text = " + ".join(f"{k}={v}" for k, v in rule.tags)
        from_rules.setdefault(rule.category, set()).add(text)
    assert _doc_table() == from_rules


def test_every_rule_names_a_known_category() -> None:
    assert {rule.category for rule in OSM_RULES} <= set(CATEGORIES)
    required = {
        "luthier",
        "museum",
        "music_venue",
        "food_producer",
        "food_shop",
        "agriturismo",
        "restaurant",
        "cafe",
        "lodging",
        "infopoint",
        "pro_loco",
        "railway_station",
        "drinking_water",
        "toilets",
        "bike_repair",
        "bike_rental",
        "bicycle_parking",
        "bike_charging",
        "church",
        "monument",
        "castle",
        "viewpoint",
        "monumental_tree",
    }
    assert required <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"tourism": "museum"}, "museum"),
        ({"shop": "musical_instrument"}, "luthier"),
        ({"craft": "luthier"}, "luthier"),
        ({"amenity": "drinking_water"}, "drinking_water"),
        ({"man_made": "water_tap"}, "water_tap"),
        ({"shop": "bicycle"}, "bike_repair"),
        ({"amenity": "bicycle_repair_station"}, "bike_repair"),
        ({"tourism": "information", "information": "office"}, "infopoint"),
        ({"tourism": "information", "information": "guidepost"}, None),
        ({"railway": "station"}, "railway_station"),
        ({"tourism": "guest_house", "guest_house": "agritourism"}, "agriturismo"),
        ({"tourism": "guest_house"}, "lodging"),
        ({"natural": "tree", "denotation": "natural_monument"}, "monumental_tree"),
        ({"natural": "tree"}, None),
        ({"amenity": "charging_station", "bicycle": "yes"}, "bike_charging"),
        ({"amenity": "charging_station"}, None),
        ({"historic": "castle"}, "castle"),
        ({"highway": "residential"}, None),
    ],
)
def test_category_of(tags: dict[str, str], expected: str | None) -> None:
    assert category_of(tags) == expected


def test_parse_category_rejects_unknown_names() -> None:
    with pytest.raises(UnknownCategoryError, match="'spa'"):
        parse_category("spa")
    assert parse_categories(["museum", "toilets,drinking water"]) == frozenset({"museum", "toilets", "drinking_water"})


def test_overpass_query_selects_every_rule() -> None:
    query = overpass_query((45.0, 9.4, 45.6, 10.6))
    for rule in OSM_RULES:
        first_key, first_value = rule.tags[0]
        selector = f'["{first_key}"]' if first_value == "*" else f'["{first_key}"="{first_value}"]'
        assert f"nwr{selector}" in query
    assert query.rstrip().endswith("out center tags;")


def test_osm_extract_and_overpass_answer_give_the_same_pois(tmp_path: Path) -> None:
    # The same real objects, as read from the extract and as Overpass would answer them.
    records = read_osm_records(LIECHTENSTEIN, OSM_KEYS)
    elements = []
    for rec in records:
        kind, _, ident = rec.where.partition("/")
        lon, lat = rec.geometry["coordinates"] if rec.geometry else (0.0, 0.0)
        place = {"lat": lat, "lon": lon} if kind == "node" else {"center": {"lat": lat, "lon": lon}}
        elements.append({"type": kind, "id": int(ident), **place, "tags": dict(rec.properties)})
    answer = tmp_path / "overpass.json"
    answer.write_text(json.dumps({"version": 0.6, "elements": elements}), encoding="utf-8")

    from_extract = pois_from_osm_records(records)
    from_overpass = pois_from_osm_records(read_overpass_json(answer))
    assert from_extract == from_overpass
    assert len(from_extract) > 100
    assert {p.category for p in from_extract} >= {"drinking_water", "museum", "railway_station"}
    assert all(p.id.startswith(("osm-node-", "osm-way-")) for p in from_extract)
    frame = overpass_pois(answer, last_checked="2026-01-01")
    assert len(frame) == len(from_extract)
    assert set(frame["source"]) == {"overpass:overpass.json"}
