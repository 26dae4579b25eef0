from __future__ import annotations

import itertools
import math
import random
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from gis_data.network import load_network
from gis_data.network import prepared_path
from gis_data.ordering import contraction_order
from gis_data.ordering import dissection_ranks
from routing.compact import compact_graph
from routing.costs import cost_table
from routing.costs import edge_cost
from routing.costs import edge_factor
from routing.costs import edge_speed_kmh
from routing.costs import edge_time_s
from routing.hierarchy import build_shape
from routing.hierarchy import customize
from routing.hierarchy import search
from routing.hierarchy import unpack
from routing.hierarchy import walk
from routing.profiles import PRESETS
from routing.profiles import get_profile
from routing.weighting import search_index
from tests.conftest import CREMONA_CENTRE

if TYPE_CHECKING:
    import networkx as nx


@st.composite
def weighted_graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]], list[int]]:
    n = draw(st.integers(2, 25))
    vertex = st.integers(0, n - 1)
    cost = st.one_of(st.floats(1e-6, 100.0), st.sampled_from([1.0, 2.0, math.inf]))
    edges = draw(st.lists(st.tuples(vertex, vertex, cost), min_size=1, max_size=80))
    ranks = draw(st.permutations(list(range(n))))
    return n, edges, ranks


def _cheapest(edges: list[tuple[int, int, float]]) -> dict[tuple[int, int], float]:
    best: dict[tuple[int, int], float] = {}
    for a, b, c in edges:
        if a != b and math.isfinite(c) and c < best.get((a, b), math.inf):
            best[(a, b)] = c
    return best


@hsettings(max_examples=150, deadline=None)
@given(case=weighted_graphs(), use_dissection=st.booleans())
def test_hierarchy_costs_and_paths_equal_dijkstra(
    case: tuple[int, list[tuple[int, int, float]], list[int]], use_dissection: bool
) -> None:
    n, edges, ranks = case
    tail = np.array([e[0] for e in edges], dtype=np.int64)
    head = np.array([e[1] for e in edges], dtype=np.int64)
    if use_dissection:
        rng = np.random.default_rng(n)
        rank = dissection_ranks(rng.random(n), rng.random(n), tail, head)
    else:
        rank = np.array(ranks, dtype=np.int64)
    best = _cheapest(edges)
    pt = np.array([p[0] for p in best], dtype=np.int64)
    ph = np.array([p[1] for p in best], dtype=np.int64)
    pw = np.array(list(best.values()), dtype=np.float64)
    shape = build_shape(n, rank, tail, head)
    assert (shape.keys[shape.top] == shape.head[shape.lower] * n + shape.head[shape.upper]).all()
    h = customize(shape, pt, ph, pw)
    expected = dijkstra(csr_matrix((pw, (pt, ph)), shape=(n, n)))
    for s in range(n):
        fwd, fwd_pred, bwd, bwd_pred = search(h, [s], list(range(n)))
        through = fwd[0][None, :] + bwd
        for t in range(n):
            cost = float(through[t].min())
            if not math.isfinite(expected[s, t]):
                assert not math.isfinite(cost)
                continue
            assert cost == pytest.approx(expected[s, t], rel=1e-12, abs=1e-12)
            meet = int(through[t].argmin())
            ranked = walk(fwd_pred[0], int(rank[s]), meet) + walk(bwd_pred[t], int(rank[t]), meet, shift=n)[-2::-1]
            path = unpack(h, ranked)
            assert path[0] == s
            assert path[-1] == t
            ridden = sum(best[(a, b)] for a, b in itertools.pairwise(path))
            assert ridden == pytest.approx(expected[s, t], rel=1e-12, abs=1e-12)


def test_dissection_ranks_are_a_permutation() -> None:
    rng = np.random.default_rng(1)
    n = 500
    tail = rng.integers(0, n, 1500)
    head = rng.integers(0, n, 1500)
    rank = dissection_ranks(rng.random(n), rng.random(n), tail, head)
    assert sorted(rank.tolist()) == list(range(n))


@pytest.mark.parametrize("name", [*PRESETS, "touring+wet"])
def test_cost_table_equals_the_per_edge_functions(centre_graph: nx.MultiDiGraph[int], name: str) -> None:
    profile = get_profile(name)
    compact = compact_graph(centre_graph)
    table = cost_table(compact.class_data, compact.cost_class, compact.length, profile)
    for e, data in enumerate(compact.data):
        c = compact.cost_class[e]
        assert table.speed_kmh[c] == edge_speed_kmh(data, profile)
        assert table.factor[c] == edge_factor(data, profile)
        assert table.time_s[e] == edge_time_s(data, profile)
        assert table.cost[e] == edge_cost(data, profile) or (
            math.isinf(table.cost[e]) and math.isinf(edge_cost(data, profile))
        )


def test_search_index_keeps_the_cheapest_parallel_edge(centre_graph: nx.MultiDiGraph[int]) -> None:
    index = search_index(centre_graph, get_profile("family"))
    for (u, v), i in itertools.islice(index.entry.items(), 300):
        costs = [max(edge_cost(d, get_profile("family")), 1e-6) for d in centre_graph[u][v].values()]
        assert index.data[i] == min(costs)
        assert centre_graph.edges[u, v, index.best_key[(u, v)]]
        assert index.edge_of[(u, v)] == compact_graph(centre_graph).edge_id[(u, v, index.best_key[(u, v)])]


def test_prepared_graph_keeps_geometries_and_order() -> None:
    first = load_network(CREMONA_CENTRE)
    assert prepared_path(CREMONA_CENTRE).exists()
    again = load_network(CREMONA_CENTRE)
    assert again is not first
    for (u, v, k, d), (u2, v2, k2, d2) in zip(
        first.edges(keys=True, data=True), again.edges(keys=True, data=True), strict=True
    ):
        assert (u, v, k) == (u2, v2, k2)
        assert d["geometry"].equals_exact(d2["geometry"], 0.0)
        assert {x: y for x, y in d.items() if x != "geometry"} == {x: y for x, y in d2.items() if x != "geometry"}
    assert sorted(contraction_order(again).tolist()) == sorted(again.nodes)


def test_random_routes_match_plain_dijkstra_on_the_centre(centre_graph: nx.MultiDiGraph[int]) -> None:
    index = search_index(centre_graph, "length")
    rng = random.Random(5)
    positions = list(range(len(index.nodes)))
    full = dijkstra(index.matrix)
    h = index.hierarchy
    for _ in range(200):
        s, t = rng.choice(positions), rng.choice(positions)
        fwd, _, bwd, _ = search(h, [s], [t])
        got = float((fwd[0] + bwd[0]).min())
        if math.isfinite(full[s, t]):
            assert got == pytest.approx(full[s, t], rel=1e-12)
        else:
            assert not math.isfinite(got)
