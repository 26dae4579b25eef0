"""Snapping foreign tracks onto the real Cremona graph."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from gis_data.gpx_geometry import path_length_m
from gis_data.gpx_import import read_gpx
from gis_data.gpx_model import iter_track_points
from gis_data.gpx_model import latlons
from routing import plan_route
from routing.errors import InvalidPointError
from routing.errors import PointOffNetworkError
from routing.snap_track import sample_along
from routing.snap_track import snap_track
from tests.conftest import DATA
from tests.foreign_tracks import ev8_crossing
from tests.foreign_tracks import needs_shared

if TYPE_CHECKING:
    import networkx as nx


@needs_shared
def test_sample_along_keeps_the_ends_and_the_spacing() -> None:
    track = latlons(iter_track_points(read_gpx(ev8_crossing())))
    samples = sample_along(track, 500)
    assert samples[0] == pytest.approx(track[0])
    assert samples[-1] == pytest.approx(track[-1])
    steps = [path_length_m([a, b]) for a, b in itertools.pairwise(samples)]
    assert all(s <= 500.5 for s in steps)
    assert len(samples) == 13  # 5.88 km every 500 m: 0, 0.5, ..., 5.5 km and the end
    with pytest.raises(InvalidPointError):
        sample_along(track, 0)


def test_a_planned_route_snaps_onto_itself(cremona_graph: nx.MultiDiGraph[int]) -> None:
    route = plan_route(cremona_graph, [(45.1334, 10.0246), (45.1433, 10.0180), (45.1300, 10.0600)])
    snapped = snap_track(cremona_graph, route.latlon(), spacing_m=300)
    assert snapped.route.length_m == pytest.approx(route.length_m, rel=0.01)
    assert snapped.max_deviation_m < 1.0
    assert snapped.skipped == ()
    assert len(snapped.via_points) == len(snapped.samples) == len(snapped.route.snaps)


@needs_shared
def test_a_foreign_track_becomes_an_itinerary(cremona_graph: nx.MultiDiGraph[int]) -> None:
    track = latlons(iter_track_points(read_gpx(ev8_crossing())))
    snapped = snap_track(cremona_graph, track, spacing_m=200)
    route = snapped.route.latlon()
    assert path_length_m([route[0], track[0]]) < 50
    assert path_length_m([route[-1], track[-1]]) < 50
    # Most of the way the route runs on the track's own roads ...
    assert snapped.mean_deviation_m < 25
    # ... but the city graph (primary to residential roads) lacks the path EuroVelo 8 takes east
    # of the centre, so one stretch has to go round: the maximum tells the operator where to look.
    assert 500 < snapped.max_deviation_m < 1200
    assert len(snapped.via_points) >= 25


def test_a_track_far_from_the_network_is_refused(cremona_graph: nx.MultiDiGraph[int]) -> None:
    slovenia = latlons(iter_track_points(read_gpx(DATA / "gpx-corpus" / "Mojstrovka.gpx")))
    with pytest.raises(PointOffNetworkError):
        snap_track(cremona_graph, slovenia, spacing_m=500)
