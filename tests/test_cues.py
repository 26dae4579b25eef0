from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString

from gis_data.gpx import gpx_to_xml
from gis_data.gpx import route_to_gpx
from gis_data.gpx import validate_gpx_schema
from routing import plan_route
from routing.cue_text import HEADINGS
from routing.cue_text import LANGUAGES
from routing.cue_text import PHRASES
from routing.cue_text import SYMBOLS
from routing.cue_text import WAYS
from routing.cue_text import check_language
from routing.cue_text import cue_instruction
from routing.cue_text import cue_line
from routing.cue_text import cue_waypoints
from routing.cue_text import format_km
from routing.cues import TURNS
from routing.cues import Cue
from routing.cues import bearing_change
from routing.cues import route_cues
from routing.cues import turn_kind
from routing.errors import LanguageError
from routing.explain import RouteSegment
from routing.summary import Route
from tests.common import NODES
from tests.common import square_graph
from tests.conftest import GPX_SCHEMA

# One metre of latitude, and of longitude at Cremona, in degrees.
DLAT = 1 / 111_130
DLON = 1 / 78_700
ORIGIN = (10.0230, 45.1330)


def _route(points_m: list[tuple[float, float]], runs: list[tuple[str, str, float]]) -> Route:
    """A route drawn through points given in metres east/north of ORIGIN, with its streets as ``(name, highway, m)``."""
    coords = [(ORIGIN[0] + x * DLON, ORIGIN[1] + y * DLAT) for x, y in points_m]
    segments = []
    at = 0.0
    for name, highway, metres in runs:
        segments.append(RouteSegment(round(at / 1000, 3), metres, name, highway, "asphalt", "none", (), 15.0, 1.0))
        at += metres
    return Route(
        geometry=LineString(coords),
        nodes=(),
        length_m=at,
        duration_s=at / 4,
        speed_kmh=15.0,
        surface_shares={},
        highway_shares={},
        cycle_routes=(),
        snaps=(),
        segments=tuple(segments),
    )


@pytest.mark.parametrize(
    ("change", "turn"),
    [
        (0.0, "straight"),
        (-24.0, "straight"),
        (30.0, "slight_right"),
        (-45.0, "slight_left"),
        (90.0, "right"),
        (-90.0, "left"),
        (140.0, "sharp_right"),
        (-150.0, "sharp_left"),
        (170.0, "uturn"),
        (-180.0, "uturn"),
    ],
)
def test_turn_kind(change: float, turn: str) -> None:
    assert turn_kind(change) == turn


@given(st.floats(0, 360), st.floats(0, 360))
def test_bearing_change_is_a_signed_half_turn(before: float, after: float) -> None:
    change = bearing_change(before, after)
    assert -180.0 < change <= 180.0 or change == pytest.approx(-180.0)
    assert (before + change - after) % 360 == pytest.approx(0.0, abs=1e-6) or (
        (before + change - after) % 360 == pytest.approx(360.0, abs=1e-6)
    )


@given(st.floats(-179.0, 179.0))
def test_turn_kind_is_mirrored(change: float) -> None:
    assert turn_kind(-change) == turn_kind(change).replace("left", "@").replace("right", "left").replace("@", "right")


def test_left_turn_at_a_street_change() -> None:
    route = _route([(0, 0), (200, 0), (200, 150)], [("Via Roma", "residential", 200), ("Via Po", "residential", 150)])
    cues = route_cues(route)
    assert [c.turn for c in cues] == ["depart", "left", "arrive"]
    assert cues[1].street == "Via Po"
    assert cues[1].km == pytest.approx(0.2)
    assert cues[1].bearing_change == pytest.approx(-90, abs=2)
    assert cues[0].bearing == pytest.approx(90, abs=2)  # heading east
    assert cues[-1].km == pytest.approx(0.35)


def test_straight_on_at_a_street_change_is_a_cue() -> None:
    route = _route([(0, 0), (400, 0)], [("Via Roma", "residential", 200), ("Corso Garibaldi", "tertiary", 200)])
    assert [(c.turn, c.street) for c in route_cues(route)][1] == ("straight", "Corso Garibaldi")


def test_a_short_blip_of_another_name_gives_no_cue() -> None:
    route = _route(
        [(0, 0), (300, 0)],
        [("Via Roma", "residential", 140), ("Piazza Duomo", "residential", 20), ("Via Roma", "residential", 140)],
    )
    assert [c.turn for c in route_cues(route)] == ["depart", "arrive"]


def test_a_short_link_is_folded_into_the_turn_after_it() -> None:
    # East on Via Roma, 20 m north across a square, then east on Via Po: one cue, measured across the link.
    route = _route(
        [(0, 0), (150, 0), (150, 20), (300, 20)],
        [("Via Roma", "residential", 150), ("Piazza", "pedestrian", 20), ("Via Po", "residential", 150)],
    )
    cues = route_cues(route)
    assert [(c.turn, c.street) for c in cues] == [("depart", "Via Roma"), ("straight", "Via Po"), ("arrive", "Via Po")]
    assert cues[1].km == pytest.approx(0.15)


def test_unnamed_ways_are_told_apart_by_kind() -> None:
    route = _route(
        [(0, 0), (600, 0)],
        [("", "residential", 200), ("", "service", 200), ("", "cycleway", 200)],
    )
    cues = route_cues(route)
    # residential and service are both "a road"? No: a service road is its own kind.
    assert [c.way for c in cues[1:-1]] == ["service", "cycleway"]
    assert cue_instruction(cues[2], "en") == "continue straight onto the cycle path"
    assert cue_instruction(cues[2], "it") == "prosegui dritto sulla pista ciclabile"


def test_depart_names_the_first_way_ridden_for_a_while() -> None:
    route = _route([(0, 0), (300, 0)], [("Piazza della Stazione", "residential", 3), ("Via Dante", "residential", 297)])
    cues = route_cues(route, names=["Stazione", "Duomo"])
    assert [(c.turn, c.street, c.place) for c in cues] == [
        ("depart", "Via Dante", "Stazione"),
        ("arrive", "Via Dante", "Duomo"),
    ]


def test_square_graph_turns_left_twice() -> None:
    G = square_graph()
    (x1, y1), (x2, _) = NODES[1], NODES[2]
    (x3, y3) = NODES[3]
    start = (y1, x1 + 0.5 * (x2 - x1))  # in the middle of Via 10
    end = (y3, x3 - 0.3 * (x2 - x1))  # on Via 12, 33 m from its east end
    route = plan_route(G, [start, end])
    cues = route_cues(route, G, names=["A", "B"])
    assert [(c.turn, c.street) for c in cues] == [
        ("depart", "Via 10"),
        ("left", "Via 11"),
        ("left", "Via 12"),
        ("arrive", "Via 12"),
    ]
    assert cue_line(cues[1], "it") == f"al km {format_km(cues[1].km, 'it')} svolta a sinistra in Via 11"
    assert cue_line(cues[1], "en") == f"at km {format_km(cues[1].km, 'en')} turn left onto Via 11"


def _far_apart(G: nx.MultiDiGraph[int]) -> list[tuple[float, float]]:
    """The westmost, southmost and eastmost junctions that can all reach each other."""
    core = max(nx.strongly_connected_components(G), key=len)
    ends = [min(core, key=lambda n: G.nodes[n]["x"]), min(core, key=lambda n: G.nodes[n]["y"])]
    ends.append(max(core, key=lambda n: G.nodes[n]["x"]))
    assert len(set(ends)) == 3
    return [(G.nodes[n]["y"], G.nodes[n]["x"]) for n in ends]


def test_real_route_cues_are_in_order(centre_graph: nx.MultiDiGraph[int]) -> None:
    route = plan_route(centre_graph, _far_apart(centre_graph))
    cues = route_cues(route, centre_graph, names=["Piazza", "Via", "Fine"])
    assert cues[0].turn == "depart"
    assert cues[-1].turn == "arrive"
    assert cues[-1].km == pytest.approx(route.length_m / 1000, abs=0.002)
    assert [c.km for c in cues] == sorted(c.km for c in cues)
    assert {c.turn for c in cues} <= set(TURNS)
    assert sum(c.turn == "via" for c in cues) == 1
    (via,) = [c for c in cues if c.turn == "via"]
    assert via.place == "Via"
    # Every change of street name is announced there, or just before by a roundabout's cue.
    kms = [c.km for c in cues]
    for before, seg in itertools.pairwise(route.segments):
        if seg.name != before.name and seg.length_m >= 40:
            assert any(0 <= seg.start_km - km <= 0.1 for km in kms), seg


def test_roundabout_exit_is_counted(liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    balzers, ruggell = (47.06667, 9.5), (47.23976, 9.52629)
    route = plan_route(liechtenstein_graph, [balzers, ruggell])
    cues = route_cues(route, liechtenstein_graph)
    roundabouts = [c for c in cues if c.turn == "roundabout"]
    assert roundabouts
    assert all(c.exit >= 1 for c in roundabouts)
    text = cue_instruction(roundabouts[0], "it")
    assert text.startswith(f"alla rotonda prendi la {roundabouts[0].exit}ª uscita")


def test_cues_as_gpx_waypoints_validate(centre_graph: nx.MultiDiGraph[int]) -> None:
    route = plan_route(centre_graph, _far_apart(centre_graph)[:2])
    cues = route_cues(route, centre_graph)
    waypoints = cue_waypoints(cues, "it")
    assert len(waypoints) == len(cues) - 2  # the start and the arrival are not turns
    assert all(name.startswith("al km ") for name, _ in waypoints)
    doc = route_to_gpx(route.latlon(), waypoints, name="cues")
    assert validate_gpx_schema(gpx_to_xml(doc), GPX_SCHEMA) == []


@pytest.mark.parametrize("table", [PHRASES, WAYS, HEADINGS])
def test_every_language_has_every_phrase(table: dict[str, object]) -> None:
    assert set(table) == set(LANGUAGES)
    keys = [set(v) if isinstance(v, dict) else len(v) for v in table.values()]  # type: ignore[arg-type]
    assert all(k == keys[0] for k in keys)


def test_every_turn_has_a_phrase_and_a_symbol() -> None:
    for lang in LANGUAGES:
        for turn in TURNS:
            cue = Cue(1.0, turn, "Via Po", 0.0, exit=1, place="Duomo")
            assert cue_instruction(cue, lang)
        assert set(SYMBOLS) == set(TURNS)


def test_italian_uses_a_decimal_comma() -> None:
    cue = Cue(3.24, "left", "Via Palestro", -90.0)
    assert cue_line(cue, "it") == "al km 3,2 svolta a sinistra in Via Palestro"
    assert cue_line(cue, "en") == "at km 3.2 turn left onto Via Palestro"
    assert cue_instruction(Cue(3.2, "right", "SP10", 90.0), "it") == "svolta a destra sulla SP10"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(LanguageError, match="'de'"):
        check_language("de")


def test_doubling_back_onto_another_street_is_sharp_not_a_u_turn() -> None:
    route = _route(
        [(0, 0), (200, 0), (20, 15)],
        [("Via Roma", "residential", 200), ("Via Po", "residential", 181)],
    )
    (turn,) = [c for c in route_cues(route) if c.turn not in {"depart", "arrive"}]
    assert turn.turn == "sharp_left"
    assert turn.bearing_change < -160
