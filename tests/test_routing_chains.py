"""The search among the ancestor chains gives the whole-hierarchy search's answers, on real graphs."""

from __future__ import annotations

import concurrent.futures
from typing import TYPE_CHECKING

import numpy as np
import pytest

import routing.search
from routing import plan_route
from routing.chains import ancestors
from routing.chains import climb_chains
from routing.chains import parents
from routing.probe import climb
from routing.profiles import get_profile
from routing.weighting import search_index
from tests.test_routing_matrix import _points

if TYPE_CHECKING:
    import networkx as nx


@pytest.mark.parametrize("profile", ["touring", "shortest"])
def test_routes_through_the_chains_equal_those_through_the_whole_hierarchy(
    liechtenstein_graph: nx.MultiDiGraph[int], profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    points = _points(liechtenstein_graph, 14, seed=23)
    pairs = [(points[i], points[j]) for i in range(len(points)) for j in range(len(points)) if i != j][:80]
    whole = [plan_route(liechtenstein_graph, [a, b], profile=profile) for a, b in pairs]
    monkeypatch.setattr(routing.search, "CHAINS_FROM", 0)
    chains = [plan_route(liechtenstein_graph, [a, b], profile=profile) for a, b in pairs]
    assert [r.cost for r in chains] == pytest.approx([r.cost for r in whole], rel=1e-12)
    # Equal costs through other junctions may happen; the rides are the same length whichever is taken.
    assert [r.length_m for r in chains] == pytest.approx([r.length_m for r in whole], rel=1e-9)
    same = sum(r.nodes == w.nodes for r, w in zip(chains, whole, strict=True))
    assert same >= 0.9 * len(pairs)


def test_entries_that_are_not_ancestors_of_each_other_are_all_searched(
    liechtenstein_graph: nx.MultiDiGraph[int],
) -> None:
    """Any junctions may be entries: their chains are joined."""
    hierarchy = search_index(liechtenstein_graph, get_profile("touring")).hierarchy
    parent = parents(hierarchy.shape)
    rng = np.random.default_rng(5)
    n = hierarchy.shape.n
    for _ in range(30):
        a, b, c, d = (int(x) for x in rng.integers(0, n, 4))
        sources = {a: 10.0, b: 0.0}
        targets = {c: 0.0, d: 25.0}
        expected = climb(hierarchy, sources, targets)
        got = climb_chains(hierarchy, sources, targets)
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert got.cost == pytest.approx(expected.cost, rel=1e-12)
            assert got.first in sources
            assert got.last in targets
        chain = ancestors(parent, [int(hierarchy.shape.rank[a]), int(hierarchy.shape.rank[b])])
        assert len(chain) == len(set(chain))
        assert {int(hierarchy.shape.rank[a]), int(hierarchy.shape.rank[b])} <= set(chain)


def test_unreachable_pairs_on_the_city_graph_are_refused_the_same_way(
    cremona_graph: nx.MultiDiGraph[int],
) -> None:
    hierarchy = search_index(cremona_graph, get_profile("touring")).hierarchy
    rng = np.random.default_rng(9)
    n = hierarchy.shape.n
    outcomes = []
    for _ in range(200):
        a, b = (int(x) for x in rng.integers(0, n, 2))
        expected = climb(hierarchy, {a: 0.0}, {b: 0.0})
        got = climb_chains(hierarchy, {a: 0.0}, {b: 0.0})
        outcomes.append(expected is None)
        assert (got is None) == (expected is None)
        if got is not None and expected is not None:
            assert got.cost == pytest.approx(expected.cost, rel=1e-12)
    # The city graph has parts a bicycle cannot leave: both answers occur.
    assert any(outcomes)
    assert not all(outcomes)


def test_threads_each_search_their_own_chains(
    liechtenstein_graph: nx.MultiDiGraph[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    points = _points(liechtenstein_graph, 10, seed=31)
    pairs = [(points[i], points[j]) for i in range(len(points)) for j in range(len(points)) if i != j][:50]
    monkeypatch.setattr(routing.search, "CHAINS_FROM", 0)
    expected = [plan_route(liechtenstein_graph, [a, b]).cost for a, b in pairs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda ab: plan_route(liechtenstein_graph, [ab[0], ab[1]]).cost, pairs))
    assert got == expected
