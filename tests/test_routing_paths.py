from __future__ import annotations

import math
from typing import TYPE_CHECKING

import networkx as nx
import pytest
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pyproj import Geod

from routing import InvalidPointError
from routing import NoRouteError
from routing import PointOffNetworkError
from routing import add_bike_costs
from routing import get_profile
from routing import plan_route
from routing import route_to_feature
from routing import snap_point
from tests.common import NODES
from tests.common import square_graph

if TYPE_CHECKING:
    from routing import Route

GEOD = Geod(ellps="WGS84")
_COSTED: dict[str, nx.MultiDiGraph[int]] = {}
PIAZZA_DEL_COMUNE = (45.1334, 10.0246)
CREMONA_STATION = (45.1433, 10.0180)


def _at(node: int) -> tuple[float, float]:
    lon, lat = NODES[node]
    return (lat, lon)


def _geodesic(route: Route) -> float:
    return float(GEOD.geometry_length(route.geometry))


@pytest.mark.parametrize(
    ("oneway", "contraflow", "expected_sides"),
    [(False, False, 1), (True, False, 3), (True, True, 1)],
)
def test_square_respects_oneway(oneway: bool, contraflow: bool, expected_sides: int) -> None:
    G = square_graph(oneway_bottom=oneway, contraflow=contraflow)
    side = G.edges[1, 2, 0]["length"]
    route = plan_route(G, [_at(2), _at(1)])  # against the one-way bottom side
    assert route.length_m == pytest.approx(expected_sides * side, rel=0.02)


def test_square_reports_named_route_share() -> None:
    G = square_graph(oneway_bottom=True)
    route = plan_route(G, [_at(2), _at(1)])  # goes round 2-3-4-1, the top side is route T1
    (use,) = route.cycle_routes
    assert use.ref == "T1"
    assert use.share == pytest.approx(1 / 3, rel=0.02)


def test_start_and_end_on_one_edge() -> None:
    G = square_graph()
    lat = NODES[1][1]
    a, b = (lat, 10.0233), (lat, 10.0240)
    route = plan_route(G, [a, b])
    assert route.length_m == pytest.approx(GEOD.inv(10.0233, lat, 10.0240, lat)[2], rel=1e-3)
    assert route.geometry.coords[0] == pytest.approx((10.0233, lat))


def test_city_route_matches_networkx(cremona_graph: nx.MultiDiGraph[int]) -> None:
    route = plan_route(cremona_graph, [PIAZZA_DEL_COMUNE, CREMONA_STATION], profile="shortest")
    # the same ride computed by networkx between the route's first and last junctions,
    # plus the partial edges at both ends
    inner = nx.shortest_path_length(cremona_graph, route.nodes[1], route.nodes[-2], weight="length")
    start, end = route.snaps
    first = cremona_graph.edges[start.edge]["length"]
    ends = route.length_m - inner
    assert 0 <= ends <= first + cremona_graph.edges[end.edge]["length"]
    assert route.length_m == pytest.approx(_geodesic(route), rel=5e-3)
    assert 2000 < route.length_m < 3500
    assert all(s.distance_m < 150 for s in route.snaps)
    assert sum(route.surface_shares.values()) == pytest.approx(1.0)
    assert sum(route.highway_shares.values()) == pytest.approx(1.0)
    assert route.duration_s == pytest.approx(route.length_m / (16 / 3.6), rel=0.05)


def test_via_point_lengthens_route(cremona_graph: nx.MultiDiGraph[int]) -> None:
    direct = plan_route(cremona_graph, [PIAZZA_DEL_COMUNE, CREMONA_STATION])
    via_po = (45.1270, 10.0120)  # towards the Po, south-west of the centre
    through = plan_route(cremona_graph, [PIAZZA_DEL_COMUNE, via_po, CREMONA_STATION])
    assert len(through.snaps) == 3
    assert through.length_m > direct.length_m + 500
    assert through.geometry.distance(type(through.geometry)([(via_po[1], via_po[0]), (via_po[1], via_po[0])])) < 0.01


def test_point_off_network_names_point_and_distance(cremona_graph: nx.MultiDiGraph[int]) -> None:
    with pytest.raises(PointOffNetworkError, match=r"45\.58000,9\.50000 is \d+\.\d km") as info:
        plan_route(cremona_graph, [(45.58, 9.50), CREMONA_STATION])
    assert info.value.distance_m > 30_000


def test_snap_limit_is_configurable(cremona_graph: nx.MultiDiGraph[int]) -> None:
    near = (45.1334, 10.0250)
    snap = snap_point(cremona_graph, near, limit_m=1000)
    with pytest.raises(PointOffNetworkError):
        snap_point(cremona_graph, near, limit_m=snap.distance_m / 2)


@pytest.mark.parametrize(
    "points",
    [[(45.1, 10.0)], [(math.nan, 10.0), (45.1, 10.0)], [(95.0, 10.0), (45.1, 10.0)]],
)
def test_invalid_points(cremona_graph: nx.MultiDiGraph[int], points: list[tuple[float, float]]) -> None:
    with pytest.raises(InvalidPointError):
        plan_route(cremona_graph, points)


def test_unconnected_points_raise_no_route(cremona_graph: nx.MultiDiGraph[int]) -> None:
    components = sorted(nx.strongly_connected_components(cremona_graph), key=len)
    small = next(c for c in components if len(c) >= 2)
    big = components[-1]
    a = next(iter(small))
    b = next(iter(big))
    pa = (cremona_graph.nodes[a]["y"], cremona_graph.nodes[a]["x"])
    pb = (cremona_graph.nodes[b]["y"], cremona_graph.nodes[b]["x"])
    with pytest.raises(NoRouteError, match=rf"{pa[0]:.5f},{pa[1]:.5f}.*{pb[0]:.5f},{pb[1]:.5f}"):
        plan_route(cremona_graph, [pa, pb])


def test_feature_carries_summary(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    # Along the Rhine dam from Balzers towards Ruggell
    route = plan_route(liechtenstein_graph, [(47.0667, 9.5000), (47.2398, 9.5263)])
    feature = route_to_feature(route)
    assert feature["geometry"]["type"] == "LineString"
    props = feature["properties"]
    assert props["length_m"] == pytest.approx(route.length_m, abs=0.1)
    names = {c["name"] for c in props["cycle_routes"]}
    assert "10 Rheindammradweg" in names
    assert all(0 < c["share"] <= 1 for c in props["cycle_routes"])


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), profile=st.sampled_from(["shortest", "touring", "road+wet"]))
def test_node_to_node_routes_equal_networkx(
    liechtenstein_graph: nx.MultiDiGraph[int], data: st.DataObject, profile: str
) -> None:
    G = liechtenstein_graph
    components: list[set[int]] = [set(c) for c in nx.strongly_connected_components(G)]
    largest = max(len(c) for c in components)
    big = sorted(next(c for c in components if len(c) == largest))
    a = data.draw(st.sampled_from(big))
    b = data.draw(st.sampled_from(big))
    pa = (G.nodes[a]["y"], G.nodes[a]["x"])
    pb = (G.nodes[b]["y"], G.nodes[b]["x"])
    route = plan_route(G, [pa, pb], profile=profile)
    # A junction can also lie on another way that crosses it without sharing the node
    # (bridges, tunnels); a point there is on both, and the route may rightly use the other.
    assume(a in route.snaps[0].edge[:2] and b in route.snaps[1].edge[:2])
    if profile == "shortest":
        expected = nx.shortest_path_length(G, a, b, weight="length")
        assert route.length_m == pytest.approx(expected, rel=1e-6, abs=1e-3)
    else:
        costed = _COSTED.get(profile) or _COSTED.setdefault(profile, add_bike_costs(G, profile=get_profile(profile)))
        expected = nx.shortest_path_length(costed, a, b, weight="bike_cost")
        assert route.cost == pytest.approx(expected, rel=1e-6, abs=1e-3)
    assert route.length_m >= 0
    assert route.geometry.coords[0] == pytest.approx((pa[1], pa[0]))
    assert route.geometry.coords[-1] == pytest.approx((pb[1], pb[0]))
