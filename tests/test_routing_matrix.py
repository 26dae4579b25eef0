"""Many-to-many route costs and the hierarchy probe, checked against one route query per pair."""

from __future__ import annotations

import concurrent.futures
import math
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import pytest

from routing import plan_route
from routing.matrix import cost_matrix
from routing.tour import route_matrices

if TYPE_CHECKING:
    import networkx as nx


def _points(G: nx.MultiDiGraph[int], count: int, seed: int) -> list[tuple[float, float]]:
    """Junctions and points part-way along real edges, some on the same way as another point."""
    rng = np.random.default_rng(seed)
    edges: list[tuple[int, int, int, Any]] = list(G.edges(keys=True, data="geometry"))
    out: list[tuple[float, float]] = []
    for i in rng.choice(len(edges), count, replace=False).tolist():
        line = edges[i][3]
        x, y = line.interpolate(float(rng.uniform(0.1, 0.9)), normalized=True).coords[0]
        out.append((y, x))
    # Two points on the same edge, ahead of and behind each other.
    line = edges[int(rng.integers(len(edges)))][3]
    for where in (0.2, 0.7):
        x, y = line.interpolate(where, normalized=True).coords[0]
        out.append((y, x))
    return out


@pytest.mark.parametrize("profile", ["touring", "shortest", "family"])
def test_matrix_equals_one_query_per_pair(liechtenstein_graph: nx.MultiDiGraph[int], profile: str) -> None:
    points = _points(liechtenstein_graph, 10, seed=7)
    fast = cost_matrix(liechtenstein_graph, points, profile=profile)
    slow, _ = route_matrices(liechtenstein_graph, points, profile=profile)
    assert fast.shape == (len(points), len(points))
    assert (np.isfinite(fast) == np.isfinite(slow)).all()
    finite = np.isfinite(slow)
    np.testing.assert_allclose(fast[finite], slow[finite], rtol=1e-12, atol=1e-9)
    # The same costs plan_route reports for a pair.
    route = plan_route(liechtenstein_graph, [points[0], points[1]], profile=profile)
    assert fast[0, 1] == pytest.approx(route.cost, rel=1e-9)


def test_matrix_on_the_city_graph_has_unreachable_pairs_as_inf(cremona_graph: nx.MultiDiGraph[int]) -> None:
    points = _points(cremona_graph, 8, seed=3)
    fast = cost_matrix(cremona_graph, points)
    slow, _ = route_matrices(cremona_graph, points)
    assert np.array_equal(np.isinf(fast), np.isinf(slow))
    finite = np.isfinite(slow)
    np.testing.assert_allclose(fast[finite], slow[finite], rtol=1e-12, atol=1e-9)
    assert all(fast[i, i] == 0 for i in range(len(points)))


def test_concurrent_queries_give_the_sequential_answers(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    """Each thread writes its entry arcs into its own copy of the search graph."""
    points = _points(liechtenstein_graph, 12, seed=11)
    pairs = [(points[i], points[j]) for i in range(len(points)) for j in range(len(points)) if i != j][:60]
    expected = [plan_route(liechtenstein_graph, [a, b]).cost for a, b in pairs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda ab: plan_route(liechtenstein_graph, [ab[0], ab[1]]).cost, pairs))
    assert got == expected
    assert all(math.isfinite(c) for c in got)
