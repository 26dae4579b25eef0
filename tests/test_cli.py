from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import gpxpy
import networkx as nx
import pytest
from click.testing import CliRunner

from cli.main import cli
from gis_data import settings
from gis_data.gpx import validate_gpx_schema
from routing import snap_point
from tests.conftest import GPX_SCHEMA
from tests.conftest import LIECHTENSTEIN

if TYPE_CHECKING:
    from pathlib import Path

    from click.testing import Result

    from routing import Snap

PIAZZA_DEL_COMUNE = "45.1334,10.0246"
CREMONA_STATION = "45.1433,10.0180"
FAR_AWAY = "45.58,9.50"  # near Treviglio, ~60 km from the city graph


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CREMONA_BIKE_DATA", raising=False)
    return CliRunner()


def _run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=False)


def _assert_one_line_error(result: Result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    if exit_code == 1:
        assert len(lines) == 1, lines
    assert result.stdout == ""
    return lines[-1]


def _snap_exits(G: nx.MultiDiGraph[int], snap: Snap) -> dict[int, float]:
    """Metres from a snapped point to the ends of its edge, where a bicycle may ride."""
    u, v, _ = snap.edge
    length = float(G.edges[snap.edge]["length"])
    ends = {v: length - snap.offset_m}
    if G.has_edge(v, u):
        ends[u] = snap.offset_m
    return ends


def _snap_entries(G: nx.MultiDiGraph[int], snap: Snap) -> dict[int, float]:
    """Metres from the ends of its edge to a snapped point, where a bicycle may ride."""
    u, v, _ = snap.edge
    length = float(G.edges[snap.edge]["length"])
    ends = {u: snap.offset_m}
    if G.has_edge(v, u):
        ends[v] = length - snap.offset_m
    return ends


def test_version(runner: CliRunner) -> None:
    result = _run(runner, "--version")
    assert result.exit_code == 0
    assert result.output == "cremona-bike, version 0.1.0\n"


def test_help_lists_subcommands(runner: CliRunner) -> None:
    result = _run(runner, "--help")
    assert result.exit_code == 0
    for name in ("route", "places", "data"):
        assert name in result.output


# Acceptance 2: Piazza del Comune -> Cremona station, to GPX.
def test_route_to_gpx_matches_networkx(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int], tmp_path: Path) -> None:
    out = tmp_path / "a.gpx"
    result = _run(runner, "route", PIAZZA_DEL_COMUNE, CREMONA_STATION, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    summary = result.stderr
    assert re.search(r"distance: \d+\.\d km, time: \d+:\d\d at \d+(\.\d+)? km/h", summary)
    assert re.search(r"surface: \w+ \d+%", summary)
    assert re.search(r"highway: \w+ \d+%", summary)
    assert "cycle routes: none" in summary
    assert "is 91 m from the network" in summary  # the piazza is pedestrian: snap > 25 m

    xml = out.read_bytes()
    assert validate_gpx_schema(xml, GPX_SCHEMA) == []
    doc = gpxpy.parse(xml.decode("utf-8"))
    assert [w.type for w in doc.waypoints] == ["start", "end"]
    assert doc.copyright_license == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert doc.link_text == settings.attribution

    # The shortest path by networkx between the snapped points (through the ends of their edges).
    G = cremona_graph
    start = snap_point(G, (45.1334, 10.0246), limit_m=settings.snap_limit_m)
    end = snap_point(G, (45.1433, 10.0180), limit_m=settings.snap_limit_m)
    expected = min(
        to_a + nx.shortest_path_length(G, a, b, weight="length") + from_b
        for a, to_a in _snap_exits(G, start).items()
        for b, from_b in _snap_entries(G, end).items()
    )
    assert doc.length_2d() == pytest.approx(expected, rel=0.01)
    match = re.search(r"distance: (\d+\.\d) km", summary)
    assert match is not None
    km = float(match.group(1))
    assert km == pytest.approx(expected / 1000, abs=0.05)


def test_route_geojson_to_stdout(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(runner, "route", "Cremona", "Stazione di Cremona", "--speed", "20")
    assert result.exit_code == 0, result.output
    feature = json.loads(result.stdout)
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "LineString"
    props = feature["properties"]
    assert props["stops"] == ["Cremona", "Stazione di Cremona"]
    assert props["speed_kmh"] == 20
    assert props["attribution"] == settings.attribution
    assert "at 20 km/h" in result.stderr
    assert "{" not in result.stderr  # the summary stays off stdout and vice versa


def test_route_gpx_to_stdout_with_via(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(
        runner,
        "route",
        "Cremona",
        "Stazione di Cremona",
        "--via",
        "Via Palestro",
        "--format",
        "gpx",
    )
    assert result.exit_code == 0, result.output
    assert validate_gpx_schema(result.stdout_bytes, GPX_SCHEMA) == []
    doc = gpxpy.parse(result.stdout)
    assert [(w.name, w.type) for w in doc.waypoints] == [
        ("Cremona", "start"),
        ("Via Palestro", "via"),
        ("Stazione di Cremona", "end"),
    ]
    assert "Cremona → Via Palestro → Stazione di Cremona" in result.stderr


@pytest.mark.parametrize("name", ["a.geojson", "a.json", "A.GeoJSON"])
def test_route_geojson_file(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int], tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = _run(runner, "route", PIAZZA_DEL_COMUNE, CREMONA_STATION, "-o", str(out))
    assert result.exit_code == 0, result.output
    feature = json.loads(out.read_text(encoding="utf-8"))
    assert feature["properties"]["length_m"] > 0


# Acceptance 3: a Liechtenstein extract, with the signed routes used.
def test_route_liechtenstein_names_signed_routes(runner: CliRunner, liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(runner, "route", "Vaduz", "Schaan", "--data", str(LIECHTENSTEIN))
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("cycle routes: "))
    assert line != "cycle routes: none"
    names = {info["name"] for info in liechtenstein_graph.graph["routes"].values()}
    assert any(name in line for name in names)
    assert "Schaaner Radwegnetz" in line


def test_route_on_the_rhine_dam_uses_eurovelo(runner: CliRunner, liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(
        runner,
        "route",
        "47.0895783,9.5153943",
        "47.1631789,9.4899198",
        "--data",
        str(LIECHTENSTEIN),
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"EuroVelo 15 \[EV15, icn\] \d+%", result.stderr)


def test_data_from_environment(runner: CliRunner, liechtenstein_graph: nx.MultiDiGraph[int]) -> None:
    result = runner.invoke(cli, ["data", "info"], env={"CREMONA_BIKE_DATA": str(LIECHTENSTEIN)})
    assert result.exit_code == 0, result.output
    assert "name: liechtenstein" in result.stdout
    assert "bicycle route relations: 15" in result.stdout


# Acceptance 4: errors are one line, exit 1 (or 2 for usage), no traceback.
def test_point_off_network(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    line = _assert_one_line_error(_run(runner, "route", FAR_AWAY, CREMONA_STATION))
    assert re.fullmatch(
        r"Error: Point \(45\.58000, 9\.50000\) is \d+\.\d\d km from the bicycle network "
        r"\(limit 1 km\)",
        line,
    )
    match = re.search(r"is (\d+\.\d\d) km", line)
    assert match is not None
    km = float(match.group(1))
    assert 40 < km < 80


def test_named_place_off_network(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    line = _assert_one_line_error(_run(runner, "route", "Crema", "Cremona"))
    assert line.startswith("Error: 'Crema' (45.")
    assert "km from the bicycle network" in line


def test_unknown_places_get_suggestions(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    line = _assert_one_line_error(_run(runner, "route", "foo", "bar"))
    assert line.startswith("Error: No place matches 'foo'. Did you mean: ")
    assert line.endswith("?")


def test_misspelt_place_suggests_the_right_one(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    line = _assert_one_line_error(_run(runner, "route", "Cremona", "Via Palestr"))
    assert "Via Palestro" in line


@pytest.mark.parametrize("bad", ["95,10", "45,190", "-91,10"])
def test_coordinates_out_of_range(runner: CliRunner, bad: str) -> None:
    result = _run(runner, "route", "--", bad, CREMONA_STATION)
    line = _assert_one_line_error(result, exit_code=2)
    assert bad in line
    assert "out of range" in line


def test_unknown_extension_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "a.txt"
    result = _run(runner, "route", PIAZZA_DEL_COMUNE, CREMONA_STATION, "-o", str(out))
    line = _assert_one_line_error(result, exit_code=2)
    assert "'.txt'" in line
    assert not out.exists()


def test_extension_contradicting_format(runner: CliRunner, tmp_path: Path) -> None:
    args = ["route", PIAZZA_DEL_COMUNE, CREMONA_STATION, "-o", str(tmp_path / "a.gpx")]
    result = _run(runner, *args, "--format", "geojson")
    _assert_one_line_error(result, exit_code=2)


def test_missing_data_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.osm.pbf"
    line = _assert_one_line_error(_run(runner, "data", "info", "--data", str(missing)))
    assert str(missing) in line


def test_unreadable_data_file(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    line = _assert_one_line_error(_run(runner, "data", "info", "--data", str(bad)))
    assert line.startswith("Error: ")


def test_unwritable_output(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int], tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "a.gpx"
    line = _assert_one_line_error(_run(runner, "route", "Cremona", CREMONA_STATION, "-o", str(out)))
    assert "cannot write" in line


def test_places_lists_via_palestro(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(runner, "places", "Palestro")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert ["Via Palestro", "street"] in [row[:2] for row in rows]
    for _, _, lat, lon in rows:
        assert 45.0 < float(lat) < 45.3
        assert 9.9 < float(lon) < 10.2


def test_places_limit_and_no_match(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(runner, "places", "--limit", "3")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 3
    _assert_one_line_error(_run(runner, "places", "zzzzqqq"))
    assert _run(runner, "places", "--limit", "0").exit_code == 2


def test_data_info(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(runner, "data", "info")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"name: {cremona_graph.graph['name']}",
        f"source: {cremona_graph.graph['source']}",
        f"nodes: {cremona_graph.number_of_nodes()}",
        f"edges: {cremona_graph.number_of_edges()}",
        "bicycle route relations: 0",
    ]


def test_data_prepare(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int]) -> None:
    result = _run(runner, "data", "prepare")
    assert result.exit_code == 0, result.output
    n, m = cremona_graph.number_of_nodes(), cremona_graph.number_of_edges()
    assert re.match(rf"\w+: {n} nodes, {m} edges; loaded in \d+\.\d\d s", result.stdout)
    assert str(settings.cache_folder) in result.stdout


def test_data_prepare_builds_a_new_cache(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "cache_folder", tmp_path)
    result = _run(runner, "data", "prepare")
    assert result.exit_code == 0, result.output
    assert "; built in " in result.stdout
    assert list(tmp_path.glob("*.cbgraph"))


@pytest.mark.parametrize("flags", [["-v"], ["-vv"], ["-q"], ["-qq", "-v"]])
def test_verbosity_flags(runner: CliRunner, cremona_graph: nx.MultiDiGraph[int], flags: list[str]) -> None:
    result = _run(runner, *flags, "data", "info")
    assert result.exit_code == 0, result.output
    assert "nodes: " in result.stdout
