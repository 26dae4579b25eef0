from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString
from shapely import Point

from gis_data.closures import Closure
from gis_data.closures import read_closures
from gis_data.errors import InvalidDataError
from gis_data.profile_file import read_profile_file
from routing import PRESETS
from routing import ProfileError
from routing import get_profile
from routing import plan_alternatives
from routing import plan_route
from routing import profile_from_dict
from routing.costs import cycle_infrastructure
from routing.costs import edge_factor
from routing.costs import edge_speed_kmh

if TYPE_CHECKING:
    from pathlib import Path

    import networkx as nx

    from routing import Route

BALZERS = (47.0667, 9.5000)
RUGGELL = (47.2398, 9.5263)
VADUZ = (47.1393, 9.5228)
SCHAAN = (47.1663, 9.5103)


def _unaccommodated_main_roads_m(G: nx.MultiDiGraph[int], route: Route) -> float:
    metres = 0.0
    for seg in route.segments:
        if seg.highway.removesuffix("_link") in {"trunk", "primary", "secondary"} and seg.infrastructure in {
            "none",
            "shared",
        }:
            metres += seg.length_m
    return metres


def test_touring_follows_signed_routes_more_than_shortest(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    touring = plan_route(liechtenstein_graph, [BALZERS, RUGGELL])
    shortest = plan_route(liechtenstein_graph, [BALZERS, RUGGELL], profile="shortest")
    assert touring.profile == "touring"
    assert touring.signed_share > 0.8
    assert shortest.signed_share < 0.5
    assert shortest.length_m <= touring.length_m
    assert touring.length_m < 1.15 * shortest.length_m


def test_family_never_on_main_roads_without_cycle_infrastructure(
    liechtenstein_graph: nx.MultiDiGraph[int],
) -> None:
    shortest = plan_route(liechtenstein_graph, [BALZERS, RUGGELL], profile="shortest")
    family = plan_route(liechtenstein_graph, [BALZERS, RUGGELL], profile="family")
    assert _unaccommodated_main_roads_m(liechtenstein_graph, shortest) > 1000
    assert _unaccommodated_main_roads_m(liechtenstein_graph, family) == 0
    assert family.duration_s > shortest.length_m / (16 / 3.6)  # slower rider


def test_explanation_adds_up(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    route = plan_route(liechtenstein_graph, [VADUZ, SCHAAN])
    assert sum(s.length_m for s in route.segments) == pytest.approx(route.length_m)
    starts = [s.start_km for s in route.segments]
    assert starts == sorted(starts)
    assert all(s.cost_factor >= 1 for s in route.segments)
    assert sum(route.infrastructure_shares.values()) == pytest.approx(1.0)


def test_alternatives_are_different(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    routes = plan_alternatives(liechtenstein_graph, [VADUZ, SCHAAN], count=2)
    assert len(routes) == 3
    best = routes[0]
    for alt in routes[1:]:
        assert alt.cost <= 1.5 * best.cost
        assert alt.cost >= best.cost
        shared = alt.geometry.buffer(1e-5).intersection(best.geometry).length / best.geometry.length
        assert shared < 0.8
        assert any("Alternative" in n for n in alt.notes)


def test_no_go_area_is_avoided(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    best = plan_route(liechtenstein_graph, [VADUZ, SCHAAN])
    middle = best.geometry.interpolate(0.5, normalized=True)
    area = Point(middle.x, middle.y).buffer(0.002)
    around = plan_route(liechtenstein_graph, [VADUZ, SCHAAN], avoid=[area])
    assert not around.geometry.intersects(area)
    assert around.cost > best.cost


def _closure_across(route: Route) -> Closure:
    middle = route.geometry.interpolate(0.5, normalized=True)
    return Closure(
        name="Argine chiuso per la caccia",
        geometry=Point(middle.x, middle.y).buffer(0.001),
        start="10-01",
        end="01-31",
        reason="hunting season",
    )


def test_dated_closure_moves_the_route_only_when_in_force(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    best = plan_route(liechtenstein_graph, [BALZERS, RUGGELL])
    closure = _closure_across(best)
    in_force = plan_route(liechtenstein_graph, [BALZERS, RUGGELL], closures=[closure], date=dt.date(2026, 12, 8))
    outside = plan_route(liechtenstein_graph, [BALZERS, RUGGELL], closures=[closure], date=dt.date(2026, 6, 8))
    assert not in_force.geometry.intersects(closure.geometry)
    assert any("Argine chiuso" in n and "hunting season" in n for n in in_force.notes)
    assert outside.geometry.equals(best.geometry)
    assert not outside.notes


def test_closures_file(tmp_path: Path) -> None:
    path = tmp_path / "closures.geojson"
    properties = {"name": "Moso", "start": "10-01", "end": "01-31", "reason": "caccia"}
    feature = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[9.6, 45.4], [9.61, 45.41]]},
        "properties": properties,
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    (moso,) = read_closures(path)
    assert moso.active_on(dt.date(2027, 1, 15))
    assert not moso.active_on(dt.date(2027, 2, 1))
    properties["end"] = "13-40"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(InvalidDataError, match=r"feature 1: bad date '13-40'"):
        read_closures(path)


@pytest.mark.parametrize("name", [*PRESETS, "wet", "gravel+wet"])
def test_presets_resolve(name: str) -> None:
    profile = get_profile(name)
    assert profile.speed_kmh > 0
    assert 0 <= profile.stick_to_routes <= 1


def test_unknown_profile_lists_allowed_names() -> None:
    with pytest.raises(ProfileError, match=r"Unknown profile 'racing'; allowed: touring, road, gravel"):
        get_profile("racing")


def test_wet_weather_dislikes_gravel_more() -> None:
    gravel_track = {"highway": "track", "surface": "gravel", "length": 100.0}
    dry, wet = get_profile("touring"), get_profile("touring+wet")
    assert edge_factor(gravel_track, wet) > edge_factor(gravel_track, dry)
    assert edge_speed_kmh(gravel_track, wet) < edge_speed_kmh(gravel_track, dry)
    paved = {"highway": "residential", "surface": "asphalt", "length": 100.0}
    assert edge_factor(paved, wet) == edge_factor(paved, dry)


def test_profile_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "slow.toml"
    path.write_text('name = "nonna"\nbase = "family"\nspeed_kmh = 10\n\n[road_factor]\ntertiary = 6\n')
    profile = profile_from_dict(read_profile_file(path))
    assert (profile.name, profile.speed_kmh, profile.road_factor["tertiary"]) == ("nonna", 10.0, 6.0)
    assert profile.forbidden == get_profile("family").forbidden


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sped_kmh = 10", "Unknown profile key 'sped_kmh'; allowed keys: name, base, wet"),
        ("speed_kmh = 'fast'", "'speed_kmh' must be a number"),
        ("speed_kmh = 900", "'speed_kmh' must be between 3 and 60"),
        ("[road_factor]\nmotorway = 2", "Unknown road_factor entry 'motorway'; allowed: trunk, primary"),
        ("stick_to_routes = 2", "'stick_to_routes' must be between 0 and 1"),
        ("base = 'racing'", "Unknown profile 'racing'"),
    ],
)
def test_bad_profile_files_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=re.escape(message)):
        profile_from_dict(read_profile_file(path))


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("speed_kmh = 10\nname = \nwet = true\n")
    with pytest.raises(InvalidDataError, match=r"not valid TOML.*line 2"):
        read_profile_file(path)


TAGS = st.fixed_dictionaries(
    {"highway": st.sampled_from(["primary", "secondary", "residential", "track", "cycleway", "path"])},
    optional={
        "surface": st.sampled_from(["asphalt", "gravel", "sett", "ground", "compacted", "weird"]),
        "maxspeed": st.sampled_from(["30", "50", "70", "90", "IT:rural", "none"]),
        "cycleway:right": st.sampled_from(["lane", "track", "no", "shared_lane"]),
        "tracktype": st.sampled_from(["grade1", "grade3", "grade5"]),
        "routes": st.just((1,)),
    },
)


@given(tags=TAGS, name=st.sampled_from([*PRESETS, "touring+wet"]))
def test_costs_are_positive_and_speeds_plausible(tags: dict[str, object], name: str) -> None:
    profile = get_profile(name)
    factor = edge_factor(tags, profile)
    assert factor > 0
    assert 3 <= edge_speed_kmh(tags, profile) <= profile.speed_kmh
    if tags.get("routes"):
        assert factor <= edge_factor({k: v for k, v in tags.items() if k != "routes"}, profile)
    if cycle_infrastructure(tags) == "none" and tags["highway"] in profile.forbidden:
        assert factor == float("inf")


def test_unknown_geometry_line_is_accepted() -> None:
    assert Closure("x", LineString([(0, 0), (1, 1)])).active_on(None)
