"""Known-good routes on real data (tests/routes/*.toml) keep their properties."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from gis_data import settings
from gis_data.network import load_network
from routing import plan_route

CORPUS = sorted((Path(__file__).parent / "routes").glob("*.toml"))
DATA = Path(__file__).parent / "data"
MAIN_ROADS = {"trunk", "primary", "secondary"}


def test_corpus_is_there() -> None:
    assert len(CORPUS) >= 6


@pytest.mark.parametrize("case", CORPUS, ids=[p.stem for p in CORPUS])
def test_known_good_route(case: Path) -> None:
    spec: dict[str, Any] = tomllib.loads(case.read_text(encoding="utf-8"))
    expect: dict[str, Any] = spec["expect"]
    G = load_network(DATA / spec["data"] if "data" in spec else settings.default_network)
    route = plan_route(G, [tuple(p) for p in spec["points"]], profile=spec["profile"])
    km = route.length_m / 1000
    assert expect.get("min_km", 0) <= km <= expect.get("max_km", float("inf")), f"{km:.2f} km"
    assert route.signed_share >= expect.get("min_signed_share", 0.0)
    assert route.signed_share <= expect.get("max_signed_share", 1.0)
    main = sum(
        s.length_m
        for s in route.segments
        if s.highway.removesuffix("_link") in MAIN_ROADS and s.infrastructure in {"none", "shared"}
    )
    assert main <= expect.get("max_unaccommodated_main_road_m", float("inf")), f"{main:.0f} m on main roads"
    if "must_use_route" in expect:
        assert expect["must_use_route"] in {u.name for u in route.cycle_routes}
    for highway, most in expect.get("max_highway_share", {}).items():
        assert route.highway_shares.get(highway, 0.0) <= most + 1e-9, highway
